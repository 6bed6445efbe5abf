"""Filters of the report lists."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinguo.core.filters import OrgSubtreeFilter, ScopedFilterSet
from jinguo.core.periods import Period
from jinguo.reports.models import Summary


def _recent_periods() -> list[tuple[str, str]]:
    """The years and half-years a summary is written for, this year's first, five years back."""
    year = timezone.localdate().year
    return [(str(period), period.label) for y in range(year, year - 5, -1)
            for period in (Period(y), Period(y, "H", 1), Period(y, "H", 2))]


class SummaryFilterSet(ScopedFilterSet):
    q_fields = ("title",)
    period = django_filters.ChoiceFilter(label=_("统计期"), choices=lambda: _recent_periods())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Summary.Status.choices)
    within = OrgSubtreeFilter()

    class Meta:
        model = Summary
        fields = ["q", "period", "status", "within"]
