"""Information work figures of a unit and its subtree for a period (written, adopted, by adopter), the ranking of
the units below for the level above (信息工作考核), and the sentence for the work summary. Grouped in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from jinguo.articles.models import Adoption, Article, federation_name
from jinguo.core.numbers import count_text, shares
from jinguo.core.periods import Period
from jinguo.core.sql import totals
from jinguo.orgs.models import OrgUnit, UnitQuery


@dataclass
class InfoWork:
    """Reports written by the subtree in the period; how many were adopted; adoptions by adopter (a report adopted
    by two bodies counts once in `adopted`, once under each adopter)."""

    written: int = 0
    adopted: int = 0
    by_adopter: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Span:
    """A period's first and last day, as `_articles` takes them (sentinel dates when compiling)."""

    start: dt.date
    end: dt.date


def _articles(root, period: Period | Span):
    # The subtree as a semi-join, not a list of ids: the list was sent and parsed again by each of info_work's
    # queries (a province's 3,000 ids four times), as ledger.stats.cells_in says.
    return Article.objects.filter(org__in=OrgUnit.objects.subtree(root).values("pk"),
                                  sent_on__range=(period.start, period.end))


def _adoptions(root, start, end):
    return Adoption.objects.filter(article__in=_articles(root, Span(start, end)))


# info_work's queries, compiled once per connection (orgs.models.UnitQuery): every work summary asks them.
_DAYS = {"start": dt.date(1901, 2, 3), "end": dt.date(1901, 3, 4)}
_WRITTEN = UnitQuery(lambda root, _scope, start, end: totals(_articles(root, Span(start, end)), n=Count("*")),
                     **_DAYS)
_ADOPTED = UnitQuery(lambda root, _scope, start, end: totals(_adoptions(root, start, end),
                                                             n=Count("article", distinct=True)), **_DAYS)
_BY_UNIT = UnitQuery(lambda root, _scope, start, end: _adoptions(root, start, end).filter(adopter__isnull=False)
                     .values_list("adopter").annotate(n=Count("id")).order_by(), **_DAYS)
_OUTSIDE = UnitQuery(lambda root, _scope, start, end: _adoptions(root, start, end).filter(adopter__isnull=True)
                     .values_list("adopter_text").annotate(n=Count("id")).order_by("-n", "adopter_text"), **_DAYS)


def info_work(root, period: Period) -> InfoWork:
    days = {"start": period.start, "end": period.end}
    db = Article.objects.db
    (written,), = _WRITTEN.rows(root, "tree", db, **days)
    info = InfoWork(written=written)
    (info.adopted,), = _ADOPTED.rows(root, "tree", db, **days)  # a report adopted by two bodies counts once
    units = _BY_UNIT.rows(root, "tree", db, **days)
    named = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[adopter for adopter, _n in units])} if units else {}
    rows = [(named[adopter], n) for adopter, n in units]
    # The tree's units first, from the nearest up (city before province), then outside bodies by count.
    rows.sort(key=lambda pair: (-pair[0].depth, pair[0].path))
    outside = _OUTSIDE.rows(root, "tree", db, **days)
    info.by_adopter = [(federation_name(unit), n) for unit, n in rows] + [(text, n) for text, n in outside]
    return info


def info_work_sentence(info: InfoWork, org=None) -> str:
    """“报送信息18篇，被永州市妇联采用2篇，被县委办公室采用5篇” (empty when nothing was written)."""
    if not info.written:
        return ""
    parts = [_("报送信息%(n)s") % {"n": count_text(info.written, "篇")}]
    parts += [_("被%(who)s采用%(n)s") % {"who": who, "n": count_text(n, "篇")} for who, n in info.by_adopter]
    return "，".join(parts)


@dataclass
class RankRow:
    code: str
    name: str
    written: int = 0
    adopted: int = 0
    adopted_above: int = 0  # by units of the tree (the federations above)
    adopted_outside: int = 0
    rate: Decimal = Decimal(0)


def ranking(root, period: Period) -> list[RankRow]:
    """信息工作考核: each unit directly below `root` (its subtree rolled up) — written, adopted, by whom — ranked by
    reports adopted, then written. Counts grouped by the database per writing unit, rolled up by path."""
    children = list(OrgUnit.objects.filter(parent=root).exclude(level="agency").order_by("path"))
    rows = {child.pk: RankRow(child.code, child.name) for child in children}
    articles = _articles(root, period)
    written = articles.values("org__path").annotate(n=Count("id"))
    adopted = (Adoption.objects.filter(article__in=articles).values("article__org__path")
               .annotate(n=Count("article", distinct=True)))
    above = (Adoption.objects.filter(article__in=articles, adopter__isnull=False).values("article__org__path")
             .annotate(n=Count("id")))
    outside = (Adoption.objects.filter(article__in=articles, adopter__isnull=True).values("article__org__path")
               .annotate(n=Count("id")))

    def child_of(path: str) -> RankRow | None:
        return next((rows[c.pk] for c in children if path.startswith(c.path)), None)

    for queryset, key, attr in ((written, "org__path", "written"), (adopted, "article__org__path", "adopted"),
                                (above, "article__org__path", "adopted_above"),
                                (outside, "article__org__path", "adopted_outside")):
        for r in queryset:
            row = child_of(r[key])
            if row is not None:
                setattr(row, attr, getattr(row, attr) + r["n"])
    result = sorted(rows.values(), key=lambda r: (-r.adopted, -r.written, r.code))
    for row in result:
        row.rate = shares([row.adopted, row.written - row.adopted])[0] if row.written else Decimal(0)
    return result
