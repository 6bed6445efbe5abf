"""A staff member enters an activity with three figures, finds it by theme, exports the list and re-imports
the export: nothing changes."""

import re

import pytest
from playwright.sync_api import expect

from jinguo.ledger.models import Activity, ActivityFigure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_enter_find_export_reimport(live_server, page, demo, screenshot, tmp_path):
    username, password = demo
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()

    page.get_by_role("navigation").get_by_role("link", name="登记活动").click()
    page.get_by_label("活动类型").select_option(label="宣传教育")
    page.get_by_label("活动名称").fill("三八维权周法律宣传进社区")
    page.get_by_label("开始日期").fill("2025-03-08")
    page.get_by_label("地点").fill("东安县城广场")
    page.get_by_label("合作单位").fill("县司法局、县公安局")
    page.get_by_label("三八维权周").check()
    page.get_by_label("参与人数(人)").fill("320")
    page.get_by_label("发放资料(份)").fill("1500")
    page.get_by_label("咨询(人次)").fill("86")
    screenshot(page, "activity-entry")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("三八维权周法律宣传进社区")
    expect(page.locator("table.narrow")).to_contain_text("1500")

    page.get_by_role("navigation").get_by_role("link", name="活动台账").click()
    page.get_by_label("主题").select_option(label="三八维权周")
    expect(page).to_have_url(re.compile(r"theme=\d+"))
    expect(page.locator("#object-table")).to_contain_text("三八维权周法律宣传进社区")
    screenshot(page, "activity-list")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出Excel").click()
    exported = tmp_path / "export.xlsx"
    download_info.value.save_as(exported)
    before = (Activity.objects.count(), ActivityFigure.objects.count())

    page.get_by_role("navigation").get_by_role("link", name="活动台账").click()
    page.get_by_role("link", name="从Excel导入").click()
    page.set_input_files("#id_file", str(exported))
    page.get_by_role("button", name="上传并检查").click()
    listed = Activity.objects.filter(themes__name="三八维权周", org__code__startswith="431122").count()
    expect(page.locator(".msg-success")).to_contain_text("新增0条")
    expect(page.locator(".msg-success")).to_contain_text(f"跳过{listed}条")
    assert (Activity.objects.count(), ActivityFigure.objects.count()) == before
    entered = Activity.objects.get(title="三八维权周法律宣传进社区")
    assert {f.measure.code: int(f.value) for f in entered.figures.all()} == {
        "participants": 320, "materials": 1500, "consultations": 86}
    screenshot(page, "activity-reimport")
