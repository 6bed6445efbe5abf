"""Ledger statistics for an org subtree and a period, computed with GROUP BY in the database.

Used by the work summary and the dashboard; each figure can be traced to the filtered activity list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from jinguo.core.periods import Period
from jinguo.core.routers import reports_read_replica
from jinguo.ledger.models import Activity, ActivityFigure, Measure
from jinguo.orgs.models import OrgUnit, group_under


@dataclass
class Group:
    """One row of a breakdown: a kind, a theme, a month or a unit, with its activity count and figure totals."""

    key: str
    label: str
    activities: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)  # measure code → total


@dataclass
class LedgerStats:
    root: OrgUnit
    period: Period
    activities: int
    totals: dict[str, Decimal]
    by_kind: list[Group]
    by_theme: list[Group]
    by_month: list[Group]
    by_unit: list[Group]
    measures: dict[str, Measure]
    kind_themes: dict[str, list[str]] = field(default_factory=dict)  # kind key → its themes, most used first

    def total(self, code: str) -> Decimal:
        return self.totals.get(code, Decimal(0))

    def funds(self) -> dict[str, Decimal]:
        """Money given out and received in the period."""
        out = {"out": Decimal(0), "in": Decimal(0)}
        for code, value in self.totals.items():
            direction = self.measures[code].direction
            if direction:
                out[direction] += value
        return out


def activities_in(root: OrgUnit, period: Period, *, scope: str = "tree"):
    """The activities the statistics count: held by `root` (scope='self') or anywhere below it, in the period."""
    queryset = Activity.objects.filter(start_date__range=(period.start, period.end))
    if scope == "self":
        return queryset.filter(org=root)
    return queryset.filter(org__path__startswith=root.path)


def _figure_groups(activities, key: str) -> dict[str, dict[str, Decimal]]:
    out: dict[str, dict[str, Decimal]] = defaultdict(dict)
    rows = (ActivityFigure.objects.filter(activity__in=activities).values(key, "measure__code")
            .annotate(total=Sum("value")).order_by())
    for row in rows:
        if row[key] is not None:
            out[str(row[key])][row["measure__code"]] = row["total"]
    return out


@reports_read_replica
def ledger_stats(root: OrgUnit, period: Period, *, scope: str = "tree") -> LedgerStats:
    activities = activities_in(root, period, scope=scope)
    measures = {m.code: m for m in Measure.objects.all()}
    totals = {row["measure__code"]: row["total"] for row in ActivityFigure.objects.filter(
        activity__in=activities).values("measure__code").annotate(total=Sum("value")).order_by()}

    kind_figures = _figure_groups(activities, "activity__kind_id")
    by_kind = [Group(str(row["kind_id"]), row["kind__name"], row["n"], kind_figures.get(str(row["kind_id"]), {}))
               for row in activities.values("kind_id", "kind__name", "kind__order").annotate(n=Count("id"))
               .order_by("-n", "kind__order")]

    theme_figures = _figure_groups(activities, "activity__themes__id")
    by_theme = [Group(str(row["themes__id"]), row["themes__name"], row["n"],
                      theme_figures.get(str(row["themes__id"]), {}))
                for row in activities.filter(themes__isnull=False).values("themes__id", "themes__name", "themes__order")
                .annotate(n=Count("id", distinct=True)).order_by("-n", "themes__order")]

    month_counts = {row["month"]: row["n"] for row in activities.annotate(month=TruncMonth("start_date"))
                    .values("month").annotate(n=Count("id")).order_by()}
    month_figures: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in (ActivityFigure.objects.filter(activity__in=activities)
                .annotate(month=TruncMonth("activity__start_date")).values("month", "measure__code")
                .annotate(total=Sum("value")).order_by()):
        month_figures[_month_key(row["month"])][row["measure__code"]] = row["total"]
    by_month = [Group(_month_key(month), f"{_as_date(month).month}月", n, month_figures.get(_month_key(month), {}))
                for month, n in sorted(month_counts.items(), key=lambda item: _as_date(item[0]))]

    by_unit = _by_unit(root, activities)
    kind_themes: dict[str, list[str]] = defaultdict(list)
    for row in (activities.filter(themes__isnull=False).values("kind_id", "themes__name", "themes__order")
                .annotate(n=Count("id")).order_by("kind_id", "-n", "themes__order")):
        kind_themes[str(row["kind_id"])].append(row["themes__name"])
    return LedgerStats(root, period, activities.count(), totals, by_kind, by_theme, by_month, by_unit, measures,
                       dict(kind_themes))


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _month_key(value) -> str:
    return _as_date(value).strftime("%Y-%m")


def _by_unit(root: OrgUnit, activities) -> list[Group]:
    """Activities and figures per direct child of `root` (the root's own activities count under itself)."""
    per_org_counts = dict(activities.values_list("org_id").annotate(n=Count("id")).order_by())
    per_org_figures = _figure_groups(activities, "activity__org_id")
    if not per_org_counts:
        return []
    groups: dict[int, Group] = {}
    for org_id, unit in group_under(root, per_org_counts).items():
        group = groups.setdefault(unit.pk, Group(unit.code, unit.name))
        group.activities += per_org_counts[org_id]
        for code, value in per_org_figures.get(str(org_id), {}).items():
            group.totals[code] = group.totals.get(code, Decimal(0)) + value
    return sorted(groups.values(), key=lambda g: g.key)


def compare(root: OrgUnit, period: Period, *, scope: str = "tree") -> tuple[LedgerStats, LedgerStats]:
    """This period and the same period a year earlier."""
    return ledger_stats(root, period, scope=scope), ledger_stats(root, period.year_earlier(), scope=scope)
