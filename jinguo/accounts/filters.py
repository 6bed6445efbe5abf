"""Filters of the account lists (the system administrator's users, the security administrator's roles)."""

import django_filters
from django.utils.translation import gettext_lazy

from jinguo.accounts.models import RoleAssignment, User
from jinguo.core.filters import OrgSubtreeFilter, ScopedFilterSet
from jinguo.core.roles import Role


class UserFilterSet(ScopedFilterSet):
    q_fields = ("username", "display_name")
    within = OrgSubtreeFilter()
    is_active = django_filters.BooleanFilter(label=gettext_lazy("启用"))

    class Meta:
        model = User
        fields = ["q", "within", "is_active"]


class RoleAssignmentFilterSet(ScopedFilterSet):
    q_fields = ("user__username", "user__display_name")
    role = django_filters.ChoiceFilter(label=gettext_lazy("角色"), choices=Role.choices)
    within = OrgSubtreeFilter()

    class Meta:
        model = RoleAssignment
        fields = ["q", "role", "within"]
