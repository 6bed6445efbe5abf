"""The Excel engine, exercised through the org-unit import (the foundation's importable model)."""

import io

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from jinguo.audit.models import AuditEntry
from jinguo.core.excel import CellError, ImportContext, annotated_workbook, parse_date, parse_decimal, parse_int
from jinguo.core.importkinds import get_spec
from jinguo.orgs.models import OrgUnit
from jinguo.testing import xlsx_file

HEADERS = ["编码", "名称", "级别", "上级编码", "单位类型"]
GOOD_ROWS = [
    ["431122102", "横塘镇", "乡镇", "", ""],
    ["431122102001", "横塘村", "村(社区)", "431122102", ""],
    ["431122-JY", "东安县教育局", "成员单位", "", "教育局"],
    ["431122-WJ", "东安县卫健局", "成员单位", "431122", "卫健委"],  # alias of 卫生健康委员会
    ["431122103", "井头圩镇", "", "", ""],  # level from the code's shape
]


def workbook(rows, headers=HEADERS):
    return xlsx_file(headers, rows)


def run(file, org, existing="skip"):
    return get_spec("orgs").run_import(file, ImportContext(org=org, existing=existing))


def test_three_bad_rows_give_exactly_three_errors_and_write_nothing(tree):
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][4] = "宣传部"  # row 4, column E: not an agency type
    rows[3][0] = "431122 WJ"  # row 5, column A: a code may not contain spaces
    rows[4][2] = "街道办"  # row 6, column C: not a level
    units_before, audit_before = OrgUnit.objects.count(), AuditEntry.objects.count()

    result = run(workbook(rows), tree["county"])

    found = sorted((e.row, e.column, e.header) for e in result.errors)
    assert found == [(4, "E", "单位类型"), (5, "A", "编码"), (6, "C", "级别")]
    messages = {e.row: e.message for e in result.errors}
    assert "字母、数字" in messages[5]
    assert "宣传部" in messages[4] and "教育局" in messages[4]  # names the allowed values
    assert "乡镇" in messages[6]
    assert all(e.sheet == "数据" for e in result.errors)
    assert OrgUnit.objects.count() == units_before
    assert AuditEntry.objects.count() == audit_before


def test_corrected_file_imports_and_reimport_adds_nothing(tree):
    result = run(workbook(GOOD_ROWS), tree["county"])
    assert result.ok, result.errors
    assert (result.created, result.skipped) == (5, 0)
    village = OrgUnit.objects.get(code="431122102001")
    assert village.parent.code == "431122102"
    assert village.path == "/430000/431100/431122/431122102/431122102001/"
    assert OrgUnit.objects.get(code="431122-WJ").agency_type.name == "卫生健康委员会"
    assert OrgUnit.objects.get(code="431122103").level == "township"
    count = OrgUnit.objects.count()

    again = run(workbook(GOOD_ROWS), tree["county"])
    assert again.ok and (again.created, again.skipped) == (0, 5)
    assert OrgUnit.objects.count() == count


def test_existing_rows_are_updated_on_request(tree):
    run(workbook(GOOD_ROWS), tree["county"])
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][1] = "横塘镇（新）"
    result = run(workbook(rows), tree["county"], existing="update")
    assert result.ok and result.updated == 5
    assert OrgUnit.objects.get(code="431122102").name == "横塘镇（新）"


def test_rows_outside_the_importing_unit_are_refused(tree):
    rows = [["431002100", "某镇", "乡镇", "431002", ""]]  # parent in another city
    result = run(workbook(rows), tree["county"])
    assert not result.ok
    assert result.errors[0].row == 2 and result.errors[0].header == "上级编码"
    assert not OrgUnit.objects.filter(code="431002100").exists()


def test_wrong_division_code_shape(tree):
    result = run(workbook([["43112210", "某镇", "乡镇", "", ""]]), tree["county"])
    assert [(e.row, e.column) for e in result.errors] == [(2, "A")]
    assert "9位" in result.errors[0].message


def test_missing_required_column_is_reported_on_the_header_and_an_unknown_column_is_ignored_and_named(tree):
    # Issue 17: a column matching nothing is ignored and named in the result, never an error.
    result = run(workbook([["x"]], headers=["名称", "备注栏"]), tree["county"])
    problems = {(e.row, e.header): e.message for e in result.errors}
    assert (1, "编码") in problems and "缺少必填列" in problems[(1, "编码")]
    assert (1, "备注栏") not in problems
    assert result.ignored_columns == ["备注栏"] and "已忽略的列：备注栏" in result.notes()


def test_duplicate_rows_in_one_file(tree):
    result = run(workbook([GOOD_ROWS[0], GOOD_ROWS[0]]), tree["county"])
    assert [(e.row, e.message) for e in result.errors] == [(3, "与第2行重复")]


def test_not_a_workbook(tree):
    result = run(io.BytesIO(b"not an excel file"), tree["county"])
    assert not result.ok and "无法读取文件" in result.errors[0].message


def test_template_has_marked_headers_dropdowns_and_instructions(tree):
    content = get_spec("orgs").template(ImportContext(org=tree["county"]))
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["数据", "可选值", "填写说明"]
    headers = [c.value for c in book["数据"][1]]
    assert headers == ["编码*", "名称*", "级别", "上级编码", "单位类型"]
    validations = book["数据"].data_validations.dataValidation
    formulas = {str(v.sqref): v.formula1 for v in validations}
    assert any("可选值" in f for f in formulas.values())
    assert "教育局" in [c.value for c in book["可选值"]["B"]]  # agency types from the code table
    assert book["填写说明"]["A1"].value == "列名"


def test_export_reimports_unchanged(tree):
    run(workbook(GOOD_ROWS), tree["county"])
    spec = get_spec("orgs")
    ctx = ImportContext(org=tree["county"])
    out = io.BytesIO()
    count = spec.export(ctx, spec.export_queryset(ctx), out)
    assert count == OrgUnit.objects.filter(path__startswith=tree["county"].path).count() - 1
    rows = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_index(0).to_python()
    assert rows[0] == HEADERS
    assert ["431122102001", "横塘村", "村(社区)", "431122102", ""] in rows
    out.seek(0)
    result = run(out, tree["county"])
    assert result.ok and result.created == 0 and result.skipped == count


def test_annotated_workbook_marks_bad_cells(tree):
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][4] = "宣传部"
    file = workbook(rows)
    result = run(file, tree["county"])
    file.seek(0)
    book = load_workbook(io.BytesIO(annotated_workbook(file, [e.as_dict() for e in result.errors])))
    cell = book["数据"]["E4"]
    assert "宣传部" in cell.comment.text and cell.fill.fgColor.rgb.endswith("FFC7CE")


@pytest.mark.parametrize("text", ["2025-03-01", "2025/3/1", "2025年3月1日", "2025.3.1"])
def test_dates_in_the_usual_spellings(text):
    assert parse_date(text).isoformat() == "2025-03-01"


def test_numbers_are_exact():
    assert parse_int("1,000") == 1000
    assert parse_int("500份", unit="份") == 500
    assert parse_decimal(0.1) == parse_decimal("0.1")
    assert str(parse_decimal("1,234.56")) == "1234.56"
    for bad in ("1000余", "约500", "nan"):
        with pytest.raises(CellError):
            parse_decimal(bad)
    with pytest.raises(CellError):
        parse_int("2.5")
