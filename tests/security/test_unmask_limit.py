"""Personal data in clear at most UNMASK_LIMIT times per person within UNMASK_WINDOW: past it, every path that shows
it (the case page, the printed registration form, a registry person, the API) refuses, says why and when to try
again, shows nothing in clear, and the refusal is in the audit trail for the security and audit administrators."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from jinguo.audit.models import AuditEntry
from jinguo.core.idcard import check_char
from jinguo.people.models import Person

VOLUNTEER_ID = "43112219900101001" + check_char("43112219900101001")
PERSON = {"name": "王秀英", "id_number": "320124198808240056", "phone": "13807461234"}


def test_unmasking_past_the_limit_is_refused_on_every_path_and_recorded(tree, users, login, make_case, settings):
    settings.UNMASK_LIMIT = 3
    case = make_case(tree["county"], **PERSON)
    officer = login(users["staff"])  # 信访专干
    unmask = reverse("petitions:case_unmask", args=[case.pk])
    for reason in ("回访联系", "核实身份", "转介需要"):
        shown = officer.post(unmask, {"reason": reason})
        assert shown.status_code == 200 and "王秀英" in shown.content.decode()

    # The fourth: on the case's own page, still masked, with what happened and when to try again.
    refused = officer.post(unmask, {"reason": "再看一次"}, follow=True)
    page = refused.content.decode()
    assert refused.redirect_chain[-1][0] == case.get_absolute_url()
    assert "王秀英" not in page and "320124198808240056" not in page and "13807461234" not in page
    assert "10分钟内已查看个人信息明文3次" in page and "后再试" in page
    printed = officer.post(reverse("petitions:case_form", args=[case.pk]), {"reason": "归档打印"})
    assert printed.status_code == 302 and printed.headers["Content-Type"].startswith("text/html")
    api = officer.post(f"/api/cases/{case.pk}/unmask/", {"reason": "接口核实"})
    assert api.status_code == 429 and "王秀英" not in api.content.decode()
    detail = api.json()["detail"]
    assert "达到上限" in detail and int(api.headers["Retry-After"]) > 0
    assert detail.count("后再试") == 1 and "预计" not in detail  # when, said once

    # A registry person (entered through the volunteer add page): refused on her page too, which stays masked.
    added = officer.post(reverse("people:volunteer_add"), {
        "org": tree["county"].pk, "person_name": "赵丽华", "id_number": VOLUNTEER_ID, "phone": "13607463456",
        "address": "东安县芦洪市镇和平街3号", "joined_on": "2025-03-01", "team_name": "巾帼志愿服务队"})
    assert added.status_code == 302
    person = Person.objects.get()
    page = officer.post(reverse("people:person_detail", args=[person.pk]), {"reason": "核对"}, follow=True)
    body = page.content.decode()
    assert "达到上限" in body and VOLUNTEER_ID not in body and "13607463456" not in body

    assert AuditEntry.objects.filter(action="personal.unmasked").count() == 3
    refusals = AuditEntry.objects.filter(action="personal.unmask_limited")
    assert refusals.count() == 4 and {e.actor_name for e in refusals} == {users["staff"].username}
    assert refusals.filter(object_id=str(case.pk), note="再看一次").exists()

    # Another officer is not held back by her colleague's count.
    leader = login(users["leader"])
    assert "王秀英" in leader.post(unmask, {"reason": "审批需要"}).content.decode()

    # Once the window has passed (eleven minutes on; the trail itself cannot be altered), she may look again.
    later = timezone.now() + dt.timedelta(minutes=11)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "王秀英" in officer.post(unmask, {"reason": "回访联系"}).content.decode()
