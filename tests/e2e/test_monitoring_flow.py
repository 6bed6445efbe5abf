"""A clerk fills a data set, breaks a rule, fixes it, submits; the office returns it once, then approves; the
attainment page shows the result."""


import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jinguo.monitoring.models import Submission

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, live_server, username, password):
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")


def test_fill_break_fix_submit_return_approve(live_server, page, demo, screenshot):
    _username, password = demo
    year = str(timezone.localdate().year)
    sign_in(page, live_server, "dongan_wjj", password)
    page.get_by_role("navigation").get_by_role("link", name="数据填报").click()
    page.locator("tr", has_text="妇女儿童健康").get_by_role("link").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{year}年")
    page.get_by_label("活产数", exact=True).fill("3000")
    page.get_by_label("孕产妇死亡数", exact=True).fill("3200")  # breaks 孕产妇死亡数 ≤ 活产数
    page.get_by_label("宫颈癌筛查人数", exact=True).fill("5000")
    page.get_by_label("适龄妇女人数", exact=True).fill("8000")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert")).to_contain_text("R_MMR_LE_LB")
    expect(page.get_by_role("alert")).to_contain_text("3200")
    screenshot(page, "monitoring-violation")
    page.get_by_label("孕产妇死亡数", exact=True).fill("1")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".msg-success")).to_contain_text("已提交")

    sign_in(page, live_server, "dongan_leader", password)
    page.get_by_role("navigation").get_by_role("link", name="填报审核").click()
    page.locator("#object-table").get_by_role("link", name="妇女儿童健康").click()
    page.get_by_placeholder("退回原因").fill("请核对适龄妇女人数口径")
    page.get_by_role("button", name="退回").click()
    expect(page.locator(".msg-success")).to_contain_text("退回")

    sign_in(page, live_server, "dongan_wjj", password)
    page.goto(live_server.url + "/monitoring/")
    page.locator("tr", has_text="妇女儿童健康").get_by_role("link").last.click()
    expect(page.locator(".msg-warning")).to_contain_text("请核对适龄妇女人数口径")
    page.get_by_label("适龄妇女人数", exact=True).fill("7900")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".msg-success")).to_contain_text("已提交")

    sign_in(page, live_server, "dongan_leader", password)
    submission = Submission.objects.get(dataset__name="妇女儿童健康", org__code="431122-WJ", period=year)
    page.goto(live_server.url + f"/monitoring/grid/{submission.dataset_id}/{year}/")
    page.get_by_role("button", name="审核通过").click()
    page.get_by_role("button", name="审定").click()
    expect(page.locator(".page-head .status")).to_have_text("已审定")
    page.get_by_role("navigation").get_by_role("link", name="目标达标").click()
    page.get_by_label("年度").fill(year)
    page.get_by_role("button", name="查看").click()
    row = page.locator("tr", has_text="孕产妇死亡率")
    expect(row).to_contain_text("33.3333")  # 1 / 3000 × 100000
    expect(row).to_contain_text("未达标")
    expect(page.locator("tr", has_text="宫颈癌人群筛查率")).to_contain_text("达标")
    screenshot(page, "monitoring-attainment")
