"""A clerk loads her office's own 信访 ledger: the page asks once how its unknown columns map, shows the first rows
as they will be imported, imports; next month's file with the same headers imports without the question. The
mapping and preview steps are looked at on the office PC (1366×768) and on a phone (390×844), where the page must not
scroll sideways (the tables scroll inside their cards)."""

import datetime as dt

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from jinguo.core.models import ImportJob, ImportMapping
from jinguo.petitions.models import Case
from tests.e2e.conftest import SCREENSHOTS, settle

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# 来访日期 and 姓名 are synonyms the kind knows; 接待方式 and 问题归类 match nothing until the clerk maps them.
HEADERS = ["序号", "来访日期", "接待方式", "问题归类", "姓名", "联系电话", "反映问题", "备注"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _ledger(path, month: int, n: int) -> str:
    book = Workbook()
    sheet = book.active
    sheet.title = f"{month}月"
    sheet.append([f"东安县妇联2025年{month}月信访接待登记台账"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append(["填报单位：东安县妇联", "", "", "", "", "填报日期：2025年4月1日"])
    sheet.append(HEADERS)
    for i in range(n):
        sheet.append([i + 1, dt.date(2025, month, 1) + dt.timedelta(days=i), ["来访", "来电", "来信"][i % 3],
                      ["婚姻家庭类", "劳动权益", "其他"][i % 3], f"{month}月来访人{i}", f"1380746{month:02d}{i:02d}",
                      f"{month}月第{i + 1}件：诉求内容较长，说明来访人反映的具体问题和要求",
                      "已电话回访" if i % 2 else ""])
    sheet.append(["合计", "", "", "", "", "", f"{n}件"])
    sheet.append(["填表人：李芳", "", "", "", "审核人：张敏"])
    file = path / f"{month}月信访台账.xlsx"
    book.save(file)
    return str(file)


def _look(page, name: str, *, phone: bool = False) -> None:
    settle(page)
    expect(page.locator("body")).not_to_contain_text("Traceback")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if phone:
        assert width <= inner, f"{name}: the page scrolls sideways on a phone ({width} > {inner})"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_map_two_columns_once_and_the_next_file_imports_without_asking(live_server, browser, page, demo, tmp_path):
    username, password = demo
    before = Case.objects.count()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()

    page.goto(live_server.url + "/petitions/import/")
    page.set_input_files("#id_file", _ledger(tmp_path, 3, 12))
    page.get_by_role("button", name="上传并检查").click()

    # The mapping step: the table found under its title rows, the guesses, the unknown columns left out and named.
    expect(page.get_by_role("heading", level=1)).to_contain_text("核对列对应")
    expect(page.locator(".import-tables")).to_contain_text("工作表“3月”：表头在第3行")
    expect(page.get_by_label("来访日期")).to_have_value("received_date")
    expect(page.get_by_label("姓名", exact=True)).to_have_value("name")
    expect(page.get_by_label("接待方式")).to_have_value("")
    expect(page.locator(".import-mapping")).to_contain_text("不导入的列：序号、接待方式、问题归类、备注")
    expect(page.get_by_role("button", name="导入", exact=True)).to_be_disabled()  # 来源方式 and 问题类别 are required
    expect(page.locator(".import-preview")).to_contain_text("预览：前10行")
    _look(page, "import-mapping-pc")

    page.get_by_label("接待方式").select_option(label="来源方式 *")
    page.get_by_label("问题归类").select_option(label="问题类别 *")
    page.get_by_role("button", name="按所选预览").click()
    expect(page.get_by_label("接待方式")).to_have_value("channel")
    expect(page.locator(".import-preview")).to_contain_text("未发现问题")
    expect(page.locator(".import-preview")).to_contain_text("婚姻家庭类")
    expect(page.locator(".import-preview")).not_to_contain_text("13807460300")  # phones masked in the preview
    page.locator(".import-preview").scroll_into_view_if_needed()
    _look(page, "import-preview-pc")

    # The same two steps on a phone: the page does not scroll sideways; the tables scroll inside their cards.
    phone = browser.new_context(locale="zh-CN", storage_state=page.context.storage_state(), **PHONE)
    small = phone.new_page()
    small.goto(page.url)
    expect(small.get_by_label("接待方式")).to_have_value("channel")
    _look(small, "import-mapping-phone", phone=True)
    small.locator(".import-preview").scroll_into_view_if_needed()
    _look(small, "import-preview-phone", phone=True)
    phone.close()

    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator(".msg-success")).to_contain_text("新增12条", timeout=30_000)
    expect(page.locator(".mapping-note")).to_contain_text("已按您确认的列对应导入")
    assert Case.objects.count() == before + 12
    assert ImportMapping.objects.get().mapping["接待方式"] == "channel"
    _look(page, "import-done-pc")

    # April's ledger, same headers: straight to the result, with the note and the way to change the columns.
    page.goto(live_server.url + "/petitions/import/")
    page.set_input_files("#id_file", _ledger(tmp_path, 4, 5))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator(".msg-success")).to_contain_text("新增5条", timeout=30_000)
    expect(page.locator(".mapping-note")).to_contain_text("已按上次的列对应导入")
    expect(page.get_by_role("button", name="修改列对应")).to_be_visible()
    assert Case.objects.count() == before + 17
    assert ImportJob.objects.latest("pk").mapping_source == "saved"
    _look(page, "import-remembered-pc")
