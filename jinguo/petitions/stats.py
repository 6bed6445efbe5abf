"""Petition statistics for an org subtree and a period, with GROUP BY in the database.

Counts are 件 (cases) and 人次 (headcount). Shares come from the same counts (core.numbers.shares).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DateField, F, Func, IntegerField, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from jinguo.core.models import CodeItem
from jinguo.core.numbers import shares
from jinguo.core.periods import Period, month_key
from jinguo.core.routers import reports_read_replica
from jinguo.core.sql import AnyOf, CompiledQuery, Keys, totals
from jinguo.orgs.models import OrgUnit, group_under, own_label
from jinguo.petitions.models import Case, CaseCell, Referral, Status


@dataclass
class Row:
    key: str
    label: str
    cases: int
    people: int
    share: Decimal = Decimal(0)


@dataclass
class PetitionStats:
    root: OrgUnit
    period: Period
    cases: int
    people: int
    by_channel: list[Row]
    by_category: list[Row]
    by_subcategory: list[Row]
    by_status: list[Row]
    by_month: list[Row]
    by_unit: list[Row]
    dv_cases: int
    repeat_cases: int
    completed: int
    completed_on_time: int
    referrals_by_agency: list[Row] = field(default_factory=list)

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.completed:
            return None
        return (Decimal(self.completed_on_time) * 100 / self.completed).quantize(Decimal("0.1"))


# --- the monthly roll-up (CaseCell) --------------------------------------------------------------------------------

# The fields of a case the roll-up keys or counts: a save that changes none of them leaves the cells alone.
CELL_FIELDS = frozenset({"org", "received_at", "channel", "category", "subcategory", "status", "headcount", "flag_dv",
                         "is_repeat", "closed_on_time"})
_KEY = "month, org_id, channel_id, category_id, subcategory_id, status"
_COUNTS = ("cases", "people", "dv", "repeat", "completed", "on_time")


def _cell_source(cases: QuerySet) -> QuerySet:
    """`cases`' contribution to the cells as one GROUP BY: (month, org, channel, category, subcategory, status) and
    the six counts."""
    return (cases.values(c_month=TruncMonth("received_at", output_field=DateField()), c_org=F("org_id"),
                         c_channel=F("channel_id"), c_category=F("category_id"),
                         c_sub=Coalesce("subcategory_id", Value(0), output_field=IntegerField()), c_status=F("status"))
            .annotate(c_cases=Count("id"), c_people=Coalesce(Sum("headcount"), 0),
                      c_dv=Count("id", filter=Q(flag_dv=True)), c_repeat=Count("id", filter=Q(is_repeat=True)),
                      c_completed=Count("id", filter=Q(closed_on_time__isnull=False)),
                      c_on_time=Count("id", filter=Q(closed_on_time=True)))
            .order_by())


def _write_cells(cases: QuerySet, sign: int, *, upsert: bool) -> None:
    table = connection.ops.quote_name(CaseCell._meta.db_table)
    quote = connection.ops.quote_name
    counts = ", ".join(quote(c) for c in _COUNTS)
    on_conflict = (f" ON CONFLICT ({_KEY}) DO UPDATE SET "
                   + ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in _COUNTS)
                   if upsert else "")
    sql, params = _cell_source(cases).query.sql_with_params()  # names from model meta, values are parameters
    scaled = ", ".join(f"%s * c_{c}" for c in _COUNTS)
    insert = (f"INSERT INTO {table} ({_KEY}, {counts}) SELECT c_month, c_org, c_channel, c_category, "  # noqa: S608
              f"c_sub, c_status, {scaled} FROM ({sql}) AS source WHERE true{on_conflict}")
    with connection.cursor() as cursor:
        cursor.execute(insert, [*([sign] * len(_COUNTS)), *params])


def add_to_cells(cases: QuerySet, sign: int = 1) -> None:
    """Add (sign=1) or take away (sign=-1) what `cases` contribute to the roll-up, with one INSERT … SELECT … ON
    CONFLICT DO UPDATE inside the caller's transaction, so concurrent writers add up instead of overwriting each
    other. Call with -1 before a case changes or goes, with 1 once it is stored (`Case.save` does both)."""
    if sign < 0:  # before the rows it takes away are gone
        orgs = {org_id for org_id, in cases.values_list("org_id")}
    _write_cells(cases, sign, upsert=True)
    if sign < 0 and orgs:
        CaseCell.objects.filter(org_id__in=orgs, cases=0).delete()


def rebuild_cells() -> int:
    """Recompute the whole roll-up from the cases (after bulk loads past `Case.save`): into an empty table the
    GROUP BY's rows are plain inserts."""
    CaseCell.objects.all().delete()
    _write_cells(Case.objects.all(), 1, upsert=False)
    return CaseCell.objects.count()


def visible_case_count(user, action: str = "view") -> int:
    """How many cases `Case.objects.visible_to(user, action)` holds, from the roll-up instead of counting them: the
    cells of the units in scope, plus the cases registered outside it and handed down to a unit in it (交办), which
    the handling unit sees but whose cell is the registering unit's. One query, compiled once per connection."""
    units = Case.objects.units_for(user, action)
    if units is None:
        return 0
    (total,), = _VISIBLE_COUNT.rows(Case.objects.db, units=units)
    return total or 0


def _visible_count(units: Keys) -> QuerySet:
    handed_down = (Case.objects.filter(AnyOf("handler", units)).exclude(AnyOf("org", units)).order_by()
                   .values(n=Func(function="COUNT", template="COUNT(*)", output_field=IntegerField())))
    return totals(CaseCell.objects.filter(AnyOf("org", units)),
                  n=Coalesce(Sum("cases"), 0) + Subquery(handed_down, output_field=IntegerField()))


_VISIBLE_COUNT = CompiledQuery(_visible_count, units=Keys([987654331, 987654332]))  # no unit has these ids


def cells_in(root: OrgUnit, period: Period, *, scope: str = "tree") -> QuerySet:
    """The roll-up rows behind `cases_in(root, period, scope)` (periods are whole months)."""
    return _cells_between(root, period.start, period.end, scope)


def _cells_between(root: OrgUnit, start: dt.date, end: dt.date, scope: str) -> QuerySet:
    cells = CaseCell.objects.filter(month__range=(start, end))
    if scope == "self":
        return cells.filter(org=root)
    return cells.filter(org__in=OrgUnit.objects.subtree(root).values("pk"))


def received_between(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as the instants its cases were received in: from its first midnight to the one after it."""
    return (timezone.make_aware(dt.datetime.combine(period.start, dt.time.min)),
            timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min)))


def cases_in(root: OrgUnit, period: Period, *, scope: str = "tree"):
    return cases_between(root, *received_between(period), scope)


def cases_between(root: OrgUnit, start: dt.datetime, end: dt.datetime, scope: str) -> QuerySet:
    """`cases_in` for the instants `start` (included) to `end` (excluded): what a compiled query builds on."""
    queryset = Case.objects.filter(received_at__gte=start, received_at__lt=end)
    if scope == "self":
        return queryset.filter(org=root)
    return queryset.filter(org__in=OrgUnit.objects.subtree(root).values("pk"))  # a semi-join (see ledger.stats)


# --- petition_stats' queries, compiled once per connection (core.sql.CompiledQuery) ---------------------------------
# Dashboards and every work summary ask them twice (the period and a year earlier): the ORM's building and compiling
# cost as much as the database's answer. Compiled by scope; run with the unit (its id for 'self', its path for
# 'tree') and the period's bounds.

_SENTINEL_UNIT = {"self": {"org_id": 987_654_321}, "tree": {"path": "/~petition-stats~/"}}
_SENTINEL_DAYS = {"start": dt.date(1901, 2, 3), "end": dt.date(1901, 3, 4)}
_SENTINEL_INSTANTS = {"start": dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
                      "end": dt.datetime(1901, 3, 4, 5, 6, 7, tzinfo=dt.UTC)}


def _by_scope(build, sentinels: dict) -> dict[str, CompiledQuery]:
    """`build(root, start, end, scope)` compiled for both scopes."""
    def compiled(scope: str) -> CompiledQuery:
        return CompiledQuery(lambda start, end, org_id=None, path=None: build(OrgUnit(pk=org_id, path=path), start,
                                                                               end, scope),
                             **_SENTINEL_UNIT[scope], **sentinels)

    return {scope: compiled(scope) for scope in _SENTINEL_UNIT}


def _unit(root: OrgUnit, scope: str) -> dict:
    return {"org_id": root.pk} if scope == "self" else {"path": root.path}


_GROUPS = _by_scope(lambda root, start, end, scope: _cells_between(root, start, end, scope)
                    .values("month", "channel_id", "category_id", "subcategory_id", "status")
                    .annotate(n=Sum("cases"), p=Sum("people"), dv=Sum("dv"), repeat=Sum("repeat"),
                              completed=Sum("completed"), on_time=Sum("on_time")).order_by(), _SENTINEL_DAYS)
_PER_ORG = _by_scope(lambda root, start, end, scope: _cells_between(root, start, end, scope)
                     .values("org_id").annotate(n=Sum("cases"), p=Sum("people")).order_by(), _SENTINEL_DAYS)
_REFERRALS = _by_scope(lambda root, start, end, scope: Referral.objects
                       .filter(case__in=cases_between(root, start, end, scope))
                       .values("agency_type_id", "agency_type__name").annotate(n=Count("id"))
                       .order_by("-n", "agency_type__name"), _SENTINEL_INSTANTS)
_COUNT = _by_scope(lambda root, start, end, scope: totals(_cells_between(root, start, end, scope),
                                                           n=Coalesce(Sum("cases"), 0)), _SENTINEL_DAYS)
_NAMES = CompiledQuery(lambda: CodeItem.objects.filter(table__slug__in=["petition_channel", "petition_category"])
                       .values_list("pk", "name"))


def _month_end(key: str) -> dt.date:
    year, month = map(int, key.split("-"))
    return dt.date(year, month, 28)


def _ranked(tally: dict, label_of, places: int) -> list[Row]:
    """Rows from {key: [cases, people]}, largest first, with shares computed from those same counts."""
    rows = sorted((Row(str(key), str(label_of(key) or ""), n, p) for key, (n, p) in tally.items()),
                  key=lambda row: (-row.cases, row.label))
    for row, share in zip(rows, shares([row.cases for row in rows], places), strict=True):
        row.share = share
    return rows


@reports_read_replica
def petition_stats(root: OrgUnit, period: Period, *, scope: str = "tree", places: int = 1,
                   by_unit: bool = True) -> PetitionStats:
    """From the roll-up (`CaseCell`), not the cases: one GROUP BY over the small dimensions (month, channel,
    category, subcategory, status) from which every breakdown and total is added up here, and one by unit (left
    out, `by_unit` empty, with `by_unit=False`: a work summary states none of it). Only the referrals read the
    period's cases."""
    start, end = received_between(period)
    database = CaseCell.objects.db  # the replica's alias inside reports_read_replica
    days = {"start": period.start, "end": period.end, **_unit(root, scope)}
    names = dict(_NAMES.rows(CodeItem.objects.db))
    tallies: dict[str, dict] = {key: {} for key in ("month", "channel_id", "category_id", "subcategory_id",
                                                   "status")}
    totals = dict.fromkeys(("n", "p", "dv", "repeat", "completed", "on_time"), 0)
    for *keys, n, p, dv, repeat, completed, on_time in _GROUPS[scope].rows(database, **days):
        p = p or 0
        keys[3] = keys[3] or None  # 0 in the roll-up: no subcategory
        for key, tally in zip(keys, tallies.values(), strict=True):
            if key is not None:
                entry = tally.setdefault(key, [0, 0])
                entry[0] += n
                entry[1] += p
        for name, value in (("n", n), ("p", p), ("dv", n if names.get(keys[3]) == "家庭暴力" else dv),
                            ("repeat", repeat), ("completed", completed), ("on_time", on_time)):
            totals[name] += value
    labels = dict(Status.choices)
    by_key = {month_key(month): counts for month, counts in tallies["month"].items()}
    months = [Row(key, label, *by_key.get(key, (0, 0)))
              for key, label in period.months(until=max([timezone.localdate(), *map(_month_end, by_key)]))]
    referrals = [Row(str(r["agency_type_id"]), r["agency_type__name"], r["n"], r["n"])
                 for r in _REFERRALS[scope].dicts(Referral.objects.db, start=start, end=end, **_unit(root, scope))]
    return PetitionStats(
        root=root, period=period, cases=totals["n"], people=totals["p"],
        by_channel=_ranked(tallies["channel_id"], names.get, places),
        by_category=_ranked(tallies["category_id"], names.get, places),
        by_subcategory=_ranked(tallies["subcategory_id"], names.get, places),
        by_status=_ranked(tallies["status"], lambda key: labels.get(key, key), places), by_month=months,
        by_unit=_by_unit(root, _PER_ORG[scope].rows(database, **days), places) if by_unit else [],
        dv_cases=totals["dv"], repeat_cases=totals["repeat"],
        completed=totals["completed"], completed_on_time=totals["on_time"], referrals_by_agency=referrals)


@reports_read_replica
def case_count(root: OrgUnit, period: Period, *, scope: str = "tree") -> int:
    """`petition_stats(root, period, scope=scope).cases` alone, in one query on the roll-up: for a comparison with an
    earlier period, which needs nothing else of it."""
    (count,), = _COUNT[scope].rows(CaseCell.objects.db, start=period.start, end=period.end, **_unit(root, scope))
    return count


def _by_unit(root: OrgUnit, per_unit: list[tuple], places: int) -> list[Row]:
    """Cases per direct child of `root` (the root's own cases count under "…本级"), in code order, from the cells'
    (org id, cases, people) rows."""
    per_org = {org_id: (n, p or 0) for org_id, n, p in per_unit}
    if not per_org:
        return []
    grouped: dict[str, list] = {}
    for org_id, unit in group_under(root, per_org).items():
        entry = grouped.setdefault(unit.code, [own_label(root) if unit.pk == root.pk else unit.name, 0, 0])
        entry[1] += per_org[org_id][0]
        entry[2] += per_org[org_id][1]
    rows = [Row(code, name, n, p) for code, (name, n, p) in sorted(grouped.items())]
    for row, share in zip(rows, shares([r.cases for r in rows], places), strict=True):
        row.share = share
    return rows


