"""Issue 17: the 台账 files offices already keep import as they are — title and 填报单位 rows, 序号/备注, 合计 and
填表人 lines, blank rows, two-row headers, a sheet per quarter, dates and values as people write them, .xls and GBK
.csv — for every import kind, and re-importing adds nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook
from openpyxl.styles import Font

from jinguo.articles.models import Article
from jinguo.core.excel import ImportContext, parse_date
from jinguo.core.excel.read import detect
from jinguo.core.idcard import check_char
from jinguo.core.importkinds import IMPORT_SPECS, get_spec
from jinguo.grassroots.models import OrgProfile
from jinguo.ledger.models import Activity
from jinguo.orgs.models import OrgUnit
from jinguo.orgs.services import add_org
from jinguo.people.models import Beneficiary, Honour, Loan, Talent, Volunteer
from jinguo.petitions.models import Case, Status

D = dt.date
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# The date styles offices write, in the order the rows use them: an Excel date, 2025-3-5, 2025/3/5, 2025.3.5,
# 2025年3月5日, 20250305, full-width digits with stray spaces.
DATE_STYLES = [lambda d: d, lambda d: f"{d.year}-{d.month}-{d.day}", lambda d: f"{d.year}/{d.month}/{d.day}",
               lambda d: f"{d.year}.{d.month}.{d.day}", lambda d: f"{d.year}年{d.month}月{d.day}日",
               lambda d: d.strftime("%Y%m%d"),
               lambda d: " " + f"{d.year}-{d.month}-{d.day}".translate(FULL_WIDTH)]


def styled(day: dt.date, n: int):
    return DATE_STYLES[n % len(DATE_STYLES)](day)


def valid_id(i: int) -> str:
    first17 = f"4311221985{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i % 1000:03d}"
    return first17 + check_char(first17)


def ledger(title: str, sheets: dict[str, tuple[list, list[list]]], *, sub_headers: dict[int, str] | None = None,
           blank_after: int = 2) -> io.BytesIO:
    """A workbook as an office keeps it: per sheet a merged title, a 填报单位/填报日期 line, a blank row, the header
    with 序号 first and 备注 last (and, with `sub_headers` {column index: text}, a second header row under merged
    group labels), the rows numbered, a blank row in the middle, a 合计 row, the 填表人/审核人 line and a 注 line."""
    book = Workbook()
    book.remove(book.active)
    for sheet_name, (headers, rows) in sheets.items():
        sheet = book.create_sheet(sheet_name)
        width = len(headers) + 2
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet["A1"].font = Font(bold=True, size=16)
        sheet.append(["填报单位：东安县妇联", *[None] * (width - 3), "填报日期：2025年7月1日"])
        sheet.append([])
        sheet.append(["序号", *headers, "备注"])
        if sub_headers:
            sheet.append([None, *[sub_headers.get(i) for i in range(len(headers))], None])
            for i, header in enumerate(headers):  # a label standing over two rows is merged down
                if header and i not in sub_headers:
                    sheet.merge_cells(start_row=4, start_column=i + 2, end_row=5, end_column=i + 2)
        for n, row in enumerate(rows, start=1):
            sheet.append([n, *row, "无" if n % 2 else None])
            if n == blank_after:
                sheet.append([])
        sheet.append(["合计", f"{len(rows)}件"])
        sheet.append([])
        sheet.append(["填表人：王娟", None, None, "审核人：李红", None, "联系电话：0746-1234567"])
        sheet.append(["注：1.本表按季度填报；2.问题类别按省妇联分类填写。"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def run(kind: str, file, org, **kwargs):
    return get_spec(kind).run_import(file, ImportContext(org=org), **kwargs)


def assert_imported_completely(result, rows: int, sheets: int = 1) -> None:
    assert result.ok, [str(e) for e in result.errors]
    assert (result.total, result.created) == (rows, rows)
    assert "序号" in result.ignored_columns and "备注" in result.ignored_columns
    assert any(note.startswith("已忽略的列：序号、备注") for note in result.notes()), result.notes()
    assert result.skipped_rows["total"] == sheets and result.skipped_rows["footer"] == 2 * sheets
    assert result.skipped_rows["blank"] >= 2 * sheets


# --- 信访 -------------------------------------------------------------------------------------------------------
PETITION_HEADERS = ["来访日期", "信访方式", "问题类型", "姓名", "身份证号码", "手机", "反映问题", "办理状态",
                    "办结日期"]


def petition_rows(quarter: int, n: int = 7) -> list[list]:
    rows = []
    for i in range(n):
        day = D(2025, 3 * quarter - 2, 1) + dt.timedelta(days=i * 9)
        done = i % 2 == 0
        rows.append([styled(day, i), ["来访", "12338", "来 电", "来信"][i % 4],
                     ["婚姻家庭类", "劳动权益", "婚姻家庭", "其他"][i % 4], f"信访人{quarter}{i}",
                     valid_id(quarter * 10 + i), f"1380746{quarter}{i:03d}", f"第{quarter}季度第{i + 1}件诉求",
                     "已办结" if done else "办理中", styled(day + dt.timedelta(days=5), i + 1) if done else None])
    return rows


def test_a_petition_ledger_with_a_sheet_per_quarter_imports_completely_and_again_adds_nothing(tree):
    file = ledger("东安县妇联2025年上半年信访接待登记台账",
                  {"一季度": (PETITION_HEADERS, petition_rows(1)), "二季度": (PETITION_HEADERS, petition_rows(2))})
    result = run("petitions", file, tree["county"])
    assert_imported_completely(result, 14, sheets=2)
    assert result.sheets == ["一季度", "二季度"]
    assert Case.objects.count() == 14
    first = Case.objects.get(summary="第1季度第1件诉求")
    assert first.category.name == "婚姻家庭" and first.channel.name == "来访" and first.status == Status.CLOSED
    assert first.received_at.date() == D(2025, 1, 1)
    assert Case.objects.get(summary="第1季度第2件诉求").channel.name == "12338热线"
    assert Case.objects.get(summary="第2季度第7件诉求").received_at.date() == D(2025, 4, 1) + dt.timedelta(days=54)
    assert Case.objects.filter(status=Status.CLOSED).count() == 8
    again = run("petitions", ledger("东安县妇联2025年上半年信访接待登记台账", {
        "一季度": (PETITION_HEADERS, petition_rows(1)), "二季度": (PETITION_HEADERS, petition_rows(2))}),
        tree["county"])
    assert again.ok and (again.created, again.skipped) == (0, 14) and Case.objects.count() == 14


def test_a_closed_status_without_a_closing_date_column_is_a_row_error_not_a_traceback(tree):
    """The file in the issue: 办理状态 已办结 and no 办结日期 column stopped the command with
    `ValueError: 'HistoricalCaseForm' has no field named 'closed_on'`."""
    headers = ["登记日期", "来源方式", "问题类别", "诉求摘要", "办理状态"]
    rows = [["2025-03-05", "来访", "婚姻家庭", "一", "已办结"], ["2025-03-06", "来访", "婚姻家庭", "二", "办理中"]]
    result = run("petitions", ledger("台账", {"Sheet1": (headers, rows)}), tree["county"])
    assert [(e.row, e.column) for e in result.errors] == [(5, "")]
    assert "办结日期" in result.errors[0].message and "办结" in result.errors[0].message
    assert not Case.objects.exists()


# --- 活动台账: a two-row header ----------------------------------------------------------------------------------
ACTIVITY_HEADERS = ["活动日期", "活动类型", "活动名称", "活动地点", "活动成效", None, "主题"]
ACTIVITY_SUBS = {4: "参与人数（人）", 5: "发放资料（份）"}


def activity_rows(quarter: int) -> list[list]:
    kinds = ["宣传", "培训类", "走访慰问", "会议"]
    return [[styled(D(2025, 3 * quarter - 2, 3) + dt.timedelta(days=i * 11), i), kinds[i % 4],
             f"{quarter}季度活动{i + 1}", "县妇女儿童活动中心", f"{100 + i}", "２００" if i == 0 else 50 * i,
             "三八妇女节" if i % 2 else None] for i in range(6)]


def test_an_activity_ledger_with_a_two_row_header_imports_completely_and_again_adds_nothing(tree):
    def file():
        return ledger("东安县妇联2025年活动开展情况登记表", {
            "第一季度": (ACTIVITY_HEADERS, activity_rows(1)), "第二季度": (ACTIVITY_HEADERS, activity_rows(2))},
            sub_headers=ACTIVITY_SUBS)

    detection = detect(file(), get_spec("activities"), ImportContext(org=tree["county"]))
    table = detection.tables[0]
    assert table.header_rows == (4, 5)
    assert {c.header: c.field for c in table.columns}["参与人数（人）"] == "m_participants"
    result = run("activities", file(), tree["county"])
    assert_imported_completely(result, 12, sheets=2)
    first = Activity.objects.get(title="1季度活动1")
    assert first.start_date == D(2025, 1, 3) and first.kind.name == "宣传教育"
    assert {f.measure.code: f.value for f in first.figures.all()} == {"participants": Decimal(100),
                                                                      "materials": Decimal(200)}
    assert Activity.objects.get(title="1季度活动2").kind.name == "培训"  # 培训类: the 类 suffix
    again = run("activities", file(), tree["county"])
    assert again.ok and (again.created, again.skipped) == (0, 12) and Activity.objects.count() == 12


# --- every other kind --------------------------------------------------------------------------------------------
def _registry_cases(tree):
    town = tree["township"]
    for n in (301, 302, 303):
        add_org(f"431122100{n}", f"第{n}村", parent=town)
    person = ["姓名", "身份证", "手机", "家庭住址"]
    return {
        "beneficiaries": ([*person, "帮扶类型", "纳入时间"],
                          lambda i, d: [f"对象{i}", valid_id(i), f"138074600{i:02d}", f"新村{i}号",
                                        ["困难母亲", "留守儿童类", "困境儿童"][i % 3], d],
                          lambda: Beneficiary.objects.count()),
        "talents": ([*person, "工作单位", "类别", "层级", "学历", "审核日期"],
                    lambda i, d: [f"人才{i}", valid_id(40 + i), "", "", "县教育局", "后备人才", "县级", "本科", d],
                    lambda: Talent.objects.count()),
        "volunteers": ([*person, "所属队伍", "特长", "加入时间"],
                       lambda i, d: [f"志愿者{i}", valid_id(80 + i), "", "", "白牙市镇巾帼志愿队", "心理疏导", d],
                       lambda: Volunteer.objects.count()),
        "honours": (["荣誉称号", "表彰级别", "年份", "获奖集体", "姓名", "身份证", "表彰单位", "文号"],
                    lambda i, d: ["红旗手", "县级", f"{2020 + i}年", "", f"获奖者{i}", valid_id(120 + i), "东安县妇联",
                                  f"东妇发〔{2020 + i}〕3号"],
                    lambda: Honour.objects.count()),
        "loans": ([*person, "金额", "经办银行", "期限（月）", "项目", "申请时间"],
                  lambda i, d: [f"借款人{i}", valid_id(160 + i), "", "", f"{50000 + i * 1000}元", "东安农商行", 24,
                                "养殖", d],
                  lambda: Loan.objects.count()),
        "orgs": (["单位编码", "单位名称", "级别", "上级单位编码"],
                 lambda i, d: [f"431122100{401 + i}", f"新设村{i}", "村(社区)", "431122100"],
                 lambda: OrgUnit.objects.filter(code__startswith="4311221004").count()),
        "org_profiles": (["单位编码", "组织类型", "妇联主席", "执委", "妇女之家", "工作经费（元）", "换届时间"],
                         lambda i, d: [f"100{301 + i % 3}" if i < 3 else None, "村妇联", f"主席{i}", 9, "有", 3000, d],
                         lambda: OrgProfile.objects.count()),
        "articles": (["信息标题", "报送时间", "撰稿人", "采用情况"],
                     lambda i, d: [f"东安县妇联工作动态第{i + 1}期", d, "李娟", "县委办公室" if i % 2 else ""],
                     lambda: Article.objects.count()),
    }


@pytest.mark.parametrize("kind", ["beneficiaries", "talents", "volunteers", "honours", "loans", "orgs",
                                  "org_profiles", "articles"])
def test_every_kind_reads_a_realistic_ledger_and_reimporting_adds_nothing(tree, kind):
    headers, row, count = _registry_cases(tree)[kind]
    n = 3 if kind == "org_profiles" else 6  # three villages to describe
    rows = [row(i, styled(D(2025, 1, 10) + dt.timedelta(days=20 * i), i)) for i in range(n)]

    def file():
        return ledger("东安县妇联2025年工作台账", {"2025年": (headers, rows)})

    before = count()
    result = run(kind, file(), tree["county"])
    assert_imported_completely(result, n)
    assert count() - before == n
    again = run(kind, file(), tree["county"])
    assert again.ok and again.created == 0 and again.skipped + again.updated == n, [str(e) for e in again.errors]
    assert count() - before == n


def test_the_kind_list_above_covers_every_import_kind_but_the_indicator_grid():
    """The grid of indicator values is a form of the data set's own indicators, not an office ledger."""
    assert set(IMPORT_SPECS) - {"petitions", "activities", "indicator_values"} == {
        "beneficiaries", "talents", "volunteers", "honours", "loans", "orgs", "org_profiles", "articles"}


# --- detection ---------------------------------------------------------------------------------------------------
def test_detection_names_rows_columns_and_skipped_sheets_and_signs_the_headers(tree):
    file = ledger("台账", {"一季度": (PETITION_HEADERS, petition_rows(1, 2)), "二季度": (PETITION_HEADERS, [])})
    book = Workbook()
    spec, ctx = get_spec("petitions"), ImportContext(org=tree["county"])
    detection = detect(file, spec, ctx)
    table = detection.tables[0]
    assert table.name == "一季度" and table.header_rows == (4,)
    how = {c.header: (c.letter, c.field, c.how) for c in table.columns}
    assert how["序号"] == ("A", None, "ignored") and how["备注"][1:] == (None, "ignored")
    assert how["来访日期"] == ("B", "received_date", "synonym")
    assert how["问题类型"][1] == "category" and how["办理状态"][2] == "exact"
    assert not detection.errors
    same = detect(ledger("另一份台账", {"三季度": (PETITION_HEADERS, petition_rows(3, 5))}), spec, ctx)
    assert same.signature == detection.signature
    other = detect(ledger("台账", {"一季度": (PETITION_HEADERS[:-1], petition_rows(1, 2))}), spec, ctx)
    assert other.signature != detection.signature
    # A sheet with nothing recognisable is listed as skipped, with the reason.
    book.active.title = "说明"
    book.active.append(["本台账由办公室保管"])
    second = book.create_sheet("数据")
    for row in [["登记日期", "来源方式", "问题类别"], ["2025-01-02", "来访", "其他"]]:
        second.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    detection = detect(buffer, spec, ctx)
    assert [t.name for t in detection.tables] == ["数据"]
    assert [s.name for s in detection.skipped] == ["说明"] and "表头" in detection.skipped[0].reason


def test_a_user_mapping_and_a_header_row_override_the_guess(tree):
    headers = ["接访时间", "渠道", "问题类别", "情况"]
    rows = [["2025-02-03", "来访", "其他", "咨询离婚手续"], ["2025-02-04", "来电", "其他", "咨询抚养费"]]
    spec, ctx = get_spec("petitions"), ImportContext(org=tree["county"])
    guess = detect(ledger("台账", {"Sheet1": (headers, rows)}), spec, ctx)
    assert guess.errors and {c.header: c.field for c in guess.tables[0].columns}["接访时间"] is None
    mapping = {"接访时间": "received_date", "C": "channel", "E": "summary", "问题类别": None}
    mapped = detect(ledger("台账", {"Sheet1": (headers, rows)}), spec, ctx, mapping=mapping)
    assert {c.header: (c.field, c.how) for c in mapped.tables[0].columns}["渠道"] == ("channel", "mapped")
    assert [e.header for e in mapped.errors] == ["问题类别"]  # mapped away: the required column is missing
    mapping["D"] = "category"  # a column letter wins over the header text
    result = spec.run_import(ledger("台账", {"Sheet1": (headers, rows)}), ctx, mapping=mapping)
    assert result.ok, [str(e) for e in result.errors]
    assert Case.objects.get(summary="咨询抚养费").channel.name == "来电"
    # A header row given by hand: the rows above it are skipped however they look.
    forced = detect(ledger("台账", {"Sheet1": (headers, rows)}), spec, ctx, header_row=4, mapping=mapping)
    assert forced.tables[0].header_rows == (4,) and not forced.errors


def test_the_command_line_takes_sheet_and_header_row(tree, tmp_path, capsys):
    headers = ["登记日期", "来源方式", "问题类别", "诉求摘要"]
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger("台账", {"一季度": (headers, [["2025-01-02", "来访", "其他", "一季度的"]]),
                                     "二季度": (headers, [["2025-04-02", "来访", "其他", "二季度的"]])}).getvalue())
    call_command("import_xlsx", "petitions", str(path), "--org", "431122", "--sheet", "二季度", "--header-row", "4")
    assert list(Case.objects.values_list("summary", flat=True)) == ["二季度的"]
    out = capsys.readouterr().out
    assert "已忽略的列：序号、备注" in out


# --- values as people write them ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [D(2025, 3, 5), dt.datetime(2025, 3, 5, 0, 0), "2025-3-5", "2025-03-05",
                                   "2025/3/5", "2025.3.5", "2025年3月5日", "20250305", 20250305.0, 45721.0,
                                   "２０２５年３月５日", " 2025 - 3 - 5 ", "2025-03-05 00:00:00"])
def test_dates_as_offices_write_them(value):
    assert parse_date(value) == D(2025, 3, 5)


# --- file types ----------------------------------------------------------------------------------------------------
CSV_HEADERS = "序号,登记日期,来源方式,问题类别,信访人姓名,诉求摘要,办理状态,办结日期,备注\r\n"
CSV_ROWS = ["1,2025/3/5,来访,婚姻家庭类,张三,要求调解家庭矛盾,已办结,2025年3月9日,",
            "2,20250306,12338,劳动权益,李四,讨薪,办理中,,", "合计,2件,,,,,,,", ",,,,,,,,"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_a_csv_in_gbk_or_utf8_imports(tree, encoding):
    content = ("东安县妇联信访登记台账\r\n" + CSV_HEADERS + "\r\n".join(CSV_ROWS) + "\r\n").encode(encoding)
    result = run("petitions", io.BytesIO(content), tree["county"])
    assert result.ok and result.created == 2, [str(e) for e in result.errors]
    assert Case.objects.get(summary="讨薪").channel.name == "12338热线"
    assert Case.objects.get(summary="要求调解家庭矛盾").status == Status.CLOSED


def test_a_csv_neither_utf8_nor_gbk_is_refused_clearly(tree):
    result = run("petitions", io.BytesIO(b"\x81\x30\xff\xfe" * 10 + b"\r\n"), tree["county"])
    assert not result.ok and ("编码" in result.errors[0].message or "无法读取" in result.errors[0].message)


def as_xls(buffer: io.BytesIO) -> io.BytesIO:
    """The same workbook as Excel 97–2003 saves it (.xls): values, dates and merged cells."""
    import xlwt
    from openpyxl import load_workbook

    source, book = load_workbook(buffer), xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for sheet in source.worksheets:
        target = book.add_sheet(sheet.title)
        merged = {(r.min_row, r.min_col): r for r in sheet.merged_cells.ranges}
        covered = {(row, col) for r in sheet.merged_cells.ranges for row in range(r.min_row, r.max_row + 1)
                   for col in range(r.min_col, r.max_col + 1)}
        for row in sheet.iter_rows():
            for cell in row:
                at = (cell.row, cell.column)
                if at in merged:
                    r = merged[at]
                    target.write_merge(r.min_row - 1, r.max_row - 1, r.min_col - 1, r.max_col - 1, cell.value)
                elif at not in covered and cell.value is not None:
                    if isinstance(cell.value, dt.datetime | dt.date):
                        target.write(cell.row - 1, cell.column - 1, cell.value, date_style)
                    else:
                        target.write(cell.row - 1, cell.column - 1, cell.value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def as_ods(buffer: io.BytesIO, far: str = "") -> io.BytesIO:
    """The same workbook as an OpenDocument spreadsheet (.ods, as WPS and LibreOffice save it: dates, text, numbers
    and the empty rows and columns repeated to the sheet's end), with `far` written after a million rows."""
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl import load_workbook

    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    tables = []
    for sheet in load_workbook(buffer).worksheets:
        rows = []
        for row in sheet.iter_rows(values_only=True):
            cells = []
            for value in row:
                if value is None:
                    cells.append("<table:table-cell/>")
                elif isinstance(value, int | float):
                    cells.append(f'<table:table-cell office:value-type="float" office:value="{value}">'
                                 f"<text:p>{value}</text:p></table:table-cell>")
                elif isinstance(value, dt.date):
                    cells.append(f'<table:table-cell office:value-type="date" office:date-value="'
                                 f'{value:%Y-%m-%d}"><text:p>{value:%Y-%m-%d}</text:p></table:table-cell>')
                else:
                    text = str(value)
                    cells.append(f'<table:table-cell office:value-type="string"><text:p>{escape(text)}</text:p>'
                                 "</table:table-cell>")
            rows.append(f"<table:table-row>{''.join(cells)}<table:table-cell table:number-columns-repeated=\"1000\"/>"
                        "</table:table-row>")
        rows.append('<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
                    'table:number-columns-repeated="1024"/></table:table-row>')
        if far:
            rows.append(f'<table:table-row><table:table-cell office:value-type="string"><text:p>{far}</text:p>'
                        "</table:table-cell></table:table-row>")
        tables.append(f'<table:table table:name="{escape(sheet.title)}">{"".join(rows)}</table:table>')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    out.seek(0)
    return out


def test_an_xls_from_excel_97_2003_imports(tree):
    file = as_xls(ledger("东安县妇联信访登记台账", {"一季度": (PETITION_HEADERS, petition_rows(1, 4)),
                                                  "二季度": (PETITION_HEADERS, petition_rows(2, 3))}))
    assert file.getvalue().startswith(b"\xd0\xcf\x11\xe0")  # an OLE2 .xls, not a renamed .xlsx
    result = run("petitions", file, tree["county"])
    assert_imported_completely(result, 7, sheets=2)
    assert Case.objects.get(summary="第1季度第1件诉求").received_at.date() == D(2025, 1, 1)  # an Excel date


def test_an_ods_imports(tree):
    result = run("petitions", as_ods(ledger("台账", {"一季度": (PETITION_HEADERS, petition_rows(1, 3))})),
                 tree["county"])
    assert_imported_completely(result, 3)
    assert Case.objects.count() == 3


def test_an_ods_with_a_value_a_million_rows_down_is_refused_before_it_is_loaded(tree):
    result = run("petitions", as_ods(ledger("台账", {"一季度": (PETITION_HEADERS, petition_rows(1, 3))}), far="x"),
                 tree["county"])
    message = result.errors[0].message
    assert not result.ok and "超出导入范围" in message and "“一季度”的单元格 A1048013" in message


# --- the import page ---------------------------------------------------------------------------------------------
@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("name", ["台账.csv", "台账.xls", "台账.xlsm"])
def test_the_import_page_takes_a_gbk_csv_and_an_xls_and_says_what_it_left_out(name, media, tree, users, login,
                                                                               django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from jinguo.core.models import ImportJob

    if name.endswith(".csv"):
        content = ("东安县妇联信访登记台账\r\n" + CSV_HEADERS + "\r\n".join(CSV_ROWS) + "\r\n").encode("gbk")
    elif name.endswith(".xls"):
        content = as_xls(ledger("台账", {"一季度": (PETITION_HEADERS, petition_rows(1, 2))})).getvalue()
    else:
        content = ledger("台账", {"一季度": (PETITION_HEADERS, petition_rows(1, 2))}).getvalue()
    client = login(users["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("petitions:case_import"), {
            "file": SimpleUploadedFile(name, content), "org": tree["county"].pk}, follow=True)
    if name.endswith(".xlsm"):  # macros stay refused
        assert not ImportJob.objects.exists() and ".xlsm" in response.content.decode()
        return
    job = ImportJob.objects.get()
    # The guessed columns (synonyms, 序号 and 备注 ignored) are shown to confirm first; 导入 takes them as shown.
    assert job.status == ImportJob.Status.MAPPING and "不导入的列：序号、备注" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:importjob_mapping", args=[job.pk]), {"action": "import"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Case.objects.count() == 2
    page = client.get(reverse("core:importjob_detail", args=[job.pk])).content.decode()
    assert "已忽略的列：序号、备注" in page and "合计行 1 行" in page


def test_our_own_template_filled_in_imports_without_notes(tree):
    """The template's hidden 可选值 and its 填写说明 sheets are ours: neither read nor reported."""
    from openpyxl import load_workbook

    spec, ctx = get_spec("petitions"), ImportContext(org=tree["county"])
    book = load_workbook(io.BytesIO(spec.template(ctx)))
    for column, value in enumerate(["2025-03-05", "来访", "婚姻家庭", None, "张三", None, None, None, "调解", "办结",
                                    "2025-03-08"], start=1):
        book["数据"].cell(row=2, column=column, value=value)  # under the header, as a user types
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = spec.run_import(buffer, ctx)
    assert result.ok and result.created == 1, [str(e) for e in result.errors]
    assert result.sheets == ["数据"] and result.notes() == []


def test_a_column_the_user_maps_wins_the_field_over_a_guess(tree):
    headers = ["日期", "来访时间", "来源方式", "问题类别"]  # 日期 is a synonym of 登记日期, but 来访时间 is the one
    rows = [["2025-07-01", "2025-02-03", "来访", "其他"]]
    spec, ctx = get_spec("petitions"), ImportContext(org=tree["county"])
    detection = detect(ledger("台账", {"Sheet1": (headers, rows)}), spec, ctx, mapping={"来访时间": "received_date"})
    how = {c.header: (c.field, c.how) for c in detection.tables[0].columns}
    assert how["来访时间"] == ("received_date", "mapped") and how["日期"] == (None, "duplicate")
    result = spec.run_import(ledger("台账", {"Sheet1": (headers, rows)}), ctx, detection=detection)
    assert result.ok and Case.objects.get().received_at.date() == D(2025, 2, 3)
