"""Registries: one person per ID number across lists, no plaintext at rest, reminders on the right dates, the
summary counts them, and nothing crosses county lines."""

import datetime as dt
import io
from decimal import Decimal

from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.core.models import CodeItem
from jinguo.core.periods import Period
from jinguo.people import services
from jinguo.people.models import Aid, Beneficiary, Honour, Loan, Person, Talent, Volunteer
from jinguo.reports.summary import generate
from jinguo.testing import xlsx_file

D = dt.date
ID = "320124198808240056"


def sheet(headers, rows):
    return xlsx_file(headers, rows)


def test_two_lists_with_the_same_id_make_one_person_and_no_plaintext(tree, tmp_path):
    beneficiaries = sheet(["姓名", "身份证号", "联系电话", "住址", "帮扶类别", "纳入日期"],
                          [["王秀英", ID, "13807461234", "东安县白牙市镇新村12号", "贫困母亲", "2025-01-05"]])
    volunteers = sheet(["姓名", "身份证号", "队伍", "加入日期"],
                       [["王秀英", ID.lower(), "白牙市镇巾帼志愿队", "2025/3/1"]])
    for kind, file in (("beneficiaries", beneficiaries), ("volunteers", volunteers)):
        path = tmp_path / f"{kind}.xlsx"
        path.write_bytes(file.getvalue())
        call_command("import_xlsx", kind, str(path), "--org", "431122")
    assert Person.objects.count() == 1
    person = Person.objects.get()
    assert person.beneficiaries.count() == 1 and person.volunteers.get().team.name == "白牙市镇巾帼志愿队"
    assert person.birth_date == D(1988, 8, 24) and person.sex == "M"  # the 17th digit (5) is odd
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id_number, phone, address FROM people_person")
        raw = str(cursor.fetchall())
        cursor.execute("SELECT data FROM audit_auditentry")
        audit = str(cursor.fetchall())
    for value in ("王秀英", ID, "13807461234", "新村12号"):
        assert value not in raw and value not in audit
    again = get_spec("beneficiaries").run_import(beneficiaries, ImportContext(org=tree["county"]))
    assert again.ok and again.skipped == 1 and Beneficiary.objects.count() == 1


def test_bad_id_and_unknown_group_are_reported_by_row_and_column(tree):
    file = sheet(["姓名", "身份证号", "帮扶类别", "纳入日期"],
                 [["甲", "110108200003154578", "贫困母亲", "2025-01-05"], ["乙", ID, "富裕母亲", "2025-01-05"]])
    result = get_spec("beneficiaries").run_import(file, ImportContext(org=tree["county"]))
    assert sorted((e.row, e.column) for e in result.errors) == [(2, "B"), (3, "C")]
    assert Person.objects.count() == 0


def test_an_id_number_registered_under_another_name_is_refused_not_merged(tree, users, login):
    """One mistyped digit must not hang a record on another woman: the row (or the form) says so, masked."""
    first = sheet(["姓名", "身份证号", "帮扶类别", "纳入日期"], [["王秀英", ID, "贫困母亲", "2025-01-05"]])
    assert get_spec("beneficiaries").run_import(first, ImportContext(org=tree["county"])).ok
    second = sheet(["姓名", "身份证号", "帮扶类别", "纳入日期"],
                   [["李丽", "110108200003154573", "贫困母亲", "2025-01-05"],
                    ["刘丽", ID, "单亲困难母亲", "2025-02-05"]])
    result = get_spec("beneficiaries").run_import(second, ImportContext(org=tree["county"]))
    assert not result.ok and [e.row for e in result.errors] == [3]
    assert "王**" in result.errors[0].message and "王秀英" not in result.errors[0].message
    assert Person.objects.count() == 1 and Beneficiary.objects.count() == 1  # all or nothing
    # The same ID with the name written with a space in it is the same woman.
    spaced = sheet(["姓名", "身份证号", "帮扶类别", "纳入日期"], [["王 秀英", ID, "单亲困难母亲", "2025-02-05"]])
    assert get_spec("beneficiaries").run_import(spaced, ImportContext(org=tree["county"])).ok
    assert Person.objects.count() == 1 and Beneficiary.objects.count() == 2


def _beneficiary(org, group="贫困母亲", id_number=ID):
    person = services.person_for(name="王秀英", id_number=id_number)
    return Beneficiary.objects.create(org=org, person=person, since=D(2025, 1, 1),
                                      group=CodeItem.objects.lookup("beneficiary_group")[group])


def test_double_aid_flag(tree):
    first = _beneficiary(tree["county"])
    second = _beneficiary(tree["sister"], group="单亲困难母亲")
    Aid.objects.create(org=tree["county"], beneficiary=first, on=D(2025, 2, 1), amount=Decimal("500"))
    assert services.double_aided(Aid.objects.all(), 2025) == set()
    Aid.objects.create(org=tree["sister"], beneficiary=second, on=D(2024, 12, 30), amount=Decimal("300"))
    assert services.double_aided(Aid.objects.all(), 2025) == set()  # a different year
    Aid.objects.create(org=tree["sister"], beneficiary=second, on=D(2025, 6, 1), amount=Decimal("300"))
    assert services.double_aided(Aid.objects.all(), 2025) == {first.person.id_hash}


def test_review_reminder_after_twelve_months(tree):
    person = services.person_for(name="李", id_number=ID)
    talent = Talent.objects.create(org=tree["county"], person=person, post_kind="township_chair",
                                   last_reviewed=D(2024, 3, 15))
    assert not services.reviews_due(Talent.objects.all(), D(2025, 3, 14)).exists()
    assert services.reviews_due(Talent.objects.all(), D(2025, 3, 15)).get() == talent
    other = services.person_for(name="周", id_number="11010519491231002X")
    leap = Talent.objects.create(org=tree["county"], person=other, post_kind="candidate",
                                 last_reviewed=D(2024, 2, 29))
    assert leap.review_due() == D(2025, 2, 28)
    assert leap in services.reviews_due(Talent.objects.all(), D(2025, 2, 28))


def test_loan_due_date_reminder(tree):
    loan = Loan.objects.create(org=tree["county"], person=services.person_for(name="赵", id_number=ID),
                               amount=Decimal("50000"), bank="农商银行", term_months=24, applied_on=D(2025, 1, 10))
    services.loan_step(loan, "approve", on=D(2025, 1, 20))
    services.loan_step(loan, "disburse", on=D(2025, 1, 31))
    assert loan.due_on == D(2027, 1, 31)
    assert not services.loans_due(Loan.objects.all(), D(2026, 12, 31)).exists()  # 31 days before
    assert services.loans_due(Loan.objects.all(), D(2027, 1, 1)).get() == loan  # 30 days before
    assert services.loans_due(Loan.objects.all(), D(2027, 3, 1)).exists()  # overdue stays listed
    services.loan_step(loan, "repay", on=D(2027, 1, 20))
    assert not services.loans_due(Loan.objects.all(), D(2027, 1, 25)).exists()
    short = Loan(term_months=1)
    assert services.add_months(D(2025, 1, 31), short.term_months) == D(2025, 2, 28)


def test_summary_counts_honours_new_cadres_and_loans(tree):
    person = services.person_for(name="王", id_number=ID)
    awards = CodeItem.objects.lookup("honour_award")
    Honour.objects.create(org=tree["county"], award=awards["三八红旗手"], level="city", year=2025, person=person)
    Honour.objects.create(org=tree["county"], award=awards["三八红旗集体"], level="county", year=2025,
                          collective="县人民医院妇产科")
    Talent.objects.create(org=tree["county"], person=person, post_kind="township_chair", appointed_on=D(2025, 3, 1),
                          last_reviewed=D(2025, 3, 1))
    Talent.objects.create(org=tree["township"], person=services.person_for(name="李", id_number="11010519491231002X"),
                          post_kind="enterprise_chair", appointed_on=D(2025, 5, 1), last_reviewed=D(2025, 5, 1))
    loan = Loan.objects.create(org=tree["county"], person=person, amount=Decimal("50000"), bank="农商银行",
                               term_months=24, applied_on=D(2025, 1, 10), subsidy_amount=Decimal("1800"))
    services.loan_step(loan, "approve", on=D(2025, 1, 20))
    services.loan_step(loan, "disburse", on=D(2025, 2, 1))
    text = "".join(b["text"] for b in generate(tree["county"], Period.parse("2025H1")))
    assert "新任乡镇妇联主席1名、企业妇委会主任1名" in text
    assert "获评三八红旗手1名、三八红旗集体1个" in text  # honours by name of honour and count
    assert "发放妇女小额担保贷款1笔、5万元，贴息1800元" in text
    assert "建功立业与创业就业" in text  # the line of work they belong to
    empty = "".join(b["text"] for b in generate(tree["sister"], Period.parse("2025H1")))
    assert "巾帼建功与关爱帮扶" not in empty


def test_no_list_export_or_api_reaches_another_countys_people(tree, users, login):
    own = _beneficiary(tree["county"])
    other = _beneficiary(tree["sister"], id_number="11010519491231002X")
    Volunteer.objects.create(org=tree["sister"], person=other.person, joined_on=D(2025, 1, 1))
    client = login(users["staff"])
    listing = client.get(reverse("people:beneficiary_list")).content.decode()
    assert "王*" in listing and listing.count("<tr>") == 2  # header + own row
    assert client.get(reverse("people:beneficiary_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("people:person_detail", args=[other.person_id])).status_code == 404
    assert client.get(reverse("people:person_detail", args=[own.person_id])).status_code == 200
    api = client.get("/api/beneficiaries/").json()
    assert [row["id"] for row in api["results"]] == [own.pk]
    assert api["results"][0]["person"]["id_number"] == "320***********0056"
    assert client.get(f"/api/beneficiaries/{other.pk}/").status_code == 404
    assert client.get("/api/volunteers/").json()["count"] == 0
    export = client.get(reverse("people:beneficiary_list"), {"export": "xlsx"})
    content = b"".join(export.streaming_content)
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and "王秀英" not in str(rows) and ID not in str(rows)
    assert login(users["city"]).get("/api/beneficiaries/").json()["count"] == 2


def test_unmask_person_is_logged(tree, users, login):
    from jinguo.audit.models import AuditEntry

    own = _beneficiary(tree["county"])
    page = login(users["staff"]).post(reverse("people:person_detail", args=[own.person_id]), {"reason": "核实帮扶"})
    assert "王秀英" in page.content.decode()
    assert AuditEntry.objects.get(kind="access").note == "核实帮扶"


def test_volunteer_hours_from_ledger_activities(tree, users, login, make_activity):
    activity = make_activity(tree["county"], "三八宣传", "2025-03-08", materials=100)
    volunteer = Volunteer.objects.create(org=tree["county"], person=services.person_for(name="王秀英", id_number=ID),
                                         joined_on=D(2025, 1, 1))
    client = login(users["staff"])
    client.post(reverse("people:service_add", args=[volunteer.pk]), {"activity": activity.pk, "hours": "3.5"})
    client.post(reverse("people:service_add", args=[volunteer.pk]), {"activity": activity.pk, "hours": "99"})
    stats = services.people_stats(tree["city"], Period.parse("2025"))
    assert (stats.volunteers, stats.volunteer_hours) == (1, Decimal("3.50"))
    assert "组织巾帼志愿者1人参与志愿服务3.5小时" in "".join(
        b["text"] for b in generate(tree["county"], Period.parse("2025")))
    beneficiary = _beneficiary(tree["county"])
    client.post(reverse("people:aid_add", args=[beneficiary.pk]), {"on": "2025-03-08", "amount": "500",
                                                                   "activity": activity.pk})
    assert Aid.objects.get().activity == activity
    assert client.get(reverse("people:volunteer_detail", args=[volunteer.pk])).status_code == 200
    assert client.get(reverse("people:reminders")).status_code == 200


def test_every_registry_page_renders_and_saves_through_the_form(tree, users, login):
    client = login(users["staff"])
    for name in ("beneficiary", "talent", "volunteer", "honour", "civilizedpost", "loan"):
        assert client.get(reverse(f"people:{name}_list")).status_code == 200, name
        assert client.get(reverse(f"people:{name}_add")).status_code == 200, name
        if name != "civilizedpost":
            assert client.get(reverse(f"people:{name}_import"), {"template": 1}).status_code == 200, name
    group = CodeItem.objects.lookup("beneficiary_group")["留守儿童"]
    bad = client.post(reverse("people:beneficiary_add"), {
        "org": tree["sister"].pk, "person_name": "小红", "id_number": "110108200003154578", "group": group.pk,
        "since": "2025-03-01"})
    body = bad.content.decode()
    assert bad.status_code == 400 and "校验位" in body and "管辖范围" in body
    good = client.post(reverse("people:beneficiary_add"), {
        "org": tree["county"].pk, "person_name": "王秀英", "id_number": ID, "group": group.pk, "since": "2025-03-01"})
    assert good.status_code == 302
    assert Beneficiary.objects.get(group=group).person.name == "王秀英"


def test_exact_search_by_id_number_in_a_registry_list(tree, users, login):
    _beneficiary(tree["county"])
    _beneficiary(tree["county"], group="留守妇女", id_number="11010519491231002X")
    client = login(users["staff"])
    page = client.get(reverse("people:beneficiary_list"), {"search": ID}).content.decode()
    assert page.count("<tr>") == 2 and "贫困母亲" in page and "留守妇女" not in page
