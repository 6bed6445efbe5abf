"""Password rules of 等保2.0 level 3: length, mixed character classes, not the user name."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CLASSES = [re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"\d"), re.compile(r"[^A-Za-z0-9]")]


class CharacterClassValidator:
    """At least three of: lower-case, upper-case, digits, other characters."""

    def validate(self, password: str, user=None) -> None:
        if sum(1 for pattern in _CLASSES if pattern.search(password)) < 3:
            raise ValidationError(_("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_classes")

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")


class NotUsernameValidator:
    """The password may not be, or contain, the user name (either way round, ignoring case)."""

    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").lower()
        if username and (username in password.lower() or password.lower() in username):
            raise ValidationError(_("密码不能与用户名相同或包含用户名。"), code="password_username")

    def get_help_text(self) -> str:
        return _("密码不能与用户名相同或包含用户名。")


class PasswordHistoryValidator:
    """None of the last PASSWORD_HISTORY passwords (accounts.PasswordHistory, the current one included) again."""

    def validate(self, password: str, user=None) -> None:
        from django.conf import settings
        from django.contrib.auth.hashers import check_password

        from jinguo.accounts.models import PasswordHistory

        if user is None or user.pk is None:
            return
        if any(check_password(password, encoded) for encoded in PasswordHistory.recent(user)):
            raise ValidationError(_("不能与最近%(n)d次使用过的密码相同。") % {"n": settings.PASSWORD_HISTORY},
                                  code="password_reused")

    def get_help_text(self) -> str:
        from django.conf import settings

        return _("不能与最近%(n)d次使用过的密码相同。") % {"n": settings.PASSWORD_HISTORY}
