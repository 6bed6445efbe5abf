"""The stored sections the work summary reads (ActivityRank: each activity's line of work and reach; SectionCell: the
roll-up by unit, month and section) stay equal to a recompute from the activities, whichever way they are written —
form, an edit that moves an activity to another unit, month, kind and themes, API, bulk import, delete — and follow
the code tables the section rule reads (工作总结栏目, activity kinds and themes) and the measures' units when an
administrator edits them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.core.models import CodeItem
from jinguo.ledger.models import Activity, ActivityRank, Measure, SectionCell
from jinguo.ledger.sections import NO_REACH, reach_of, rebuild_sections, section_id_of, summary_sections
from jinguo.testing import xlsx_file

pytestmark = pytest.mark.django_db


def stored() -> tuple[list[tuple], list[tuple]]:
    return (sorted(ActivityRank.objects.values_list("activity_id", "org_id", "start_date", "section_id", "people",
                                                    "copies", "yuan")),
            sorted(SectionCell.objects.values_list("org_id", "month", "section_id", "measure_id", "activities",
                                                   "total")))


def assert_stored_match_a_recount() -> None:
    """The rows kept write by write equal a rebuild, the rebuild equals the rule run over the raw tables, and no
    emptied cell is left behind."""
    kept = stored()
    rebuild_sections()
    assert kept == stored()
    raw = reach_of(Activity.objects.order_by().annotate(section=section_id_of(summary_sections())))
    assert kept[0] == sorted(raw.values_list("pk", "org_id", "start_date", "section", "reach_people", "reach_copies",
                                             "reach_yuan"))
    assert not SectionCell.objects.filter(activities=0).exists()


def section_of_activity(activity: Activity) -> str:
    codes = {s.pk: s.code for s in summary_sections()}
    return codes[ActivityRank.objects.get(pk=activity.pk).section_id]


def test_stored_sections_follow_every_way_of_writing_activities(tree, users, login, make_activity):
    client = login(users["staff"])
    kinds, themes = CodeItem.objects.lookup("activity_kind"), CodeItem.objects.lookup("activity_theme")
    first = make_activity(tree["county"], "三八宣传", dt.date(2025, 3, 8), themes=("反家庭暴力",), participants=120,
                          materials=300, condolence="500.50")
    bare = make_activity(tree["township"], "工作会议", dt.date(2025, 6, 1), kind="会议")  # no figures at all
    make_activity(tree["township"], "六一慰问", dt.date(2025, 6, 1), kind="慰问帮扶", visited=0, condolence=300)
    assert_stored_match_a_recount()
    assert section_of_activity(first) == "rights"  # the theme claims before the kind (宣传教育 → guide)
    rank = ActivityRank.objects.get(pk=first.pk)
    assert (rank.people, rank.copies, rank.yuan) == (Decimal(120), Decimal(300), Decimal("500.50"))
    rank = ActivityRank.objects.get(pk=bare.pk)
    assert (rank.people, rank.copies, rank.yuan) == (NO_REACH, NO_REACH, NO_REACH)
    assert SectionCell.objects.get(org=tree["county"], measure_id=0).activities == 1

    # An edit moving the activity to another unit, month, kind and theme, with other figures.
    response = client.post(reverse("ledger:activity_edit", args=[first.pk]), {
        "org": tree["township"].pk, "kind": kinds["培训"].pk, "title": "三八宣传", "start_date": "2025-04-02",
        "themes": [themes["母亲节"].pk], "m_trainees": "80", "version": first.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_stored_match_a_recount()
    assert section_of_activity(first) == "guide"  # 母亲节 is claimed by 思想引领与宣传教育
    assert not SectionCell.objects.filter(org=tree["county"]).exists()  # nothing left where it was

    assert client.post("/api/activities/", {"org": tree["county"].pk, "kind": kinds["培训"].pk, "title": "技能培训",
                                            "start_date": "2025-07-01", "figures": {"trainees": "45"}},
                       content_type="application/json").status_code == 201
    headers = ["开始日期", "活动类型", "活动名称", "主题", "单位编码", "参与人数"]
    rows = [["2025-03-09", "宣传教育", f"导入{i}", "反家庭暴力", "", 10 + i] for i in range(3)]
    # and the shapes the bulk writer's own sums must get right: two themes, none, copies and yuan, a figure of 0,
    # no figures at all, two months and two units in one file, into cells that already hold rows
    mixed_headers = ["开始日期", "活动类型", "活动名称", "主题", "单位编码", "参与人数", "发放资料", "慰问金额",
                     "咨询"]
    mixed = [["2025-03-09", "宣传教育", "导入两主题", "反家庭暴力、母亲节", "", 30, 200, "", 0],
             ["2025-03-20", "慰问帮扶", "导入慰问", "", "", "", "", "800.50", ""],
             ["2025-05-01", "其他", "导入其他", "", tree["township"].code, "", "", "", ""],
             ["2025-05-02", "培训", "导入培训", "三八妇女节", "", 12, 40, "20", 5]]
    assert get_spec("activities").run_import(xlsx_file(mixed_headers, mixed), ImportContext(org=tree["county"])).ok
    assert get_spec("activities").run_import(xlsx_file(headers, rows), ImportContext(org=tree["county"])).ok
    assert_stored_match_a_recount()
    rights = next(s.pk for s in summary_sections() if s.code == "rights")
    assert SectionCell.objects.get(org=tree["county"], month=dt.date(2025, 3, 1), section_id=rights,
                                   measure_id=0).activities == 3
    # two themes: the first section in order claiming either (母亲节 → 思想引领与宣传教育, ahead of 维权)
    assert section_of_activity(Activity.objects.get(title="导入两主题")) == "guide"

    response = client.post(reverse("ledger:activity_delete", args=[first.pk]))
    assert response.status_code in (302, 303)
    assert_stored_match_a_recount()
    assert not ActivityRank.objects.filter(pk=first.pk).exists()
    assert ActivityRank.objects.count() == Activity.objects.count() == 10


def test_stored_sections_follow_the_code_tables(tree, make_activity):
    """Remapping a theme to another section, renaming a kind out of its section's claims and changing a measure's
    unit each recompute the stored rows in the edit's transaction; an edit that changes nothing the rule reads
    leaves them alone."""
    drive = make_activity(tree["county"], "反家暴宣传", "2025-03-08", themes=("反家庭暴力",), materials=100)
    training = make_activity(tree["county"], "家政培训", "2025-04-10", kind="培训", trainees=45)
    assert (section_of_activity(drive), section_of_activity(training)) == ("rights", "career")

    def marked(activity: Activity) -> Decimal:
        """A marker in `activity`'s rank row that a rewrite of the row would overwrite; returns the true value."""
        true = ActivityRank.objects.get(pk=activity.pk).people
        ActivityRank.objects.filter(pk=activity.pk).update(people=Decimal(1))
        return true

    def unmark(activity: Activity, true: Decimal) -> None:
        assert ActivityRank.objects.get(pk=activity.pk).people == Decimal(1), "rewritten, though the edit left it"
        ActivityRank.objects.filter(pk=activity.pk).update(people=true)

    true = marked(training)  # only what an edit moves is rewritten (a province's rows took minutes, in the request)
    claim = CodeItem.objects.get(table__slug="summary_section", name="反家庭暴力")
    claim.parent = CodeItem.objects.get(table__slug="summary_section", code="care")
    claim.save()
    assert section_of_activity(drive) == "care"
    unmark(training, true)
    assert_stored_match_a_recount()

    kind = CodeItem.objects.get(table__slug="activity_kind", name="培训")
    kind.name = "技能培训"  # no section claims this name now: the first section takes it
    kind.save()
    assert section_of_activity(training) == "guide"
    assert_stored_match_a_recount()

    true = marked(training)  # it has no figure of that measure
    measure = Measure.objects.get(code="materials")
    measure.unit = "人"  # now a count of people, no longer of copies
    measure.save()
    rank = ActivityRank.objects.get(pk=drive.pk)
    assert (rank.people, rank.copies) == (Decimal(100), NO_REACH)
    unmark(training, true)
    assert_stored_match_a_recount()

    ActivityRank.objects.filter(pk=drive.pk).update(people=Decimal(1))  # a marker a recompute would overwrite
    theme = CodeItem.objects.get(table__slug="activity_theme", name="母亲节")
    theme.save()  # saved unchanged
    petition_channel = CodeItem.objects.filter(table__slug="petition_channel").first()
    petition_channel.name += "（改）"
    petition_channel.save()  # a table the rule does not read
    assert ActivityRank.objects.get(pk=drive.pk).people == Decimal(1)
