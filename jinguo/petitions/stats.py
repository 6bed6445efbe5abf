"""Petition statistics for an org subtree and a period, with GROUP BY in the database.

Counts are 件 (cases) and 人次 (headcount). Shares come from the same counts (core.numbers.shares).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jinguo.core.models import CodeItem
from jinguo.core.numbers import shares
from jinguo.core.periods import Period, month_key
from jinguo.core.routers import reports_read_replica
from jinguo.orgs.models import OrgUnit, group_under
from jinguo.petitions.models import Case, Petitioner, Referral, Status


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
    repeat_petitioners: int
    completed: int
    completed_on_time: int
    referrals_by_agency: list[Row] = field(default_factory=list)

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.completed:
            return None
        return (Decimal(self.completed_on_time) * 100 / self.completed).quantize(Decimal("0.1"))


def cases_in(root: OrgUnit, period: Period, *, scope: str = "tree"):
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    queryset = Case.objects.filter(received_at__gte=start, received_at__lt=end)
    if scope == "self":
        return queryset.filter(org=root)
    return queryset.filter(org__in=OrgUnit.objects.subtree(root).values("pk"))  # a semi-join (see ledger.stats)


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
def petition_stats(root: OrgUnit, period: Period, *, scope: str = "tree", places: int = 1) -> PetitionStats:
    """Two scans of the period's cases: one GROUP BY over the small dimensions (month, channel, category,
    subcategory, status) from which every breakdown and total is added up here, and one by unit."""
    cases = cases_in(root, period, scope=scope)
    groups = list(cases.annotate(month=TruncMonth("received_at"))
                  .values("month", "channel_id", "category_id", "subcategory_id", "status")
                  .annotate(n=Count("id"), p=Sum("headcount"), dv=Count("id", filter=Q(flag_dv=True)),
                            repeat=Count("id", filter=Q(is_repeat=True)),
                            completed=Count("id", filter=Q(closed_on_time__isnull=False)),
                            on_time=Count("id", filter=Q(closed_on_time=True))).order_by())
    names = dict(CodeItem.objects.filter(table__slug__in=["petition_channel", "petition_category"])
                 .values_list("pk", "name"))
    tallies: dict[str, dict] = {key: {} for key in ("month", "channel_id", "category_id", "subcategory_id",
                                                   "status")}
    totals = dict.fromkeys(("n", "p", "dv", "repeat", "completed", "on_time"), 0)
    for group in groups:
        group["p"] = group["p"] or 0
        for key, tally in tallies.items():
            if group[key] is not None:
                entry = tally.setdefault(group[key], [0, 0])
                entry[0] += group["n"]
                entry[1] += group["p"]
        dv = group["n"] if names.get(group["subcategory_id"]) == "家庭暴力" else group["dv"]
        for name, value in (("n", group["n"]), ("p", group["p"]), ("dv", dv), ("repeat", group["repeat"]),
                            ("completed", group["completed"]), ("on_time", group["on_time"])):
            totals[name] += value
    labels = dict(Status.choices)
    by_key = {month_key(month): counts for month, counts in tallies["month"].items()}
    months = [Row(key, label, *by_key.get(key, (0, 0)))
              for key, label in period.months(until=max([timezone.localdate(), *map(_month_end, by_key)]))]
    repeat_people = (Petitioner.objects.filter(case__in=cases).exclude(id_hash="", phone_hash="")
                     .filter(case__is_repeat=True).values("id_hash", "phone_hash").distinct().count())
    referrals = [
        Row(str(r["agency_type_id"]), r["agency_type__name"], r["n"], r["n"])
        for r in Referral.objects.filter(case__in=cases).values("agency_type_id", "agency_type__name")
        .annotate(n=Count("id")).order_by("-n", "agency_type__name")]
    return PetitionStats(
        root=root, period=period, cases=totals["n"], people=totals["p"],
        by_channel=_ranked(tallies["channel_id"], names.get, places),
        by_category=_ranked(tallies["category_id"], names.get, places),
        by_subcategory=_ranked(tallies["subcategory_id"], names.get, places),
        by_status=_ranked(tallies["status"], lambda key: labels.get(key, key), places), by_month=months,
        by_unit=_by_unit(root, cases, places),
        dv_cases=totals["dv"], repeat_cases=totals["repeat"], repeat_petitioners=repeat_people,
        completed=totals["completed"], completed_on_time=totals["on_time"], referrals_by_agency=referrals)


def _by_unit(root: OrgUnit, cases, places: int) -> list[Row]:
    """Cases per direct child of `root` (the root's own cases count under itself), in code order."""
    per_org = {r["org_id"]: (r["n"], r["p"] or 0) for r in cases.values("org_id")
               .annotate(n=Count("id"), p=Sum("headcount")).order_by()}
    if not per_org:
        return []
    grouped: dict[str, list] = {}
    for org_id, unit in group_under(root, per_org).items():
        entry = grouped.setdefault(unit.code, [unit.name, 0, 0])
        entry[1] += per_org[org_id][0]
        entry[2] += per_org[org_id][1]
    rows = [Row(code, name, n, p) for code, (name, n, p) in sorted(grouped.items())]
    for row, share in zip(rows, shares([r.cases for r in rows], places), strict=True):
        row.share = share
    return rows


def compare(root: OrgUnit, period: Period, *, scope: str = "tree") -> tuple[PetitionStats, PetitionStats]:
    return petition_stats(root, period, scope=scope), petition_stats(root, period.year_earlier(), scope=scope)
