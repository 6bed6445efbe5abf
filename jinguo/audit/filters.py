"""Filters of the audit log page."""

import django_filters
from django.utils.translation import gettext_lazy

from jinguo.audit.models import AuditEntry
from jinguo.core.events import Event


class AuditEntryFilterSet(django_filters.FilterSet):
    time_after = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=gettext_lazy("起始日期"))
    time_before = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=gettext_lazy("截止日期"))
    actor_name = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("操作人"))
    kind = django_filters.ChoiceFilter(choices=AuditEntry.Kind.choices, label=gettext_lazy("类别"))
    action = django_filters.ChoiceFilter(choices=Event.choices, label=gettext_lazy("动作"))
    object_type = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("对象类型"))
    object_id = django_filters.CharFilter(label=gettext_lazy("对象编号"))
    ip = django_filters.CharFilter(label=gettext_lazy("来源地址"))

    class Meta:
        model = AuditEntry
        fields = ["time_after", "time_before", "actor_name", "kind", "action", "object_type", "object_id", "ip"]
