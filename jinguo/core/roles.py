"""Roles, assigned per user per org unit and covering that unit's subtree.

The three administrators follow 等保2.0's separation of duties (三员分立): each can do its own job and nothing
else — in particular none of them can read domain records (cases, ledgers, people) through their role.

The names are a vocabulary every model's `scope_roles` speaks (core's code tables and import jobs included), so
they sit in core; who holds which role where is `accounts.RoleAssignment`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("工作人员")
    PETITION_OFFICER = "petition_officer", _("信访专干")
    UNIT_LEADER = "unit_leader", _("单位负责人")
    AGENCY_CLERK = "agency_clerk", _("成员单位填报员")
    UPPER_VIEWER = "upper_viewer", _("上级查看")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")

    @classmethod
    def resolve(cls, text: str) -> "Role":
        """Accept a role by its key or its Chinese name (as the command line and imports do)."""
        text = text.strip()
        for role in cls:
            if text in (role.value, str(role.label)):
                return role
        raise ValueError(text)


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# Who reads and writes ordinary domain records (ledger activities, registries …) by default.
RECORD_ROLES = frozenset({Role.STAFF, Role.PETITION_OFFICER, Role.UNIT_LEADER})

# Every role sees the org units of its own subtree (to pick them in forms and filters).
ALL_ROLES = frozenset(Role)
