"""Personal data is never shown in clear without a logged unmask — lists, details, edit forms, the 家暴 form and the
API alike — and edit forms keep the stored values when their masked fields come back unchanged. Also: bad numbers in
the registries are refused beside the field, the loan edit/delete pages are reachable, and a repeat-abuser warning
tells a sister county nothing about another county's case."""

import datetime as dt

import pytest
from django.urls import reverse

from jinguo.audit.models import AuditEntry
from jinguo.core.idcard import check_char
from jinguo.core.models import CodeItem
from jinguo.core.roles import Role
from jinguo.people.models import Aid, Beneficiary, Honour, Loan, ServiceRecord, Talent, Volunteer
from jinguo.petitions import services as petitions
from jinguo.petitions.models import DomesticViolence
from jinguo.testing import form_data, make_user


def _id(seq: int, born: str = "19880824") -> str:
    first17 = f"431122{born}{seq:03d}"
    return first17 + check_char(first17)


PEOPLE = {
    "beneficiary": {"person_name": "王秀英", "id_number": _id(11), "phone": "13807461234",
                    "address": "东安县白牙市镇新村12号"},
    "talent": {"person_name": "李红梅", "id_number": _id(22), "phone": "13907462345",
               "address": "东安县大庙口镇光明路8号"},
    "volunteer": {"person_name": "赵丽华", "id_number": _id(33), "phone": "13607463456",
                  "address": "东安县芦洪市镇和平街3号"},
    "honour": {"person_name": "孙美玲", "id_number": _id(44), "phone": "13507464567",
               "address": "东安县井头圩镇幸福村6组"},
    "loan": {"person_name": "周春燕", "id_number": _id(55), "phone": "13307465678",
             "address": "东安县紫溪市镇花园路15号"},
}
ABUSER_ID = _id(66, "19800101")
PETITIONER = {"name": "陈桂兰", "id_number": _id(77), "phone": "13207466789", "address": "东安县白牙市镇东风路21号"}
CLEAR_FIELDS = {"person_name": "name", "id_number": "id_number", "phone": "phone", "address": "address"}


def _clear_values(values: dict) -> list[str]:
    return [v for v in values.values() if v]


@pytest.fixture
def registries(tree, users, login):
    """One entry in each registry, entered through its add page by the county's officer."""
    client = login(users["staff"])
    county = tree["county"].pk
    extra = {
        "beneficiary": {"group": CodeItem.objects.lookup("beneficiary_group")["留守儿童"].pk, "since": "2025-03-01"},
        "talent": {"post_kind": "candidate", "last_reviewed": "2025-03-01"},
        "volunteer": {"joined_on": "2025-03-01", "team_name": "巾帼志愿服务队"},
        "honour": {"award": CodeItem.objects.lookup("honour_award")["三八红旗手"].pk, "level": "county",
                   "year": 2025},
        "loan": {"amount": "50000", "bank": "东安农商行", "term_months": 24, "subsidy_rate": "100",
                 "subsidy_amount": "0", "applied_on": "2025-03-01"},
    }
    entries = {}
    for name, model in (("beneficiary", Beneficiary), ("talent", Talent), ("volunteer", Volunteer),
                        ("honour", Honour), ("loan", Loan)):
        response = client.post(reverse(f"people:{name}_add"), {"org": county, **PEOPLE[name], **extra[name]})
        assert response.status_code == 302, (name, response.content.decode()[:3000])
        entries[name] = model.objects.get()
    return entries


@pytest.fixture
def dv_case(tree, users, make_case):
    case = make_case(tree["county"], flags=("dv",), **PETITIONER)
    petitions.save_dv(case, DomesticViolence(abuser_relation="丈夫", abuser_id_number=ABUSER_ID,
                                             warning_letter_on=dt.date(2025, 3, 9)), actor=users["staff"])
    return case


def test_no_page_or_api_shows_personal_data_in_clear_to_a_plain_staff_member(tree, login, registries, dv_case):
    plain = login(make_user("dongan_plain", tree["county"], Role.STAFF))
    pages = {}
    for name, entry in registries.items():
        for url in (reverse(f"people:{name}_list"), reverse(f"people:{name}_detail", args=[entry.pk]),
                    reverse(f"people:{name}_edit", args=[entry.pk]),
                    reverse("people:person_detail", args=[entry.person_id])):
            response = plain.get(url)
            assert response.status_code == 200, url
            pages[url] = (response.content.decode(), _clear_values(PEOPLE[name]))
    api = {"beneficiary": "beneficiaries", "talent": "talents", "volunteer": "volunteers", "honour": "honours",
           "loan": "loans"}
    for name, entry in registries.items():
        for url in (f"/api/{api[name]}/", f"/api/{api[name]}/{entry.pk}/"):
            response = plain.get(url)
            assert response.status_code == 200, url
            pages[url] = (response.content.decode(), _clear_values(PEOPLE[name]))
    case_clear = [*_clear_values(PETITIONER), ABUSER_ID]
    for url in (reverse("petitions:case_list"), reverse("petitions:case_detail", args=[dv_case.pk]),
                reverse("petitions:case_edit", args=[dv_case.pk]), f"/api/cases/{dv_case.pk}/", "/api/cases/"):
        response = plain.get(url)
        assert response.status_code == 200, url
        pages[url] = (response.content.decode(), case_clear)
    for url, (body, clear) in pages.items():
        for value in clear:
            assert value not in body, (url, value)
    # the edit forms and the 家暴 form show the masked values instead
    loan_edit = pages[reverse("people:loan_edit", args=[registries["loan"].pk])][0]
    assert "431***********" in loan_edit and "133****5678" in loan_edit and 'value="周**"' in loan_edit
    assert "431***********" in pages[reverse("petitions:case_detail", args=[dv_case.pk])][0]


def test_saving_each_edit_form_unchanged_keeps_the_stored_values(users, login, registries):
    client = login(users["staff"])
    for name, entry in registries.items():
        url = reverse(f"people:{name}_edit", args=[entry.pk])
        data = form_data(client.get(url).content.decode())
        assert data["id_number"] != PEOPLE[name]["id_number"]  # what was sent to the browser was masked
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.content.decode()[:3000])
        entry.refresh_from_db()
        person = type(entry).objects.get(pk=entry.pk).person
        for form_field, attr in CLEAR_FIELDS.items():
            assert getattr(person, attr) == PEOPLE[name][form_field], (name, attr)


def test_changing_one_field_stores_the_new_value_and_keeps_the_others(users, login, registries):
    client = login(users["staff"])
    entry = registries["beneficiary"]
    url = reverse("people:beneficiary_edit", args=[entry.pk])
    data = form_data(client.get(url).content.decode())
    data["phone"] = "13900001111"
    assert client.post(url, data).status_code == 302
    person = Beneficiary.objects.get(pk=entry.pk).person
    assert person.phone == "13900001111" and person.name == "王秀英" and person.id_number == PEOPLE[
        "beneficiary"]["id_number"] and person.address == PEOPLE["beneficiary"]["address"]
    data = form_data(client.get(url).content.decode())
    data["id_number"] = "110108200003154578"  # a wrong check digit is still refused when typed anew
    response = client.post(url, data)
    assert response.status_code == 400 and "校验位" in response.content.decode()


def test_the_dv_form_keeps_the_abuser_id_when_saved_unchanged(users, login, dv_case):
    client = login(users["staff"])
    page = client.get(reverse("petitions:case_detail", args=[dv_case.pk])).content.decode()
    data = form_data(page, action_contains="/dv/")
    assert data["dv-abuser_id_number"] != ABUSER_ID and data["dv-abuser_id_number"].startswith("431***")
    data["dv-shelter"] = "on"
    assert client.post(reverse("petitions:case_dv", args=[dv_case.pk]), data).status_code == 302
    dv = DomesticViolence.objects.get(case=dv_case)
    assert dv.abuser_id_number == ABUSER_ID and dv.shelter


def test_unmask_is_one_logged_path_for_people_and_cases(tree, users, login, registries, dv_case):
    person = registries["loan"].person
    plain = login(make_user("dongan_plain", tree["county"], Role.STAFF))
    refused = plain.post(reverse("people:person_detail", args=[person.pk]), {"reason": "核对贷款"})
    assert refused.status_code == 403 and "周春燕" not in refused.content.decode()
    officer = login(users["staff"])
    shown = officer.post(reverse("people:person_detail", args=[person.pk]), {"reason": "核对贷款材料"})
    assert shown.status_code == 200 and "周春燕" in shown.content.decode()
    entry = AuditEntry.objects.get(action="personal.unmasked", object_type="people.person")
    assert entry.note == "核对贷款材料" and entry.object_id == str(person.pk)
    case_page = officer.post(reverse("petitions:case_unmask", args=[dv_case.pk]), {"reason": "回访联系"})
    body = case_page.content.decode()
    assert PETITIONER["name"] in body and ABUSER_ID in body
    logged = AuditEntry.objects.get(action="personal.unmasked", object_type="petitions.case")
    assert logged.note == "回访联系" and "abuser_id_number" in logged.data["fields"]


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1E+30", "-5"])
def test_bad_aid_amounts_are_refused_beside_the_field(users, login, registries, amount):
    client = login(users["staff"])
    entry = registries["beneficiary"]
    response = client.post(reverse("people:aid_add", args=[entry.pk]), {"on": "2025-03-10", "amount": amount})
    body = response.content.decode()
    assert response.status_code == 400 and "金额（元）：" in body
    assert not Aid.objects.exists()


@pytest.mark.parametrize("hours", ["NaN", "Infinity", "1E+30", "-2", "0", "25"])
def test_bad_service_hours_are_refused_beside_the_field(tree, users, login, registries, make_activity, hours):
    activity = make_activity(tree["county"], "巾帼志愿服务", "2025-03-10")
    client = login(users["staff"])
    entry = registries["volunteer"]
    response = client.post(reverse("people:service_add", args=[entry.pk]), {"activity": activity.pk,
                                                                             "hours": hours})
    assert response.status_code == 400 and "服务时长（小时）：" in response.content.decode()
    assert not ServiceRecord.objects.exists()


def test_aid_and_service_records_are_written_through_audited_services(tree, users, login, registries,
                                                                      make_activity):
    activity = make_activity(tree["county"], "巾帼志愿服务", "2025-03-10")
    client = login(users["staff"])
    assert client.post(reverse("people:aid_add", args=[registries["beneficiary"].pk]),
                       {"on": "2025-03-10", "amount": "500.50", "goods": "大米"}).status_code == 302
    assert str(Aid.objects.get().amount) == "500.50"
    url = reverse("people:service_add", args=[registries["volunteer"].pk])
    assert client.post(url, {"activity": activity.pk, "hours": "3.5"}).status_code == 302
    assert client.post(url, {"activity": activity.pk, "hours": "4"}).status_code == 302
    record = ServiceRecord.objects.get()
    assert str(record.hours) == "4.00"
    entries = AuditEntry.objects.filter(object_type="people.servicerecord", object_id=str(record.pk))
    assert sorted(entries.values_list("action", flat=True)) == ["object.created", "object.updated"]
    assert entries.filter(org_path=tree["county"].path).count() == 2


def test_loan_edit_and_delete_pages_work(users, login, registries):
    client = login(users["staff"])
    loan = registries["loan"]
    edit = client.get(reverse("people:loan_edit", args=[loan.pk]))
    assert edit.status_code == 200 and 'name="bank"' in edit.content.decode()
    data = form_data(edit.content.decode())
    data["bank"] = "永州银行"
    assert client.post(reverse("people:loan_edit", args=[loan.pk]), data).status_code == 302
    assert Loan.objects.get(pk=loan.pk).bank == "永州银行"
    assert client.get(reverse("people:loan_delete", args=[loan.pk])).status_code == 200
    assert client.post(reverse("people:loan_delete", args=[loan.pk])).status_code == 302
    assert not Loan.objects.filter(pk=loan.pk).exists()
    assert reverse("people:loan_step", args=[1, "approve"]) == "/people/loan/1/approve/"


def test_repeat_abuser_warning_names_no_other_countys_case(tree, users, login, make_case, dv_case):
    sister_officer = make_user("shuangpai_officer", tree["sister"], Role.STAFF, Role.PETITION_OFFICER)
    theirs = make_case(tree["sister"], name="刘小芳", id_number=_id(88))
    client = login(sister_officer)
    page = client.get(reverse("petitions:case_detail", args=[theirs.pk])).content.decode()
    data = form_data(page, action_contains="/dv/")
    data.update({"dv-abuser_relation": "丈夫", "dv-abuser_id_number": ABUSER_ID, "dv-warning_letter_on": "2025-04-01"})
    response = client.post(reverse("petitions:case_dv", args=[theirs.pk]), data, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "其他单位也有告诫书记录" in body
    assert dv_case.number not in body
    for event in theirs.events.all():
        assert dv_case.number not in event.note and dv_case.number not in str(event.data)
    # the office above both (永州市) is told which cases they are, in its own audit trail
    alert = AuditEntry.objects.get(action="case.alert", org_path=tree["city"].path)
    assert dv_case.number in alert.note and theirs.number in alert.note
    assert not AuditEntry.objects.filter(action="case.alert", org_path__startswith=tree["sister"].path,
                                         note__contains=dv_case.number).exists()


def test_a_sister_county_typing_an_id_number_learns_nothing_and_changes_nothing(tree, users, login, registries):
    """The probe: 双牌县 added a volunteer with 东安县's beneficiary's ID number, got 东安县's person (her surname, then
    everything with an unmask) and overwrote her name and address. Each county now keeps its own record of a person;
    the same ID number in the sister county is a new person with what the sister county typed."""
    from jinguo.core.excel import ImportContext
    from jinguo.core.importkinds import get_spec
    from jinguo.people.models import Person
    from jinguo.testing import xlsx_file

    theirs = PEOPLE["beneficiary"]
    original = registries["beneficiary"].person
    officer = make_user("shuangpai_officer", tree["sister"], Role.STAFF, Role.PETITION_OFFICER)
    client = login(officer)
    response = client.post(reverse("people:volunteer_add"), {
        "org": tree["sister"].pk, "person_name": "某某", "id_number": theirs["id_number"], "joined_on": "2025-04-01"})
    assert response.status_code == 302, response.content.decode()[:1000]
    volunteer = Volunteer.objects.get(org=tree["sister"])
    assert volunteer.person_id != original.pk and volunteer.person.name == "某某"
    page = client.get(volunteer.get_absolute_url()).content.decode()
    assert "王*" not in page and "某*" in page
    clear = client.post(reverse("people:person_detail", args=[volunteer.person_id]), {"reason": "核实"})
    assert theirs["person_name"] not in clear.content.decode() and theirs["phone"] not in clear.content.decode()
    assert client.get(reverse("people:person_detail", args=[original.pk])).status_code == 404
    edit = client.get(reverse("people:volunteer_edit", args=[volunteer.pk]))
    data = {**form_data(edit.content.decode()), "person_name": "篡改名", "address": "被改写的地址"}
    assert client.post(reverse("people:volunteer_edit", args=[volunteer.pk]), data).status_code == 302
    original.refresh_from_db()
    assert (original.name, original.address) == (theirs["person_name"], theirs["address"])
    # The same through an import file, by a plain 工作人员 of the sister county.
    ctx = ImportContext(org=tree["sister"], user=make_user("shuangpai_plain", tree["sister"], Role.STAFF))
    headers = ["姓名", "身份证号", "联系电话", "住址", "帮扶类别", "纳入日期"]
    # 东安县's name for her is no name here: the sister county's own record is 篡改名, so that name is refused
    # (masked: what the sister county itself typed), never matched against 东安县's.
    rows = [[theirs["person_name"], theirs["id_number"], "", "", "贫困母亲", "2025-05-01"]]
    refused = get_spec("beneficiaries").run_import(xlsx_file(headers, rows), ctx)
    assert not refused.ok and "篡**" in refused.errors[0].message
    rows = [["篡改名", theirs["id_number"], "", "", "贫困母亲", "2025-05-01"]]
    result = get_spec("beneficiaries").run_import(xlsx_file(headers, rows), ctx)
    assert result.ok, [str(e) for e in result.errors]
    imported = Beneficiary.objects.get(org=tree["sister"]).person
    assert imported.pk == volunteer.person_id != original.pk  # the sister county's own record of her
    assert Person.objects.get(pk=original.pk).name == theirs["person_name"]
    # Within the county the person is still one: 东安县's own second list finds her.
    staff = login(users["staff"])
    assert staff.post(reverse("people:talent_add"), {
        "org": tree["county"].pk, "person_name": theirs["person_name"], "id_number": theirs["id_number"],
        "post_kind": "candidate", "last_reviewed": "2025-03-01"}).status_code == 302
    assert Talent.objects.filter(org=tree["county"], person=original).exists()


def test_changing_a_persons_name_phone_or_address_is_in_the_trail_without_the_values(tree, users, login,
                                                                                     registries):
    """The trail masked every personal value before comparing, so a changed name or address left no entry. Now the
    change is recorded (which fields) with sealed values: the trail never shows the name or address."""
    client = login(users["staff"])
    volunteer = registries["volunteer"]
    edit = client.get(reverse("people:volunteer_edit", args=[volunteer.pk]))
    data = {**form_data(edit.content.decode()), "person_name": "赵丽华新", "address": "东安县新地址1号"}
    assert client.post(reverse("people:volunteer_edit", args=[volunteer.pk]), data).status_code == 302
    entry = AuditEntry.objects.filter(object_type="people.person", object_id=str(volunteer.person_id),
                                      action="object.updated").latest("seq")
    assert set(entry.data["after"]) == {"name", "address"}
    trail = str(entry.data)
    assert "赵丽华" not in trail and "新地址" not in trail
    assert entry.data["before"]["name"] != entry.data["after"]["name"]
