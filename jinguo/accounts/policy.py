"""The sign-in gates: the steps a signed-in user must finish before anything else is served.

One rule for the pages (AccessPolicyMiddleware redirects to the step) and the API
(accounts.authentication.SignInGates answers 403 with the step's message), so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import CharField, Exists, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Concat
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from jinguo.core.net import client_ip
from jinguo.core.sql import GroupConcat


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
    known = getattr(user, "_confirmed_device", None)  # read with the user (`with_sign_in_facts`)
    return known if known is not None else user.totpdevice_set.filter(confirmed=True).exists()


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


def _lockouts(limit: int | None = None, since=None):
    """django-axes's records that lock an account now (AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME)."""
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT if limit is None else limit,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME if since is None else since)


def lockout_window() -> dict:
    """The values `with_sign_in_facts` takes for "locked out now"."""
    return {"limit": settings.AXES_FAILURE_LIMIT, "since": timezone.now() - settings.AXES_COOLOFF_TIME}


def is_locked_out(user) -> bool:
    """django-axes has locked the account (AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME)."""
    known = getattr(user, "_locked_out", None)  # read with the user (`with_sign_in_facts`)
    return known if known is not None else _lockouts().filter(username=user.username).exists()


_ROLE_SEPARATOR, _PATH_SEPARATOR = "\n", " "  # neither occurs in a role key or an org path


def with_sign_in_facts(queryset: QuerySet, user_field: str, *, limit: int | None = None, since=None) -> QuerySet:
    """`queryset` (of users, or of rows with a `user_field` to one) annotated with what every authenticated request
    asks of the user — her roles with their org paths, whether she is locked out, whether she has a confirmed second
    factor — so that one query answers them; `take_sign_in_facts` hands them to the user object. Subqueries, read
    afresh each time: nothing here can go stale."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from jinguo.accounts.models import RoleAssignment

    pk = f"{user_field}__pk" if user_field else "pk"
    username = f"{user_field}__username" if user_field else "username"
    roles = (RoleAssignment.objects.filter(user_id=OuterRef(pk)).order_by().values("user_id")
             .annotate(joined=GroupConcat(Concat("role", Value(_PATH_SEPARATOR), "org__path",
                                                 output_field=CharField()), _ROLE_SEPARATOR))
             .values("joined"))
    return queryset.annotate(
        _sign_in_roles=Subquery(roles, output_field=TextField()),
        _sign_in_locked=Exists(_lockouts(limit, since).filter(username=OuterRef(username))),
        _sign_in_device=Exists(TOTPDevice.objects.filter(user_id=OuterRef(pk), confirmed=True)))


SIGN_IN_FACTS = ("_sign_in_roles", "_sign_in_locked", "_sign_in_device")


def take_sign_in_facts(user, roles: str | None, locked: bool, device: bool):
    """`user` with the facts `with_sign_in_facts` read (`SIGN_IN_FACTS`, in that order)."""
    user._role_paths = sorted(tuple(part.split(_PATH_SEPARATOR, 1)) for part in (roles or "").split(_ROLE_SEPARATOR)
                              if part)
    user._locked_out = bool(locked)
    user._confirmed_device = bool(device)
    return user


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
