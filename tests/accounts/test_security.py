"""Login security of 等保2.0 level 3 and the separation of the three administrators."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinguo.accounts.models import User
from jinguo.audit.models import AuditEntry
from jinguo.core.roles import Role
from jinguo.testing import TEST_PASSWORD, make_user

LOGIN = "/accounts/login/"


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.mark.parametrize("password, ok", [
    ("Abcdef1!", True), ("abcdef12", False), ("ABCDEFG1", False), ("Ab1!", False), ("Dongan#2025x", False),
    ("xY7#qwerty", True),
])
def test_password_policy(tree, password, ok):
    from django.contrib.auth.password_validation import validate_password

    user = User(username="dongan", org=tree["county"])
    if ok:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


def test_sixth_wrong_password_locks_and_lock_lifts_after_15_minutes(client, users):
    for _ in range(4):
        response = attempt(client, "dongan", "wrong-Pass1")
        assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()
    # The 5th failure locks the account and says so; the 6th try is refused.
    for _ in range(2):
        locked = attempt(client, "dongan", "wrong-Pass1")
        assert locked.status_code == 429 and "已被锁定" in locked.content.decode()
    # Even the right password is refused while locked.
    assert attempt(client, "dongan", TEST_PASSWORD).status_code == 429
    assert AuditEntry.objects.filter(action="user.locked_out").exists()
    assert AuditEntry.objects.filter(action="user.login_failed").count() >= 5
    # 16 minutes later the lock has lifted.
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    response = attempt(client, "dongan", TEST_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_lock_is_per_account_not_per_machine(client, users):
    for _ in range(6):
        attempt(client, "dongan", "wrong-Pass1")
    assert attempt(client, "shuangpai", TEST_PASSWORD).status_code == 302


def test_successful_login_is_audited_with_ip(client, users):
    attempt(client, "dongan", TEST_PASSWORD)
    entry = AuditEntry.objects.get(action="user.login")
    assert entry.actor_id == users["staff"].pk and entry.ip == "127.0.0.1"


def test_idle_session_expires_after_30_minutes(client, users, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    attempt(client, "dongan", TEST_PASSWORD)
    from django.contrib.sessions.models import Session

    session = Session.objects.get()
    Session.objects.update(expire_date=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert session.pk


def test_idle_timeout_pushed_forward_at_most_once_a_minute(client, users, monkeypatch):
    """Every request keeps a session alive, but the session row is written only when its last push is a minute old:
    the idle logout comes between 29 and 30 minutes after the last request, never later."""
    from django.contrib.sessions.models import Session

    from jinguo.accounts import middleware

    clock = [1_000_000.0]
    monkeypatch.setattr(middleware, "_now", lambda: clock[0])
    attempt(client, "dongan", TEST_PASSWORD)
    client.get("/")
    pushed = Session.objects.get().expire_date
    clock[0] += 59
    writes = []
    monkeypatch.setattr(Session, "save", lambda *a, **k: writes.append(a))  # the db backend saves with save()
    assert client.get("/").status_code == 200 and not writes  # within the minute: no write
    monkeypatch.undo()
    monkeypatch.setattr(middleware, "_now", lambda: clock[0])
    clock[0] += 1
    assert client.get("/").status_code == 200
    assert Session.objects.get().expire_date > pushed  # a minute on: pushed forward again
    assert Session.objects.get().expire_date <= dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)


def test_initial_password_must_be_changed(client, tree):
    user = make_user("newbie", tree["county"], Role.STAFF)
    user.must_change_password = True
    user.save()
    attempt(client, "newbie", TEST_PASSWORD)
    assert client.get("/orgs/")["Location"] == reverse("accounts:password_change")
    url = reverse("accounts:password_change")
    bad = client.post(url, {"old_password": TEST_PASSWORD, "new_password1": "newbie123", "new_password2": "newbie123"})
    assert bad.status_code == 400
    ok = client.post(url, {"old_password": TEST_PASSWORD, "new_password1": "Xy7#kLmn2", "new_password2": "Xy7#kLmn2"})
    assert ok.status_code == 302
    assert client.get("/orgs/").status_code == 200


def test_administrators_need_a_second_factor(client, users, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code otherwise makes the next try wait a second
    assert attempt(client, "sysadmin", TEST_PASSWORD).status_code == 302
    response = client.get("/accounts/users/")
    assert response["Location"] == reverse("accounts:otp_setup")
    client.get(reverse("accounts:otp_setup"))  # creates the unconfirmed device and shows its QR code
    device = TOTPDevice.objects.get(user=users["sysadmin"])
    assert client.post(reverse("accounts:otp_setup"), {"token": "000000"}).status_code == 400
    token = f"{totp(device.bin_key):06d}"
    assert client.post(reverse("accounts:otp_setup"), {"token": token}).status_code == 302
    assert client.get("/accounts/users/").status_code == 200
    # Next time: the code is asked for before anything else.
    client.logout()
    attempt(client, "sysadmin", TEST_PASSWORD)
    assert client.get("/accounts/users/")["Location"] == reverse("accounts:otp_verify")


def test_second_factor_for_everyone_when_configured(client, users, settings):
    settings.REQUIRE_2FA_FOR_ALL = True
    attempt(client, "dongan", TEST_PASSWORD)
    assert client.get("/orgs/")["Location"] == reverse("accounts:otp_setup")


# --- 三员分立 -------------------------------------------------------------------------------------------------
def test_system_administrator_manages_users_and_units_only(users, tree, login):
    client = login(users["sysadmin"])
    assert client.get("/accounts/users/").status_code == 200
    response = client.post(reverse("accounts:user_add"), {"username": "zhang", "display_name": "张三",
                                                           "org": tree["county"].pk, "is_active": "on"})
    assert response.status_code == 302
    assert User.objects.get(username="zhang").must_change_password
    assert client.get(reverse("orgs:orgunit_add")).status_code == 200
    assert client.get(reverse("core:codetable_list")).status_code == 200
    # …but cannot assign roles or read the audit log.
    assert client.get(reverse("accounts:roleassignment_add")).status_code == 403
    assert client.get(reverse("audit:entry_list")).status_code == 403


def test_security_administrator_assigns_roles_only(users, tree, login):
    client = login(users["secadmin"])
    response = client.post(reverse("accounts:roleassignment_add"), {
        "user": users["sister"].pk, "org": tree["sister"].pk, "role": Role.UNIT_LEADER})
    assert response.status_code == 302
    assert users["sister"].role_assignments.filter(role=Role.UNIT_LEADER).exists()
    assert AuditEntry.objects.filter(action="role.granted").exists()
    # Not to herself, and nothing else.
    own = client.post(reverse("accounts:roleassignment_add"), {
        "user": users["secadmin"].pk, "org": tree["city"].pk, "role": Role.AUDIT_ADMIN})
    assert own.status_code == 400
    assert client.get(reverse("accounts:user_add")).status_code == 403
    assert client.get(reverse("orgs:orgunit_add")).status_code == 403
    assert client.get(reverse("audit:entry_list")).status_code == 403


def test_audit_administrator_reads_the_log_only(users, tree, login):
    client = login(users["auditadmin"])
    assert client.get(reverse("audit:entry_list")).status_code == 200
    assert client.get(reverse("audit:entry_list"), {"export": "xlsx"}).status_code == 200
    assert AuditEntry.objects.filter(action="audit.exported").exists()
    for name in ("accounts:user_list", "accounts:roleassignment_list", "orgs:orgunit_add", "core:codetable_list"):
        assert client.get(reverse(name)).status_code == 403, name


def test_ordinary_staff_reach_no_administration(users, login):
    client = login(users["staff"])
    for name in ("accounts:user_list", "accounts:roleassignment_list", "orgs:orgunit_add", "audit:entry_list",
                 "core:codetable_list"):
        assert client.get(reverse(name)).status_code == 403, name


def test_administrator_roles_read_no_domain_records(users):
    """Domain records use RECORD_ROLES; no administrator role is among them."""
    from jinguo.core.roles import ADMIN_ROLES, RECORD_ROLES

    assert not ADMIN_ROLES & RECORD_ROLES


def test_menu_follows_roles(users, login):
    assert "审计日志" not in login(users["sysadmin"]).get("/").content.decode()
    assert "审计日志" in login(users["auditadmin"]).get("/").content.decode()
    assert "用户管理" not in login(users["staff"]).get("/").content.decode()


def test_the_kept_menu_is_each_users_own_and_marks_the_current_page(users, login, settings):
    """The menu's HTML is kept per set of roles and current item: whoever asked first, each user sees her own, and
    the page she is on (the longest matching item) is the one marked current, in the breadcrumbs too."""
    import re

    def current(html: str) -> list[str]:
        return re.findall(r'class="nav-link active" href="([^"]+)" aria-current="page"', html)

    staff, audit = login(users["staff"]), login(users["auditadmin"])
    for _ in range(2):  # the second round reads the kept menus
        page = staff.get("/petitions/").content.decode()
        assert current(page) == ["/petitions/"] and "信访案件" in page and "审计日志" not in page
        assert '<li class="breadcrumb-item">信访维权</li>' in page
        assert current(staff.get("/petitions/add/").content.decode()) == ["/petitions/add/"]
        assert current(staff.get("/petitions/statistics/").content.decode()) == ["/petitions/statistics/"]
        other = audit.get("/audit/").content.decode()
        assert "审计日志" in other and "信访案件" not in other and current(other) == ["/audit/"]
    assert 'href="/petitions/add/"' in staff.get("/").content.decode()


def test_every_page_header_names_the_users_unit(users, login, tree):
    from jinguo.accounts.models import User

    page = login(users["staff"]).get("/petitions/").content.decode()
    assert page.count(tree["county"].name) >= 2  # the PC header and the phone menu
    user = User.objects.get(pk=users["staff"].pk)
    assert user.org_name == tree["county"].name
    User.objects.filter(pk=user.pk).update(org=None)
    assert User.objects.get(pk=user.pk).org_name == ""


def test_no_page_is_kept_in_the_browsers_storage_for_the_back_button(users, login):
    """htmx keeps snapshots of pages in localStorage for its back button unless told not to; a case page may show
    what was unmasked. Every page tells it to keep none, and going back reloads the page from the server."""
    import json
    import re

    page = login(users["staff"]).get("/petitions/").content.decode()
    config = json.loads(re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page).group(1))
    assert config["historyCacheSize"] == 0 and config["refreshOnHistoryMiss"] is True
