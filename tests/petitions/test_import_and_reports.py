"""Historical ledgers from Excel, the statistics service, and the printable registration form."""

import datetime as dt
import io
import random
from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse
from docx import Document

from jinguo.core.excel import ImportContext
from jinguo.core.idcard import check_char
from jinguo.core.importkinds import get_spec
from jinguo.core.periods import Period
from jinguo.petitions import services
from jinguo.petitions.models import Case, Petitioner
from jinguo.petitions.stats import case_count, petition_stats
from jinguo.testing import xlsx_file

HEADERS = ["登记日期", "来源方式", "问题类别", "问题子类", "信访人姓名", "身份证号", "联系电话", "住址", "诉求摘要",
           "办理状态", "办结日期", "办理结果"]
CHANNELS = ["来信", "来访", "来电", "12338热线", "网上信访"]
CATEGORIES = [("婚姻家庭", "家庭暴力"), ("婚姻家庭", "离婚纠纷"), ("劳动权益", ""), ("财产权益", "宅基地"),
              ("其他", "")]


def valid_id(i: int) -> str:
    first17 = f"4311221985{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i % 1000:03d}"
    return first17 + check_char(first17)


def ledger_rows(n: int) -> list[list]:
    rng = random.Random(7)
    rows = []
    for i in range(n):
        category, sub = CATEGORIES[i % len(CATEGORIES)]
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i % 360)
        done = i % 3 == 0
        rows.append([day, CHANNELS[i % len(CHANNELS)], category, sub, f"信访人{i}", valid_id(i),
                     f"138{rng.randrange(10**8):08d}", f"东安县某村{i}号", f"第{i}件诉求",
                     "办结" if done else "", (day + dt.timedelta(days=20)) if done else "", "调解成功" if done else ""])
    return rows


def workbook(rows, headers=HEADERS):
    return xlsx_file(headers, rows)


def test_thousand_rows_with_ten_bad_then_fixed_then_reimported(tree):
    rows = ledger_rows(1000)
    bad = {}  # Excel row → (column letter, expected words)
    for index, (col, value, words) in zip(range(5, 1000, 100), [
        (5, "110108200003154578", "校验位"), (1, "飞鸽传书", "可选"), (2, "邻里纠纷", "可选"),
        (0, "2024-13-45", "日期"),
        (6, "12345", "电话"), (9, "已归档", "可选"), (3, "土地承包", "不属于"), (10, "", "办结日期"),
        (5, "32012419880824005", "18位"), (0, "", "必填"),
    ], strict=True):
        rows[index][col] = value
        if col == 10:
            rows[index][9] = "办结"
        bad[index + 2] = ("ABCDEFGHIJKL"[col], words)
    result = get_spec("petitions").run_import(workbook(rows), ImportContext(org=tree["county"]))
    assert not result.ok
    found = {e.row: (e.column, e.message) for e in result.errors}
    assert len(result.errors) == 10 and set(found) == set(bad)
    for row, (column, words) in bad.items():
        assert found[row][0] == column and words in found[row][1], (row, found[row], words)
    assert Case.objects.count() == 0 and Petitioner.objects.count() == 0

    fixed = ledger_rows(1000)
    result = get_spec("petitions").run_import(workbook(fixed), ImportContext(org=tree["county"]))
    assert result.ok and result.created == 1000
    closed = Case.objects.filter(status="closed")
    assert closed.count() == 334 and closed.first().result == "mediated"
    assert Case.objects.filter(subcategory__name="家庭暴力").count() == 200
    again = get_spec("petitions").run_import(workbook(fixed), ImportContext(org=tree["county"]))
    assert again.ok and again.created == 0 and again.skipped == 1000
    assert Case.objects.count() == 1000


def test_import_registers_each_row_as_intake_does(tree, users, make_case):
    """Numbers in row order, deadlines, repeats (against stored cases and earlier rows of the same file), a timeline
    and audit events per case, an intact audit chain — written a chunk at a time, not row by row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jinguo.audit.models import AuditEntry
    from jinguo.audit.services import verify_chain
    from jinguo.petitions.models import CaseEvent

    stored = make_case(tree["county"], received="2024-03-01 10:00", id_number=valid_id(1))
    make_case(tree["sister"], received="2024-03-02 10:00", phone="13807460001")  # not hers: no repeat from it
    rows = [
        ["2024-06-01", "来访", "婚姻家庭", "家庭暴力", "甲", valid_id(1), "", "", "", "", "", ""],  # repeat of stored
        ["2024-05-01", "来电", "劳动权益", "", "乙", "", "13807460000", "", "", "已受理", "", ""],  # repeat of next row
        ["2024-04-01", "来电", "劳动权益", "", "丙", "", "13807460000", "", "", "", "", ""],
        ["2025-05-01", "来信", "其他", "", "丁", valid_id(1), "", "", "", "办结", "2025-05-20", "调解成功"],
        ["2024-07-01", "来信", "其他", "", "戊", "", "13807460001", "", "", "", "", ""],
    ]
    result = get_spec("petitions").run_import(workbook(rows), ImportContext(org=tree["county"], user=users["staff"]))
    assert result.ok and result.created == 5, result.errors
    cases = list(Case.objects.exclude(pk=stored.pk).filter(org=tree["county"]).order_by("pk"))
    assert [c.number for c in cases] == ["431122-2024-00002", "431122-2024-00003", "431122-2024-00004",
                                         "431122-2025-00001", "431122-2024-00005"]
    assert [c.is_repeat for c in cases] == [True, True, False, True, False]
    assert [c.status for c in cases] == ["registered", "accepted", "registered", "closed", "registered"]
    first, accepted, _third, closed, _fifth = cases
    assert first.accept_due == dt.date(2024, 6, 16) and first.current_due == first.accept_due
    assert first.risk_colour == "red"
    assert accepted.accepted_on == dt.date(2024, 5, 1) and accepted.current_due == dt.date(2024, 6, 30)
    assert closed.closed_on == dt.date(2025, 5, 20) and closed.result == "mediated" and closed.current_due is None
    assert sorted(first.petitioners.get().masked()) and first.petitioners.get().id_number == valid_id(1)
    # One timeline entry per case, naming the state the ledger recorded; one audit entry per case, as stored.
    assert list(accepted.events.values_list("code", "actor_name", "note")) == [
        ("case.registered", "dongan", "从历史台账导入；台账记载的状态：已受理")]
    assert list(first.events.values_list("code", "note")) == [("case.registered", "从历史台账导入")]
    entries = AuditEntry.objects.filter(object_type="petitions.case", object_id__in=[str(c.pk) for c in cases])
    assert sorted(entries.values_list("action", flat=True)) == ["object.created"] * 5
    created = entries.get(action="object.created", object_id=str(closed.pk)).data["after"]
    assert created["status"] == "closed" and created["is_repeat"] is True and created["number"] == closed.number
    assert created["imported"] is True and created["closed_on"] == "2025-05-20"
    assert verify_chain()[1] is None

    def queries(n: int) -> int:
        file = workbook(ledger_rows(n))
        with CaptureQueriesContext(connection) as captured:
            assert get_spec("petitions").run_import(file, ImportContext(org=tree["township"], user=users["staff"])).ok
        Case.objects.filter(org=tree["township"]).delete()
        return len(captured)

    assert queries(200) < 2 * queries(20)  # row by row it was ≈ 37 statements a row
    assert CaseEvent.objects.filter(case__org=tree["township"]).count() == 0


def test_cli_import_with_only_the_three_required_columns(tree, tmp_path, capsys):
    path = tmp_path / "old.xlsx"
    path.write_bytes(workbook([["2025/3/8", "12338", "婚姻家庭类"], ["2025年3月9日", "来访", "劳动和社会保障权益"],
                               ["2025-03-10", "电话", "法律法规咨询"]], headers=["登记日期", "来源方式", "问题类别"])
                     .getvalue())
    call_command("import_xlsx", "petitions", str(path), "--org", "431122")
    assert "新增 3" in capsys.readouterr().out
    channels = sorted(Case.objects.values_list("channel__name", flat=True))
    assert channels == ["12338热线", "来电", "来访"]
    categories = sorted(Case.objects.values_list("category__name", flat=True))
    assert categories == ["劳动和社会保障权益", "婚姻家庭", "法律咨询"]
    assert set(Case.objects.values_list("status", flat=True)) == {"registered"}


def test_statistics_counts_shares_and_year_earlier(tree, make_case, codes):
    for i in range(5):
        make_case(tree["county"], received=f"2025-03-{i + 1:02d} 09:00", channel="来电",
                  sub="家庭暴力" if i < 2 else None)
    for i in range(2):
        make_case(tree["township"], received=f"2025-04-{i + 1:02d} 09:00", channel="来访", category="劳动权益")
    make_case(tree["sister"], received="2025-05-01 09:00", channel="来信", category="财产权益", headcount=6)
    make_case(tree["other_county"], received="2025-05-01 09:00")  # another city
    make_case(tree["county"], received="2024-03-01 09:00")
    case = Case.objects.filter(org=tree["county"]).order_by("received_at").last()
    services.accept_case(case, on=dt.date(2025, 3, 6))
    services.reply_case(case, reply="已答复", on=dt.date(2025, 3, 20))
    stats = petition_stats(tree["city"], Period.parse("2025H1"))
    assert (stats.cases, stats.people) == (8, 13)
    assert [(r.label, r.cases) for r in stats.by_category] == [("婚姻家庭", 5), ("劳动和社会保障权益", 2),
                                                               ("财产权益", 1)]
    assert sum(r.cases for r in stats.by_category) == stats.cases
    assert sum(r.share for r in stats.by_category) == Decimal("100.0")
    assert [r.share for r in stats.by_category] == [Decimal("62.5"), Decimal("25.0"), Decimal("12.5")]
    assert {r.label: r.cases for r in stats.by_channel} == {"来电": 5, "来访": 2, "来信": 1}
    assert {r.label: r.cases for r in stats.by_unit} == {"东安县": 7, "双牌县": 1}
    assert stats.dv_cases == 2 and stats.completed == 1 and stats.on_time_rate == Decimal("100.0")
    assert [r.key for r in stats.by_month if r.cases] == ["2025-03", "2025-04", "2025-05"]
    assert [(r.key, r.cases) for r in stats.by_month][:2] == [("2025-01", 0), ("2025-02", 0)]  # zero months shown
    assert [r.label for r in stats.by_month] == ["1月", "2月", "3月", "4月", "5月", "6月"]
    assert petition_stats(tree["city"], Period.parse("2024H1")).cases == 1
    county = petition_stats(tree["county"], Period.parse("2025"))
    assert county.cases == 7
    # The year-earlier figure of the statistics page, the dashboard and the work summary: the same count in one query.
    for org, period, scope in ((tree["city"], "2025H1", "tree"), (tree["city"], "2024H1", "tree"),
                               (tree["county"], "2025", "tree"), (tree["county"], "2025", "self"),
                               (tree["township"], "2025Q2", "self"), (tree["sister"], "2024", "tree")):
        expected = petition_stats(org, Period.parse(period), scope=scope).cases
        assert case_count(org, Period.parse(period), scope=scope) == expected, (org.name, period, scope)
    assert case_count(tree["county"], Period.parse("2025"), scope="self") == 5
    # A work summary leaves out the table by unit, which it does not state.
    assert petition_stats(tree["city"], Period.parse("2025H1"), by_unit=False).by_unit == []


def test_statistics_page_gives_the_year_earlier_figure_even_for_an_empty_period(tree, users, login, make_case):
    make_case(tree["county"], received="2024-03-01 09:00")
    client = login(users["staff"])
    empty = client.get(reverse("petitions:statistics"), {"org": tree["county"].pk, "period": "2025"}).content.decode()
    assert "2025年没有登记信访案件" in empty and "上年同期 1 件" in empty
    make_case(tree["county"], received="2025-03-01 09:00")
    make_case(tree["county"], received="2025-04-01 09:00")
    page = client.get(reverse("petitions:statistics"), {"org": tree["county"].pk, "period": "2025"}).content.decode()
    assert "共受理信访 2 件" in page and "上年同期 1 件" in page
    dashboard = client.get(reverse("reports:dashboard"), {"org": tree["county"].pk, "period": "2025"}).content.decode()
    assert "上年同期 1 件" in dashboard


def test_registration_form_docx_masked_by_default(tree, users, login, make_case):
    case = make_case(tree["county"], name="王秀英", phone="13807461234", id_number="320124198808240056")
    client = login(users["staff"])
    masked = client.get(reverse("petitions:case_form", args=[case.pk]))
    text = "\n".join(c.text for t in Document(io.BytesIO(masked.content)).tables for r in t.rows for c in r.cells)
    assert case.number in Document(io.BytesIO(masked.content)).paragraphs[1].text
    assert "王*" in text and "王秀英" not in text and "138****1234" in text
    clear = client.post(reverse("petitions:case_form", args=[case.pk]), {"reason": "归档打印"})
    text = "\n".join(c.text for t in Document(io.BytesIO(clear.content)).tables for r in t.rows for c in r.cells)
    assert "王秀英" in text and "320124198808240056" in text


def test_cli_export_is_masked_and_in_the_import_layout(tree, make_case, tmp_path):
    from python_calamine import CalamineWorkbook

    make_case(tree["county"], name="王秀英", phone="13807461234", id_number="320124198808240056")
    make_case(tree["sister"], name="赵某")
    out = tmp_path / "cases.xlsx"
    call_command("export_xlsx", "petitions", "--org", "431122", "--out", str(out))
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0] == HEADERS and len(rows) == 2
    assert rows[1][1:5] == ["来电", "婚姻家庭", "", "王**"] and rows[1][5] == "320***********0056"
    assert "王秀英" not in str(rows) and "赵" not in str(rows)


def test_a_sub_type_written_as_the_category_fills_both_and_the_template_offers_main_types(tree, users):
    """Most ledgers write 家庭暴力 under 问题类型: it is a sub-type of 婚姻家庭, and the row says so."""
    from openpyxl import load_workbook

    file = xlsx_file(["来访日期", "来源方式", "问题类型", "姓名"],
                     [["2025-03-05", "来访", "家庭暴力", "甲"], ["2025-03-06", "来电", "婚姻家庭", "乙"]])
    spec = get_spec("petitions")
    result = spec.run_import(file, ImportContext(org=tree["county"], user=users["staff"]))
    assert result.ok and result.created == 2, result.errors
    kinds = sorted((c.category.name, c.subcategory.name if c.subcategory_id else "")
                   for c in Case.objects.filter(org=tree["county"]))
    assert kinds == [("婚姻家庭", ""), ("婚姻家庭", "家庭暴力")]
    # A sub-type of another main type than the row's own sub-type column names is still an error on that row.
    clash = xlsx_file(["登记日期", "来源方式", "问题类别", "问题子类"],
                      [["2025-03-07", "来访", "家庭暴力", "劳动报酬"]])
    clashed = spec.run_import(clash, ImportContext(org=tree["county"], user=users["staff"]))
    assert not clashed.ok and Case.objects.filter(org=tree["county"]).count() == 2
    # The template's drop-downs: main types under 问题类别, sub-types under 问题子类.
    from jinguo.core.models import CodeItem

    book = load_workbook(io.BytesIO(spec.template(ImportContext(org=tree["county"], user=users["staff"]))))
    text = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    main = list(CodeItem.objects.of("petition_category").filter(parent__isnull=True).values_list("name", flat=True))
    assert all(name in text for name in main)
    category = spec.columns[2]
    assert category.field == "category" and "家庭暴力" not in spec.allowed_values(category)
    assert "家庭暴力" in spec.allowed_values(spec.columns[3])
