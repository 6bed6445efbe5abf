"""A clerk's first week, walked on the office PC (1366×768) and on a phone (390×844): sign in, the home work list,
register a caller, take the case to 办结, add and then edit an activity, generate and edit the work summary, the
dashboard. On the phone no page scrolls sideways and the menu opens from its button. A screenshot of every step
lands in var/screenshots/walk-<step>-<pc|phone>.png."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jinguo.ledger.models import Activity
from tests.e2e.conftest import SCREENSHOTS, open_phone_menu, settle
from tests.e2e.test_petition_flow import act

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DEVICES = {
    "pc": {"viewport": {"width": 1366, "height": 768}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
}


def _step(page, name: str, device: str) -> None:
    settle(page)
    expect(page.locator("body")).not_to_contain_text("Traceback")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if device == "phone":
        assert width <= inner, f"{name}: the page scrolls sideways on a phone ({width} > {inner})"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"walk-{name}-{device}.png"), full_page=True)


def _menu(page, device: str, name: str) -> None:
    """Follow a menu link as a person does: on the phone the menu is behind its button first."""
    link = page.locator("#sidebar-menu").get_by_role("link", name=name, exact=True)
    if device == "phone":
        expect(link).to_be_hidden()
        open_phone_menu(page)
    with page.expect_navigation():  # the next step looks for things on the new page, not on the one leaving
        link.click()


@pytest.mark.parametrize("device", ["pc", "phone"])
def test_a_clerks_first_week(live_server, browser, demo, device):
    username, password = demo
    context = browser.new_context(locale="zh-CN", **DEVICES[device])
    page = context.new_page()
    csp: list[str] = []
    page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto(live_server.url + "/accounts/login/")
    _step(page, "login", device)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("超期案件").first).to_be_visible()  # the home page is the work list
    _step(page, "home", device)

    _menu(page, device, "信访登记")
    page.get_by_label("来电", exact=True).check()
    page.get_by_label("信访人姓名").fill("王秀英")
    page.get_by_label("联系电话").fill("13807461234")
    page.get_by_label("问题类别").select_option(label="婚姻家庭")
    page.get_by_label("诉求摘要").fill(f"{device}：离婚后前夫拒付抚养费，要求帮助")
    _step(page, "intake", device)
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("431122-")
    act(page, "受理", fill={"说明": "当场告知受理"})
    act(page, "答复", fill={"答复内容": "已联系前夫所在单位协调，告知可向法院申请强制执行"})
    act(page, "回访", fill={"回访日期": timezone.localdate().isoformat()},
        select={"回访方式": "电话", "满意度": "满意"})
    act(page, "办结", select={"办结结果": "解释疏导"})
    expect(page.locator("h1 .status")).to_have_text("办结")
    _step(page, "case-closed", device)

    _menu(page, device, "登记活动")
    page.get_by_label("活动类型").select_option(label="宣传教育")
    page.get_by_label("活动名称").fill(f"{device}妇女维权宣传")
    page.get_by_label("开始日期").fill("2025-03-08")
    page.get_by_label("地点").fill("东安县城广场")
    page.get_by_label("参与人数(人)").fill("300")
    _step(page, "activity-add", device)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{device}妇女维权宣传")
    page.get_by_role("link", name="编辑").first.click()
    expect(page.get_by_label("开始日期")).to_have_value("2025-03-08")  # the stored date, not today's
    expect(page.get_by_label("参与人数(人)")).to_have_value("300")  # a count, not 300.00
    page.get_by_label("地点").fill("东安县文化广场")
    _step(page, "activity-edit", device)
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".msg-success")).to_be_visible()
    activity = Activity.objects.get(title=f"{device}妇女维权宣传")
    assert activity.place == "东安县文化广场" and str(activity.start_date) == "2025-03-08"

    _menu(page, device, "工作总结")
    page.locator(".page-wrapper").get_by_role("link", name="新增").first.click()
    page.get_by_role("button", name="生成").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("东安县妇联")
    page.locator("textarea").first.fill("今年以来，县妇联围绕中心工作开展了以下工作。")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator(".msg-success")).to_contain_text("已保存")
    _step(page, "summary", device)

    _menu(page, device, "数据看板")
    expect(page.locator("[data-chart] svg").first).to_be_visible()
    _step(page, "dashboard", device)
    context.close()
    assert not csp, f"CSP violations: {csp}"
