"""The sign-in gates: the steps a signed-in user must finish before anything else is served.

One rule for the pages (AccessPolicyMiddleware redirects to the step) and the API
(accounts.authentication.SignInGates answers 403 with the step's message), so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from jinguo.core.net import client_ip


@dataclass(frozen=True)
class Step:
    """A step the user still has to take: the page that takes it, and what the API says instead."""

    url_name: str
    message: str


OTP_SETUP = Step("accounts:otp_setup", _("请先完成双因素认证：绑定身份验证器（动态口令）。"))
OTP_VERIFY = Step("accounts:otp_verify", _("请先完成双因素认证：输入动态口令。"))
PASSWORD_CHANGE = Step("accounts:password_change", _("请先修改初始密码。"))
PASSWORD_EXPIRED = Step("accounts:password_change", _("密码已过期，请先修改密码。"))


def has_confirmed_device(user) -> bool:
    return user.totpdevice_set.filter(confirmed=True).exists()


def pending_step(user, *, second_factor_passed: bool) -> Step | None:
    """The first step `user` must still take, or None when every gate is passed.

    `second_factor_passed`: for a session, that it passed TOTP (django-otp's `is_verified()`); for an API token,
    that the account has a confirmed TOTP device — a token stands for a sign-in that passed both factors, and is
    issued only then (services.issue_token).
    """
    if user.needs_second_factor and not second_factor_passed:
        return OTP_VERIFY if has_confirmed_device(user) else OTP_SETUP
    if user.must_change_password:
        return PASSWORD_CHANGE
    if user.password_expired:
        return PASSWORD_EXPIRED
    return None


def session_second_factor_passed(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def is_locked_out(user) -> bool:
    """django-axes has locked the account (AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME)."""
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(
        username=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME).exists()


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """The `next` parameter when it is a URL on this site (a relative path or this host), else `default`.

    Every view that redirects to `next` goes through here: an off-site `next` would make the sign-in page a
    springboard for phishing.
    """
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return default


# --- Sign-in throttle by address -----------------------------------------------------------------------------------
# Beyond the per-account lock (django-axes), one address that keeps failing — trying many accounts, as credential
# stuffing does — is throttled for a while: LOGIN_ADDRESS_LIMIT failures per LOGIN_ADDRESS_WINDOW seconds.
def _failures_key(request: HttpRequest) -> str:
    return f"jinguo:login-failures:{client_ip(request) or ''}"  # the real client, behind a trusted proxy too


def address_throttled(request: HttpRequest) -> bool:
    """This address has failed to sign in LOGIN_ADDRESS_LIMIT times within the window."""
    return cache.get(_failures_key(request), 0) >= settings.LOGIN_ADDRESS_LIMIT


def count_failed_sign_in(request: HttpRequest) -> None:
    """One more failure from this address (the window starts at the first)."""
    key, window = _failures_key(request), settings.LOGIN_ADDRESS_WINDOW
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
