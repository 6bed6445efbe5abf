"""The grassroots survey (基层组织建设情况调查) of a unit and its subtree, for a period, and its sentence in the work
summary. Counts come from the yearly snapshots, grouped in the database: a past year's survey keeps its figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from jinguo.core.numbers import count_text, money_text
from jinguo.core.periods import Period
from jinguo.core.sql import totals
from jinguo.grassroots.models import KIND_TABLE, TERM_YEARS, VILLAGE_KINDS, ProfileSnapshot, years_after
from jinguo.orgs.models import OrgUnit, UnitQuery, own_label


@dataclass
class KindFigures:
    """One organisation kind (or one unit below, in the return): how many, with/without 妇女之家, 执委, funding."""

    code: str
    name: str
    count: int = 0
    with_home: int = 0
    executives: int = 0
    funding: Decimal = Decimal(0)
    elections_due: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)  # kind code → count (the return's columns)

    @property
    def without_home(self) -> int:
        return self.count - self.with_home


@dataclass
class Survey:
    org_name: str
    period: Period
    kinds: list[KindFigures] = field(default_factory=list)
    total: KindFigures = field(default_factory=lambda: KindFigures("", _("合计")))
    village: KindFigures = field(default_factory=lambda: KindFigures("village", _("村（社区）妇联")))

    @property
    def empty(self) -> bool:
        return self.total.count == 0


def snapshots_of(root, period: Period):
    """Each profile under `root` as it stood in the period's last year: its latest snapshot of that year or before."""
    # The subtree as a semi-join: a list of ids was sent and parsed again by each query of the survey.
    return _snapshots_until(root, period.end.year)


def _fill(target: KindFigures, values: dict) -> KindFigures:
    target.count, target.with_home = values["count"] or 0, values["with_home"] or 0
    target.executives, target.funding = values["executives"] or 0, values["funding"] or Decimal(0)
    target.elections_due = values["elections_due"] or 0
    return target


def due_cutoff(period: Period) -> dt.date:
    """Organisations elected on or before this date are due for 换届 by the end of the period."""
    return years_after(period.end, -TERM_YEARS)


def _snapshots_until(root, year: int):
    """`snapshots_of` for a period ending in `year`."""
    latest = (ProfileSnapshot.objects.filter(profile=OuterRef("profile"), year__lte=year)
              .order_by("-year").values("year")[:1])
    return ProfileSnapshot.objects.filter(org__in=OrgUnit.objects.subtree(root).values("pk"), year__lte=year,
                                          year=Subquery(latest))


def _figure_aggregates(cutoff: dt.date) -> dict:
    return {"count": Count("id"), "with_home": Count("id", filter=Q(has_home=True)),
            "executives": Sum("executives"), "funding": Sum("funding"),
            "elections_due": Count("id", filter=Q(elected_on__lte=cutoff))}


# The survey's three queries, compiled once per connection (orgs.models.UnitQuery): every work summary asks them.
_SURVEY_SENTINELS = {"year": 1233, "cutoff": dt.date(1901, 2, 3)}
_BY_KIND = UnitQuery(lambda root, _scope, year, cutoff: _snapshots_until(root, year)
                     .values("kind__code", "kind__name", "kind__order").annotate(**_figure_aggregates(cutoff))
                     .order_by("kind__order", "kind__code"), **_SURVEY_SENTINELS)
_TOTAL = UnitQuery(lambda root, _scope, year, cutoff: totals(_snapshots_until(root, year),
                                                             **_figure_aggregates(cutoff)), **_SURVEY_SENTINELS)
_VILLAGE = UnitQuery(lambda root, _scope, year, cutoff: totals(
    _snapshots_until(root, year).filter(kind__code__in=VILLAGE_KINDS), **_figure_aggregates(cutoff)),
    **_SURVEY_SENTINELS)


def survey(root, period: Period) -> Survey:
    """Counts by kind, with and without 妇女之家, executives, funding and elections due by the period's end."""
    values = {"year": period.end.year, "cutoff": due_cutoff(period)}
    db = ProfileSnapshot.objects.db
    result = Survey(org_name=root.name, period=period)
    result.kinds = [_fill(KindFigures(r["kind__code"], r["kind__name"]), r)
                    for r in _BY_KIND.dicts(root, "tree", db, **values)]
    names = tuple(_figure_aggregates(values["cutoff"]))
    _fill(result.total, dict(zip(names, _TOTAL.rows(root, "tree", db, **values)[0], strict=True)))
    _fill(result.village, dict(zip(names, _VILLAGE.rows(root, "tree", db, **values)[0], strict=True)))
    return result


def by_unit(root, period: Period) -> list[KindFigures]:
    """The survey per unit directly below `root` (its subtree rolled up), for the return to the level above. Counts
    only: no names of chairs or anyone else."""
    children = list(OrgUnit.objects.filter(parent=root).order_by("path"))
    cutoff = due_cutoff(period)
    per_org = snapshots_of(root, period).values("org__path", "kind__code").annotate(
        count=Count("id"), with_home=Count("id", filter=Q(has_home=True)), executives=Sum("executives"),
        funding=Sum("funding"), elections_due=Count("id", filter=Q(elected_on__lte=cutoff)))
    rows = [KindFigures(child.code, child.name) for child in [root, *children]]
    rows[0].name = own_label(root)
    for values in per_org:  # a few rows per unit and kind, already grouped by the database
        index = next((i for i, c in enumerate(children, start=1) if values["org__path"].startswith(c.path)), 0)
        target = rows[index]
        code = values["kind__code"]
        target.by_kind[code] = target.by_kind.get(code, 0) + (values["count"] or 0)
        target.count += values["count"] or 0
        target.with_home += values["with_home"] or 0
        target.executives += values["executives"] or 0
        target.funding += values["funding"] or Decimal(0)
        target.elections_due += values["elections_due"] or 0
    return [row for row in rows if row.count] if any(r.count for r in rows) else []


def whole_of(org) -> str:
    """“全县”, “全区”, “全市”, “全镇”, “全街道” — how prose names the whole of a unit's area."""
    name = org.org_name if hasattr(org, "org_name") else org.name
    name = name.removesuffix("妇联")
    if name.endswith("街道"):
        return _("全街道")
    if name and name[-1] in "省市州盟县区旗镇乡村":
        return _("全%(place)s") % {"place": name[-1]}
    return _("全%(place)s") % {"place": name}


def survey_sentence(s: Survey, org) -> str:
    """“全县共有村（社区）妇联5个，建有妇女之家4个；…” for the 组织建设 section (empty when nothing is recorded)."""
    if s.empty:
        return ""
    parts = []
    whole = whole_of(org)
    if s.village.count:
        parts.append(_("%(whole)s共有村（社区）妇联%(n)s，建有妇女之家%(m)s") % {
            "whole": whole, "n": count_text(s.village.count, "个"), "m": count_text(s.village.with_home, "个")})
    others = [k for k in s.kinds if k.code not in VILLAGE_KINDS and k.count]
    if others:
        listing = "、".join(f"{k.name}{count_text(k.count, '个')}" for k in others)
        parts.append((_("另有%(list)s") if parts else _("%(whole)s共有%(list)s")) % {"whole": whole,
                                                                                   "list": listing})
    details = [_("共有执委%(n)s") % {"n": count_text(s.total.executives, "名")}] if s.total.executives else []
    if s.total.funding:
        details.append(_("落实工作经费%(money)s") % {"money": money_text(s.total.funding)})
    if details:
        parts.append("，".join(details))
    if s.total.elections_due:
        parts.append(_("%(n)s基层组织已到换届时间") % {"n": count_text(s.total.elections_due, "个")})
    return "；".join(parts) + "。"


__all__ = ["KIND_TABLE", "KindFigures", "Survey", "by_unit", "survey", "survey_sentence"]
