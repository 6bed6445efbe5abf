"""The monthly roll-up the statistics read (ActivityCell) stays equal to the activities it is derived from, whichever
way they are written: form, edit that moves an activity to another unit and month, API, bulk import, delete."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.core.models import CodeItem
from jinguo.core.periods import Period
from jinguo.ledger.models import Activity, ActivityCell
from jinguo.ledger.stats import ledger_stats, rebuild_cells
from jinguo.testing import xlsx_file

pytestmark = pytest.mark.django_db


def cells() -> list[tuple]:
    return sorted(ActivityCell.objects.values_list("org_id", "month", "kind_id", "theme_id", "measure_id",
                                                   "activities", "total"))


def assert_cells_match_a_rebuild() -> None:
    kept = cells()
    rebuild_cells()
    assert kept == cells()


def test_cells_follow_every_way_of_writing_activities(tree, users, login, make_activity):
    client = login(users["staff"])
    kinds, themes = CodeItem.objects.lookup("activity_kind"), CodeItem.objects.lookup("activity_theme")
    first = make_activity(tree["county"], "三八宣传", dt.date(2025, 3, 8), themes=("反家庭暴力",), participants=120,
                          condolence="500.50")
    make_activity(tree["township"], "六一慰问", dt.date(2025, 6, 1), kind="慰问帮扶", condolence=300)
    assert_cells_match_a_rebuild()
    assert ActivityCell.objects.filter(theme_id=themes["反家庭暴力"].pk, measure_id=0).get().activities == 1

    # An edit moving the activity to another unit and month, with other figures and themes.
    response = client.post(reverse("ledger:activity_edit", args=[first.pk]), {
        "org": tree["township"].pk, "kind": kinds["宣传教育"].pk, "title": "三八宣传", "start_date": "2025-04-02",
        "themes": [themes["母亲节"].pk], "m_participants": "80", "version": first.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_cells_match_a_rebuild()
    assert not ActivityCell.objects.filter(org=tree["county"]).exists()  # nothing left where it was

    assert client.post("/api/activities/", {"org": tree["county"].pk, "kind": kinds["培训"].pk, "title": "技能培训",
                                            "start_date": "2025-07-01", "figures": {"trainees": "45"}},
                       content_type="application/json").status_code == 201
    headers = ["开始日期", "活动类型", "活动名称", "主题", "单位编码", "参与人数"]
    rows = [["2025-03-09", "宣传教育", f"导入{i}", "反家庭暴力", "", 10 + i] for i in range(3)]
    assert get_spec("activities").run_import(xlsx_file(headers, rows), ImportContext(org=tree["county"])).ok
    assert_cells_match_a_rebuild()

    response = client.post(reverse("ledger:activity_delete", args=[first.pk]))
    assert response.status_code in (302, 303)
    assert_cells_match_a_rebuild()
    stats = ledger_stats(tree["city"], Period.parse("2025"))
    assert stats.activities == Activity.objects.filter(start_date__year=2025).count() == 5
    assert stats.total("participants") == Decimal(10 + 11 + 12)
    assert stats.total("condolence") == Decimal(300)
    assert [(g.label, g.activities) for g in stats.by_month if g.activities] == [("3月", 3), ("6月", 1), ("7月", 1)]
    assert [g.label for g in stats.by_month] == [f"{m}月" for m in range(1, 13)]
    assert [(g.label, g.activities) for g in stats.by_theme] == [("反家庭暴力", 3)]

    # and the shapes the bulk writer's own sums must get right: two themes, none, copies and yuan, a figure of 0,
    # no figures at all, two months and two units in one file, into cells that already hold rows
    mixed_headers = ["开始日期", "活动类型", "活动名称", "主题", "单位编码", "参与人数", "发放资料", "慰问金额",
                     "咨询"]
    mixed = [["2025-03-09", "宣传教育", "导入两主题", "反家庭暴力、母亲节", "", 30, 200, "", 0],
             ["2025-03-20", "慰问帮扶", "导入慰问", "", "", "", "", "800.50", ""],
             ["2025-05-01", "其他", "导入其他", "", tree["township"].code, "", "", "", ""],
             ["2025-05-02", "培训", "导入培训", "三八妇女节", "", 12, 40, "20", 5]]
    assert get_spec("activities").run_import(xlsx_file(mixed_headers, mixed), ImportContext(org=tree["county"])).ok
    assert_cells_match_a_rebuild()
