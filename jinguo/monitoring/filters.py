"""Filters of the monitoring lists (one FilterSet serves the page and the API)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from jinguo.core.filters import OrgSubtreeFilter, ScopedFilterSet
from jinguo.monitoring.models import Indicator, Submission


class SubmissionFilterSet(ScopedFilterSet):
    q_fields = ("dataset__name",)
    period = django_filters.CharFilter(label=_("统计期"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Submission.Status.choices)
    within = OrgSubtreeFilter()

    class Meta:
        model = Submission
        fields = ["q", "period", "status", "within"]


class IndicatorFilterSet(ScopedFilterSet):
    q_fields = ("name", "code", "domain")
    outline = django_filters.ChoiceFilter(label=_("纲要"), choices=Indicator.Outline.choices)

    class Meta:
        model = Indicator
        fields = ["q", "outline"]
