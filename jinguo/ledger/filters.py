import django_filters
from django.utils.translation import gettext_lazy as _

from jinguo.core.filters import CodeChoiceFilter, IdChoiceFilter, OrgSubtreeFilter, ScopedFilterSet
from jinguo.ledger.models import Activity, Measure, PlanItem
from jinguo.ledger.sections import in_section


class ActivityFilterSet(ScopedFilterSet):
    q_fields = ("title", "place", "description")
    kind = CodeChoiceFilter(label=_("活动类型"), code_table="activity_kind")
    theme = CodeChoiceFilter(label=_("主题"), field_name="themes", code_table="activity_theme")
    date_from = django_filters.DateFilter(label=_("开始日期自"), field_name="start_date", lookup_expr="gte",
                                          widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(label=_("至"), field_name="start_date", lookup_expr="lte",
                                        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    within = OrgSubtreeFilter()
    measure = IdChoiceFilter(label=_("有此数据"), queryset=Measure.objects.filter(is_active=True),
                                               method="filter_measure")
    section = django_filters.CharFilter(label=_("总结栏目"), method="filter_section",
                                        widget=django_filters.widgets.forms.HiddenInput)

    class Meta:
        model = Activity
        fields = ["q", "kind", "theme", "date_from", "date_to", "within", "measure", "section"]

    def filter_section(self, queryset, name, value):
        """The activities a work summary counts under one line of work (the figures' links use it)."""
        return in_section(queryset, value) if value else queryset

    def filter_measure(self, queryset, name, value):
        return queryset.filter(figures__measure=value).distinct() if value else queryset


class PlanItemFilterSet(ScopedFilterSet):
    q_fields = ("title", "description")
    period = django_filters.CharFilter(label=_("计划期"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PlanItem.Status.choices)
    within = OrgSubtreeFilter()

    class Meta:
        model = PlanItem
        fields = ["q", "period", "status", "within"]
