"""Imports against hostile and huge files: caps on rows and columns, capped stored errors with the full annotated
workbook kept as a file, and no personal data in clear in stored error texts."""

import io
import zipfile

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.core.models import ImportJob
from jinguo.orgs.models import OrgUnit
from jinguo.testing import xlsx_file


def run(file, org):
    return get_spec("orgs").run_import(file, ImportContext(org=org))


def test_rows_beyond_the_row_cap_are_refused_naming_the_cell(tree, settings):
    settings.JINGUO_IMPORT_MAX_ROWS = 3
    rows = [[f"43112220{i}", f"镇{i}", "乡镇"] for i in range(4)]  # header + 4 data rows: row 5 is one too many
    result = run(xlsx_file(["编码", "名称", "级别"], rows), tree["county"])
    assert [str(e) for e in result.errors] == [
        "工作表“数据”的单元格 A5 超出导入范围（最多 3 行、200 列），请删除表格以外的内容后重新上传"]
    assert not OrgUnit.objects.filter(code__startswith="43112220").exists()


def test_columns_beyond_the_column_cap_are_refused_naming_the_cell(tree, settings):
    settings.JINGUO_IMPORT_MAX_COLUMNS = 4
    result = run(xlsx_file(["编码", "名称", "级别", "", "备注"], [["431122102", "横塘镇", "乡镇", "", "x"]]),
                 tree["county"])
    assert len(result.errors) == 1 and "单元格 E1 超出导入范围（最多 200,000 行、4 列）" in result.errors[0].message


def test_declared_dimension_is_not_trusted_and_an_offset_sheet_reads_in_place(tree):
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet["B1"], sheet["C1"], sheet["D1"] = "编码", "名称", "级别"
    sheet["B3"], sheet["C3"], sheet["D3"] = "431122102", "横塘镇", "乡镇"
    buffer = io.BytesIO()
    book.save(buffer)
    # The file claims to span the whole grid; only its cells count.
    lying = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(lying, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="B1:D3"/>', b'<dimension ref="A1:XFD1048576"/>')
                assert b"XFD1048576" in data
            out.writestr(name, data)
    lying.seek(0)
    result = run(lying, tree["county"])
    assert result.ok and result.created == 1, [str(e) for e in result.errors]
    assert OrgUnit.objects.get(code="431122102").name == "横塘镇"


def test_other_formats_are_refused_with_a_clear_message(tree):
    fake = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # an old .xls (OLE2) header
    result = run(fake, tree["county"])
    assert len(result.errors) == 1 and "请上传 Excel 工作簿（.xlsx" in result.errors[0].message


def test_stored_errors_are_capped_and_the_annotated_workbook_carries_all(tree, users, login, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.JINGUO_IMPORT_MAX_STORED_ERRORS = 5
    rows = [[f"43112210{i:02d}", "", "乡镇"] for i in range(12)]  # 12 rows, each missing its name
    client = login(users["county_sysadmin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orgs:orgunit_import"),
                    {"file": xlsx_file(["编码", "名称", "级别"], rows, name="单位.xlsx"), "org": tree["county"].pk})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert len(job.errors) == 5 and job.errors_omitted == 7 and "发现12处错误" in job.message
    assert job.error_file
    page = client.get(job.get_absolute_url()).content.decode()
    assert "另有7处错误未列出，请下载标注了全部错误的工作簿" in page
    marked = client.get(job.get_absolute_url(), {"download": "errors"})
    sheet = load_workbook(io.BytesIO(b"".join(marked.streaming_content)))["数据"]
    assert all(sheet[f"B{row}"].comment is not None for row in range(2, 14))  # all 12, not the 5 stored


def test_error_texts_mask_personal_values(tree):
    from tests.petitions.test_import_and_reports import ledger_rows, workbook

    rows = ledger_rows(3)
    rows[1][5] = "110108200003154578"  # a bad check digit: the error repeats the number
    rows[2][6] = "1380013800"  # not a phone number
    result = get_spec("petitions").run_import(workbook(rows), ImportContext(org=tree["county"]))
    texts = " ".join(str(e) for e in result.errors)
    assert len(result.errors) == 2, texts
    assert "110108200003154578" not in texts and "1380013800" not in texts
    assert "110***********4578" in texts or "校验位" in texts


def test_an_id_number_or_phone_typed_in_another_column_is_masked_in_the_error(tree):
    """The probe: ID numbers shifted into the 帮扶类别 and 纳入日期 columns came back in clear in the stored error
    texts (“431122198702231243”不在可选值中). Any ID or mobile number an error quotes is masked, whatever the column."""
    from jinguo.testing import xlsx_file

    headers = ["姓名", "身份证号", "联系电话", "住址", "帮扶类别", "纳入日期"]
    rows = [["王某", "320124198808240056", "", "", "431122198702231243", "2025-01-05"],
            ["李某", "11010519491231002X", "", "", "贫困母亲", "13807461234"]]
    result = get_spec("beneficiaries").run_import(xlsx_file(headers, rows), ImportContext(org=tree["county"]))
    texts = " ".join(str(e) for e in result.errors) + str([e.as_dict() for e in result.errors])
    assert len(result.errors) == 2, texts
    assert "431122198702231243" not in texts and "13807461234" not in texts
    assert "431***********1243" in texts and "138****1234" in texts
