"""How the REST API knows who calls and whether she may: settings.REST_FRAMEWORK names these as the defaults.

Kept apart from api.py: DRF imports its default classes while `rest_framework.views` is loading, so this module
must not import views.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import BasePermission

from jinguo.accounts import policy
from jinguo.accounts.models import ApiToken

# `last_used` is written at most this often per token, so a busy script does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against accounts.ApiToken (digests, expiry), refusing (401) a token whose
    account is inactive or locked out by django-axes."""

    def authenticate_credentials(self, key: str):
        """One query for the token, its user, her roles, whether she is locked out and has a confirmed second
        factor: read afresh on every call (nothing cached), so a revoked token, a removed role or a lock takes
        effect on the next request."""
        token = (policy.with_sign_in_facts(ApiToken.objects.select_related("user"), "user")
                 .filter(digest=ApiToken.digest_of(key)).first() if key else None)
        if token is None:
            raise AuthenticationFailed(_("令牌无效。"))
        if token.expired:
            raise AuthenticationFailed(_("令牌已过期，请重新签发。"))
        user = policy.take_sign_in_facts(token, token.user)
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
