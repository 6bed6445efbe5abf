"""A hotline operator registers a call, accepts it, refers it to legal aid, records the follow-up and closes it;
the case then counts in the unit's statistics."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from jinguo.core.periods import Period
from jinguo.orgs.models import OrgUnit
from jinguo.petitions.models import Case
from jinguo.petitions.stats import petition_stats

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def act(page, label: str, fill: dict | None = None, select: dict | None = None) -> None:
    section = page.locator("details.action", has=page.locator(f"summary:text-is('{label}')"))
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    for field, value in (fill or {}).items():
        section.get_by_label(field).fill(value)
    for field, value in (select or {}).items():
        section.get_by_label(field).select_option(label=value)
    if label in ("办结", "不予受理"):  # steps that end the handling are confirmed once more
        section.get_by_role("button", name=f"{label}…").click()
        page.locator(".confirm-step").get_by_role("button", name=f"确认{label}").click()
    else:
        section.get_by_role("button", name=f"确认{label}").click()
    expect(page.locator(".msg-success")).to_contain_text(f"已{label}")


def test_call_to_closure_counts_in_statistics(live_server, page, demo, screenshot):
    username, password = demo
    county, year = OrgUnit.objects.get(code="431122"), Period.containing(timezone.localdate())
    before = petition_stats(county, year).cases
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()

    page.get_by_role("navigation").get_by_role("link", name="信访登记").click()
    page.get_by_label("12338热线").check()
    page.get_by_label("信访人姓名").fill("王秀英")
    page.get_by_label("年龄").fill("36")
    page.get_by_label("婚姻状况").select_option(label="已婚")
    page.get_by_label("联系电话").fill("13807461234")
    page.get_by_label("身份证号").fill("320124198808240056")
    page.get_by_label("问题类别").select_option(label="婚姻家庭")
    page.get_by_label("问题子类").select_option(label="婚姻家庭 › 家庭暴力")
    page.get_by_label("诉求摘要").fill("丈夫长期酗酒打骂，要求妇联帮助离婚并申请保护令")
    page.get_by_label("家庭暴力").check()
    screenshot(page, "case-intake")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("431122-")
    expect(page.locator("body")).not_to_contain_text("王秀英")  # masked on the detail page too
    expect(page.locator("body")).to_contain_text("王*")

    act(page, "受理", fill={"说明": "当场告知受理"})
    act(page, "转介", fill={"接收单位": "东安县法律援助中心"}, select={"转介部门类型": "司法行政/法律援助"})
    act(page, "答复", fill={"答复内容": "已转法律援助中心代理离婚诉讼，并协助申请人身安全保护令"})
    act(page, "回访", fill={"回访日期": timezone.localdate().isoformat()},
        select={"回访方式": "电话", "满意度": "满意"})
    act(page, "办结", select={"办结结果": "法律援助"})
    expect(page.locator("h1 .status")).to_have_text("办结")
    expect(page.locator(".timeline")).to_contain_text("转介")
    screenshot(page, "case-closed")

    case = Case.objects.get(summary="丈夫长期酗酒打骂，要求妇联帮助离婚并申请保护令")
    assert case.status == "closed" and case.result == "legal_aid" and case.referrals.count() == 1
    with connection.cursor() as cursor:  # the name is not stored in clear
        cursor.execute("SELECT name, phone FROM petitions_petitioner WHERE case_id = %s", [case.pk])
        assert "王秀英" not in str(cursor.fetchall())
    assert case.petitioners.get().name == "王秀英"

    page.goto(live_server.url + reverse("petitions:statistics") + f"?period={timezone.localdate().year}")
    stats = page.locator(".summary-line")
    expect(stats).to_contain_text(f"共受理信访 {before + 1} 件")
    expect(page.locator("body")).to_contain_text("12338热线")
    screenshot(page, "case-statistics")
