"""How the REST API knows who calls and whether she may: settings.REST_FRAMEWORK names these as the defaults.

Kept apart from api.py: DRF imports its default classes while `rest_framework.views` is loading, so this module
must not import views.
"""

from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import BasePermission

from jinguo.accounts import policy
from jinguo.accounts.models import ApiToken, User
from jinguo.core.sql import CompiledQuery

# `last_used` is written at most this often per token, so a busy script does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


_TOKEN_FIELDS = [field.attname for field in ApiToken._meta.concrete_fields]
_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
# The token by its digest, its user, and what policy asks of her (`policy.with_sign_in_facts`): compiled once. The
# digest is unique: no ordering (the model's would sort by the user's name).
_TOKEN_QUERY = CompiledQuery(
    lambda digest, limit, since: policy.with_sign_in_facts(ApiToken.objects.order_by(), "user", limit=limit,
                                                           since=since)
    .filter(digest=digest)
    .values_list(*_TOKEN_FIELDS, *(f"user__{name}" for name in _USER_FIELDS), *policy.SIGN_IN_FACTS),
    digest="<digest>", limit=7654321, since=datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC))


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against accounts.ApiToken (digests, expiry), refusing (401) a token whose
    account is inactive or locked out by django-axes."""

    def authenticate_credentials(self, key: str):
        """One query for the token, its user, her roles, whether she is locked out and has a confirmed second
        factor: read afresh on every call (only the SQL is kept), so a revoked token, a removed role or a lock takes
        effect on the next request."""
        row = _TOKEN_QUERY.first(ApiToken.objects.db, digest=ApiToken.digest_of(key), **policy.lockout_window())
        if row is None:
            raise AuthenticationFailed(_("令牌无效。"))
        db = ApiToken.objects.db
        token = ApiToken.from_db(db, _TOKEN_FIELDS, row[:len(_TOKEN_FIELDS)])
        user = User.from_db(db, _USER_FIELDS, row[len(_TOKEN_FIELDS):-len(policy.SIGN_IN_FACTS)])
        token.user = user
        if token.expired:
            raise AuthenticationFailed(_("令牌已过期，请重新签发。"))
        user = policy.take_sign_in_facts(user, *row[-len(policy.SIGN_IN_FACTS):])
        if not user.is_active:
            raise AuthenticationFailed(_("账户已停用。"))
        if policy.is_locked_out(user):
            raise AuthenticationFailed(_("账户因连续输错密码已被锁定，令牌暂不可用。"))
        now = timezone.now()
        if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return user, token


class SignInGates(BasePermission):
    """Signed in (401 otherwise), and past the same gates as the pages (accounts.policy.pending_step): 403 with the
    step's message before the second factor where one is required, and while the password must be changed —
    whether the call comes with a session or a token."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if isinstance(request.auth, ApiToken):
            passed = not user.needs_second_factor or policy.has_confirmed_device(user)
        else:
            passed = policy.session_second_factor_passed(user)
        step = policy.pending_step(user, second_factor_passed=passed)
        if step is not None:
            raise PermissionDenied(str(step.message))
        return True
