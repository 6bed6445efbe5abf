"""The county sends a report up; the city's user finds it among 收到的信息 and adopts it; the county's 信息工作考核
shows it adopted by the city. Also the grassroots survey page, with screenshots of each."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(page, url, username, password):
    page.goto(url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_send_up_adopt_and_see_it_counted(live_server, page, browser, demo, screenshot):
    from jinguo.grassroots.demo import load_demo
    from jinguo.orgs.models import OrgUnit

    username, password = demo
    load_demo(OrgUnit.objects.get(code="431122"))
    _login(page, live_server.url, username, password)
    page.get_by_role("navigation").get_by_role("link", name="信息报送").click()
    page.get_by_role("link", name="新增").click()
    page.get_by_label("标题").fill("东安县妇联开展反家暴宣传月活动")
    page.get_by_label("作者").fill("李娟")
    page.get_by_label("正文").fill("3月，县妇联联合县法院、公安局开展反家暴宣传月活动。")
    screenshot(page, "article-entry")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("反家暴宣传月")
    page.get_by_role("navigation").get_by_role("link", name="信息工作考核").click()
    found = re.search(r"被永州市妇联采用(\d+)篇", page.locator("body").inner_text())
    adopted_before = int(found.group(1)) if found else 0  # the demo's own reports, some adopted already

    city = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    _login(city, live_server.url, "yongzhou", password)
    city.get_by_role("navigation").get_by_role("link", name="收到的信息").click()
    screenshot(city, "article-inbox")
    city.get_by_role("link", name="东安县妇联开展反家暴宣传月活动").click()
    city.get_by_label("说明").first.fill("《永州妇运》第3期")
    screenshot(city, "article-adopt")
    city.get_by_role("button", name="采用", exact=True).click()
    expect(city.locator("body")).to_contain_text("被永州市妇联采用")

    page.get_by_role("navigation").get_by_role("link", name="信息工作考核").click()
    expect(page.locator("body")).to_contain_text(f"被永州市妇联采用{adopted_before + 1}篇")
    screenshot(page, "article-ranking")
    page.get_by_role("navigation").get_by_role("link", name="基层组织建设情况").click()
    expect(page.locator("body")).to_contain_text("乡镇妇联")
    screenshot(page, "grassroots-survey")
    page.get_by_role("navigation").get_by_role("link", name="换届提醒").click()
    screenshot(page, "grassroots-reminders")
