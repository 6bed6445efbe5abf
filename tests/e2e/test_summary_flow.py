"""Generate the work summary for the demo county, edit one paragraph, download: the file has the edit."""

import io

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from jinguo.core.periods import Period

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_generate_edit_download(live_server, page, demo, screenshot):
    username, password = demo
    period = Period.containing(timezone.localdate(), "H")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()

    page.get_by_role("navigation").get_by_role("link", name="工作总结").click()
    page.get_by_role("link", name="新增").click()
    # The period is picked, not typed (two searchable selects; the form posts the underlying selects)
    page.locator("select[name=period_year]").select_option(str(period.year), force=True)
    page.locator("select[name=period_part]").select_option(f"H{period.number}", force=True)
    page.get_by_role("button", name="生成").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("东安县妇联")
    expect(page.locator(".preview a").first).to_be_visible()  # figures link to their lists

    opening = page.locator("textarea").first
    opening.fill("今年以来，我会坚持以人民为中心，扎实推进各项工作。")
    page.locator(".block").nth(3).get_by_role("button", name="在此后添加段落").click()
    page.locator(".block.own textarea").fill("存在问题：基层妇联干部力量仍然薄弱。")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator(".msg-success")).to_contain_text("已保存")
    screenshot(page, "summary-editor")

    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Word").click()
    document = Document(io.BytesIO(open(info.value.path(), "rb").read()))
    texts = [p.text for p in document.paragraphs]
    assert "今年以来，我会坚持以人民为中心，扎实推进各项工作。" in texts
    assert "存在问题：基层妇联干部力量仍然薄弱。" in texts
    assert texts[0].startswith("东安县妇联") and any("件次" in t for t in texts)


def test_dashboard_renders_charts(live_server, page, demo, screenshot):
    username, password = demo
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("navigation").get_by_role("link", name="数据看板").click()
    expect(page.locator("[data-chart] svg").first).to_be_visible()  # ECharts drew from the npm-installed file
    assert page.locator("[data-chart] svg").count() >= 3
    screenshot(page, "dashboard")
