"""The home page is a work list: panels the domain apps register, each for the roles that see its data, with its
count, links to the records and an empty state — and a bounded number of queries however many records there are."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from jinguo.core import home
from jinguo.testing import assert_max_queries

pytestmark = pytest.mark.django_db


def _received(days_ago: int) -> str:
    return (timezone.localtime() - dt.timedelta(days=days_ago)).strftime("%Y-%m-%d %H:%M")


def _panel(html: str, key: str) -> str:
    match = re.search(rf'<section class="card h-100 home-panel" id="panel-{re.escape(key)}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def _count(panel_html: str) -> int:
    return int(re.search(r'panel-count"[^>]*>(\d+)<', panel_html).group(1))


def test_core_does_not_import_the_domain_apps_for_the_home_page():
    core = Path(__file__).resolve().parents[2] / "jinguo" / "core"
    for name in ("home.py", "views.py"):
        source = (core / name).read_text()
        for app in ("petitions", "ledger", "people", "monitoring", "reports"):
            assert f"jinguo.{app}" not in source, f"core/{name} names {app}"
    assert {"petitions", "ledger", "people", "monitoring"} <= set(home.registered())


def test_case_handler_sees_overdue_and_due_soon_cases_with_counts_and_links(tree, users, make_case, login):
    overdue = make_case(tree["county"], received=_received(40))  # acceptance due 25 days ago
    soon = make_case(tree["township"], received=_received(14))  # acceptance due tomorrow
    make_case(tree["county"], received=_received(1))  # due in 14 days: neither
    make_case(tree["sister"], received=_received(40))  # a sister county's: never counted here
    html = login(users["staff"]).get(reverse("core:home")).content.decode()
    overdue_panel, soon_panel = _panel(html, "petitionsoverdue"), _panel(html, "petitionsdue_soon")
    assert "超期案件" in overdue_panel and _count(overdue_panel) == 1
    assert overdue.get_absolute_url() in overdue_panel and "超期25日" in overdue_panel
    assert "即将超期（3日内）" in soon_panel and _count(soon_panel) == 1
    assert soon.get_absolute_url() in soon_panel and "还剩1日" in soon_panel
    assert f'{reverse("petitions:case_list")}?deadline=overdue' in overdue_panel
    assert reverse("petitions:case_add") in html  # the quick action of the petitions panel


def test_due_soon_reads_the_units_time_limits(tree, users, make_case, login):
    from jinguo.petitions.models import TimeLimits

    case = make_case(tree["county"], received=_received(8))  # acceptance due in 7 days
    client = login(users["staff"])
    assert _count(_panel(client.get("/").content.decode(), "petitionsdue_soon")) == 0
    TimeLimits.objects.create(org=tree["county"], due_soon_days=10)
    panel = _panel(client.get("/").content.decode(), "petitionsdue_soon")
    assert "即将超期（10日内）" in panel and case.get_absolute_url() in panel
    deadlines = client.get(reverse("petitions:deadlines")).content.decode()
    assert "即将超期（10日内）" in deadlines and case.number in deadlines
    listed = client.get(reverse("petitions:case_list") + "?deadline=soon").content.decode()
    assert case.number in listed


def test_empty_panels_say_so(tree, users, login):
    html = login(users["staff"]).get("/").content.decode()
    assert "暂无超期案件" in _panel(html, "petitionsoverdue")
    assert "暂无家暴预警" in _panel(html, "petitionsdv")
    assert "本月还没有登记活动" in _panel(html, "ledgermonth")
    assert "暂无到期的人才审核或贷款" in _panel(html, "peoplereminders")


def test_each_panel_only_for_the_roles_that_see_its_data(tree, users, make_case, login):
    make_case(tree["county"], received=_received(40))
    clerk = login(users["clerk"]).get("/").content.decode()
    assert "超期案件" not in clerk and "名册提醒" not in clerk and "本月活动" not in clerk
    assert "本年度数据填报" in clerk
    staff = login(users["staff"]).get("/").content.decode()
    assert "待审核的监测报表" not in staff and "本年度数据填报" not in staff
    viewer = login(users["viewer"]).get("/").content.decode()
    assert "home-panel" not in viewer and "暂无待办事项" in viewer


def test_city_user_sees_overdue_counts_per_county(tree, users, make_case, login):
    make_case(tree["county"], received=_received(40))
    make_case(tree["township"], received=_received(50))
    make_case(tree["sister"], received=_received(45))
    panel = _panel(login(users["city"]).get("/").content.decode(), "petitionsoverdue")
    assert _count(panel) == 3 and "各地超期件数" in panel
    assert re.search(r"东安县 2</a>", panel) and re.search(r"双牌县 1</a>", panel)
    assert f"deadline=overdue&amp;within={tree['county'].pk}" in panel
    county = _panel(login(users["staff"]).get("/").content.decode(), "petitionsoverdue")
    assert "各地超期件数" not in county  # no units below a county to break down into


def test_returns_waiting_for_review_registry_reminders_dv_orders_and_this_months_activities(
        tree, users, make_case, make_activity, login):
    from jinguo.monitoring.models import DataSet, Indicator, Submission
    from jinguo.people.models import Loan, Person, Talent
    from jinguo.petitions.models import DomesticViolence

    today = timezone.localdate()
    dataset = DataSet.objects.create(org=tree["agency"], name="妇女儿童统计")
    dataset.indicators.set(Indicator.objects.order_by("code")[:2])
    submitted = Submission.objects.create(org=tree["agency"], dataset=dataset, period=str(today.year),
                                          status=Submission.Status.SUBMITTED)
    person = Person.objects.create(name="王秀英", id_number="")
    talent = Talent.objects.create(org=tree["county"], person=person, last_reviewed=today - dt.timedelta(days=400))
    loan = Loan.objects.create(org=tree["county"], person=person, amount=50000, bank="农商银行", term_months=12,
                               applied_on=today - dt.timedelta(days=360), status=Loan.Status.DISBURSED,
                               due_on=today + dt.timedelta(days=5))
    case = make_case(tree["county"], received=_received(3), flags=("dv",))
    DomesticViolence.objects.create(case=case, order_granted=True, order_expires_on=today + dt.timedelta(days=6))
    activity = make_activity(tree["county"], "三八维权周法律宣传", today.replace(day=1))

    leader = login(users["leader"]).get("/").content.decode()
    review = _panel(leader, "monitoringreview")
    assert _count(review) == 1 and "东安县统计局 · 妇女儿童统计" in review
    assert reverse("monitoring:grid", kwargs={"dataset_pk": dataset.pk, "period": submitted.period}) in review
    staff = login(users["staff"]).get("/").content.decode()
    reminders = _panel(staff, "peoplereminders")
    assert _count(reminders) == 2 and talent.get_absolute_url() in reminders and loan.get_absolute_url() in reminders
    assert "王秀英" not in staff  # names masked on the home page too
    dv = _panel(staff, "petitionsdv")
    assert _count(dv) == 1 and case.get_absolute_url() in dv and "人身安全保护令" in dv
    month = _panel(staff, "ledgermonth")
    assert _count(month) == 1 and activity.get_absolute_url() in month
    city = _panel(login(users["city"]).get("/").content.decode(), "monitoringreview")
    assert _count(city) == 0  # submitted to 东安县, not to the city


def test_home_page_queries_are_bounded(tree, users, make_case, make_activity, login):
    """A fixed number of queries (counts and a few rows per panel), the same with no records as with many."""
    client = login(users["city"])
    client.get("/")
    with assert_max_queries(40) as empty:
        client.get("/")
    for days in range(30, 42):
        make_case(tree["county"] if days % 2 else tree["sister"], received=_received(days))
    for day in range(1, 8):
        make_activity(tree["county"], f"活动{day}", timezone.localdate().replace(day=1))
    with assert_max_queries(len(empty)):
        response = client.get("/")
    assert response.status_code == 200 and _count(_panel(response.content.decode(), "petitionsoverdue")) == 12
