"""Issue 17 as real use: shapes of the ledgers offices keep that the import refused or read wrong — dates written
without a year under a title that names it (3月5日 in 东安县妇联2025年…台账), a date with no day, amounts in 万元,
with thousands separators or their unit, a header counting in 万元, and the placeholders (/, —) a ledger puts in a
cell with nothing to say — for every import kind where each applies."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from jinguo.core.excel import CellError, parse_date, parse_decimal
from jinguo.core.excel.read import title_year
from jinguo.ledger.models import Activity
from jinguo.orgs.models import OrgUnit
from jinguo.people.models import Loan, Volunteer
from jinguo.petitions.models import Case
from tests.core.test_intake import _registry_cases, ledger, run, valid_id

D = dt.date
DATED_KINDS = ["petitions", "activities", "beneficiaries", "talents", "volunteers", "loans", "org_profiles", "articles"]


def _cases(tree):
    """kind → (headers, row(i, date cell), count()), the registries' from test_intake plus 信访 and 活动."""
    cases = _registry_cases(tree)
    cases["petitions"] = (["来访日期", "信访方式", "问题类型", "姓名", "身份证号码", "反映问题", "办理状态"],
                          lambda i, d: [d, "来访", "婚姻家庭类", f"信访人{i}", valid_id(200 + i), f"诉求{i}", "在办"],
                          lambda: Case.objects.count())
    cases["activities"] = (["活动日期", "活动形式", "活动名称", "参与人数（人）"],
                           lambda i, d: [d, "宣传教育", f"宣传活动{i}", 40 + i], lambda: Activity.objects.count())
    return cases


def _rows(tree, kind, dates):
    headers, row, count = _cases(tree)[kind]
    n = 3 if kind == "org_profiles" else len(dates)
    return headers, [row(i, dates[i]) for i in range(n)], count


@pytest.mark.parametrize("kind", DATED_KINDS)
def test_a_date_without_its_year_takes_the_one_year_the_title_names(tree, kind):
    """3月5日 in a ledger titled 东安县妇联2025年工作台账 is 5 March 2025 (the 填报日期 line of 2026 says when the form
    was filled in, not what it is of); with no year in the title, or two, the rows are refused with what to write."""
    headers, rows, count = _rows(tree, kind, ["1月5日", "3月 15 日", "６月３０日", "12月1日"])
    before = count()
    undated = run(kind, ledger("东安县妇联工作台账", {"Sheet1": (headers, rows)}), tree["county"])
    assert not undated.ok and count() == before
    error = undated.errors[0]
    letter = "ABCDEFGHIJKLMN"[1 + rows[0].index("1月5日")]  # 序号 is column A
    assert (error.sheet, error.row, error.column) == ("Sheet1", 5, letter)
    assert "没有写年份" in error.message and "2025年1月5日" in error.message and "标题" in error.message, str(error)
    spanning = run(kind, ledger("东安县妇联2024—2025年度工作台账", {"Sheet1": (headers, rows)}), tree["county"])
    assert not spanning.ok and "没有写年份" in spanning.errors[0].message and count() == before

    result = run(kind, ledger("东安县妇联2025年工作台账", {"Sheet1": (headers, rows)}), tree["county"])
    assert result.ok, [str(e) for e in result.errors]
    assert count() - before == len(rows)
    if kind == "petitions":
        assert sorted(c.received_at.date() for c in Case.objects.all()) == [D(2025, 1, 5), D(2025, 3, 15),
                                                                          D(2025, 6, 30), D(2025, 12, 1)]
    if kind == "activities":
        assert sorted(Activity.objects.values_list("start_date", flat=True)) == [
            D(2025, 1, 5), D(2025, 3, 15), D(2025, 6, 30), D(2025, 12, 1)]


def test_the_year_of_a_sheet_comes_from_its_title_or_else_its_name():
    assert title_year("Sheet1", [["东安县妇联2025年上半年信访接待登记台账"], ["填报单位：东安县妇联",
                                                                        "填报日期：2026年1月5日"]]) == 2025
    assert title_year("Sheet1", [["东安县妇联2025年信访台账"], ["填报日期：", D(2026, 1, 5), "2026年1月5日"]]) == 2025
    assert title_year("2024年", [["信访接待登记台账"]]) == 2024
    assert title_year("Sheet1", [["2024—2025学年家长学校台账"]]) is None
    assert title_year("Sheet1", [["信访接待登记台账"]]) is None


@pytest.mark.parametrize(("value", "words"), [
    ("2025-03", "只写到了月份"), ("2025年3月", "只写到了月份"), (2025.3, "只写到了月份"), ("2025.03", "只写到了月份"),
    (2025, "只写了年份"), ("2025年", "只写了年份"), ("3月5日", "没有写年份"),
    (3.5, "不是日期"), (305, "不是日期"), ("2025年2月30日", "不是有效日期"), ("2025.3.5-3.8", "是一段日期"),
    ("3月5日至8日", "是一段日期"),
])
def test_a_date_missing_its_day_or_year_or_typed_as_a_figure_is_refused_with_what_to_write(value, words):
    """Never guessed: 2025.3 typed into Excel is the number 2025.3, which was read as the serial 1905-07-17; 3.5
    (3月5日) and 305 as days of 1900."""
    with pytest.raises(CellError) as caught:
        parse_date(value)
    assert words in str(caught.value) and "2025" in str(caught.value)


def test_a_date_without_its_year_is_read_in_the_year_given():
    assert parse_date("3月5日", year=2025) == D(2025, 3, 5)
    assert parse_date("１２月 ３１日", year=2024) == D(2024, 12, 31)
    with pytest.raises(CellError):
        parse_date("2月30日", year=2025)


@pytest.mark.parametrize(("value", "expected"), [
    ("1,200.00", Decimal(1200)), ("1200元", Decimal(1200)), ("0.5万元", Decimal(5000)), ("1.2万", Decimal(12000)),
    ("５万元", Decimal(50000)), ("1,200元", Decimal(1200)), ("12,000.50元", Decimal("12000.50")), ("/", None),
    ("—", None), ("无", None),
])
def test_amounts_as_offices_write_them(value, expected):
    assert parse_decimal(value, unit="元") == expected


def test_a_header_counting_in_ten_thousands_scales_the_bare_numbers_only():
    assert parse_decimal(5, unit="元", scale=10000) == Decimal(50000)
    assert parse_decimal("0.35", unit="元", scale=10000) == Decimal(3500)
    assert parse_decimal("8万元", unit="元", scale=10000) == Decimal(80000)  # its own unit says what it is
    assert parse_decimal("80000元", unit="元", scale=10000) == Decimal(80000)


def test_a_loans_ledger_in_wan_yuan_with_percentages_imports_exact_amounts(tree):
    """Loan ledgers keep 贷款金额（万元）: 5 is 50000 元, never 5 元; 贴息比例 100% and a / for none."""
    headers = ["姓名", "身份证号码", "贷款金额（万元）", "经办银行", "期限（月）", "贴息比例（%）", "申请时间"]
    rows = [["借款人甲", valid_id(301), 5, "农商行", 24, "100%", "2025-03-05"],
            ["借款人乙", valid_id(302), "0.8", "农商行", 12, "/", "2025-04-05"],
            ["借款人丙", valid_id(303), "12万元", "农商行", 36, 50, "2025-05-05"]]
    result = run("loans", ledger("东安县2025年创业担保贷款台账", {"Sheet1": (headers, rows)}), tree["county"])
    assert result.ok, [str(e) for e in result.errors]
    assert sorted(Loan.objects.values_list("amount", "subsidy_rate")) == [
        (Decimal(8000), Decimal(100)), (Decimal(50000), Decimal(100)), (Decimal(120000), Decimal(50))]


def test_an_activity_ledger_with_money_in_wan_yuan_and_placeholders_imports_exact_figures(tree):
    headers = ["活动日期", "活动形式", "活动名称", "参与人数（人）", "慰问金额（万元）", "发放资料（份）"]
    rows = [["2025-01-20", "慰问帮扶", "春节慰问", 30, 0.12, "/"],
            ["2025-03-08", "宣传教育", "三八宣传", "1,200", "—", "2,000份"],
            ["2025-03-09", "宣传教育", "三八宣传二", "0.1万", "3000元", 500]]
    result = run("activities", ledger("东安县妇联2025年活动台账", {"Sheet1": (headers, rows)}), tree["county"])
    assert result.ok, [str(e) for e in result.errors]
    figures = {a.title: {f.measure.code: f.value for f in a.figures.all()} for a in Activity.objects.all()}
    assert figures == {"春节慰问": {"participants": 30, "condolence": 1200},
                       "三八宣传": {"participants": 1200, "materials": 2000},
                       "三八宣传二": {"participants": 1000, "condolence": 3000, "materials": 500}}


def test_an_open_case_with_a_slash_for_its_closing_date_imports(tree):
    headers = ["来访日期", "信访方式", "问题类型", "反映问题", "办理状态", "办结日期"]
    rows = [["2025-03-05", "来访", "婚姻家庭", "一", "在办", "/"],
            ["2025-03-06", "来电", "婚姻家庭", "二", "已办结", "2025.3.20"],
            ["2025-03-07", "来信", "家庭暴力", "三", "受理", "—"]]
    result = run("petitions", ledger("东安县妇联2025年信访台账", {"Sheet1": (headers, rows)}), tree["county"])
    assert result.ok, [str(e) for e in result.errors]
    assert Case.objects.count() == 3 and Case.objects.filter(closed_on__isnull=False).count() == 1


# --- cells merged down over several records ------------------------------------------------------------------------
MERGED = {"petitions": ["来访日期", "信访方式", "问题类型"], "activities": ["活动日期", "活动形式"],
          "beneficiaries": ["帮扶类型"], "talents": ["工作单位", "类别"], "volunteers": ["所属队伍"],
          "honours": ["荣誉称号", "表彰级别", "表彰单位"], "loans": ["经办银行"], "orgs": ["级别", "上级单位编码"],
          "org_profiles": ["组织类型"], "articles": ["报送时间"]}


def merged_down(buffer, headers: list[str], merged: list[str], rows: int, *, xls: bool = False):
    """The ledger with each `merged` column's value written once and merged down over the first `rows` records
    (data starts on row 5 under 序号 in column A)."""
    from openpyxl import load_workbook

    book = load_workbook(buffer)
    sheet = book.active
    for header in merged:
        column = headers.index(header) + 2
        for row in range(6, 5 + rows):
            sheet.cell(row, column).value = None
        sheet.merge_cells(start_row=5, start_column=column, end_row=4 + rows, end_column=column)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return as_xls_merged(out) if xls else out


def as_xls_merged(buffer):
    """An .xls of the sheet's values with its merged ranges (what Excel 97–2003 files hold)."""
    import xlwt
    from openpyxl import load_workbook

    source = load_workbook(buffer).active
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(source.title)
    merged = {(r.min_row, r.min_col): r for r in source.merged_cells.ranges}
    covered = {(row, col) for r in merged.values() for row in range(r.min_row, r.max_row + 1)
               for col in range(r.min_col, r.max_col + 1)} - set(merged)
    for row in source.iter_rows():
        for cell in row:
            if (cell.row, cell.column) in covered or (cell.value is None and (cell.row, cell.column) not in merged):
                continue
            value = cell.value
            style = xlwt.easyxf(num_format_str="yyyy-mm-dd") if isinstance(value, dt.date) else xlwt.Style.default_style
            if (cell.row, cell.column) in merged:
                r = merged[(cell.row, cell.column)]
                sheet.write_merge(r.min_row - 1, r.max_row - 1, r.min_col - 1, r.max_col - 1, value, style)
            else:
                sheet.write(cell.row - 1, cell.column - 1, value, style)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


@pytest.mark.parametrize("xls", [False, True], ids=["xlsx", "xls"])
@pytest.mark.parametrize("kind", list(MERGED))
def test_a_cell_merged_down_over_several_records_is_each_records_value(tree, kind, xls):
    """Ledgers write the same date, category or bank once and merge it down over the records it is for; the clerk
    sees it in each row. It was read in the first row only: required columns refused as 必填, optional ones
    (a village's 级别 and 上级单位编码) silently left empty."""
    headers, row, count = _cases(tree)[kind]
    n = 3
    rows = [row(i, D(2025, 3, 5)) for i in range(n)]
    for header in MERGED[kind]:
        j = headers.index(header)
        for other in rows[1:]:
            other[j] = rows[0][j]
    before = count()
    file = merged_down(ledger("东安县妇联2025年工作台账", {"Sheet1": (headers, rows)}, blank_after=99), headers,
                       MERGED[kind], n, xls=xls)
    result = run(kind, file, tree["county"])
    assert result.ok, [str(e) for e in result.errors]
    assert result.total == n and count() - before == n
    if kind == "orgs":
        villages = OrgUnit.objects.filter(code__in=[r[0] for r in rows])
        assert {(v.parent.code, v.level) for v in villages} == {("431122100", "village")}
    if kind == "volunteers":
        assert {v.team.name for v in Volunteer.objects.all()} == {rows[0][headers.index("所属队伍")]}
    if kind == "petitions":
        assert {(c.received_at.date(), c.channel.name, c.category.name) for c in Case.objects.all()} == {
            (D(2025, 3, 5), "来访", "婚姻家庭")}


def test_a_cell_merged_across_columns_stays_in_its_first_column(tree):
    """活动名称 merged over the empty 活动地点 beside it is no place."""
    headers = ["活动日期", "活动形式", "活动名称", "活动地点"]
    rows = [["2025-03-05", "宣传教育", "三八维权周宣传进社区", None]]
    buffer = ledger("东安县妇联2025年活动台账", {"Sheet1": (headers, rows)})
    from openpyxl import load_workbook

    book = load_workbook(buffer)
    book.active.merge_cells("D5:E5")
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    assert run("activities", out, tree["county"]).ok
    assert Activity.objects.get().place == ""


# --- the rows around the records -----------------------------------------------------------------------------------
def numbered_ahead(title: str, headers: list[str], rows: list[list], *, numbered: int = 20) -> io.BytesIO:
    """A form numbered 1…`numbered` in 序号 ahead of filling it, with only `rows` filled; a 本月合计 and a 累计 row;
    the lines under it written as label and value (制表：, 审核：, 联系电话：) and a 注： beside a 序号."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(["序号", *headers, "备注"])
    for n in range(1, numbered + 1):
        sheet.append([n, *(rows[n - 1] if n <= len(rows) else [None] * len(headers)), None])
    sheet.append(["本月合计", None, None])
    sheet.append([None, "累计", None])
    sheet.append(["制表：张丽", None, "审核：李红"])
    sheet.append(["联系电话：0746-1234567"])
    sheet.append([numbered + 1, "注：本表每月5日前报送。"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


@pytest.mark.parametrize("kind", list(MERGED))
def test_rows_numbered_ahead_month_totals_and_labelled_lines_under_the_table_are_not_records(tree, kind):
    """Offices number 序号 down the whole form before filling it: those rows, with nothing in any imported column,
    are empty rows, not records missing every field. 本月合计/累计 are totals; 制表：, 审核：, 联系电话： and a 注
    beside a 序号 are the lines under the table."""
    headers, row, count = _cases(tree)[kind]
    n = 3
    rows = [row(i, D(2025, 3, 5 + i)) for i in range(n)]
    before = count()
    result = run(kind, numbered_ahead("东安县妇联2025年工作台账", headers, rows), tree["county"])
    assert result.ok, [str(e) for e in result.errors][:5]
    assert result.total == n and count() - before == n
    assert result.skipped_rows == {"blank": 20 - n, "total": 2, "footer": 3}


# --- values as the registries write them ---------------------------------------------------------------------------
SPELLINGS = {
    "talents": {"education": [("大学本科", "bachelor"), ("本科学历", "bachelor"), ("大学专科", "college"),
                              ("硕士研究生", "postgraduate"), ("中专", "secondary"), ("初中", "secondary")],
                "post_kind": [("村妇联主席", "village_chair"), ("社区妇联主席", "village_chair"),
                              ("后备干部", "candidate")],
                "level": [("县", "county"), ("乡镇", "township"), ("村（社区）级", "village")]},
    "honours": {"level": [("国家级", "national"), ("省", "province"), ("县（区）级", "county"), ("市（州）级", "city")],
                "year": [("2025年度", "2025"), ("2025年", "2025")]},
    "orgs": {"level": [("村", "village"), ("社区", "village"), ("街道", "township"), ("村（社区）", "village")]},
    "loans": {"term_months": [("24个月", "24"), ("36月", "36")], "subsidy_rate": [("100%", "100")]},
    "org_profiles": {"executives": [("15名", "15"), ("15人", "15")]},
    "petitions": {"status": [("已办结（调解）", "closed"), ("正在处理", "in_progress")]},
}


@pytest.mark.parametrize("kind", list(SPELLINGS))
def test_levels_grades_posts_and_counts_as_the_registries_write_them(tree, kind):
    """县 and 县（区）级 for 县级, 大学本科 for 本科, 村妇联主席 for 村(社区)妇联主席, 24个月, 15名, 2025年度: what a
    person reads without hesitation was refused as 不在可选值中 or 不是确切的数字."""
    from jinguo.core.excel import ImportContext
    from jinguo.core.importkinds import get_spec

    spec = get_spec(kind)
    columns = {c.field: c for c in spec.columns_for(ImportContext(org=tree["county"]))}
    for field, spellings in SPELLINGS[kind].items():
        for written, value in spellings:
            assert spec.parse_cell(columns[field], written) == value, (field, written)


# --- names and numbers as typed -------------------------------------------------------------------------------------
def _as_typed_badly(value: str, i: int) -> str:
    """An ID number or phone as exports and clerks leave it: full-width digits, spaces, a leading apostrophe."""
    full = value.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return [f"'{value}", f"{value[:6]} {value[6:14]} {value[14:]}", full][i % 3]


@pytest.mark.parametrize("kind", ["petitions", "beneficiaries", "talents", "volunteers", "honours", "loans"])
def test_names_spaced_to_line_up_and_numbers_typed_with_spaces_or_an_apostrophe_import_and_again_add_nothing(
        tree, kind):
    """王  芳 is 王芳; '431122…, 431122 19850101 0012 and full-width digits are the ID number; 138-0746-1234 and
    full-width digits the phone. They were refused (应为18位, 格式不对) or, for a name, stored with the spaces."""
    headers, row, count = _cases(tree)[kind]
    rows = [row(i, D(2025, 3, 5)) for i in range(3)]
    name_at = headers.index("姓名")
    id_at = next(j for j, h in enumerate(headers) if h.startswith("身份证"))
    names = []
    for i, cells in enumerate(rows):
        names.append(f"王{'秀芳'[i % 2]}{i}" if i else "王芳")
        cells[name_at] = "王  芳" if i == 0 else names[i]
        cells[id_at] = _as_typed_badly(cells[id_at], i)
        if "手机" in headers:
            cells[headers.index("手机")] = ["138-0746-1234", "１３８０７４６１２３５", "0746－1234567"][i]
    before = count()

    def file():
        return ledger("东安县妇联2025年工作台账", {"Sheet1": (headers, rows)})

    result = run(kind, file(), tree["county"])
    assert result.ok, [str(e) for e in result.errors]
    assert count() - before == 3
    again = run(kind, file(), tree["county"])
    assert again.ok and again.created == 0 and count() - before == 3, [str(e) for e in again.errors]
    from jinguo.people.models import Person

    if kind != "petitions":
        stored = {person.name for person in Person.objects.all()}  # encrypted: compared once read
        assert "王芳" in stored and "王  芳" not in stored


def test_a_percentage_cell_read_as_a_fraction_is_refused_not_stored_as_one_percent(tree):
    """贴息比例 100% typed into a cell formatted as a percentage is the number 1: it was stored as 1%."""
    from openpyxl import load_workbook

    headers = ["姓名", "身份证号码", "贷款金额", "经办银行", "期限（月）", "贴息比例（%）", "申请时间"]
    rows = [["借款人丁", valid_id(311), 50000, "农商行", 24, 1.0, "2025-03-05"]]
    book = load_workbook(ledger("东安县2025年创业担保贷款台账", {"Sheet1": (headers, rows)}))
    book.active["G5"].number_format = "0%"
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    result = run("loans", out, tree["county"])
    assert [(e.row, e.column) for e in result.errors] == [(5, "G")]
    assert "百分比格式" in result.errors[0].message and not Loan.objects.exists()
