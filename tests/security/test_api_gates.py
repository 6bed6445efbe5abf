"""The API applies the same sign-in gates as the pages, and API tokens follow the account's state.

Every API endpoint refuses (403, in Chinese) a session that has not passed the second factor where one is required,
and a user — by session or by token — whose initial or expired password must be changed. A token is stored only as
a digest, expires, stops working while the account is locked out or inactive, and is revoked by a password change
or reset. `next=` never leads off the site. The last five passwords cannot be chosen again.
"""

import datetime as dt
import itertools
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinguo.accounts import services
from jinguo.accounts.models import User
from jinguo.core.roles import Role
from jinguo.testing import TEST_PASSWORD, make_user

EVIL = ["https://evil.example/", "//evil.example/", "https:evil.example"]


def api_urls() -> list[str]:
    """Every API endpoint: each registered viewset's list, and the extra views (/api/me/ …)."""
    from jinguo.api import extra_urls, router

    return [reverse(f"api:{basename}-list") for _prefix, _viewset, basename in router.registry] + [
        f"/api/{route}" for route, _view in extra_urls]


def activity_payload(tree) -> dict:
    from jinguo.core.models import CodeItem

    kind = CodeItem.objects.lookup("activity_kind")["培训"]
    return {"org": tree["county"].pk, "kind": kind.pk, "title": "门前测试", "start_date": "2025-07-01",
            "figures": {"trainees": "45"}}


def token_get(client, key: str, url: str = "/api/me/"):
    return client.get(url, HTTP_AUTHORIZATION=f"Token {key}")


def detail(response) -> str:
    return response.json()["detail"]


# --- 1. The sign-in gates ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("has_device, message", [(False, "绑定身份验证器"), (True, "输入动态口令")])
def test_api_refuses_a_session_before_the_second_factor(users, client, has_device, message):
    admin = users["sysadmin"]
    if has_device:
        TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
    client.force_login(admin)  # password right, TOTP step not taken
    for url in api_urls():
        response = client.get(url)
        assert response.status_code == 403, url
        assert "请先完成双因素认证" in detail(response) and message in detail(response), url
    # The same session after the TOTP step passes the gate.
    device = TOTPDevice.objects.filter(user=admin, confirmed=True).first() or TOTPDevice.objects.create(
        user=admin, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert client.get("/api/me/").status_code == 200


def test_api_refuses_a_session_whose_initial_password_is_unchanged(tree, client):
    from jinguo.ledger.models import Activity

    user = make_user("newbie", tree["county"], Role.STAFF)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    for url in api_urls():
        response = client.get(url)
        assert response.status_code == 403 and detail(response) == "请先修改初始密码。", url
    response = client.post("/api/activities/", activity_payload(tree), content_type="application/json")
    assert response.status_code == 403 and "请先修改初始密码" in detail(response)
    assert not Activity.objects.filter(title="门前测试").exists()
    # Changed: the same call is served.
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    assert client.post("/api/activities/", activity_payload(tree),
                       content_type="application/json").status_code == 201


@pytest.mark.parametrize("state, message", [("initial", "请先修改初始密码"), ("expired", "密码已过期")])
def test_api_refuses_a_token_whose_password_must_be_changed(tree, users, client, state, message):
    from jinguo.ledger.models import Activity

    user = users["staff"]
    key = services.issue_token(user)
    assert token_get(client, key).status_code == 200
    if state == "initial":
        User.objects.filter(pk=user.pk).update(must_change_password=True)
    else:
        User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    for url in api_urls():
        response = token_get(client, key, url)
        assert response.status_code == 403 and message in detail(response), url
    response = client.post("/api/activities/", activity_payload(tree), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 403 and message in detail(response)
    assert not Activity.objects.filter(title="门前测试").exists()


def test_tokens_are_issued_to_administrators_only_after_totp_is_set_up(users, client):
    admin = users["sysadmin"]
    with pytest.raises(ValidationError, match="双因素认证"):
        services.issue_token(admin)
    device = TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
    key = services.issue_token(admin)
    assert token_get(client, key).status_code == 200
    # The device removed (lost phone): the token no longer passes the second-factor gate.
    device.delete()
    response = token_get(client, key)
    assert response.status_code == 403 and "请先完成双因素认证" in detail(response)


def test_tokens_are_refused_to_accounts_that_must_change_their_password(tree, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    user = make_user("newbie", tree["county"], Role.STAFF)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.refresh_from_db()
    with pytest.raises(ValidationError, match="请先修改初始密码"):
        services.issue_token(user)
    with pytest.raises(CommandError, match="请先修改初始密码"):
        call_command("api_token", "newbie")


# --- 2. Tokens follow the account -------------------------------------------------------------------------------
def test_a_locked_out_or_inactive_accounts_token_answers_401(users, client):
    user = users["staff"]
    key = services.issue_token(user)
    assert token_get(client, key).status_code == 200
    browser = client.__class__()
    for _ in range(5):
        browser.post("/accounts/login/", {"username": "dongan", "password": "wrong-Pass1"})
    response = token_get(client, key)
    assert response.status_code == 401 and "锁定" in detail(response)
    services.unlock(user)
    assert token_get(client, key).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = token_get(client, key)
    assert response.status_code == 401 and "停用" in detail(response)


def test_password_change_and_reset_revoke_tokens(users, login, client):
    from jinguo.audit.models import AuditEntry

    user = users["staff"]
    # Changed by the user on the page.
    key = services.issue_token(user)
    response = login(user).post(reverse("accounts:password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": "Xy7#kLmn2", "new_password2": "Xy7#kLmn2"})
    assert response.status_code == 302
    assert token_get(client, key).status_code == 401
    # Reset by the system administrator.
    key = services.issue_token(user)
    users["sysadmin"].totpdevice_set.create(name="test", confirmed=True)
    response = login(users["sysadmin"]).post(reverse("accounts:user_action", args=[user.pk, "reset"]),
                                             {"password": ""})
    assert response.status_code == 302
    assert token_get(client, key).status_code == 401
    # Any other path that sets a password (manage.py changepassword, the shell).
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.refresh_from_db()
    key = services.issue_token(user)
    user.set_password("Zq8%mnbvC")
    user.save()
    assert token_get(client, key).status_code == 401
    assert AuditEntry.objects.filter(action="user.token_revoked").count() == 3


def test_a_rehash_on_sign_in_is_not_a_password_change(users, client, settings):
    """Django re-hashes a password when the preferred hasher changes: same password, so tokens stay."""
    key = services.issue_token(users["staff"])
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.ScryptPasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert client.post("/accounts/login/", {"username": "dongan", "password": TEST_PASSWORD}).status_code == 302
    assert User.objects.get(pk=users["staff"].pk).password.startswith("scrypt$")
    assert token_get(client.__class__(), key).status_code == 200


def test_the_database_holds_no_clear_token(users, capsys):
    from django.core.management import call_command

    keys = [services.issue_token(users["staff"])]
    call_command("api_token", "yongzhou")
    keys.append(capsys.readouterr().out.strip())
    assert all(re.fullmatch(r"[0-9a-f]{40}", key) for key in keys)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            text = repr(cursor.fetchall())
            for key in keys:
                assert key not in text and key[8:] not in text, f"clear token in table {table}"


def test_an_expired_token_answers_401(users, client, settings):
    from jinguo.accounts.models import ApiToken

    key = services.issue_token(users["staff"])
    token = ApiToken.objects.get(user=users["staff"])
    assert dt.timedelta(days=89) < token.expires - timezone.now() <= dt.timedelta(days=90)
    assert token_get(client, key).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - dt.timedelta(seconds=1))
    response = token_get(client, key)
    assert response.status_code == 401 and "已过期" in detail(response)
    # The lifetime is a setting.
    settings.API_TOKEN_DAYS = 7
    services.issue_token(users["staff"], replace=True)
    token = ApiToken.objects.get(user=users["staff"])
    assert token.expires - timezone.now() <= dt.timedelta(days=7)


def test_the_user_sees_issues_and_revokes_her_tokens(users, login, client):
    from jinguo.accounts.models import ApiToken

    page = login(users["staff"])
    response = page.post(reverse("accounts:apitoken_list"), {"name": "台账同步"})
    assert response.status_code == 200
    key = re.search(r'<code id="new-token">([0-9a-f]{40})</code>', response.content.decode()).group(1)
    assert token_get(client, key).status_code == 200
    listing = page.get(reverse("accounts:apitoken_list")).content.decode()
    assert key[:8] in listing and key not in listing and "台账同步" in listing
    for label in ("签发时间", "有效期至", "最近使用"):
        assert label in listing
    token = ApiToken.objects.get(user=users["staff"])
    assert token.last_used is not None
    # Not someone else's token …
    other = login(users["leader"]).post(reverse("accounts:apitoken_revoke", args=[token.pk]))
    assert other.status_code == 404 and token_get(client, key).status_code == 200
    # … but her own.
    assert page.post(reverse("accounts:apitoken_revoke", args=[token.pk])).status_code == 302
    assert token_get(client, key).status_code == 401
    too_long = page.post(reverse("accounts:apitoken_list"), {"name": "长" * 51})
    assert too_long.status_code == 400 and "最多50个字" in too_long.content.decode()


# --- 3. next= and password history ------------------------------------------------------------------------------
@pytest.fixture
def admin_with_device(users):
    return TOTPDevice.objects.create(user=users["sysadmin"], name="test", confirmed=True)


def _post_login(client, users, next_url):
    return client.post(f"{reverse('accounts:login')}?next={next_url}",
                       {"username": "dongan", "password": TEST_PASSWORD, "next": next_url})


def _post_otp_verify(client, users, next_url):
    device = users["sysadmin"].totpdevice_set.get()
    client.force_login(users["sysadmin"])
    return client.post(f"{reverse('accounts:otp_verify')}?next={next_url}", {"token": f"{totp(device.bin_key):06d}"})


def _post_otp_setup(client, users, next_url):
    users["sysadmin"].totpdevice_set.all().delete()
    client.force_login(users["sysadmin"])
    client.get(reverse("accounts:otp_setup"))
    device = users["sysadmin"].totpdevice_set.get()
    return client.post(f"{reverse('accounts:otp_setup')}?next={next_url}", {"token": f"{totp(device.bin_key):06d}"})


def _post_password_change(client, users, next_url):
    User.objects.filter(pk=users["staff"].pk).update(must_change_password=True)
    client.force_login(users["staff"])
    return client.post(f"{reverse('accounts:password_change')}?next={next_url}", {
        "old_password": TEST_PASSWORD, "new_password1": "Xy7#kLmn2", "new_password2": "Xy7#kLmn2"})


NEXT_VIEWS = {"login": _post_login, "otp_verify": _post_otp_verify, "otp_setup": _post_otp_setup,
              "password_change": _post_password_change}


@pytest.mark.parametrize("view", NEXT_VIEWS)
@pytest.mark.parametrize("next_url", EVIL)
def test_next_never_leads_off_site(users, client, admin_with_device, settings, view, next_url):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    response = NEXT_VIEWS[view](client, users, next_url)
    assert response.status_code == 302
    assert response["Location"] == "/", response["Location"]


@pytest.mark.parametrize("view", NEXT_VIEWS)
def test_next_on_this_site_is_followed(users, client, admin_with_device, settings, view):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    response = NEXT_VIEWS[view](client, users, "/orgs/")
    assert response.status_code == 302 and response["Location"] == "/orgs/"


def test_the_last_five_passwords_cannot_be_reused(users, login):
    client = login(users["staff"])
    url = reverse("accounts:password_change")
    passwords = [TEST_PASSWORD, "Pw1#alpha", "Pw2#bravo", "Pw3#charl", "Pw4#delta", "Pw5#echoo"]

    def change(old, new):
        return client.post(url, {"old_password": old, "new_password1": new, "new_password2": new})

    for old, new in itertools.pairwise(passwords):
        assert change(old, new).status_code == 302, new
    # Current is Pw5; the last five are Pw5, Pw4, Pw3, Pw2, Pw1.
    for earlier in passwords[1:-1]:
        response = change("Pw5#echoo", earlier)
        assert response.status_code == 400 and "不能与最近5次使用过的密码相同" in response.content.decode(), earlier
    # The initial one is six passwords back: allowed again.
    assert change("Pw5#echoo", TEST_PASSWORD).status_code == 302
    # An administrator's reset follows the same rule.
    users["sysadmin"].totpdevice_set.create(name="test", confirmed=True)
    admin = login(users["sysadmin"])
    admin.post(reverse("accounts:user_action", args=[users["staff"].pk, "reset"]), {"password": "Pw5#echoo"})
    assert users["staff"].__class__.objects.get(pk=users["staff"].pk).check_password(TEST_PASSWORD)


def test_upgrade_keeps_old_clear_tokens_working_as_digests_and_drops_the_clear_table(users, client):
    """Deployments that had DRF's authtoken table: each clear key becomes a digest, and the table goes."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    migration = importlib.import_module("jinguo.accounts.migrations.0004_api_tokens_password_history")
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, user_id bigint)")
        cursor.execute("INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
                       [old_key, timezone.now(), users["staff"].pk])
        migration.carry_over_clear_tokens(apps, SimpleNamespace(connection=connection, execute=cursor.execute))
    assert "authtoken_token" not in connection.introspection.table_names()
    assert token_get(client, old_key).json()["username"] == "dongan"
