"""A new user's first minute: the printed demo login works, and the org tree opens."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_demo_login_opens_the_org_tree(live_server, page, demo, screenshot):
    username, password = demo
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    screenshot(page, "login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")

    page.get_by_role("navigation").get_by_role("link", name="组织树").click()
    expect(page.get_by_role("heading", name="组织树")).to_be_visible()
    tree = page.locator("#org-tree")
    expect(tree).to_contain_text("东安县")
    expect(tree).not_to_contain_text("双牌县")  # a sister county is out of this user's scope
    page.locator("#org-tree button.toggle").first.click()  # htmx loads the townships
    expect(tree).to_contain_text("白牙市镇")
    path = screenshot(page, "org-tree")
    assert path.stat().st_size > 10_000


def test_wrong_password_shows_a_chinese_error(live_server, page, demo):
    username, _password = demo
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
