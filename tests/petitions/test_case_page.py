"""The workflow forms on the case page: dates default to today, required fields marked, a refused step comes back
with what was typed and the message beside the field (400), 办结/不予受理 are confirmed first, no result is
pre-selected, 开始办理 is not an extra empty step, and the history names people, not logins."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jinguo.petitions import services
from jinguo.petitions.models import Case, Status
from jinguo.testing import form_data

pytestmark = pytest.mark.django_db
D = dt.date


def _section(html: str, action: str) -> str:
    match = re.search(rf'<details class="action[^"]*" name="case-action" id="action-{action}".*?</details>', html, re.S)
    assert match, f"no {action} form"
    return match.group(0)


def _action_url(case, action):
    return reverse("petitions:case_action", args=[case.pk, action])


@pytest.fixture
def followed_up(tree, users, make_case):
    case = make_case(tree["county"])
    services.accept_case(case, on=D(2025, 3, 10))
    services.reply_case(case, reply="已答复", on=D(2025, 4, 1))
    services.follow_up_case(case, on=D(2025, 4, 10), method="phone", satisfaction="satisfied")
    return case


def test_dates_default_to_today_and_required_fields_are_marked(tree, users, make_case, login):
    case = make_case(tree["county"])
    html = login(users["staff"]).get(case.get_absolute_url()).content.decode()
    today = timezone.localdate().isoformat()
    assert form_data(html, _action_url(case, "accept"))["accept-on"] == today
    reject = _section(html, "reject")
    # Marked once, by the theme's `.form-label.required::after` as on every other form (a second "*" doubled it).
    assert re.search(r'<label class="form-label required"[^>]*>不予受理理由</label>', reject)
    assert 'aria-hidden="true">*</span>' not in html
    assert 'aria-required="true"' in reject
    assert ' open' in _section(html, "accept").split(">")[0]  # the step the case waits for is open
    assert ' open' not in _section(html, "reject").split(">")[0]  # the others folded behind their buttons


def test_blank_closure_result_is_refused_beside_the_field_and_the_input_kept(followed_up, users, login):
    client = login(users["staff"])
    html = client.get(followed_up.get_absolute_url()).content.decode()
    data = form_data(html, _action_url(followed_up, "close"))
    assert data["close-result"] == ""  # nothing pre-selected
    assert '<option value="" selected>请选择办结结果</option>' in _section(html, "close")
    data["close-note"] = "信访人表示接受调解结果"
    response = client.post(_action_url(followed_up, "close"), data)
    assert response.status_code == 400
    section = _section(response.content.decode(), "close")
    assert ' open' in section.split(">")[0]
    field = re.search(r'<select name="close-result".*?</div>\s*</div>', section, re.S).group(0)
    assert "is-invalid" in field and "请选择办结结果。" in field  # the message sits with the field
    assert "信访人表示接受调解结果</textarea>" in section  # what was typed stays
    assert Case.objects.get(pk=followed_up.pk).status == Status.FOLLOWED_UP


def test_a_date_the_rule_refuses_comes_back_beside_the_date(tree, users, make_case, login):
    case = make_case(tree["county"])
    client = login(users["staff"])
    data = form_data(client.get(case.get_absolute_url()).content.decode(), _action_url(case, "accept"))
    data.update({"accept-on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(), "accept-note": "已告知"})
    response = client.post(_action_url(case, "accept"), data)
    assert response.status_code == 400
    section = _section(response.content.decode(), "accept")
    assert re.search(r'name="accept-on"[^>]*is-invalid|is-invalid[^>]*name="accept-on"', section)
    assert "受理日期不能晚于今天。" in section and "已告知</textarea>" in section
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


def test_closing_is_confirmed_before_it_is_done(followed_up, users, login):
    client = login(users["staff"])
    data = form_data(client.get(followed_up.get_absolute_url()).content.decode(), _action_url(followed_up, "close"))
    data["close-result"] = "mediated"
    asked = client.post(_action_url(followed_up, "close"), data)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "请确认：办结" in page and "调解成功" in page
    assert Case.objects.get(pk=followed_up.pk).status == Status.FOLLOWED_UP
    confirm = form_data(page, _action_url(followed_up, "close"))  # the confirmation's form comes first
    assert confirm["confirmed"] == "1" and confirm["close-result"] == "mediated"
    assert client.post(_action_url(followed_up, "close"), confirm).status_code == 302
    case = Case.objects.get(pk=followed_up.pk)
    assert case.status == Status.CLOSED and case.result == "mediated"
    closed = client.get(case.get_absolute_url()).content.decode()
    assert ' open' not in _section(closed, "request_review").split(">")[0]  # 复查 is not offered open


def test_rejecting_is_confirmed_before_it_is_done(tree, users, make_case, login):
    case = make_case(tree["county"])
    client = login(users["staff"])
    data = form_data(client.get(case.get_absolute_url()).content.decode(), _action_url(case, "reject"))
    data["reject-reason"] = "不属于妇联职责范围，已告知向法院起诉"
    page = client.post(_action_url(case, "reject"), data).content.decode()
    assert "请确认：不予受理" in page and Case.objects.get(pk=case.pk).status == Status.REGISTERED
    assert client.post(_action_url(case, "reject"), form_data(page, _action_url(case, "reject"))).status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.REJECTED


def test_start_is_not_an_extra_step_on_the_page_but_stays_in_the_api(tree, users, make_case, login):
    case = make_case(tree["county"])
    services.accept_case(case, on=D(2025, 3, 10))
    client = login(users["staff"])
    html = client.get(case.get_absolute_url()).content.decode()
    assert _action_url(case, "start") not in html and "开始办理" not in html
    assert _action_url(case, "reply") in html and ' open' in _section(html, "reply").split(">")[0]
    assert "start" in services.allowed_actions(case)  # the API may still record it
    response = client.post(f"/api/cases/{case.pk}/start/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "in_progress"


def test_history_shows_the_persons_name_not_the_login(tree, make_case, login):
    from jinguo.core.roles import Role
    from jinguo.testing import make_user

    clerk = make_user("lijuan", tree["county"], Role.STAFF, Role.PETITION_OFFICER)
    clerk.display_name = "东安县妇联 李娟"
    clerk.save()
    case = make_case(tree["county"], actor=clerk)
    client = login(clerk)
    data = form_data(client.get(case.get_absolute_url()).content.decode(), _action_url(case, "accept"))
    assert client.post(_action_url(case, "accept"), data).status_code == 302
    html = client.get(case.get_absolute_url()).content.decode()
    timeline = re.search(r'<ol class="list-group list-group-flush timeline">.*?</ol>', html, re.S).group(0)
    assert timeline.count("东安县妇联 李娟") == 2 and "lijuan" not in timeline
