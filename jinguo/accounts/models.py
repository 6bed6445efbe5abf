"""Users and their role assignments on the org tree."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractBaseUser, AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinguo.audit.services import record_event
from jinguo.core.events import Event
from jinguo.core.links import record_url
from jinguo.core.models import AuditedModel
from jinguo.core.roles import ADMIN_ROLES, Role
from jinguo.core.scope import ScopedQuerySet
from jinguo.core.sql import CompiledQuery


class UserManager(DjangoUserManager.from_queryset(ScopedQuerySet)):
    """Django's user manager (create_user, normalize_email …) with the scoped `visible_to`."""


class User(AbstractUser, AuditedModel):
    """A staff member. `org` is the home unit shown in the header; rights come from role assignments."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name=_("所在单位"), on_delete=models.PROTECT,
                            related_name="users", null=True)
    phone = models.CharField(_("办公电话"), max_length=30, blank=True)
    must_change_password = models.BooleanField(_("需修改初始密码"), default=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    require_2fa = models.BooleanField(_("要求双因素认证"), default=False)

    audit_masked_fields = ("password",)

    objects = UserManager()
    scope_org_field = "org"
    scope_roles = {
        # The system administrator manages accounts; the security administrator assigns roles to them.
        "view": frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
        "add": frozenset({Role.SYSTEM_ADMIN}),
        "change": frozenset({Role.SYSTEM_ADMIN}),
        "delete": frozenset({Role.SYSTEM_ADMIN}),
        "assign": frozenset({Role.SECURITY_ADMIN}),
        "export": frozenset({Role.SYSTEM_ADMIN}),
    }

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return record_url("accounts:user_detail", self.pk)

    def audit_org(self):
        return self.org

    @property
    def org_name(self) -> str:
        """The home unit's name (the page header shows it on every page): its one column, not the unit's row."""
        if self.org_id is None:
            return ""
        if "org" in self._state.fields_cache:
            return self.org.name
        if "_org_name" not in self.__dict__:
            row = _ORG_NAME.first(self._state.db or "default", pk=self.org_id)
            self._org_name = row[0] if row else ""
        return self._org_name

    # Roles ------------------------------------------------------------------------------------------------------
    def role_paths(self) -> list[tuple[str, str]]:
        """(role, org path) for every assignment; loaded once per user object (one query per request, compiled once)."""
        if not hasattr(self, "_role_paths"):
            self._role_paths = _ROLE_PATHS.rows(self._state.db or "default", user=self.pk)
        return self._role_paths

    def forget_roles(self) -> None:
        self.__dict__.pop("_role_paths", None)

    @property
    def roles(self) -> set[str]:
        return {role for role, _path in self.role_paths()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_administrator(self) -> bool:
        return bool(self.roles & ADMIN_ROLES)

    @property
    def needs_second_factor(self) -> bool:
        return self.require_2fa or self.is_administrator or settings.REQUIRE_2FA_FOR_ALL

    @property
    def password_expired(self) -> bool:
        if not settings.PASSWORD_MAX_AGE_DAYS or self.password_changed_at is None:
            return False
        return timezone.now() - self.password_changed_at > timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def check_password(self, raw_password: str) -> bool:
        """Django's check, whose re-hash on a hasher upgrade is not a password change (no history, no revocation)."""

        def rehash(raw: str) -> None:
            AbstractBaseUser.set_password(self, raw)
            self._password = None
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, rehash)

    def save(self, *args, **kwargs) -> None:
        """Saving a new password (`set_password`, by any path: the pages, a reset, `changepassword`) also keeps
        its hash in the history and revokes the account's API tokens, in the same transaction."""
        replaced = self._password is not None
        adding = self._state.adding
        with transaction.atomic():
            super().save(*args, **kwargs)
            if replaced:
                PasswordHistory.remember(self)
                if not adding:
                    ApiToken.revoke_all(self, reason="password")


class RoleAssignment(AuditedModel):
    """`user` holds `role` on `org` and everything below it."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_assignments")
    org = models.ForeignKey("orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"
    scope_roles = {
        "view": frozenset({Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN}),
        "add": frozenset({Role.SECURITY_ADMIN}),
        "change": frozenset({Role.SECURITY_ADMIN}),
        "delete": frozenset({Role.SECURITY_ADMIN}),
        "export": frozenset({Role.SECURITY_ADMIN}),
    }

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        ordering = ["user__username", "org__path", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "role"], name="roleassignment_unique",
                                    violation_error_message=_("该用户在此单位已有这个角色。")),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.org} · {self.get_role_display()}"

    def get_absolute_url(self) -> str:
        return self.user.get_absolute_url()


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords, so none of the last PASSWORD_HISTORY can be chosen again."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("密码摘要"), max_length=128)
    created = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["user", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created:%Y-%m-%d}"

    @classmethod
    def remember(cls, user: User) -> None:
        cls.objects.create(user=user, password=user.password)
        keep = cls.objects.filter(user=user).order_by("-id").values_list("pk", flat=True)[:settings.PASSWORD_HISTORY]
        cls.objects.filter(user=user).exclude(pk__in=list(keep)).delete()

    @classmethod
    def recent(cls, user: User) -> list[str]:
        """The hashes of the user's last PASSWORD_HISTORY passwords, the current one included."""
        hashes = list(cls.objects.filter(user=user).order_by("-id")
                      .values_list("password", flat=True)[:settings.PASSWORD_HISTORY])
        if user.password and user.password not in hashes:  # set before the history was kept
            hashes = [user.password, *hashes][:settings.PASSWORD_HISTORY]
        return hashes


class ApiToken(models.Model):
    """A REST API token (`Authorization: Token <key>`). Only a SHA-256 digest of the key is stored, with its first
    characters for recognising it; the key itself is shown once, when issued (services.issue_token).

    A token stops working when it expires (API_TOKEN_DAYS), when the account is inactive or locked out, and is
    deleted when the password changes or is reset, or when its owner revokes it.
    """

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=50, blank=True)
    prefix = models.CharField(_("令牌前缀"), max_length=PREFIX_LENGTH)
    digest = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    created = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires = models.DateTimeField(_("有效期至"))
    last_used = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["user", "-created"]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @staticmethod
    def digest_of(key: str) -> str:
        import hashlib

        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def expired(self) -> bool:
        return self.expires <= timezone.now()

    @classmethod
    def revoke_all(cls, user: User, *, reason: str) -> int:
        """Delete every token of `user`; an audit entry says how many and why."""
        count, _deleted = cls.objects.filter(user=user).delete()
        if count:
            record_event(Event.TOKEN_REVOKED, user, org=user.org, data={"count": count, "reason": reason})
        return count


def _role_paths(user: int) -> models.QuerySet:
    return RoleAssignment.objects.filter(user_id=user).values_list("role", "org__path")


def _org_name(pk: int) -> models.QuerySet:
    return User._meta.get_field("org").related_model.objects.filter(pk=pk).values_list("name")


# Read on every request: built and compiled by the ORM once per connection (core.sql.CompiledQuery).
_ROLE_PATHS = CompiledQuery(_role_paths, user=987_654_326)
_ORG_NAME = CompiledQuery(_org_name, pk=987_654_327)
