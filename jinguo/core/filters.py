"""Base filter set: org choices limited to the user's scope, and an org-subtree filter."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from jinguo.core.forms import CodeChoiceField, CompactSelect, code_items
from jinguo.core.scope import ScopedQuerySet, org_model, subtree_keys
from jinguo.core.sql import AnyOf

YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class ScopedFilterSet(django_filters.FilterSet):
    """Every model-choice filter only offers what the requesting user may see."""

    q_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label=_("关键词"), method="filter_q")

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for flt in self.filters.values():
            if isinstance(flt, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                if flt.extra.get("empty_label") in (None, "---------"):  # django-filter's default dashes
                    flt.extra["empty_label"] = _("全部")
                flt.extra.setdefault("widget", CompactSelect)
            elif isinstance(flt, django_filters.BooleanFilter):  # Django's "未知" would read as a third state
                flt.extra.setdefault("widget", CompactSelect(choices=YES_NO))
            queryset = getattr(flt, "queryset", None)  # django-filter's model-choice filters keep it here
            if isinstance(queryset, ScopedQuerySet):
                flt.queryset = queryset.visible_to(user, "view")
        if not self.q_fields:
            self.filters.pop("q", None)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field_name in self.q_fields:
            condition |= Q(**{f"{field_name}__icontains": value})
        return queryset.filter(condition)


@extend_schema_field(OpenApiTypes.INT)
class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """One record chosen by id (typed for the API schema, whatever `method` filters with it)."""


@extend_schema_field(OpenApiTypes.INT)
class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    """One item of a code table (`code_table`; `top_level`: its items without a parent), its options read by a
    compiled query (`core.forms.CodeChoiceField`)."""

    field_class = CodeChoiceField

    def __init__(self, *args, code_table: str, top_level: bool = False, **kwargs) -> None:
        kwargs["queryset"] = code_items(code_table, top_level)
        super().__init__(*args, code_table=code_table, top_level=top_level, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class OrgSubtreeFilter(django_filters.ModelChoiceFilter):
    """'This unit and everything below it' for the record's org (a prefix match on the materialised path)."""

    def __init__(self, *args, org_field: str = "org", **kwargs) -> None:
        kwargs.setdefault("queryset", org_model().objects.only("id", "name"))  # a picker of names: nothing else read
        kwargs.setdefault("label", _("单位（含下级）"))
        super().__init__(*args, **kwargs)
        self.org_field = org_field

    def filter(self, qs, value):
        if not value:
            return qs
        if not self.org_field:
            return qs.filter(path__startswith=value.path)
        return qs.filter(AnyOf(self.org_field, subtree_keys([value.path])))
