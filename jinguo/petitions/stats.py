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

from jinguo.core.numbers import shares
from jinguo.core.periods import Period
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
    return queryset.filter(org=root) if scope == "self" else queryset.filter(org__path__startswith=root.path)


def _rows(queryset, key: str, label: str, places: int = 1) -> list[Row]:
    values = list(queryset.values(key, label).annotate(n=Count("id"), p=Sum("headcount")).order_by())
    values.sort(key=lambda r: (-r["n"], str(r[label])))
    row_shares = shares([r["n"] for r in values], places)
    return [Row(str(r[key]), str(r[label] or ""), r["n"], r["p"] or 0, s) for r, s in zip(values, row_shares,
                                                                                            strict=True)]


@reports_read_replica
def petition_stats(root: OrgUnit, period: Period, *, scope: str = "tree", places: int = 1) -> PetitionStats:
    cases = cases_in(root, period, scope=scope)
    totals = cases.aggregate(n=Count("id"), p=Sum("headcount"),
                             dv=Count("id", filter=Q(flag_dv=True) | Q(subcategory__name="家庭暴力")),
                             repeat=Count("id", filter=Q(is_repeat=True)),
                             completed=Count("id", filter=Q(closed_on_time__isnull=False)),
                             on_time=Count("id", filter=Q(closed_on_time=True)))
    by_status = _rows(cases, "status", "status", places=places)
    labels = dict(Status.choices)
    for row in by_status:
        row.label = str(labels.get(row.key, row.key))
    months = [Row(m["month"].strftime("%Y-%m") if hasattr(m["month"], "strftime") else str(m["month"])[:7],
                  f"{m['month'].month}月", m["n"], m["p"] or 0)
              for m in cases.annotate(month=TruncMonth("received_at")).values("month")
              .annotate(n=Count("id"), p=Sum("headcount")).order_by("month")]
    repeat_people = (Petitioner.objects.filter(case__in=cases).exclude(id_hash="", phone_hash="")
                     .filter(case__is_repeat=True).values("id_hash", "phone_hash").distinct().count())
    referrals = [
        Row(str(r["agency_type_id"]), r["agency_type__name"], r["n"], r["n"])
        for r in Referral.objects.filter(case__in=cases).values("agency_type_id", "agency_type__name")
        .annotate(n=Count("id")).order_by("-n", "agency_type__name")]
    return PetitionStats(
        root=root, period=period, cases=totals["n"], people=totals["p"] or 0,
        by_channel=_rows(cases, "channel_id", "channel__name", places=places),
        by_category=_rows(cases, "category_id", "category__name", places=places),
        by_subcategory=_rows(cases.filter(subcategory__isnull=False), "subcategory_id", "subcategory__name",
                             places=places),
        by_status=by_status, by_month=months, by_unit=_by_unit(root, cases, places),
        dv_cases=totals["dv"], repeat_cases=totals["repeat"], repeat_petitioners=repeat_people,
        completed=totals["completed"], completed_on_time=totals["on_time"], referrals_by_agency=referrals)


def _by_unit(root: OrgUnit, cases, places: int) -> list[Row]:
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
