"""The activity import's bulk path: what it stores and audits is what row-by-row saving would, and its validation
gives the same verdicts as a form built for each row."""

import datetime as dt
import zipfile

import pytest

from jinguo.audit.models import AuditEntry
from jinguo.audit.services import verify_chain
from jinguo.core.events import Event
from jinguo.core.excel import ImportContext
from jinguo.core.forms import RowValidator
from jinguo.core.importkinds import get_spec
from jinguo.core.models import CodeItem
from jinguo.ledger.forms import MEASURE_PREFIX, ActivityForm
from jinguo.ledger.models import Activity, Measure
from jinguo.testing import xlsx_file

HEADERS = ["开始日期", "结束日期", "活动类型", "活动名称", "主题", "地点", "合作单位", "说明", "单位编码", "参与人数",
           "发放资料", "慰问金额"]


@pytest.mark.django_db
def test_bulk_import_stores_and_audits_each_activity_whole(tree, monkeypatch):
    monkeypatch.setattr(get_spec("activities").__class__, "batch_size", 2)  # three chunks for five rows
    rows = [[f"2025-03-0{i}", "", "宣传教育", f"三八维权周宣传{i}", "反家庭暴力、家庭家教家风", "广场",
             "县司法局、白牙市镇", "", "431122100" if i % 2 else "", 100 + i, "", "1,000.50" if i == 1 else ""]
            for i in range(1, 6)]
    before = AuditEntry.objects.count()

    result = get_spec("activities").run_import(xlsx_file(HEADERS, rows), ImportContext(org=tree["county"]))

    assert result.ok and result.created == 5, [str(e) for e in result.errors]
    first = Activity.objects.get(title="三八维权周宣传1")
    assert first.org == tree["township"] and first.end_date == first.start_date
    assert sorted(t.name for t in first.themes.all()) == ["反家庭暴力", "家庭家教家风"]
    figures = {f.measure.code: f.value for f in first.figures.select_related("measure")}
    assert {str(v) for v in figures.values()} == {"101.00", "1000.50"}
    partners = {p.name: p.org for p in first.partners.all()}
    assert partners == {"县司法局": None, "白牙市镇": tree["township"]}  # a unit nearby is linked
    assert Activity.objects.get(title="三八维权周宣传2").org == tree["county"]

    entries = list(AuditEntry.objects.filter(seq__gt=AuditEntry.objects.order_by("seq")[before].seq - 1)
                   .order_by("seq"))
    created = [e for e in entries if e.action == Event.CREATED]
    assert len(created) == 5 and [e.action for e in entries][-1] == Event.IMPORTED
    entry = next(e for e in created if e.object_id == str(first.pk))
    after = entry.data["after"]
    assert after["title"] == "三八维权周宣传1" and after["themes"] == ["反家庭暴力", "家庭家教家风"]
    assert sorted(after["figures"].values()) == ["1000.50", "101.00"] and after["partners"] == ["县司法局", "白牙市镇"]
    assert entry.org_path == tree["township"].path
    assert verify_chain()[1] is None


@pytest.mark.django_db
def test_bulk_import_with_one_bad_row_among_chunks_writes_nothing(tree, monkeypatch):
    monkeypatch.setattr(get_spec("activities").__class__, "batch_size", 2)
    rows = [[f"2025-04-0{i}", "", "宣传教育", f"活动{i}", "", "", "", "", "", 10, "", ""] for i in range(1, 6)]
    rows[4][1] = "2025-03-01"  # the last row ends before it starts, after two chunks were written
    before = AuditEntry.objects.count()

    result = get_spec("activities").run_import(xlsx_file(HEADERS, rows), ImportContext(org=tree["county"]))

    assert [(e.row, e.column) for e in result.errors] == [(6, "B")]
    assert not Activity.objects.exists() and AuditEntry.objects.count() == before


BAD_ROWS = [
    {"kind": "999999", "title": "x", "start_date": "2025-03-01"},
    {"kind": "{kind}", "title": "x", "start_date": "2025-03-05", "end_date": "2025-03-01"},
    {"kind": "{kind}", "title": "", "start_date": "2025-03-01"},
    {"kind": "{kind}", "title": "x" * 201, "start_date": "2025-03-01"},
    {"kind": "{kind}", "title": "x", "start_date": "2025-03-01", "org": "{sister}"},
    {"kind": "{kind}", "title": "x", "start_date": "2025-03-01", "themes": ["999999"]},
    {"kind": "{kind}", "title": "x", "start_date": "2025-03-01", MEASURE_PREFIX + "participants": "-3"},
    {"kind": "{kind}", "title": "x", "start_date": "2025-03-01", MEASURE_PREFIX + "participants": "2.5"},
    {"kind": "{kind}", "title": "x", "start_date": "2025-13-01"},
    {"kind": "{kind}", "title": "好", "start_date": "2025-03-01", "partners": "甲、乙"},  # valid
]


@pytest.mark.django_db
def test_row_validator_gives_the_same_verdicts_as_a_form_per_row(tree, users):
    kind = CodeItem.objects.lookup("activity_kind")["宣传教育"].pk
    measures = list(Measure.objects.filter(is_active=True))
    assert any(m.code == "participants" for m in measures)
    kwargs = {"user": users["staff"], "org": tree["county"], "measures": measures}
    validator = RowValidator(ActivityForm(**kwargs))
    for template in BAD_ROWS:
        data = {"org": str(tree["county"].pk)}
        data.update({k: (v.format(kind=kind, sister=tree["sister"].pk) if isinstance(v, str) else v)
                     for k, v in template.items()})
        expected = ActivityForm(data=dict(data), **kwargs)
        got = validator.validate(dict(data))
        assert got.is_valid() == expected.is_valid(), template
        assert got.errors.get_json_data() == expected.errors.get_json_data(), template
        if expected.is_valid():
            assert got.instance.title == "好" and got.partner_names() == ["甲", "乙"]


@pytest.mark.django_db
def test_export_from_plain_values_gives_the_cells_records_give(tree, make_activity):
    from jinguo.core.excel import ImportSpec

    make_activity(tree["county"], "三八维权周宣传", "2025-03-08", themes=["家庭家教家风", "三八维权周"],
                  partners="县司法局、白牙市镇", materials=1000, condolence="1200.50")
    make_activity(tree["township"], "镇妇联培训", "2025-04-01", kind="培训", trainees=45)
    spec = get_spec("activities")
    ctx = ImportContext(org=tree["county"])
    columns = spec.columns_for(ctx)

    plain = list(spec.export_rows(ctx, columns, spec.export_queryset(ctx)))
    from_records = list(ImportSpec.export_rows(spec, ctx, columns, spec.export_queryset(ctx)))

    assert plain == from_records and len(plain) == 2
    assert "三八维权周、家庭家教家风" in plain[0] and 1200.5 in plain[0]


@pytest.mark.django_db
def test_export_writes_each_column_as_its_kind_and_text_never_as_a_formula(tree, make_activity):
    """The writer picks each column's call once: the workbook read back holds dates as dates, figures as numbers,
    a title that looks like a formula as that text — and a sister county's activity not at all."""
    import io

    from python_calamine import CalamineWorkbook

    make_activity(tree["county"], "=1+1", "2025-03-08", end_date="2025-03-09", themes=["三八维权周"],
                  partners="县司法局", materials=1000, condolence="1200.50")
    make_activity(tree["sister"], "双牌县的活动", "2025-03-08")
    spec = get_spec("activities")
    ctx = ImportContext(org=tree["county"])
    out = io.BytesIO()
    assert spec.export(ctx, spec.export_queryset(ctx), out) == 1
    header, row = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_index(0).to_python()
    cells = dict(zip(header, row, strict=True))
    assert cells["开始日期"] == dt.date(2025, 3, 8) and cells["结束日期"] == dt.date(2025, 3, 9)
    assert cells["活动名称"] == "=1+1" and cells["主题"] == "三八维权周" and cells["合作单位"] == "县司法局"
    assert cells["发放资料(份)"] == 1000 and cells["慰问金额(元)"] == 1200.5
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()
