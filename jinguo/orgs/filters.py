import django_filters
from django.utils.translation import gettext_lazy as _

from jinguo.core.filters import OrgSubtreeFilter, ScopedFilterSet
from jinguo.orgs.models import Level, OrgUnit


class OrgUnitFilterSet(ScopedFilterSet):
    q_fields = ("code", "name")
    level = django_filters.ChoiceFilter(label=_("级别"), choices=Level.choices)
    within = OrgSubtreeFilter(org_field="")
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = OrgUnit
        fields = ["q", "level", "within", "is_active"]
