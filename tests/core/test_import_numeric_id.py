"""An ID number that Excel stored as a number has lost its last digits: the row is refused, naming the column and
the fix, and nothing of the file is written — in the 信访 ledger and in the registries alike."""

from jinguo.audit.models import AuditEntry
from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.people.models import Beneficiary, Person
from jinguo.petitions.models import Case, Petitioner
from jinguo.testing import xlsx_file

ID = "320124198808240056"
FIX = "请将该列设为文本格式后重新填写"


def test_petition_id_number_stored_as_a_number_is_refused_with_row_column_and_fix(tree):
    headers = ["登记日期", "来源方式", "问题类别", "信访人姓名", "身份证号", "诉求摘要"]
    rows = [["2025-03-01", "来访", "婚姻家庭", "王秀英", ID, "离婚后探视"],
            ["2025-03-02", "来信", "婚姻家庭", "李红", float(ID), "家暴求助"],  # what Excel keeps: 3201241988082400xx
            ["2025-03-03", "来电", "劳动权益", "赵敏", "", "欠薪"]]
    audit_before = AuditEntry.objects.count()
    result = get_spec("petitions").run_import(xlsx_file(headers, rows), ImportContext(org=tree["county"]))
    assert [(e.row, e.column, e.header) for e in result.errors] == [(3, "E", "身份证号")]
    assert FIX in result.errors[0].message and "末几位已丢失" in result.errors[0].message
    assert "320124" not in str(result.errors[0])  # the lost number is not echoed back
    assert Case.objects.count() == 0 and Petitioner.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before
    rows[1][4] = ID  # typed as text, the same file imports
    result = get_spec("petitions").run_import(xlsx_file(headers, rows), ImportContext(org=tree["county"]))
    assert result.ok and Case.objects.count() == 3


def test_registry_id_number_stored_as_a_number_is_refused_and_nothing_is_written(tree):
    headers = ["姓名", "身份证号", "帮扶类别", "纳入日期"]
    rows = [["王秀英", ID, "贫困母亲", "2025-01-05"], ["李红", 4.31122198501011e17, "贫困母亲", "2025-01-05"]]
    result = get_spec("beneficiaries").run_import(xlsx_file(headers, rows), ImportContext(org=tree["county"]))
    assert [(e.row, e.column) for e in result.errors] == [(3, "B")] and FIX in result.errors[0].message
    assert Person.objects.count() == 0 and Beneficiary.objects.count() == 0


def test_a_fifteen_digit_number_survives_excel_and_is_read_as_text(tree):
    """First-generation 15-digit numbers fit in Excel's 15 significant digits: nothing was lost, so they import."""
    headers = ["登记日期", "来源方式", "问题类别", "身份证号"]
    rows = [["2025-03-01", "来访", "婚姻家庭", float("320124880824005")]]
    result = get_spec("petitions").run_import(xlsx_file(headers, rows), ImportContext(org=tree["county"]))
    assert result.ok, [str(e) for e in result.errors]
    assert Petitioner.objects.get().id_number == "320124198808240056"
