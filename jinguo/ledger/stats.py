"""Ledger statistics for an org subtree and a period, computed with GROUP BY in the database.

Used by the work summary and the dashboard; each figure can be traced to the filtered activity list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, F, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jinguo.core.bulk import add_to_rows
from jinguo.core.models import CodeItem
from jinguo.core.periods import Period, month_key
from jinguo.core.routers import reports_read_replica
from jinguo.ledger.models import Activity, ActivityCell, ActivityFigure, Measure
from jinguo.orgs.models import OrgUnit, group_under, own_label


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


# --- the monthly roll-up (ActivityCell) ----------------------------------------------------------------------------

def _cell_sources(activities: QuerySet) -> list[QuerySet]:
    """The four GROUP BYs that give `activities`' contribution to the cells, as (org, month, kind, theme, measure,
    activities, total) rows: counts, figures, and both again per theme."""
    through = Activity.themes.through
    zero = Value(0, output_field=IntegerField())
    key = {"c_org": F("activity__org_id"), "c_month": TruncMonth("activity__start_date"),
           "c_kind": F("activity__kind_id")}
    counts = (activities.values(c_org=F("org_id"), c_month=TruncMonth("start_date"), c_kind=F("kind_id"),
                                c_theme=zero, c_measure=zero).annotate(c_n=Count("id"), c_total=zero).order_by())
    figures = (ActivityFigure.objects.filter(activity__in=activities)
               .values(**key, c_theme=zero, c_measure=F("measure_id"))
               .annotate(c_n=Count("id"), c_total=Sum("value")).order_by())
    theme_counts = (through.objects.filter(activity__in=activities)
                    .values(**key, c_theme=F("codeitem_id"), c_measure=zero)
                    .annotate(c_n=Count("id"), c_total=zero).order_by())
    theme_figures = (ActivityFigure.objects.filter(activity__in=activities, activity__themes__isnull=False)
                     .values(**key, c_theme=F("activity__themes__id"), c_measure=F("measure_id"))
                     .annotate(c_n=Count("id"), c_total=Sum("value")).order_by())
    return [counts, figures, theme_counts, theme_figures]


def add_to_cells(activities: QuerySet, sign: int = 1) -> None:
    """Add (sign=1) or take away (sign=-1) what `activities` contribute to the roll-up: one INSERT … SELECT …
    ON CONFLICT DO UPDATE per source, inside the caller's transaction, so concurrent writers add up instead of
    overwriting each other. Call with -1 before an activity changes or goes, with 1 once it is stored."""
    if sign < 0:  # before the rows it takes away are gone
        orgs = {org_id for org_id, in activities.values_list("org_id")}
    _write_cells(activities, sign, upsert=True)
    if sign < 0:
        ActivityCell.objects.filter(org_id__in=orgs, activities=0).delete()


class StoredActivity(NamedTuple):
    """An activity just stored, with its parts as the writer holds them: what the roll-ups need of it, so a bulk
    writer adds it to them without reading back what it has just written (`add_stored_to_cells`,
    `sections.add_stored_to_sections`)."""

    pk: int
    org_id: int
    start_date: dt.date
    kind_id: int
    theme_ids: Sequence[int]
    figures: Sequence[tuple[Measure, Decimal]]  # as stored: one per measure, values with at most two places


def add_stored_to_cells(activities: Iterable[StoredActivity]) -> None:
    """`add_to_cells(stored)` for activities whose parts are at hand (the bulk import): the sums of `_cell_sources`
    worked out here — per unit, month and kind, once over all and once per theme: the activity count and per
    measure the figures' count and total — and added in one upsert, instead of four GROUP BYs joining the new rows
    back to their figures and themes. The twin of `_cell_sources`: tests/ledger/test_cells.py holds both to a
    rebuild."""
    cells: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for activity in activities:
        month = activity.start_date.replace(day=1)
        for theme_id in (0, *activity.theme_ids):
            cells[month, activity.org_id, activity.kind_id, theme_id, 0][0] += 1
            for measure, value in activity.figures:
                cell = cells[month, activity.org_id, activity.kind_id, theme_id, measure.pk]
                cell[0] += 1
                cell[1] += value
    as_date, as_total = ActivityCell._meta.get_field("month"), ActivityCell._meta.get_field("total")
    add_to_rows(ActivityCell, ("month", "org_id", "kind_id", "theme_id", "measure_id"), ("activities", "total"),
                [(as_date.get_db_prep_save(month, connection), *rest, n, as_total.get_db_prep_save(total, connection))
                 for (month, *rest), (n, total) in cells.items()])


def rebuild_cells() -> int:
    """Recompute the whole roll-up from the activities (after bulk loads that bypass the services). Into an empty
    table the sources are plain inserts: no two of them share a key (theme and measure ids are never 0)."""
    ActivityCell.objects.all().delete()
    _write_cells(Activity.objects.all(), 1, upsert=False)
    return ActivityCell.objects.count()


def _write_cells(activities: QuerySet, sign: int, *, upsert: bool) -> None:
    table = connection.ops.quote_name(ActivityCell._meta.db_table)
    columns = "org_id, month, kind_id, theme_id, measure_id, activities, total"
    on_conflict = (f" ON CONFLICT (month, org_id, kind_id, theme_id, measure_id) DO UPDATE SET "
                   f"activities = {table}.activities + excluded.activities, total = {table}.total + excluded.total"
                   if upsert else "")
    for source in _cell_sources(activities):
        sql, params = source.query.sql_with_params()  # the table name comes from model meta, values are parameters
        insert = (f"INSERT INTO {table} ({columns}) SELECT c_org, c_month, c_kind, c_theme, c_measure, "  # noqa: S608
                  f"%s * c_n, %s * c_total FROM ({sql}) AS source WHERE true{on_conflict}")
        with connection.cursor() as cursor:
            cursor.execute(insert, [sign, sign, *params])


def activities_in(root: OrgUnit, period: Period, *, scope: str = "tree"):
    """The activities the statistics count: held by `root` (scope='self') or anywhere below it, in the period."""
    queryset = Activity.objects.filter(start_date__range=(period.start, period.end))
    if scope == "self":
        return queryset.filter(org=root)
    return queryset.filter(org__in=OrgUnit.objects.subtree(root).values("pk"))  # the same subtree as cells_in


def cells_in(root: OrgUnit, period: Period, *, scope: str = "tree") -> QuerySet:
    """The roll-up rows behind `activities_in(root, period, scope)` (periods are whole months). The subtree is a
    subquery, not a list of ids: a statistic reads most of the period's rows anyway, and a province's thousands of
    ids cost more to send and parse than the semi-join costs to run."""
    cells = ActivityCell.objects.filter(month__range=(period.start, period.end))
    if scope == "self":
        return cells.filter(org=root)
    return cells.filter(org__in=OrgUnit.objects.subtree(root).values("pk"))


@reports_read_replica
def ledger_stats(root: OrgUnit, period: Period, *, scope: str = "tree") -> LedgerStats:
    measures = {m.code: m for m in Measure.objects.all()}
    codes = {m.pk: code for code, m in measures.items()}
    cells = cells_in(root, period, scope=scope)
    plain, themed = cells.filter(theme_id=0), cells.exclude(theme_id=0)

    def grouped(queryset: QuerySet, *keys: str) -> list[tuple]:
        return list(queryset.values_list(*keys, "measure_id").annotate(n=Sum("activities"), t=Sum("total"))
                    .order_by())

    def sums(rows: list[tuple], index: int) -> tuple[dict, dict[str, dict[str, Decimal]]]:
        """Activity counts and figure totals per `row[index]`, added up over the rows' other keys."""
        counts: dict = defaultdict(int)
        figures: dict[str, dict[str, Decimal]] = defaultdict(dict)
        for row in rows:
            group, measure_id, n, total = row[index], row[-3], row[-2], row[-1]
            if measure_id:
                into = figures[str(group)]
                code = codes[measure_id]
                into[code] = into.get(code, Decimal(0)) + total
            else:
                counts[group] += n
        return counts, figures

    # Three scans of the period's cells: kind × month and kind × theme are small, and each gives two breakdowns.
    by_kind_month, by_kind_theme = grouped(plain, "kind_id", "month"), grouped(themed, "kind_id", "theme_id")
    names = {item.pk: item for item in CodeItem.objects.filter(table__slug__in=["activity_kind", "activity_theme"])}
    kind_counts, kind_figures = sums(by_kind_month, 0)
    by_kind = sorted((Group(str(kind), names[kind].name, n, kind_figures.get(str(kind), {}))
                      for kind, n in kind_counts.items()), key=lambda g: (-g.activities, names[int(g.key)].order))
    total_count = sum(kind_counts.values())  # every activity has exactly one kind: the kinds add up to the whole
    totals: dict[str, Decimal] = {}
    for group in by_kind:
        for code, value in group.totals.items():
            totals[code] = totals.get(code, Decimal(0)) + value
    theme_counts, theme_figures = sums(by_kind_theme, 1)
    by_theme = sorted((Group(str(theme), names[theme].name, n, theme_figures.get(str(theme), {}))
                       for theme, n in theme_counts.items()), key=lambda g: (-g.activities, names[int(g.key)].order))
    month_counts, month_figures = sums(by_kind_month, 1)
    present = {month_key(_as_date(month)): (n, month_figures.get(str(month), {})) for month, n in month_counts.items()}
    last = max([timezone.localdate(), *(_as_date(month) for month in month_counts)])
    by_month = [Group(key, label, *present.get(key, (0, {}))) for key, label in period.months(until=last)]
    org_counts, org_figures = sums(grouped(plain, "org_id"), 0)
    by_unit = _by_unit(root, org_counts, org_figures)
    kind_themes: dict[str, list[str]] = defaultdict(list)
    for kind, theme, _measure, _n, _total in sorted((row for row in by_kind_theme if not row[2]),
                                                   key=lambda row: (row[0], -row[3], names[row[1]].order)):
        kind_themes[str(kind)].append(names[theme].name)
    return LedgerStats(root, period, total_count, totals, by_kind, by_theme, by_month, by_unit, measures,
                       dict(kind_themes))


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _by_unit(root: OrgUnit, per_org_counts: dict[int, int], per_org_figures: dict[str, dict[str, Decimal]]
             ) -> list[Group]:
    """Activities and figures per direct child of `root` (the root's own activities count under "…本级")."""
    if not per_org_counts:
        return []
    groups: dict[int, Group] = {}
    for org_id, unit in group_under(root, per_org_counts).items():
        group = groups.setdefault(unit.pk, Group(unit.code, own_label(root) if unit.pk == root.pk else unit.name))
        group.activities += per_org_counts[org_id]
        for code, value in per_org_figures.get(str(org_id), {}).items():
            group.totals[code] = group.totals.get(code, Decimal(0)) + value
    return sorted(groups.values(), key=lambda g: g.key)


def compare(root: OrgUnit, period: Period, *, scope: str = "tree") -> tuple[LedgerStats, LedgerStats]:
    """This period and the same period a year earlier."""
    return ledger_stats(root, period, scope=scope), ledger_stats(root, period.year_earlier(), scope=scope)
