"""The monthly roll-up the petition statistics read (CaseCell) stays equal to the cases it is derived from, whichever
way they are written: intake (page and API), every workflow step, an edit that moves a case to another unit, month
and category, the 家暴 form, the bulk import, delete — and the statistics read from it count what the cases say."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.core.periods import Period
from jinguo.petitions import services
from jinguo.petitions.models import Case, CaseCell, DomesticViolence
from jinguo.petitions.stats import petition_stats, rebuild_cells
from jinguo.testing import form_data, xlsx_file

pytestmark = pytest.mark.django_db
D = dt.date
IMPORT_HEADERS = ["登记日期", "来源方式", "问题类别", "问题子类", "信访人姓名", "身份证号", "联系电话", "住址",
                  "诉求摘要", "办理状态", "办结日期", "办理结果"]


def cells() -> list[tuple]:
    return sorted(CaseCell.objects.values_list("org_id", "month", "channel_id", "category_id", "subcategory_id",
                                               "status", "cases", "people", "dv", "repeat", "completed", "on_time"))


def assert_cells_match_a_recount() -> None:
    kept = cells()
    rebuild_cells()
    assert kept == cells()
    assert not CaseCell.objects.filter(cases=0).exists()  # nothing left behind where a case was


def test_cells_follow_every_way_of_writing_cases(tree, users, login, make_case, codes):
    staff = users["staff"]
    first = make_case(tree["county"], received="2025-03-08 10:00", headcount=3, name="王秀英")
    make_case(tree["township"], received="2025-06-01 09:00", channel="来访", category="劳动权益")
    dv = make_case(tree["county"], received="2025-03-31 23:30", sub="家庭暴力", flags=("dv",),
                   id_number="")  # late evening of 31 March in Shanghai: a March case, whatever UTC says
    assert_cells_match_a_recount()
    assert CaseCell.objects.get(org=tree["county"], month=D(2025, 3, 1), subcategory_id__gt=0).dv == 1

    # Every workflow step that moves the status or the on-time flag.
    services.accept_case(first, actor=staff, on=D(2025, 3, 10))
    assert_cells_match_a_recount()
    services.refer_case(first, agency_type=codes["agency"]["司法行政/法律援助"], unit_name="东安县法律援助中心",
                        actor=staff)
    services.reply_case(first, reply="已转法律援助中心", actor=staff, on=D(2025, 4, 1))
    assert_cells_match_a_recount()
    services.follow_up_case(first, on=D(2025, 4, 15), method="phone", satisfaction="satisfied", actor=staff)
    services.close_case(first, result="legal_aid", actor=staff, on=D(2025, 4, 15))
    services.reject_case(dv, reason="不属于妇联职责", actor=staff)
    assert_cells_match_a_recount()
    closed = CaseCell.objects.get(org=tree["county"], status="closed")
    assert (closed.cases, closed.people, closed.completed, closed.on_time) == (1, 3, 1, 1)

    # The 家暴 form sets the flag on a case that had none.
    other = make_case(tree["county"], received="2025-05-05 10:00")
    services.save_dv(other, DomesticViolence(case=other, abuser_relation="丈夫", shelter=True), actor=staff)
    assert_cells_match_a_recount()

    # An edit moving a case to another unit, month and category, through the page.
    client = login(staff)
    url = reverse("petitions:case_edit", args=[other.pk])
    data = form_data(client.get(url).content.decode())
    data.update({"org": tree["township2"].pk, "received_at": "2025-07-02 08:30",
                 "category": codes["category"]["劳动权益"].pk, "subcategory": ""})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_cells_match_a_recount()
    assert not CaseCell.objects.filter(month=D(2025, 5, 1)).exists()

    # Intake through the API, and the historical import (the bulk path, past Case.save).
    response = client.post("/api/cases/", {"org": tree["county"].pk, "channel": codes["channel"]["来信"].pk,
                                           "category": codes["category"]["其他"].pk, "summary": "接口登记",
                                           "received_at": "2025-08-01T10:00:00+08:00",
                                           "petitioner": {"name": "李四"}}, content_type="application/json")
    assert response.status_code == 201, response.content.decode()[:2000]
    rows = [["2025-09-01", "来访", "婚姻家庭", "家庭暴力", "甲", "", "13807460000", "", "诉求", "", "", ""],
            ["2025-09-02", "来电", "婚姻家庭", "", "乙", "", "13807460000", "", "诉求", "办结", "2025-09-20",
             "调解成功"],
            ["2025-10-03", "来信", "其他", "", "丙", "", "", "", "诉求", "已受理", "", ""]]
    result = get_spec("petitions").run_import(xlsx_file(IMPORT_HEADERS, rows),
                                              ImportContext(org=tree["township"], user=staff))
    assert result.ok and result.created == 3, result.errors
    assert_cells_match_a_recount()

    # Delete.
    Case.objects.get(pk=dv.pk).delete()
    assert_cells_match_a_recount()

    # The statistics from the roll-up say what the cases say.
    stats = petition_stats(tree["city"], Period.parse("2025"))
    cases = Case.objects.filter(received_at__year=2025)
    assert stats.cases == cases.count() == 7
    assert stats.people == sum(c.headcount for c in cases)
    assert stats.repeat_cases == cases.filter(is_repeat=True).count() == 1
    # The imported 家庭暴力 row and the case flagged by the 家暴 form; the rejected 家暴 case is deleted.
    assert stats.dv_cases == cases.filter(Q(flag_dv=True) | Q(subcategory__name="家庭暴力")).count() == 2
    assert stats.completed == cases.filter(closed_on_time__isnull=False).count() >= 1
    assert stats.completed_on_time == cases.filter(closed_on_time=True).count() >= 1
    assert [(r.label, r.cases) for r in stats.by_month if r.cases] == [
        ("3月", 1), ("6月", 1), ("7月", 1), ("8月", 1), ("9月", 2), ("10月", 1)]
    assert {r.label: r.cases for r in stats.by_unit} == {"东安县": 7}
    assert sum(r.cases for r in stats.by_status) == 7
    county = petition_stats(tree["county"], Period.parse("2025"))
    assert {r.label: r.cases for r in county.by_unit} == {"东安县本级": 2, "白牙市镇": 4, "大庙口镇": 1}
    assert petition_stats(tree["sister"], Period.parse("2025")).cases == 0  # upward totals only


def test_rebuild_command_recomputes_both_rollups(tree, make_case):
    make_case(tree["county"])
    CaseCell.objects.all().delete()  # as after rows written past the services
    call_command("rebuild_cells")
    assert CaseCell.objects.get().cases == 1
