"""Account operations shared by the pages, the API and the command line."""

from __future__ import annotations

import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jinguo.accounts import policy
from jinguo.accounts.models import ApiToken, RoleAssignment, User
from jinguo.audit.services import record_event
from jinguo.core.events import Event
from jinguo.core.roles import ADMIN_ROLES, Role

_ALPHABET = string.ascii_letters + string.digits


def generate_password(length: int = 12) -> str:
    """A random initial password that satisfies the policy (all four character classes)."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(length - 2)) + secrets.choice("@#%+=") + str(
            secrets.randbelow(10))
        if any(c.islower() for c in password) and any(c.isupper() for c in password):
            return password


USER_DETAILS = ("phone", "email", "is_active", "require_2fa")  # what the administrator's form may also set


@transaction.atomic
def create_user(username: str, *, org, roles: list[Role] = (), password: str | None = None,
                display_name: str = "", must_change: bool = True, **details) -> tuple[User, str]:
    """Create a user with an initial password (generated when not given) and roles on `org`: the one way an account
    is made (the administrator's page, the command line, the demo). `details`: any of USER_DETAILS."""
    unknown = set(details) - set(USER_DETAILS)
    if unknown:
        raise TypeError(f"create_user() got unexpected details: {sorted(unknown)}")
    user = User(username=username, display_name=display_name or username, org=org, must_change_password=must_change,
                **details)
    password = password or generate_password()
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    for role in roles:
        grant_role(user, org, role)
    return user, password


def _not_oneself(user: User, actor: User) -> None:
    """三员分立: an administrator never acts on her own account or roles (someone else must)."""
    if actor.pk == user.pk:
        raise PermissionDenied(_("不能对自己的账户执行此操作。"))


@transaction.atomic
def reset_password(user: User, password: str | None = None, *, actor: User) -> str:
    """A new initial password (generated when not given), to be changed at the next sign-in; not one's own."""
    _not_oneself(user, actor)
    password = password or generate_password()
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save()
    record_event(Event.PASSWORD_RESET, user, org=user.org)
    return password


@transaction.atomic
def grant_role(user: User, org, role: Role) -> RoleAssignment:
    """Give `user` `role` over `org`'s subtree. 三员分立: an account holds at most one of the three administrator
    roles (the same one may cover several units) — else the security administrator could make the audit
    administrator a system administrator too, and one person would manage accounts and read their trail."""
    if role in ADMIN_ROLES:
        held = sorted(set(RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES).exclude(role=role)
                          .values_list("role", flat=True)))
        if held:
            raise PermissionDenied(_("三员分立：同一账户不能兼任系统管理员、安全管理员、审计管理员中的两种"
                                     "（%(user)s 已是%(roles)s）。") % {
                "user": user, "roles": "、".join(str(Role(r).label) for r in held)})
    assignment, created = RoleAssignment.objects.get_or_create(user=user, org=org, role=role)
    if created:
        record_event(Event.ROLE_GRANTED, user, org=org, data={"role": role.value, "org": org.code})
    user.forget_roles()
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, actor: User) -> None:
    """Take a role back; not one's own (三员分立)."""
    user, org, role = assignment.user, assignment.org, assignment.role
    if user.pk == actor.pk:
        raise PermissionDenied(_("不能撤销自己的角色（三员分立）。"))
    assignment.delete()
    record_event(Event.ROLE_REVOKED, user, org=org, data={"role": role, "org": org.code})
    user.forget_roles()


@transaction.atomic
def change_password(user: User, password: str) -> User:
    """The user's own change (already validated by the form): the initial-password flag clears; saving the new
    password keeps its hash in the history and revokes the API tokens (User.save)."""
    user.set_password(password)
    user.must_change_password = False
    user.save()
    record_event(Event.PASSWORD_CHANGED, user, org=user.org)
    return user


def token_refusal(user: User) -> str | None:
    """Why `user` may not be given an API token now, or None.

    A token skips the interactive sign-in, so it is only issued to an account that has passed every gate a
    sign-in would: active, not locked out, initial or expired password changed, and — where a second factor is
    required (the three administrators) — a TOTP device set up and confirmed.
    """
    if not user.is_active:
        return _("账户已停用，不能签发接口令牌。")
    if policy.is_locked_out(user):
        return _("账户已被锁定，不能签发接口令牌。")
    if user.must_change_password or user.password_expired:
        return _("请先修改初始密码或已过期的密码，再签发接口令牌。")
    if user.needs_second_factor and not policy.has_confirmed_device(user):
        return _("该账户须先绑定并验证双因素认证（动态口令），才能签发接口令牌。")
    return None


@transaction.atomic
def issue_token(user: User, *, name: str = "", replace: bool = False) -> str:
    """A new REST API token for `user`, valid API_TOKEN_DAYS days; returns the key, which is not stored (only its
    digest is) and so can be shown this once. `replace` revokes the user's earlier tokens first."""
    refusal = token_refusal(user)
    if refusal:
        raise ValidationError(refusal, code="token_refused")
    if replace:
        ApiToken.revoke_all(user, reason="replaced")
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:ApiToken.PREFIX_LENGTH],
                                    digest=ApiToken.digest_of(key),
                                    expires=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS))
    record_event(Event.TOKEN_ISSUED, user, org=user.org, data={"prefix": token.prefix, "expires":
                                                                token.expires.isoformat()})
    return key


@transaction.atomic
def revoke_token(token: ApiToken) -> None:
    user = token.user
    token.delete()
    record_event(Event.TOKEN_REVOKED, user, org=user.org, data={"prefix": token.prefix, "reason": "revoked"})


@transaction.atomic
def confirm_device(user: User, device, token: str) -> bool:
    """Bind an authenticator app: the device is confirmed when `token` is its current code (then audited)."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save()
    record_event(Event.OTP_ENROLLED, user, org=user.org)
    return True


@transaction.atomic
def verify_second_factor(user: User, token: str):
    """The user's confirmed device whose current code is `token`, or None — a wrong code is audited."""
    for device in user.totpdevice_set.filter(confirmed=True):
        if device.verify_token(token):
            return device
    record_event(Event.OTP_FAILED, user, org=user.org)
    return None


@transaction.atomic
def unlock(user: User) -> None:
    from axes.utils import reset

    reset(username=user.username)
    record_event(Event.UNLOCKED, user, org=user.org)
