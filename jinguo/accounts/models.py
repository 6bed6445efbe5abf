"""Users and their role assignments on the org tree."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinguo.accounts.roles import ADMIN_ROLES, Role
from jinguo.core.models import AuditedModel
from jinguo.core.scope import ScopedQuerySet


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
        return reverse("accounts:user_detail", args=[self.pk])

    def audit_org(self):
        return self.org

    # Roles ------------------------------------------------------------------------------------------------------
    def role_paths(self) -> list[tuple[str, str]]:
        """(role, org path) for every assignment; loaded once per user object (one query per request)."""
        if not hasattr(self, "_role_paths"):
            self._role_paths = list(self.role_assignments.values_list("role", "org__path"))
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
