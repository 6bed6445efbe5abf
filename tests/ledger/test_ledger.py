"""Work ledger: figures are exact, statistics add up and stay in scope, the Excel round trip is lossless."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jinguo.audit.models import AuditEntry
from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.core.periods import Period
from jinguo.ledger.models import Activity, ActivityFigure, Measure
from jinguo.ledger.stats import ledger_stats
from jinguo.testing import assert_max_queries, xlsx_file

HEADERS = ["开始日期", "结束日期", "活动类型", "活动名称", "主题", "地点", "合作单位", "说明"]


def sheet(rows, headers=HEADERS):
    return xlsx_file(headers, rows)


def test_import_with_measure_headers_in_every_spelling(tree, tmp_path, capsys):
    headers = [*HEADERS, "发放资料(份)", "咨询人次", "慰问金额", "参与人数（人）"]
    rows = [
        ["2025-03-08", "", "宣传教育", "三八维权周宣传", "三八维权周、三八妇女节", "县城广场", "县司法局、县就业局", "",
         "1,000", "85", "1200.50", "300人"],
        [dt.date(2025, 6, 1), "2025/6/2", "慰问帮扶", "六一慰问留守儿童", "六一", "白牙市镇", "", "", "", "", 3000, 40],
    ]
    path = tmp_path / "a.xlsx"
    path.write_bytes(sheet(rows, headers).getvalue())
    call_command("import_xlsx", "activities", str(path), "--org", "431122")
    first = Activity.objects.get(title="三八维权周宣传")
    assert first.org == tree["county"] and first.end_date == first.start_date == dt.date(2025, 3, 8)
    assert {t.name for t in first.themes.all()} == {"三八维权周", "三八妇女节"}
    assert [p.name for p in first.partners.all()] == ["县司法局", "县就业局"]
    figures = {f.measure.code: f.value for f in first.figures.all()}
    assert figures == {"materials": Decimal("1000"), "consultations": Decimal("85"),
                       "condolence": Decimal("1200.50"), "participants": Decimal("300")}
    second = Activity.objects.get(title="六一慰问留守儿童")
    assert second.end_date == dt.date(2025, 6, 2) and second.themes.get().name == "六一儿童节"  # alias 六一


def test_unknown_measure_bad_date_and_end_before_start_are_all_reported(tree):
    headers = [*HEADERS, "发放资料", "走访户数"]
    rows = [
        ["2025-03-08", "", "宣传教育", "好的一行", "", "", "", "", 10, 1],
        ["2025-02-30", "", "宣传教育", "坏日期", "", "", "", "", 10, 1],
        ["2025-05-10", "2025-05-01", "培训", "结束早于开始", "", "", "", "", 10, 1],
    ]
    result = get_spec("activities").run_import(sheet(rows, headers), ImportContext(org=tree["county"]))
    found = sorted((e.row, e.column, e.header) for e in result.errors)
    # Issue 17: a column matching no measure is ignored and named in the result, not an error.
    assert found == [(3, "A", "开始日期"), (4, "B", "结束日期")]
    assert result.ignored_columns == ["走访户数"]
    assert not Activity.objects.exists()


def test_unknown_kind_theme_and_rounded_numbers_are_rejected_clearly(tree):
    headers = [*HEADERS, "发放资料"]
    rows = [["2025-03-08", "", "联欢", "x", "", "", "", "", 1],
            ["2025-03-08", "", "培训", "y", "元宵节", "", "", "", 1],
            ["2025-03-08", "", "培训", "z", "", "", "", "", "1000余"],
            ["2025-03-08", "", "培训", "w", "", "", "", "", "12.5"]]
    result = get_spec("activities").run_import(sheet(rows, headers), ImportContext(org=tree["county"]))
    messages = {(e.row, e.header): e.message for e in result.errors}
    assert "宣传教育" in messages[(2, "活动类型")]
    assert "元宵节" in messages[(3, "主题")] and "三八维权周" in messages[(3, "主题")]
    assert "1000余" in messages[(4, "发放资料")]  # the file's own header (the system's 发放资料(份))
    assert "整数" in messages[(5, "发放资料")]
    assert len(result.errors) == 4


def test_export_reimports_unchanged(tree, make_activity):
    make_activity(tree["county"], "三八维权周宣传", "2025-03-08", themes=["三八维权周"], partners="县司法局",
                  materials=1000, condolence="1200.50")
    make_activity(tree["township"], "镇妇联培训", "2025-04-01", kind="培训", trainees=45)
    spec = get_spec("activities")
    ctx = ImportContext(org=tree["county"])
    out = io.BytesIO()
    assert spec.export(ctx, spec.export_queryset(ctx), out) == 2
    rows = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_index(0).to_python()
    header = rows[0]
    assert header[:8] == HEADERS and "发放资料(份)" in header
    before = (Activity.objects.count(), ActivityFigure.objects.count())
    out.seek(0)
    result = spec.run_import(out, ctx)
    assert result.ok and result.skipped == 2 and result.created == 0
    assert (Activity.objects.count(), ActivityFigure.objects.count()) == before
    # Updating from the same file changes nothing either: no field, figure or partner differs, so the only
    # new audit entry is the import itself.
    audit_before = AuditEntry.objects.count()
    out.seek(0)
    assert spec.run_import(out, ImportContext(org=tree["county"], existing="update")).updated == 2
    assert list(AuditEntry.objects.filter(seq__gt=audit_before).values_list("action", flat=True)) == ["data.imported"]


def test_money_totals_exact_to_the_fen_over_10000_records(tree):
    from jinguo.core.models import CodeItem
    from jinguo.ledger.models import ActivityFigure
    from jinguo.ledger.stats import rebuild_cells

    kind = CodeItem.objects.lookup("activity_kind")["慰问帮扶"]
    measure = Measure.objects.get(code="condolence")
    activities = Activity.objects.bulk_create(
        Activity(org=tree["county"], kind=kind, title=f"慰问{i}", start_date=day, end_date=day)
        for i, day in ((i, dt.date(2025, 1, 1) + dt.timedelta(i % 300)) for i in range(10_000)))
    amounts = [Decimal(f"{(i * 7919) % 100000}.{i % 100:02d}") for i in range(10_000)]
    ActivityFigure.objects.bulk_create(ActivityFigure(activity=a, measure=measure, value=v)
                                       for a, v in zip(activities, amounts, strict=True))
    rebuild_cells()  # written past the services, as bulk loads are: the roll-up is recomputed after them
    stats = ledger_stats(tree["city"], Period.parse("2025"))
    assert stats.total("condolence") == sum(amounts)
    assert stats.funds()["out"] == sum(amounts)


def test_city_statistics_equal_the_sum_of_its_counties_and_exclude_sister_cities(tree, make_activity):
    make_activity(tree["county"], "东安宣传", "2025-03-08", themes=["三八维权周"], materials=1000, consultations=85)
    make_activity(tree["township"], "白牙市镇宣传", "2025-03-09", themes=["三八维权周"], materials=200)
    make_activity(tree["sister"], "双牌培训", "2025-05-20", kind="培训", trainees=60, materials=50)
    make_activity(tree["other_county"], "北湖宣传", "2025-03-08", themes=["三八维权周"], materials=99999)
    make_activity(tree["county"], "去年宣传", "2024-03-08", materials=700)
    period = Period.parse("2025H1")
    city = ledger_stats(tree["city"], period)
    counties = [ledger_stats(tree[k], period) for k in ("county", "sister")]
    assert city.activities == sum(c.activities for c in counties) == 3
    for code in ("materials", "consultations", "trainees"):
        assert city.total(code) == sum(c.total(code) for c in counties)
    assert city.total("materials") == 1250  # 北湖区 (郴州市) is not in 永州市
    units = {g.label: g for g in city.by_unit}
    assert units["东安县"].activities == 2 and units["东安县"].totals["materials"] == 1200
    assert units["双牌县"].totals["trainees"] == 60
    theme = next(g for g in city.by_theme if g.label == "三八维权周")
    assert theme.activities == 2 and theme.totals["materials"] == 1200
    kinds = {g.label: g.activities for g in city.by_kind}
    assert kinds == {"宣传教育": 2, "培训": 1}
    # every month of the period, the ones without activities as 0 (a chart shows the gap instead of hiding it)
    assert [(g.key, g.activities) for g in city.by_month if g.activities] == [("2025-03", 2), ("2025-05", 1)]
    assert [g.key for g in city.by_month] == [f"2025-{m:02d}" for m in range(period.start.month, period.end.month + 1)]
    earlier = ledger_stats(tree["city"], period.year_earlier())
    assert earlier.total("materials") == 700
    own = ledger_stats(tree["county"], period, scope="self")
    assert own.activities == 1


def test_list_filters_by_theme_and_measure_and_stays_in_scope(tree, users, login, make_activity):
    make_activity(tree["county"], "三八维权周宣传", "2025-03-08", themes=["三八维权周"], materials=1000)
    make_activity(tree["county"], "培训班", "2025-04-08", kind="培训", trainees=30)
    make_activity(tree["sister"], "双牌三八宣传", "2025-03-08", themes=["三八维权周"], materials=10)
    client = login(users["staff"])
    theme = Activity.objects.get(title="三八维权周宣传").themes.get()
    page = client.get(reverse("ledger:activity_list"), {"theme": theme.pk}).content.decode()
    assert "三八维权周宣传" in page and "培训班" not in page and "双牌三八宣传" not in page
    trainees = Measure.objects.get(code="trainees")
    page = client.get(reverse("ledger:activity_list"), {"measure": trainees.pk}).content.decode()
    assert "培训班" in page and "三八维权周宣传" not in page
    sister = Activity.objects.get(title="双牌三八宣传")
    assert client.get(reverse("ledger:activity_detail", args=[sister.pk])).status_code == 404
    assert client.post(reverse("ledger:activity_delete", args=[sister.pk])).status_code == 404
    assert client.get(f"/api/activities/{sister.pk}/").status_code == 404
    api = client.get("/api/activities/").json()
    assert {row["title"] for row in api["results"]} == {"三八维权周宣传", "培训班"}


def test_list_page_has_no_n_plus_one(tree, users, login, make_activity):
    client = login(users["city"])
    for i in range(3):
        make_activity(tree["county"], f"活动{i}", "2025-03-08", themes=["三八维权周"], materials=i + 1)
    with assert_max_queries(20) as few:
        client.get(reverse("ledger:activity_list"))
    for i in range(20):
        make_activity(tree["county"], f"更多{i}", "2025-03-09", themes=["母亲节"], materials=i + 1, partners="县司法局")
    with assert_max_queries(len(few)):
        client.get(reverse("ledger:activity_list"))


def test_entry_form_saves_figures_and_audits_them(tree, users, login):
    from jinguo.core.models import CodeItem

    client = login(users["staff"])
    kinds = CodeItem.objects.lookup("activity_kind")
    themes = CodeItem.objects.lookup("activity_theme")
    response = client.post(reverse("ledger:activity_add"), {
        "org": tree["county"].pk, "kind": kinds["宣传教育"].pk, "title": "母亲节家风宣讲", "start_date": "2025-05-11",
        "themes": [themes["母亲节"].pk], "m_participants": "120", "m_materials": "300", "m_condolence": "500.5"})
    assert response.status_code == 302, response.content.decode()
    activity = Activity.objects.get(title="母亲节家风宣讲")
    assert activity.end_date == dt.date(2025, 5, 11)
    assert {f.measure.code: f.value for f in activity.figures.all()}["condolence"] == Decimal("500.50")
    event = AuditEntry.objects.get(action="activity.figures_changed", object_id=str(activity.pk))
    assert event.data["after"]["materials"] == "300.00"
    bad = client.post(reverse("ledger:activity_add"), {
        "org": tree["sister"].pk, "kind": kinds["宣传教育"].pk, "title": "越界", "start_date": "2025-05-11",
        "m_materials": "1.5"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "管辖范围" in body and "应为整数" in body
    assert not Activity.objects.filter(title="越界").exists()


def test_api_create_uses_the_same_rules(tree, users, login):
    from jinguo.core.models import CodeItem

    client = login(users["staff"])
    kind = CodeItem.objects.lookup("activity_kind")["培训"]
    ok = client.post("/api/activities/", {"org": tree["county"].pk, "kind": kind.pk, "title": "技能培训",
                                          "start_date": "2025-07-01", "figures": {"trainees": "45"}},
                     content_type="application/json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["figures"] == {"trainees": "45.00"}
    bad = client.post("/api/activities/", {"org": tree["county"].pk, "kind": kind.pk, "title": "错",
                                           "start_date": "2025-07-02", "end_date": "2025-07-01",
                                           "figures": {"walks": 3}}, content_type="application/json")
    assert bad.status_code == 400 and "未知的指标" in bad.content.decode()
    outside = client.post("/api/activities/", {"org": tree["sister"].pk, "kind": kind.pk, "title": "越界",
                                               "start_date": "2025-07-01"}, content_type="application/json")
    assert outside.status_code == 400 and "管辖范围" in outside.content.decode()


def test_calendar_and_funds_pages(tree, users, login, make_activity):
    make_activity(tree["county"], "春节送温暖", "2025-01-20", kind="慰问帮扶", condolence="20000", visited=40)
    make_activity(tree["county"], "爱心捐赠", "2025-01-22", kind="捐赠", donations="5000.25")
    client = login(users["staff"])
    calendar = client.get(reverse("ledger:calendar"), {"month": "2025-01"}).content.decode()
    assert "春节送温暖" in calendar and "2025年1月" in calendar
    funds = client.get(reverse("ledger:funds"), {"period": "2025", "org": tree["county"].pk}).content.decode()
    assert "共发放 20000 元，接收 5000.25 元" in funds
    empty = client.get(reverse("ledger:funds"), {"period": "2023", "org": tree["county"].pk}).content.decode()
    assert "没有登记资金数据" in empty
    assert client.get(reverse("ledger:funds"), {"org": tree["sister"].pk}).status_code == 404


def test_unknown_kind_in_cli_import_exits_nonzero(tree, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(sheet([["2025-03-08", "", "联欢", "x", "", "", "", ""]]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_xlsx", "activities", str(path), "--org", "431122")


def test_plan_items_with_period_status_and_linked_activities(tree, users, login, make_activity):
    from jinguo.ledger.models import PlanItem

    activity = make_activity(tree["county"], "三八宣传", "2025-03-08", materials=10)
    client = login(users["staff"])
    response = client.post(reverse("ledger:planitem_add"), {
        "org": tree["county"].pk, "period": "2025h2", "title": "开展“美丽庭院”创建", "status": "planned",
        "order": 1, "activities": [activity.pk]})
    assert response.status_code == 302, response.content.decode()
    item = PlanItem.objects.get()
    assert item.period == "2025H2" and list(item.activities.all()) == [activity]
    bad = client.post(reverse("ledger:planitem_add"), {"org": tree["county"].pk, "period": "下半年",
                                                       "title": "x", "status": "planned", "order": 1})
    assert bad.status_code == 400 and "统计期" in bad.content.decode()
    page = client.get(reverse("ledger:planitem_list"), {"period": "2025H2"}).content.decode()
    assert "美丽庭院" in page
    assert login(users["sister"]).get(reverse("ledger:planitem_detail", args=[item.pk])).status_code == 404


def test_administrator_edits_a_measure_alias_that_imports_then_accept(tree, users, login):
    measure = Measure.objects.get(code="visited")
    client = login(users["sysadmin"])
    response = client.post(reverse("ledger:measure_edit", args=[measure.pk]), {
        "name": measure.name, "unit": measure.unit, "kind": "count", "direction": "", "order": 10,
        "aliases": "慰问对象、走访户数", "is_active": "on"})
    assert response.status_code == 302, response.content.decode()
    rows = [["2025-01-20", "", "慰问帮扶", "走访困难妇女", "", "", "", "", 12]]
    result = get_spec("activities").run_import(sheet(rows, [*HEADERS, "走访户数"]), ImportContext(org=tree["county"]))
    assert result.ok, result.errors
    assert Activity.objects.get().figures.get().measure == measure
    assert login(users["staff"]).get(reverse("ledger:measure_edit", args=[measure.pk])).status_code == 403
