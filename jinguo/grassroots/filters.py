import django_filters
from django.utils.translation import gettext_lazy as _

from jinguo.core.filters import CodeChoiceFilter, OrgSubtreeFilter, ScopedFilterSet
from jinguo.grassroots.models import KIND_TABLE, OrgProfile


class OrgProfileFilterSet(ScopedFilterSet):
    q_fields = ("org__name", "org__code", "chair_name", "home_address")
    kind = CodeChoiceFilter(label=_("组织类型"), code_table=KIND_TABLE)
    has_home = django_filters.ChoiceFilter(label=_("妇女之家"), choices=[("1", _("有")), ("0", _("无"))],
                                           method="filter_home")
    within = OrgSubtreeFilter()

    class Meta:
        model = OrgProfile
        fields = ["q", "kind", "has_home", "within"]

    def filter_home(self, queryset, name, value):
        return queryset.filter(has_home=value == "1") if value in ("0", "1") else queryset
