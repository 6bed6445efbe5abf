"""Filters of the registries: the unit subtree and, for person lists, exact search by ID number or phone."""

import django_filters
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jinguo.core.crypto import search_hash
from jinguo.core.filters import OrgSubtreeFilter, ScopedFilterSet


def person_filterset(model: type[models.Model]) -> type[ScopedFilterSet]:
    """Unit subtree and, for person lists, exact search by ID number or phone through the keyed hash."""

    def filter_identity(self, queryset, name, value):
        if not value.strip():
            return queryset
        hashed = search_hash(value.strip())
        return queryset.filter(Q(person__id_hash=hashed) | Q(person__phone_hash=hashed))

    attrs = {"within": OrgSubtreeFilter(), "Meta": type("Meta", (), {"model": model, "fields": ["within"]})}
    if any(f.name == "person" for f in model._meta.get_fields()):
        attrs["search"] = django_filters.CharFilter(label=_("身份证号/电话"), method="filter_identity")
        attrs["filter_identity"] = filter_identity
        attrs["Meta"].fields = ["within", "search"]
    return type(f"{model.__name__}FilterSet", (ScopedFilterSet,), attrs)
