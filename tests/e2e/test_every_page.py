"""Every main page opens on an office PC (1366×768) and on a phone (390×844): nothing scrolls sideways on the phone,
the menu opens from its button there, no page needs an inline script, and each page leaves a screenshot in
var/screenshots/ for a person to look at."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from jinguo.accounts.models import User
from jinguo.testing import signed_in_client
from tests.e2e.conftest import SCREENSHOTS, open_phone_menu, settle

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {
    "pc": {"viewport": {"width": 1366, "height": 768}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
}


def _pages() -> list[tuple[str, str, str]]:
    """(user, name, url) of every main page, with real records from the demo data."""
    from jinguo.ledger.models import Activity
    from jinguo.monitoring.models import DataSet
    from jinguo.people.models import Talent
    from jinguo.petitions.models import Case

    county = "431122"
    case = Case.objects.filter(org__code__startswith=county).order_by("-pk").first()
    activity = Activity.objects.filter(org__code__startswith=county).order_by("-start_date").first()
    talent = Talent.objects.filter(org__code__startswith=county).first()
    dataset = DataSet.objects.get(org__code=f"{county}-WJ", name="妇女儿童健康")
    year = str(timezone.localdate().year)
    return [
        ("dongan", "home", reverse("core:home")),
        ("dongan", "case-list", reverse("petitions:case_list")),
        ("dongan", "case-intake", reverse("petitions:case_add")),
        ("dongan", "case-detail", case.get_absolute_url()),
        ("dongan", "deadlines", reverse("petitions:deadlines")),
        ("dongan", "case-statistics", reverse("petitions:statistics")),
        ("dongan", "activity-list", reverse("ledger:activity_list")),
        ("dongan", "activity-add", reverse("ledger:activity_add")),
        ("dongan", "activity-edit", reverse("ledger:activity_edit", args=[activity.pk])),
        ("dongan", "calendar", reverse("ledger:calendar")),
        ("dongan", "beneficiaries", reverse("people:beneficiary_list")),
        ("dongan", "talents", reverse("people:talent_list")),
        ("dongan", "volunteers", reverse("people:volunteer_list")),
        ("dongan", "loans", reverse("people:loan_list")),
        ("dongan", "talent-edit", reverse("people:talent_edit", args=[talent.pk])),
        ("dongan", "dashboard", reverse("reports:dashboard")),
        ("dongan", "summary-list", reverse("reports:summary_list")),
        ("dongan", "import", reverse("ledger:activity_import")),
        ("dongan_wjj", "monitoring-home", reverse("monitoring:home")),
        ("dongan_wjj", "monitoring-grid", reverse("monitoring:grid", args=[dataset.pk, year])),
        ("dongan", "funds", reverse("ledger:funds")),
        ("dongan", "grassroots-survey", reverse("grassroots:survey")),
        ("dongan", "ranking", reverse("articles:ranking")),
        ("dongan_leader", "attainment", reverse("monitoring:attainment")),
        ("dongan_leader", "submissions", reverse("monitoring:submission_list")),
        ("sysadmin", "user-list", reverse("accounts:user_list")),
        ("sysadmin", "user-add", reverse("accounts:user_add")),
        ("secadmin", "role-list", reverse("accounts:roleassignment_list")),
        ("auditadmin", "audit-log", reverse("audit:entry_list")),
    ]


def _sign_in(context, live_server, username: str) -> None:
    """Put a signed-in session (second factor passed for the administrators) into the browser context."""
    from django.test import Client

    client = signed_in_client(User.objects.get(username=username), Client())
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


def _open(page, url: str) -> None:
    page.goto(url)
    settle(page)


def _check(page, name: str, label: str) -> None:
    """No sideways scroll on the phone, one page heading, and a screenshot to look at."""
    expect(page.locator("body")).not_to_contain_text("Traceback")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if label == "phone":
        assert width <= inner, f"{name} scrolls sideways on a phone: {width} > {inner}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"page-{name}-{label}.png"), full_page=True)


@pytest.mark.parametrize("label", ["pc", "phone"])
def test_every_main_page_fits_the_screen(live_server, browser, demo, label):
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[label])
    page = context.new_page()
    csp: list[str] = []
    page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)

    _open(page, live_server.url + reverse("accounts:login"))
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    _check(page, "login", label)

    # A summary to look at: generated from the page, as a clerk does.
    _sign_in(context, live_server, "dongan")
    _open(page, live_server.url + reverse("reports:summary_add"))
    page.get_by_role("button", name="生成").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("东安县妇联")
    pages = [*_pages(), ("dongan", "summary", page.url.removeprefix(live_server.url))]

    signed_in = None
    for username, name, url in pages:
        if username != signed_in:
            context.clear_cookies()
            _sign_in(context, live_server, username)
            signed_in = username
        _open(page, live_server.url + url)
        assert not page.url.endswith(reverse("accounts:login")), f"{name}: sent back to the login page"
        _check(page, name, label)

    # The menu: on a phone it is folded behind its button and opens from it; on a PC it is always there.
    context.clear_cookies()
    _sign_in(context, live_server, "dongan")
    _open(page, live_server.url + reverse("core:home"))
    menu_link = page.locator("#sidebar-menu").get_by_role("link", name="期限提醒")
    if label == "phone":
        expect(menu_link).to_be_hidden()
        open_phone_menu(page)
    expect(menu_link).to_be_visible()
    _check(page, "menu-open", label)
    menu_link.click()
    expect(page).to_have_url(re.compile(r"/petitions/deadlines/"))
    context.close()
    assert not csp, f"CSP violations: {csp}"
