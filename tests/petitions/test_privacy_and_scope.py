"""Personal data: encrypted at rest, masked everywhere, unmasked only with the role and a reason (logged).
Scope: nothing reaches another county's cases."""

import io

import pytest
from django.db import connection
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jinguo.audit.models import AuditEntry
from jinguo.core import crypto
from jinguo.core.roles import Role
from jinguo.petitions import services
from jinguo.testing import make_user

PERSON = {"name": "王秀英", "id_number": "320124198808240056", "phone": "13807461234",
          "address": "东安县白牙市镇新村12号"}


def test_raw_columns_hold_no_plaintext(tree, make_case):
    make_case(tree["county"], **PERSON)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id_number, phone, address, id_hash, phone_hash FROM petitions_petitioner")
        row = cursor.fetchone()
    raw = " ".join(str(v) for v in row)
    for value in PERSON.values():
        assert value not in raw
    assert all(str(v).startswith(f"enc2:{crypto.provider().key_id}:") for v in row[:4])
    with connection.cursor() as cursor:  # …nor in the audit trail
        cursor.execute("SELECT data, note, object_repr FROM audit_auditentry")
        dump = " ".join(str(v) for r in cursor.fetchall() for v in r)
    for value in PERSON.values():
        assert value not in dump


def test_masked_in_list_detail_export_and_api(tree, users, login, make_case):
    case = make_case(tree["county"], **PERSON)
    client = login(users["staff"])
    pages = [client.get(reverse("petitions:case_list")).content.decode(),
             client.get(reverse("petitions:case_detail", args=[case.pk])).content.decode(),
             client.get(f"/api/cases/{case.pk}/").content.decode("unicode_escape"),
             client.get("/api/cases/").content.decode("unicode_escape")]
    export = client.get(reverse("petitions:case_list"), {"export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content))).get_sheet_by_index(0)
    pages.append(str(rows.to_python()))
    for page in pages:
        for value in PERSON.values():
            assert value not in page
    assert "王*" in pages[0] and "320***********0056" in pages[1] and "138****1234" in pages[2]


def test_unmask_needs_the_role_and_a_reason_and_is_logged(tree, users, login, make_case):
    case = make_case(tree["county"], **PERSON)
    plain_staff = make_user("clerk_only", tree["county"], Role.STAFF)
    response = login(plain_staff).post(reverse("petitions:case_unmask", args=[case.pk]), {"reason": "想看看"})
    assert response.status_code == 403 and "王秀英" not in response.content.decode()
    assert login(plain_staff).post(f"/api/cases/{case.pk}/unmask/", {"reason": "想看看"}).status_code == 403
    assert not AuditEntry.objects.filter(kind="access").exists()

    officer = login(users["staff"])  # 信访专干
    no_reason = officer.post(reverse("petitions:case_unmask", args=[case.pk]), {"reason": ""}, follow=True)
    assert "王秀英" not in no_reason.content.decode()
    shown = officer.post(reverse("petitions:case_unmask", args=[case.pk]), {"reason": "回访需要联系信访人"})
    body = shown.content.decode()
    assert shown.status_code == 200 and "王秀英" in body and "320124198808240056" in body
    assert shown["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(kind="access")
    assert (entry.actor_name, entry.object_id, entry.note) == ("dongan", str(case.pk), "回访需要联系信访人")
    assert entry.data["fields"] == ["name", "id_number", "phone", "address"] and entry.time
    api = officer.post(f"/api/cases/{case.pk}/unmask/", {"reason": "核实身份"}).json()
    assert api["petitioners"][0]["phone"] == "13807461234"
    assert AuditEntry.objects.filter(kind="access").count() == 2


def test_exact_search_by_id_or_phone_through_the_hash(tree, users, login, make_case):
    make_case(tree["county"], summary="甲案", **PERSON)
    make_case(tree["county"], summary="乙案", phone="13900001111")
    make_case(tree["sister"], summary="丙案", phone="13807461234")
    client = login(users["staff"])
    page = client.get(reverse("petitions:case_list"), {"search": "320124198808240056"}).content.decode()
    assert "甲案" not in page  # summaries are not list columns; count the rows instead
    assert page.count("431122-2025-") == 1
    page = client.get(reverse("petitions:case_list"), {"search": "138 0746 1234"}).content.decode()
    assert page.count("431122-2025-") == 1 and "431123-" not in page
    # A name finds nothing (names are encrypted): the empty list says so and where to search instead.
    page = client.get(reverse("petitions:case_list"), {"q": PERSON["name"]}).content.decode()
    assert "431122-2025-" not in page and "不能按姓名查找" in page and "身份证号/电话" in page


def test_no_view_or_api_reaches_another_countys_cases(tree, users, login, make_case):
    own = make_case(tree["county"])
    other = make_case(tree["sister"])
    client = login(users["staff"])
    for name in ("case_detail", "case_edit", "case_form"):
        assert client.get(reverse(f"petitions:{name}", args=[other.pk])).status_code == 404, name
        assert client.get(reverse(f"petitions:{name}", args=[own.pk])).status_code == 200, name
    for name in ("case_unmask", "case_dv"):
        assert client.post(reverse(f"petitions:{name}", args=[other.pk]), {"reason": "x"}).status_code == 404
    assert client.post(reverse("petitions:case_action", args=[other.pk, "accept"])).status_code == 404
    assert client.get(f"/api/cases/{other.pk}/").status_code == 404
    assert client.post(f"/api/cases/{other.pk}/accept/", {}).status_code == 404
    listing = client.get(reverse("petitions:case_list"), {"within": tree["sister"].pk}).content.decode()
    assert other.number not in listing
    assert other.number not in client.get(reverse("petitions:deadlines")).content.decode()
    stats = client.get(reverse("petitions:statistics"), {"org": tree["sister"].pk, "period": "2025"})
    assert stats.status_code == 404
    city = login(users["city"]).get(reverse("petitions:case_list")).content.decode()
    assert own.number in city and other.number in city
    # Administrators and the upper-level viewer read no cases.
    for key in ("sysadmin", "auditadmin", "viewer", "clerk"):
        assert login(users[key]).get(reverse("petitions:case_detail", args=[own.pk])).status_code in (403, 404)


def test_api_illegal_transition_is_409_with_chinese_message(tree, users, login, make_case):
    case = make_case(tree["county"])
    client = login(users["staff"])
    response = client.post(f"/api/cases/{case.pk}/reply/", {"reply": "已答复"}, content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert "登记" in body["detail"] and "受理" in body["detail"]
    assert body["allowed_actions"] == ["accept", "reject", "transfer"]
    ok = client.post(f"/api/cases/{case.pk}/accept/", {}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    refer = client.post(f"/api/cases/{case.pk}/refer/", {"agency_type": "法律援助", "unit_name": "县法律援助中心"},
                        content_type="application/json")
    assert refer.status_code == 200 and refer.json()["status"] == "in_progress"
    schema = client.get("/api/schema/").content.decode()
    assert "/api/cases/{id}/accept/" in schema and "409" in schema


def test_api_intake_validates_id_check_digit(tree, users, login, codes):
    client = login(users["staff"])
    base = {"org": tree["county"].pk, "channel": codes["channel"]["12338热线"].pk,
            "category": codes["category"]["婚姻家庭"].pk, "summary": "求助"}
    bad = client.post("/api/cases/", {**base, "id_number": "110108200003154578"}, content_type="application/json")
    assert bad.status_code == 400 and "校验位" in bad.content.decode()
    good = client.post("/api/cases/", {**base, "id_number": "11010519491231002x", "name": "李"},
                       content_type="application/json")
    assert good.status_code == 201 and good.json()["petitioners"][0]["id_number"] == "110***********002X"
    assert services.allowed_actions(services.Case.objects.get()) == ["accept", "reject", "transfer"]


def test_case_attachments_are_checked_and_scoped(tree, users, login, make_case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jinguo.core.models import Attachment

    case = make_case(tree["county"])
    client = login(users["staff"])
    client.post(reverse("petitions:case_attach", args=[case.pk]),
                {"files": [SimpleUploadedFile("告诫书.pdf", b"%PDF-1.4 scan")]})
    client.post(reverse("petitions:case_attach", args=[case.pk]),
                {"files": [SimpleUploadedFile("病毒.docm", b"PK\x03\x04")]})
    attachment = Attachment.objects.get()
    assert attachment.name == "告诫书.pdf"
    assert client.get(reverse("core:attachment_download", args=[attachment.pk])).status_code == 200
    assert login(users["sister"]).get(reverse("core:attachment_download", args=[attachment.pk])).status_code == 404


@pytest.mark.parametrize("headcount, ok", [(0, False), (1, True), (12, True)])
def test_intake_counts_at_least_one_person(tree, users, codes, headcount, ok):
    """A petition is brought by someone: 人数 0 is refused on the intake form (and so on import) as in the API."""
    from django.utils import timezone

    from jinguo.petitions.forms import CaseForm

    data = {"org": tree["county"].pk, "channel": codes["channel"]["来电"].pk, "petition_type": "complaint",
            "category": codes["category"]["婚姻家庭"].pk, "summary": "求助", "headcount": headcount, "sex": "F",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    form = CaseForm(data=data, user=users["staff"])
    assert form.is_valid() is ok
    if not ok:
        assert form.errors["headcount"] == ["人数至少为1人。"]
