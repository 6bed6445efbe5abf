from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Case, F, Func, OuterRef, Subquery, Value, When
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from jinguo.accounts.models import User
from jinguo.core import views as generic
from jinguo.core.scope import scope_paths
from jinguo.orgs.filters import OrgUnitFilterSet
from jinguo.orgs.forms import OrgUnitForm
from jinguo.orgs.models import DIVISION_LEVELS, OrgUnit
from jinguo.orgs.tables import OrgUnitTable


def _count(queryset, path_lookup: str) -> Subquery:
    """COUNT(*) of rows whose org path lies under the outer unit's path, as a correlated subquery."""
    inner = queryset.filter(**{f"{path_lookup}__startswith": OuterRef("path")}).order_by()
    return Subquery(inner.annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])


# The counts the tree shows for each unit's subtree; domain apps add theirs here.
TREE_COUNTS = [
    ("n_units", _("下级单位"), lambda: _count(OrgUnit.objects.all(), "path")),
    ("n_users", _("用户"), lambda: _count(User.objects.filter(is_active=True), "org__path")),
]


def _with_counts(queryset):
    """Subtree counts, divisions before committees and member units."""
    divisions_first = Case(When(level__in=DIVISION_LEVELS, then=Value(0)), default=Value(1))
    return queryset.annotate(**{key: factory() for key, _label, factory in TREE_COUNTS}).order_by(
        divisions_first, "code")


class OrgTreeView(LoginRequiredMixin, View):
    """The tree from the user's own subtree roots down; children load on demand (htmx)."""

    def get(self, request):
        generic.require_scope(request.user, OrgUnit, "view")
        visible = OrgUnit.objects.visible_to(request.user, "view")
        parent = generic.object_from_query(request, visible, "node", _("上级单位"))
        if parent is not None:
            units = _with_counts(visible.filter(parent=parent)).select_related("agency_type")
            try:
                indent = max(0, min(5, int(request.GET.get("indent", 1))))
            except ValueError:
                indent = 1
            return render(request, "orgs/_tree_nodes.html", {"units": units, "counts": TREE_COUNTS,
                                                             "indent": indent})
        roots = scope_paths(request.user, OrgUnit.scope_roles["view"])
        units = _with_counts(visible.filter(path__in=roots)).select_related("agency_type")
        return render(request, "orgs/tree.html", {"units": units, "counts": TREE_COUNTS, "indent": 0})


class OrgUnitListView(generic.ObjectListView):
    queryset = OrgUnit.objects.all()
    table = OrgUnitTable
    filterset = OrgUnitFilterSet
    import_kind = "orgs"


class OrgUnitDetailView(generic.ObjectDetailView):
    queryset = OrgUnit.objects.all()
    template_name = "orgs/orgunit_detail.html"
    fields = ["code", "name", "level", "parent", "agency_type", "vintage", "is_active"]

    def get_extra_context(self, obj) -> dict:
        visible = OrgUnit.objects.visible_to(self.request.user, "view")
        return {"children": _with_counts(visible.filter(parent=obj)),
                "counts": TREE_COUNTS,
                "ancestors": [a for a in obj.ancestors() if visible.filter(pk=a.pk).exists()]}


class OrgUnitEditView(generic.ObjectEditView):
    queryset = OrgUnit.objects.all()
    form_class = OrgUnitForm


class OrgUnitDeleteView(generic.ObjectDeleteView):
    queryset = OrgUnit.objects.all()


class OrgUnitImportView(generic.ImportView):
    queryset = OrgUnit.objects.all()
    import_kind = "orgs"
