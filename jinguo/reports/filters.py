"""Filters of the report lists."""

import django_filters
from django.utils.translation import gettext_lazy as _

from jinguo.core.filters import OrgSubtreeFilter, ScopedFilterSet
from jinguo.reports.models import Summary


class SummaryFilterSet(ScopedFilterSet):
    q_fields = ("title",)
    period = django_filters.CharFilter(label=_("统计期"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Summary.Status.choices)
    within = OrgSubtreeFilter()

    class Meta:
        model = Summary
        fields = ["q", "period", "status", "within"]
