"""The half-year / annual work summary (工作总结), written from the records as an office would sign it.

Sections follow the lines of work (思想引领与宣传教育, 关爱帮扶, 维护妇女儿童权益 …), mapped from activity kinds and
themes by the code table `summary_section` (ledger.sections). Within a section: a lead sentence with the totals and
the change against the same period last year, then 一是……二是…… naming the main activities ranked by reach
(people, copies, yuan) with date, place, partners and figures, then what the registries and petitions add. Then
存在的问题和不足 drawn from the data (as suggestions to edit) and the next period's 工作打算 from the plan items.

Every figure comes from GROUP BY queries; every share from the counts printed beside it (core.numbers.shares).
Each generated paragraph carries links (fragment → list of the records behind it). Sentences come from the bank in
reports.prose, chosen by a stable hash, so the same records always give the same text. Sections without data are
left out; nothing is said that the records do not show.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote_plus

from django.db import connections
from django.db.models import BigIntegerField, Count, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from jinguo.articles.stats import info_work, info_work_sentence
from jinguo.core.links import page_url, record_url
from jinguo.core.models import CodeItem
from jinguo.core.numbers import count_text, date_range_text, money_text, percent, plain_number
from jinguo.core.periods import Period
from jinguo.core.sql import AnyOf, CompiledQuery, Keys, kept_cursor, totals
from jinguo.grassroots.stats import survey, survey_sentence
from jinguo.ledger.models import (
    Activity,
    ActivityFigure,
    ActivityPartner,
    ActivityRank,
    Measure,
    PlanItem,
    SectionCell,
)
from jinguo.ledger.sections import PEOPLE_UNITS, Section, section_of, summary_sections
from jinguo.monitoring.attainment import attainment
from jinguo.monitoring.models import Submission
from jinguo.orgs.models import Level, OrgUnit, UnitQuery, units_under
from jinguo.people.models import CivilizedPost, Honour, Talent
from jinguo.people.services import add_months, people_stats
from jinguo.petitions.models import Case, DomesticViolence, FollowUp, Referral, Status
from jinguo.petitions.stats import PetitionStats, case_count, cases_between, petition_stats, received_between
from jinguo.petitions.stats import cells_in as case_cells_in
from jinguo.reports.prose import Chooser

CHINESE_NUMERALS = "一二三四五六七八九十"
ORDINALS = [f"{n}是" for n in CHINESE_NUMERALS]
WIDE_LEVELS = (Level.PROVINCE, Level.CITY)  # summaries that name the units below and end sections with a table


@dataclass(frozen=True)
class Options:
    scope: str = "tree"  # tree: the unit and everything below it; self: the unit alone
    rounded: bool = False  # "800余人次" instead of "850人次", "10万份", "1.2万元"
    share_places: int = 1  # 60.5% or 61%
    highlights: int = 3  # main activities named per section (一是、二是、三是)
    today: dt.date | None = None  # the signing date and "overdue" reference; today when None


def _block(key: str, kind: str, text: str, links: list[tuple[str, str]] | None = None, **extra) -> dict:
    return {"key": key, "kind": kind, "text": text, "origin": "generated", "edited": False,
            "links": [{"label": label, "url": url} for label, url in (links or [])], **extra}


_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch  # what quote_plus leaves as it is


def _url(name: str, **query) -> str:
    """`name`'s URL with `query` (empty values left out), encoded as `urlencode` encodes it: a summary links a
    hundred figures, most of whose values (ids, dates, codes) need no quoting."""
    parts = (f"{key}={text if _PLAIN(text) else quote_plus(text)}"
             for key, text in ((key, str(value)) for key, value in query.items() if value not in (None, "")))
    return page_url(name) + "?" + "&".join(parts)


def _period_word(period: Period) -> str:
    return {"Y": "全年", "H": "上半年" if period.number == 1 else "下半年",
            "Q": f"第{CHINESE_NUMERALS[period.number - 1]}季度", "M": f"{period.number}月"}[period.kind]


def _plans_heading(period: Period) -> str:
    if period.kind == "Y" or (period.kind == "H" and period.number == 2):
        return "明年工作打算"
    if period.kind == "H":
        return "下半年工作打算"
    return "下一阶段工作打算"


def title(org: OrgUnit, period: Period) -> str:
    return f"{org.name}妇联{period.label}工作总结"


def _category_label(name: str) -> str:
    return name if name.endswith("类") else f"{name}类"


def _change(now: int, before: int, unit: str) -> str:
    if before == 0:
        return ""
    diff = now - before
    if diff == 0:
        return "与上年同期持平"
    word = "增加" if diff > 0 else "减少"
    rate = percent(abs(diff) * 100 / before, 1)
    return f"与上年同期的{before}{unit}相比{word}{abs(diff)}{unit}、{'增长' if diff > 0 else '下降'}{rate}"


def _who(org: OrgUnit, options: Options) -> str:
    """'县妇联' for the unit alone; '全县各级妇联' with the units below (乡镇 → 全镇)."""
    short = {Level.PROVINCE: "省", Level.CITY: "市", Level.COUNTY: "县", Level.TOWNSHIP: "镇"}.get(org.level, "")
    if options.scope == "self" or not short:
        return f"{org.name}妇联"
    return f"全{short}各级妇联"


def _scope_word(org: OrgUnit) -> str:
    return {Level.PROVINCE: "全省", Level.CITY: "全市"}.get(org.level, "本级")


# --- the records behind the sections -------------------------------------------------------------------------------

@dataclass
class SectionFacts:
    """What the ledger holds for one line of work in the period and a year earlier."""

    section: Section
    activities: int = 0
    before: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    top: list[Highlight] = field(default_factory=list)
    by_unit: list[tuple[OrgUnit, int, dict[str, Decimal]]] = field(default_factory=list)


def section_cells_in(org: OrgUnit, period: Period, scope: str) -> QuerySet:
    """The section roll-up rows behind the activities of `org` (scope 'self') or its subtree in the period."""
    cells = SectionCell.objects.filter(month__range=(period.start, period.end))
    if scope == "self":
        return cells.filter(org=org)
    return cells.filter(org__in=OrgUnit.objects.subtree(org).values("pk"))  # a semi-join, as ledger.stats.cells_in


# --- queries compiled once per connection (core.sql.CompiledQuery) ---------------------------------------------------
# A summary runs the same few dozen query shapes for every unit and period; building and compiling them with the ORM
# cost about as much as the database spends running them at city scale. The shapes that do not depend on the tree
# below the unit are compiled once, by scope, and run with the unit, the dates (and the section) as parameters.

@dataclass(frozen=True)
class _Span:
    """A period's first and last day as the builders below take them (sentinel dates when compiling)."""

    start: dt.date
    end: dt.date


_SENTINELS = {"org_id": 987_654_321, "path": "/~summary-path~/", "start": dt.date(1901, 2, 3),
              "end": dt.date(1901, 3, 4), "section": 987_654_322}


def _compiled(build, *names: str) -> dict[str, CompiledQuery]:
    """`build(org, span, scope, **rest)` compiled for each scope, with the sentinels of `names` besides the unit's
    (its id for 'self', its path for 'tree') and the dates."""
    def for_scope(scope: str) -> CompiledQuery:
        unit = "org_id" if scope == "self" else "path"
        return CompiledQuery(
            lambda start, end, org_id=None, path=None, **rest: build(
                OrgUnit(pk=org_id, path=path), _Span(start, end), scope, **rest),
            **{name: _SENTINELS[name] for name in (unit, "start", "end", *names)})

    return {scope: for_scope(scope) for scope in ("tree", "self")}


def _unit_and_span(org: OrgUnit, span, scope: str) -> dict:
    return {"org_id" if scope == "self" else "path": org.pk if scope == "self" else org.path, "start": span.start,
            "end": span.end}


_SECTION_TOTALS = _compiled(lambda org, span, scope: section_cells_in(org, span, scope)
                            .values_list("section_id", "measure_id")
                            .annotate(n=Sum("activities"), t=Cast(Sum("total"), BigIntegerField())).order_by())
_SECTION_COUNTS = _compiled(lambda org, span, scope: section_cells_in(org, span, scope).filter(measure_id=0)
                            .values_list("section_id").annotate(n=Sum("activities")).order_by())
_SECTION_CELLS = CompiledQuery(lambda start, end: SectionCell.objects.filter(month__range=(start, end))
                               .values_list("section_id", "org_id", "measure_id", "activities", "total"),
                               start=_SENTINELS["start"], end=_SENTINELS["end"])


# Queries that join `units_under(org)`, whose CASE names the units directly below: compiled once per such set of
# units (their ids and paths are the key: a change to the tree below is a new key), run with the unit and dates.
_BY_CHILDREN: dict[tuple, CompiledQuery] = {}
_BY_CHILDREN_KEPT = 256


def _for_children(name: str, children: list[OrgUnit], build, **sentinels) -> CompiledQuery:
    """`build(children, org_id=…, path=…, **sentinels)` compiled for these `children` of the unit."""
    key = (name, tuple((child.pk, child.path) for child in children))
    compiled = _BY_CHILDREN.get(key)
    if compiled is None:
        if len(_BY_CHILDREN) >= _BY_CHILDREN_KEPT:
            _BY_CHILDREN.clear()
        compiled = _BY_CHILDREN[key] = CompiledQuery(
            lambda org_id, path, **values: build(OrgUnit(pk=org_id, path=path), children, **values),
            org_id=_SENTINELS["org_id"], path=_SENTINELS["path"], **sentinels)
    return compiled


def _ranks(org: OrgUnit, span, scope: str, section: int) -> QuerySet:
    ranks = ActivityRank.objects.filter(start_date__range=(span.start, span.end), section_id=section)
    ranks = ranks.filter(org=org) if scope == "self" else ranks.filter(
        org__in=OrgUnit.objects.subtree(org).values("pk"))
    return ranks.order_by("-people", "-copies", "-yuan", "start_date", "activity_id").values_list("activity_id")


_TOP_RANKS = _compiled(_ranks, "section")


@dataclass
class Highlight:
    """One of a section's main activities, with what its sentence names: date, place, partners (in the order they
    were entered) and figures by measure code."""

    pk: int
    title: str
    start_date: dt.date
    end_date: dt.date | None
    place: str
    partners: list[str] = field(default_factory=list)
    figures: dict[str, Decimal] = field(default_factory=dict)

    def get_absolute_url(self) -> str:
        return record_url("ledger:activity_detail", self.pk)

    @classmethod
    def of(cls, activity: Activity) -> Highlight:
        """From an activity (its partners and figures with their measures prefetched, where many are read)."""
        return cls(activity.pk, activity.title, activity.start_date, activity.end_date, activity.place,
                   [p.name for p in activity.partners.all()], {f.measure.code: f.value for f in activity.figures.all()})

    @classmethod
    def fetch(cls, pks: list[int]) -> list[Highlight]:
        """The activities `pks` in three queries compiled once: their own fields, their partners, their figures."""
        if not pks:
            return []
        keys, db = Keys(pks), Activity.objects.db
        found = {row[0]: cls(*row) for row in _HIGHLIGHTS.rows(db, ids=keys)}
        for activity_id, name in _PARTNERS.rows(db, ids=keys):
            found[activity_id].partners.append(name)
        for activity_id, code, value in _FIGURES.rows(db, ids=keys):
            found[activity_id].figures[code] = value
        return list(found.values())


_SENTINEL_KEYS = Keys([987_654_329])
_HIGHLIGHTS = CompiledQuery(lambda ids: Activity.objects.filter(AnyOf("pk", ids)).order_by()
                            .values_list("pk", "title", "start_date", "end_date", "place"), ids=_SENTINEL_KEYS)
_PARTNERS = CompiledQuery(lambda ids: ActivityPartner.objects.filter(AnyOf("activity", ids)).order_by("pk")
                          .values_list("activity_id", "name"), ids=_SENTINEL_KEYS)
_FIGURES = CompiledQuery(lambda ids: ActivityFigure.objects.filter(AnyOf("activity", ids)).order_by()
                         .values_list("activity_id", "measure__code", "value"), ids=_SENTINEL_KEYS)


def _top_activities(org: OrgUnit, period: Period, scope: str, sections: list[Section], count: int
                    ) -> dict[str, list[Highlight]]:
    """The `count` activities of widest reach (people, then copies, then yuan; the earlier, then the first stored on
    a tie) in each section: per section, the first rows of the rank index that fall in the scope and period."""
    if count <= 0:
        return {}
    placed = {}
    ranks = _TOP_RANKS[scope]
    for section in sections:
        chosen = ranks.rows(limit=count, section=section.pk, **_unit_and_span(org, period, scope))
        placed.update({pk: (section.code, rank) for rank, (pk,) in enumerate(chosen, start=1)})
    top: dict[str, list[Highlight]] = {}
    for activity in sorted(Highlight.fetch(list(placed)), key=lambda a: placed[a.pk][1]):
        top.setdefault(placed[activity.pk][0], []).append(activity)
    return top


def ledger_facts(org: OrgUnit, period: Period, sections: list[Section], options: Options,
                 measures: dict[str, Measure] | None = None, children: list[OrgUnit] | None = None
                 ) -> dict[str, SectionFacts]:
    """Per section: this period's count and figures, last year's count, the main activities and (city, province)
    the units' rows — read from the stored sections (`ledger.sections`): one GROUP BY of the period's section roll-up
    (per unit directly below, joined to `units_under`, where the units' rows are wanted), one of last year's, and a
    few rows of the rank index per section, whatever the number of activities. Totals come back as the stored
    integers and are turned into amounts once, at the end."""
    codes = {s.pk: s.code for s in sections}
    measures = {m.pk: m.code for m in (Measure.objects.all() if measures is None else measures.values())}
    amount = SectionCell._meta.get_field("total")
    wide = options.scope == "tree" and org.level in WIDE_LEVELS
    database = SectionCell.objects.db
    if wide:  # per unit directly below: the cells joined to the subtree's mapping and grouped in the database
        children = list(OrgUnit.objects.filter(parent=org)) if children is None else children
        query, params = _SECTION_CELLS.sql(database, start=period.start, end=period.end)
        mapping, mapping_params = _for_children("mapping", children, lambda org, children: units_under(
            org, children)).sql(database, org_id=org.pk, path=org.path)
        sql = (f"SELECT c.section_id, m.u_unit, c.measure_id, SUM(c.activities), "  # noqa: S608 - values are params
               f"CAST(SUM(c.total) AS BIGINT) FROM ({query}) c JOIN ({mapping}) m ON m.u_org = c.org_id "
               f"GROUP BY c.section_id, m.u_unit, c.measure_id")
        params = (*params, *mapping_params)
        units = {unit.pk: unit for unit in children} | {org.pk: org}
        cursor = kept_cursor(connections[database])  # plain rows as the database sends them: nothing to convert
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    else:
        rows, units = _SECTION_TOTALS[options.scope].rows(database, **_unit_and_span(org, period, options.scope)), {}
    counts_before = dict(_SECTION_COUNTS[options.scope].rows(
        database, **_unit_and_span(org, period.year_earlier(), options.scope)))
    facts = {s.code: SectionFacts(s, before=counts_before.get(s.pk, 0)) for s in sections}
    totals: dict[str, dict[int, int]] = {code: {} for code in facts}
    table: dict[str, dict[int, list]] = {code: {} for code in facts}  # section → unit id → [count, {measure: total}]
    for row in rows:
        code = codes.get(row[0])
        if code is None:
            continue
        measure_id, n, total = row[-3:]
        entry = table[code].setdefault(row[1], [0, {}]) if wide else None
        if measure_id:
            totals[code][measure_id] = totals[code].get(measure_id, 0) + total
            if entry is not None:
                entry[1][measure_id] = entry[1].get(measure_id, 0) + total
        else:
            facts[code].activities += n
            if entry is not None:
                entry[0] += n

    def amounts(raw: dict[int, int]) -> dict[str, Decimal]:
        return {measures[pk]: amount.from_db_value(value, None, None) for pk, value in raw.items()}

    for code, fact in facts.items():
        fact.totals = amounts(totals[code])
        fact.by_unit = sorted(((units[pk], n, amounts(raw)) for pk, (n, raw) in table[code].items()),
                              key=lambda r: r[0].code)
    for code, top in _top_activities(org, period, options.scope, sections, options.highlights).items():
        if code in facts:
            facts[code].top = top
    return facts


# --- sentences -----------------------------------------------------------------------------------------------------

def _measure_figures(totals: dict[str, Decimal], measures: dict[str, Measure], options: Options,
                     limit: int | None = None) -> list[tuple[str, Measure]]:
    """'发放宣传资料2.4万份', '慰问金1.25万元' … for the measures with a value, counts before money, in order."""
    present = sorted((m for code, m in measures.items() if totals.get(code)),
                     key=lambda m: (m.kind == Measure.Kind.MONEY, m.order, m.code))
    parts = []
    for measure in present[:limit]:
        value = totals[measure.code]
        amount = (money_text(value, rounded=options.rounded) if measure.kind == Measure.Kind.MONEY
                  else count_text(value, measure.unit, rounded=options.rounded))
        parts.append((measure.prose(amount), measure))
    return parts


def _lead_change(now: int, before: int) -> str:
    if not before:
        return ""
    diff = now - before
    if diff == 0:
        return "，与上年同期持平"
    return f"，比上年同期{'增加' if diff > 0 else '减少'}{abs(diff)}场次"


def _activity_title(title: str) -> str:
    title = title.strip().strip("“”\"")
    return title[:-2] if title.endswith("活动") and len(title) > 2 else title


def _item_sentence(activity: Highlight, ordinal: str, pattern: str, measures: dict[str, Measure],
                   options: Options) -> tuple[str, list[tuple[str, str]]]:
    figures = _measure_figures(activity.figures, measures, options)
    partners = "、".join(name for name in activity.partners if name.strip())
    title_text = _activity_title(activity.title)
    text = pattern.format(
        ordinal=ordinal, date=date_range_text(activity.start_date, activity.end_date),
        partners=f"联合{partners}" if partners else "", partners_joint=f"，{partners}共同参与" if partners else "",
        place=f"在{activity.place.strip()}" if activity.place.strip() else "", title=title_text,
        figures="".join(f"，{fragment}" for fragment, _m in figures))
    url = activity.get_absolute_url()
    return text, [(f"“{title_text}”", url)] + [(fragment, url) for fragment, _m in figures]


def activity_blocks(facts: SectionFacts, org: OrgUnit, period: Period, measures: dict[str, Measure],
                    options: Options, chooser: Chooser) -> list[dict]:
    """The lead with totals and change, then 一是…二是… naming the section's main activities."""
    if not facts.activities:
        return []
    code = facts.section.code
    base = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat(), "within": org.pk,
            "section": code}
    held = count_text(facts.activities, "场次", rounded=options.rounded)
    figures = _measure_figures(facts.totals, measures, options, limit=3)
    frame, pattern = chooser.pick("lead", code)
    text = pattern.format(period=period.label, who=_who(org, options), what=facts.section.name, held=held,
                          figures="，" + "、".join(f for f, _m in figures) if figures else "",
                          change=_lead_change(facts.activities, facts.before))
    links = [(held, _url("ledger:activity_list", **base))] + [
        (fragment, _url("ledger:activity_list", measure=m.pk, **base)) for fragment, m in figures]
    blocks = [_block(f"{code}.lead", "para", text, links, frame=frame)]
    taken: set[str] = set()
    for index, activity in enumerate(facts.top):
        frame, pattern = chooser.pick("item", code, index, taken)
        taken.add(frame)
        sentence, links = _item_sentence(activity, ORDINALS[index], pattern, measures, options)
        blocks.append(_block(f"{code}.item.{index + 1}", "para", sentence, links, frame=frame))
    return blocks


def _federations(org: OrgUnit, children: list[OrgUnit] | None) -> list[OrgUnit]:
    """The federations directly below `org` (not member agencies), by code; `children`: all the units directly below,
    when already read."""
    if children is None:
        return list(OrgUnit.objects.filter(parent=org).exclude(level=Level.AGENCY).order_by("code"))
    return sorted((c for c in children if c.level != Level.AGENCY), key=lambda c: c.code)


def unit_blocks(facts: SectionFacts, org: OrgUnit, period: Period, measures: dict[str, Measure], options: Options,
                chooser: Chooser, children: list[OrgUnit] | None = None) -> list[dict]:
    """City and province summaries: the unit below that stands out, then a short table of the units."""
    if not facts.by_unit:
        return []
    reported = {r[0].pk: r for r in facts.by_unit if r[0].pk != org.pk}
    rows = [reported.pop(unit.pk, (unit, 0, {})) for unit in _federations(org, children)] + list(reported.values())
    if len(rows) < 2:
        return []
    code = facts.section.code
    def reach(row):
        return row[1], _people(row[2], measures)

    best = max(rows, key=reach)
    if sum(1 for r in rows if reach(r) == reach(best)) > 1:
        best = None  # a tie stands out for nobody
    blocks = []
    if best is not None:
        figures = _measure_figures(best[2], measures, options, limit=2)
        frame, pattern = chooser.pick("standout", code)
        held = count_text(best[1], "场次", rounded=options.rounded)
        text = pattern.format(unit=f"{best[0].name}妇联", held=held, scope=_scope_word(org),
                              figures="".join(f"，{f}" for f, _m in figures))
        url = _url("ledger:activity_list", date_from=period.start.isoformat(), date_to=period.end.isoformat(),
                   within=best[0].pk, section=code)
        blocks.append(_block(f"{code}.standout", "para", text, [(held, url)], frame=frame))
    shown = _table_measures(rows, measures)
    header = ["单位", "活动（场次）"] + [f"{m.name}（{m.unit}）" for m in shown]
    body = [[r[0].name, str(r[1])] + [_plain(r[2].get(m.code)) for m in shown] for r in rows]
    total = ["合计", str(sum(r[1] for r in rows))] + [
        _plain(sum((r[2].get(m.code, Decimal(0)) for r in rows), Decimal(0))) for m in shown]
    table = [header, *body, total]
    text = "\n".join("\t".join(row) for row in table)
    blocks.append(_block(f"{code}.units", "table", text, rows=table,
                         caption=f"{facts.section.name}分单位情况"))
    return blocks


def _people(totals: dict[str, Decimal], measures: dict[str, Measure]) -> Decimal:
    return sum((v for c, v in totals.items() if c in measures and measures[c].unit in PEOPLE_UNITS
                and measures[c].kind == Measure.Kind.COUNT), Decimal(0))


def _table_measures(rows, measures: dict[str, Measure]) -> list[Measure]:
    used = {code for r in rows for code, value in r[2].items() if value}
    return sorted((measures[c] for c in used if c in measures), key=lambda m: (m.order, m.code))[:3]


def _plain(value) -> str:
    return plain_number(value) if value else "0"


def petition_blocks(stats: PetitionStats, earlier: int, org: OrgUnit, period: Period,
                    options: Options) -> list[dict]:
    """Links are (fragment, url): the fragment is the exact text of the figure in the sentence, so the editor's
    preview can turn every figure into a link to the filtered case list that produced it."""
    if not stats.cases:
        return []

    def n(value, unit):
        return count_text(value, unit, rounded=options.rounded)

    base = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat(), "within": org.pk}
    lst = "petitions:case_list"
    total = f"来信来访来电{n(stats.cases, '件次')}"
    channels = [(f"{r.label}{n(r.cases, '件次')}", _url(lst, channel=r.key, **base)) for r in stats.by_channel]
    first = f"{period.label}，共受理{total}、{n(stats.people, '人次')}，其中{'、'.join(f for f, _u in channels)}。"
    blocks = [_block("petitions.total", "para", first, [(total, _url(lst, **base)), *channels])]
    categories = [(f"{_category_label(r.label)}{n(r.cases, '件次')}", _url(lst, category=r.key, **base),
                   percent(r.share, options.share_places)) for r in stats.by_category]
    text = "从问题类别看，" + "；".join(f"{f}，占{share}" for f, _u, share in categories) + "。"
    blocks.append(_block("petitions.categories", "para", text, [(f, u) for f, u, _s in categories]))
    facts, links = [], []
    if stats.dv_cases:
        fragment = f"受理家庭暴力投诉{n(stats.dv_cases, '件次')}"
        facts.append(fragment + _dv_measures(org, period, options))
        links.append((fragment, _url(lst, flag="dv", **base)))
    if stats.referrals_by_agency:
        facts.append("向" + "、".join(f"{r.label}部门转介{r.cases}件" for r in stats.referrals_by_agency))
    if stats.on_time_rate is not None:
        facts.append(f"办结{stats.completed}件，按期办结率{percent(stats.on_time_rate, 1)}")
    if stats.repeat_cases:
        fragment = f"重复信访{n(stats.repeat_cases, '件次')}"
        facts.append(fragment)
        links.append((fragment, _url(lst, flag="repeat", **base)))
    change = _change(stats.cases, earlier, "件次")
    if change:
        facts.append(f"受理总量{change}")
    if facts:
        blocks.append(_block("petitions.facts", "para", "，".join(facts) + "。", links))
    return blocks + typical_blocks(org, period, options)


_OUTCOMES = {"mediated": "经调解化解了矛盾", "legal_aid": "通过法律援助维护了当事人的合法权益",
             "referred": "由有关部门依法处理", "explained": "经解释疏导后办结", "other": "已办结"}


@dataclass
class _TypicalCase:
    """What a typical case's sentence reads of it, its 反家暴 record's measures included (None without one)."""

    pk: int
    received_at: dt.datetime
    status: str
    result: str
    category: str
    subcategory_id: int | None
    subcategory: str | None
    dv_id: int | None
    warning_letter_on: dt.date | None
    order_applied_by: str | None
    order_granted: bool | None
    shelter: bool | None
    legal_aid: bool | None
    counselling: bool | None


_TYPICAL = UnitQuery(lambda org, scope, start, end: cases_between(org, start, end, scope).filter(is_typical=True)
                     .order_by("received_at").values_list(
                         "pk", "received_at", "status", "result", "category__name", "subcategory_id",
                         "subcategory__name", "dv__id", "dv__warning_letter_on", "dv__order_applied_by",
                         "dv__order_granted", "dv__shelter", "dv__legal_aid", "dv__counselling"),
                     start=dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
                     end=dt.datetime(1901, 3, 4, 5, 6, 7, tzinfo=dt.UTC))
_TYPICAL_REFERRALS = CompiledQuery(lambda ids: Referral.objects.filter(AnyOf("case", ids)).order_by("sent_on", "pk")
                                   .values_list("case_id", "agency_type__name"), ids=_SENTINEL_KEYS)
_TYPICAL_SATISFIED = CompiledQuery(lambda ids: FollowUp.objects.filter(AnyOf("case", ids), satisfaction="satisfied")
                                   .order_by().values_list("case_id"), ids=_SENTINEL_KEYS)


def typical_blocks(org: OrgUnit, period: Period, options: Options) -> list[dict]:
    """The cases the office marked 典型, one anonymised sentence each: when, what kind, what was done, how it
    ended — from the case's own records (referrals by agency type, the 反家暴 measures, the result, the follow-up),
    never a name, a place or another unit's name."""
    start, end = received_between(period)
    cases = [_TypicalCase(*row) for row in _TYPICAL.rows(org, options.scope, Case.objects.db, limit=5, start=start,
                                                          end=end)]
    if not cases:
        return []
    keys = Keys([case.pk for case in cases])
    referred: dict[int, list[str]] = {}
    for case_id, agency in _TYPICAL_REFERRALS.rows(Case.objects.db, ids=keys):  # in the order they were sent
        referred.setdefault(case_id, []).append(agency)
    satisfied_cases = {case_id for case_id, in _TYPICAL_SATISFIED.rows(Case.objects.db, ids=keys)}
    blocks = []
    for index, case in enumerate(cases, start=1):
        kind = _category_label(case.category) + (f"（{case.subcategory}）" if case.subcategory_id else "")
        done = []
        if case.dv_id is not None:  # a case without 家暴 details has none
            dv = case
            if dv.warning_letter_on:
                done.append("协调公安机关出具告诫书")
            if dv.order_applied_by == "federation":
                done.append("代为申请人身安全保护令" + ("并获签发" if dv.order_granted else ""))
            elif dv.order_applied_by == "self" and dv.order_granted:
                done.append("协助当事人取得人身安全保护令")
            if dv.shelter:
                done.append("提供临时庇护")
            if dv.legal_aid:
                done.append("协助获得法律援助")
            if dv.counselling:
                done.append("开展心理疏导")
        agencies = list(dict.fromkeys(referred.get(case.pk, [])))
        if agencies:
            done.append("转介" + "、".join(agencies) + "部门")
        end = _OUTCOMES.get(case.result, "") if case.status == Status.CLOSED else "目前仍在办理中"
        satisfied = case.pk in satisfied_cases
        day = timezone.localtime(case.received_at)
        text = (f"典型案例{CHINESE_NUMERALS[index - 1]}：{day.month}月{day.day}日受理的一起{kind}案件，"
                + ("妇联" + "，".join(done) + "，" if done else "")
                + (end or "已办结") + ("，回访当事人表示满意" if satisfied else "") + "。")
        blocks.append(_block(f"petitions.typical.{case.pk}", "para", text,
                             [(f"{day.month}月{day.day}日受理的一起{kind}案件",
                               record_url("petitions:case_detail", case.pk))]))
    return blocks


_DV_MEASURES = UnitQuery(lambda org, scope, start, end: totals(
    DomesticViolence.objects.filter(case__in=cases_between(org, start, end, scope)),
    letters=Count("id", filter=Q(warning_letter_on__isnull=False)),
    applied=Count("id", filter=~Q(order_applied_by="")), granted=Count("id", filter=Q(order_granted=True))),
    start=dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC), end=dt.datetime(1901, 3, 4, 5, 6, 7, tzinfo=dt.UTC))


def _dv_measures(org: OrgUnit, period: Period, options: Options) -> str:
    """'，协助出具告诫书2份，申请人身安全保护令3件、已签发2件' from the 反家暴 records of the period's cases."""
    start, end = received_between(period)
    counts = dict(zip(("letters", "applied", "granted"), _DV_MEASURES.rows(
        org, options.scope, DomesticViolence.objects.db, start=start, end=end)[0], strict=True))
    parts = []
    if counts["letters"]:
        parts.append(f"协助出具告诫书{counts['letters']}份")
    if counts["applied"]:
        parts.append(f"协助申请人身安全保护令{counts['applied']}件"
                     + (f"、已签发{counts['granted']}件" if counts["granted"] else ""))
    return "".join(f"，{p}" for p in parts)


def registry_blocks(section: str, stats, org: OrgUnit, period: Period, options: Options) -> list[dict]:
    """What the registries add to a line of work: aid (关爱帮扶), honours by name, 巾帼文明岗 and loans (建功立业),
    cadres and volunteers (组织建设). Only what has data."""
    rounded = options.rounded
    parts: list[tuple[str, str]] = []
    if section == "care" and stats.aided_people:
        text = f"建档帮扶困难妇女儿童{count_text(stats.aided_people, '人', rounded=rounded)}"
        if stats.aid_amount:
            text += f"，发放帮扶资金{money_text(stats.aid_amount, rounded=rounded)}"
        parts.append((text, page_url("people:beneficiary_list")))
    if section == "career":
        honours = _honours(Honour, org, period, options)
        if honours:
            parts.append(("获评" + "、".join(honours), page_url("people:honour_list")))
        if stats.civilized_posts:
            parts.append((f"新命名巾帼文明岗{stats.civilized_posts}个", page_url("people:civilizedpost_list")))
        if stats.loans:
            text = f"发放妇女小额担保贷款{stats.loans}笔、{money_text(stats.loan_amount, rounded=rounded)}"
            if stats.subsidy_amount:
                text += f"，贴息{money_text(stats.subsidy_amount, rounded=rounded)}"
            parts.append((text, page_url("people:loan_list")))
    if section == "org":
        if stats.new_cadres:
            parts.append(("新任" + "、".join(f"{label}{count}名" for label, count in stats.new_cadres.items()),
                          page_url("people:talent_list")))
        if stats.volunteers:
            parts.append((f"组织巾帼志愿者{count_text(stats.volunteers, '人', rounded=rounded)}参与志愿服务"
                          f"{_plain(stats.volunteer_hours)}小时", page_url("people:volunteer_list")))
    if not parts:
        return []
    return [_block(f"{section}.registries", "para", f"{period.label}，" + "；".join(p for p, _u in parts) + "。",
                   parts)]


def organisation_blocks(org: OrgUnit, period: Period) -> list[dict]:
    """组织建设 beyond the registries: the grassroots organisations surveyed (基层组织建设) and information work
    (信息报送), each linked to the page that counts it."""
    query = {"org": org.pk, "period": str(period)}
    blocks = []
    grassroots = survey_sentence(survey(org, period), org)
    if grassroots:
        blocks.append(_block("org.grassroots", "para", grassroots,
                             [(grassroots.rstrip("。"), _url("grassroots:survey", **query))]))
    info = info_work_sentence(info_work(org, period), org)
    if info:
        blocks.append(_block("org.info", "para", f"{period.label}，{info}。",
                             [(info, _url("articles:ranking", **query))]))
    return blocks


def _mine(queryset: QuerySet, org: OrgUnit, scope: str) -> QuerySet:
    """The records of `org` alone (scope 'self') or of its subtree, by the owning unit's path."""
    return queryset.filter(org=org) if scope == "self" else queryset.filter(org__path__startswith=org.path)


_HONOURS = UnitQuery(lambda org, scope, first, last: _mine(Honour.objects.filter(year__range=(first, last)), org,
                                                           scope)
                     .values_list("award__name", "award__order")
                     .annotate(people=Count("id", filter=Q(person__isnull=False)),
                               groups=Count("id", filter=Q(person__isnull=True))).order_by("award__order",
                                                                                          "award__name"),
                     first=1236, last=1237)


def _honours(Honour, org: OrgUnit, period: Period, options: Options) -> list[str]:
    """'三八红旗手2名', '三八红旗集体1个' by name of honour, in the code table's order."""
    rows = _HONOURS.rows(org, options.scope, Honour.objects.db, first=period.start.year, last=period.end.year)
    out = []
    for name, _order, people, groups in rows:
        if people:
            out.append(f"{name}{people}名")
        if groups:
            out.append(f"{name}{groups}个")
    return out


_SUBMITTED = UnitQuery(lambda org, _scope, period: _mine(Submission.objects.filter(period=period), org, "tree")
                       .order_by().values_list("pk"), period="~period~")


def monitoring_blocks(org: OrgUnit, period: Period) -> tuple[list[dict], list[str]]:
    """两纲实施: attainment of the outline targets for the period's year, when the units have reported; and the
    names of the indicators not attained (for the problems and the plans)."""
    if not _SUBMITTED.rows(org, "tree", Submission.objects.db, limit=1, period=str(period.year)):
        return [], []
    rows = [r for r in attainment(org, period.year, years_back=0) if r.attained is not None]
    if not rows:
        return [], []
    met = sum(1 for r in rows if r.attained)
    text = (f"{period.year}年纳入监测的妇女儿童发展纲要指标中，可监测{len(rows)}项，达标{met}项，"
            f"达标率{percent(Decimal(met) * 100 / len(rows), 1)}。")
    behind = [r.indicator.name for r in rows if not r.attained]
    if behind:
        text += f"尚未达标的有{'、'.join(behind[:5])}{'等' if len(behind) > 5 else ''}。"
    return [_block("outline.attainment", "para", text, [(f"可监测{len(rows)}项", _url(
        "monitoring:attainment", org=org.pk, period=str(period.year)))])], behind


# --- problems and plans --------------------------------------------------------------------------------------------

def problem_blocks(org: OrgUnit, period: Period, options: Options, petitions: PetitionStats,
                   facts: dict[str, SectionFacts], behind: list[str], today: dt.date,
                   children: list[OrgUnit] | None = None) -> list[dict]:
    """存在的问题和不足, each a suggestion drawn from the data for the office to keep, reword or delete."""
    found: list[tuple[str, str, list[tuple[str, str]]]] = []
    (overdue,), = _OVERDUE.rows(org, options.scope, Case.objects.db, today=today)
    late = petitions.completed - petitions.completed_on_time
    parts, links = [], []
    if petitions.on_time_rate is not None and late:
        parts.append(f"办结的{petitions.completed}件信访案件中有{late}件未按期办结，"
                     f"按期办结率为{percent(petitions.on_time_rate, 1)}")
    if overdue:
        fragment = f"{overdue}件已超过办理期限"
        parts.append(f"截至{today.month}月{today.day}日仍有{fragment}")
        links.append((fragment, _url("petitions:case_list", within=org.pk, due="overdue")))
    if parts:
        found.append(("problems.overdue", "；".join(parts) + "，办理时效有待提高。", links))
    if behind:
        found.append(("problems.outline", f"妇女儿童发展纲要监测指标中，{'、'.join(behind[:5])}"
                                          f"{'等' if len(behind) > 5 else ''}{len(behind)}项尚未达到目标值。", []))
    fell = [f"{f.section.name}方面开展活动{f.activities}场次，比上年同期减少{f.before - f.activities}场次"
            for f in facts.values() if f.before > f.activities]
    if fell:
        found.append(("problems.fell", "；".join(fell) + "。", []))
    stale = _registries_overdue(org, options, today)
    if stale:
        found.append(("problems.registries", "、".join(stale) + "，动态管理还不到位。", []))
    silent = _silent_units(org, period, children)
    if silent:
        names = "、".join(u.name for u in silent[:6]) + ("等" if len(silent) > 6 else "")
        found.append(("problems.silent", f"{names}{len(silent)}个单位本期没有填报活动和信访记录，"
                                         f"基层工作的记录和报送有待加强。", []))
    return [_block(key, "para", f"{ORDINALS[i]}{text}", links) for i, (key, text, links) in enumerate(found)]


_OVERDUE = UnitQuery(lambda org, scope, today: totals(_mine(Case.objects.overdue(today), org, scope), n=Count("*")),
                     today=dt.date(1901, 2, 3))
_UNREVIEWED = UnitQuery(lambda org, scope, before: totals(
    _mine(Talent.objects.filter(last_reviewed__lt=before), org, scope), n=Count("*")), before=dt.date(1901, 2, 3))
_POSTS_TO_REVIEW = UnitQuery(lambda org, scope: totals(
    _mine(CivilizedPost.objects.filter(status=CivilizedPost.Status.REVIEW), org, scope), n=Count("*")))


def _registries_overdue(org: OrgUnit, options: Options, today: dt.date) -> list[str]:
    out = []
    (talents,), = _UNREVIEWED.rows(org, options.scope, Talent.objects.db, before=add_months(today, -12))
    if talents:
        out.append(f"女性人才库有{talents}人超过12个月未审核")
    (posts,), = _POSTS_TO_REVIEW.rows(org, options.scope, CivilizedPost.objects.db)
    if posts:
        out.append(f"巾帼文明岗有{posts}个待复核")
    return out


def _silent_units(org: OrgUnit, period: Period, children: list[OrgUnit] | None = None) -> list[OrgUnit]:
    """Direct subordinate federations (not member agencies) with no activity and no case in the period."""
    federations = _federations(org, children)
    if not federations:
        return []
    children = list(OrgUnit.objects.filter(parent=org)) if children is None else children
    active = set()
    for name, cells_in in (("silent.ledger", lambda org, span: section_cells_in(org, span, "tree")),
                           ("silent.cases", case_cells_in)):  # the roll-ups: not per row
        query = _for_children(name, children, lambda org, children, start, end, cells_in=cells_in: units_under(
            org, children).filter(pk__in=cells_in(org, _Span(start, end)).exclude(org=org).values("org_id"))
            .values_list("u_unit"), start=_SENTINELS["start"], end=_SENTINELS["end"])
        active |= {unit for unit, in query.rows(SectionCell.objects.db, org_id=org.pk, path=org.path,
                                                start=period.start, end=period.end)}
    return [c for c in federations if c.pk not in active]


_PLAN_ITEMS = UnitQuery(lambda org, scope, period: _mine(PlanItem.objects.filter(period=period), org, scope)
                        .exclude(status=PlanItem.Status.CANCELLED).order_by("order", "pk")
                        .values_list("pk", "title", "description"), period="~period~")


def plan_blocks(org: OrgUnit, period: Period, options: Options, sections: list[Section],
                behind: list[str]) -> list[dict]:
    """The next period's plan items grouped by line of work (by their linked activities, else by a section's
    name, kind or theme in the title), then the indicators still to attain."""
    db = PlanItem.objects.db
    items = [PlanItem.from_db(db, ["id", "title", "description"], row)
             for row in _PLAN_ITEMS.rows(org, options.scope, db, period=str(period.next()))]
    groups: dict[str, list[PlanItem]] = {}
    linked = dict(Activity.objects.filter(plan_items__in=items).annotate(s=section_of(sections))
                  .values_list("plan_items", "s")) if items else {}
    names = {i.pk: i.name for i in CodeItem.objects.filter(table__slug__in=["activity_kind", "activity_theme"])
             } if items else {}
    for item in items:
        code = linked.get(item.pk) or _section_by_words(item, sections, names)
        groups.setdefault(code, []).append(item)
    blocks = []
    order = [s.code for s in sections] + [""]
    titles = {s.code: s.name for s in sections} | {"": "其他工作"}
    for number, code in enumerate((c for c in order if c in groups), start=1):
        parts = [f"{ORDINALS[i]}{item.title.rstrip('。')}" for i, item in enumerate(groups[code])]
        blocks.append(_block(f"plans.{code or 'other'}.h", "h2", f"（{CHINESE_NUMERALS[number - 1]}）{titles[code]}"))
        blocks.append(_block(f"plans.{code or 'other'}", "para", "；".join(parts) + "。",
                             [(f"{ORDINALS[i]}{item.title.rstrip('。')}",
                               record_url("ledger:planitem_detail", item.pk))
                              for i, item in enumerate(groups[code])]))
    if behind:
        blocks.append(_block("plans.outline", "para", f"推动{'、'.join(behind[:5])}{'等' if len(behind) > 5 else ''}"
                                                      f"尚未达标的纲要指标达到目标值。"))
    return blocks


# What each problem found (`problem_blocks`' keys) asks of the next period, when no plan items were entered for it.
_REMEDIES = {
    "problems.overdue": "加强信访案件办理时效管理，对超期案件逐件督办，提高按期办结率",
    "problems.registries": "落实各类人员台账的动态管理，按期复核更新人才库，推进巾帼文明岗评审",
    "problems.silent": "督促基层妇联按时填报活动和信访记录，提高记录和报送的及时性、准确性",
}


def planned_from(problems: list[dict], facts: dict[str, SectionFacts], period: Period) -> list[dict]:
    """三、…工作打算 drafted from the problems found, for an office that entered no plan items for the next period:
    each problem's remedy, the lines of work that fell behind the year before named, and a sentence asking the
    office for its own plans (every summary has the section; its text is the office's to keep or replace)."""
    found = {block["key"] for block in problems}
    parts = [text for key, text in _REMEDIES.items() if key in found]
    fell = [f.section.name for f in facts.values() if f.before > f.activities]
    if fell:
        parts.insert(0, f"针对{'、'.join(fell)}方面活动少于上年同期的情况，丰富活动载体，加大工作力度")
    blocks = [_block("plans.remedies", "para", "；".join(f"{ORDINALS[i]}{part}" for i, part in enumerate(parts))
                     + "。")] if parts else []
    blocks.append(_block("plans.own", "para", f"（{_plans_heading(period)}尚未录入计划事项：请在“工作计划”中录入后"
                                              "重新生成，或在此直接填写。）"))
    return blocks


def _section_by_words(item: PlanItem, sections: list[Section], names: dict[int, str]) -> str:
    text = f"{item.title}{item.description}"
    for section in sections:
        words = [section.name, *(names[i] for i in section.themes | section.kinds if i in names)]
        if any(word and word in text for word in words):
            return section.code
    return ""


# --- the document --------------------------------------------------------------------------------------------------

def _fields(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _instances(model, rows: list[tuple]) -> list:
    """Model instances from compiled rows of all `_fields(model)`, as the ORM makes them."""
    db, names = model.objects.db, _fields(model)
    return [model.from_db(db, names, row) for row in rows]


_MEASURES = CompiledQuery(lambda: Measure.objects.values_list(*_fields(Measure)))  # in the model's order
_CHILD_UNITS = CompiledQuery(lambda parent: OrgUnit.objects.filter(parent_id=parent).values_list(*_fields(OrgUnit)),
                             parent=_SENTINELS["org_id"])


def generate(org: OrgUnit, period: Period, options: Options | None = None) -> list[dict]:
    """The whole summary as blocks: title, opening, 一、主要工作及成效 (by line of work), 二、存在的问题和不足,
    三、下半年工作打算, signature."""
    options = options or Options()
    today = options.today or timezone.localdate()
    sections = summary_sections()
    measures = {m.code: m for m in _instances(Measure, _MEASURES.rows(Measure.objects.db))}
    chooser = Chooser(org.code, period, options.scope)
    petitions = petition_stats(org, period, scope=options.scope, places=options.share_places, by_unit=False)
    earlier = case_count(org, period.year_earlier(), scope=options.scope)
    # read once: the units' rows, table and silent units
    children = _instances(OrgUnit, _CHILD_UNITS.rows(OrgUnit.objects.db, parent=org.pk))
    facts = ledger_facts(org, period, sections, options, measures, children)
    people = people_stats(org, period, scope=options.scope)
    outline, behind = monitoring_blocks(org, period)
    work: list[dict] = []
    number = 0
    for section in sections:
        fact = facts[section.code]
        part = activity_blocks(fact, org, period, measures, options, chooser)
        if section.code == "rights":
            part += petition_blocks(petitions, earlier, org, period, options)
        part += registry_blocks(section.code, people, org, period, options)
        if section.code == "org":
            part += organisation_blocks(org, period)
        if section.code == "outline":
            part += outline
        if part:
            part += unit_blocks(fact, org, period, measures, options, chooser, children)
            number += 1
            work.append(_block(f"{section.code}.h", "h2", f"（{CHINESE_NUMERALS[number - 1]}）{section.name}"))
            work.extend(part)
    problems = problem_blocks(org, period, options, petitions, facts, behind, today, children)
    plans = plan_blocks(org, period, options, sections, behind) or planned_from(problems, facts, period)
    blocks = [_block("title", "title", title(org, period)),
              _block("opening", "para", f"{period.label}，{org.name}妇联在上级党委和上级妇联的领导下，"
                                         f"围绕中心工作，团结引领广大妇女，开展了以下工作。"
                                         f"现将{_period_word(period)}工作总结如下：")]
    heading = 0
    for key, name, part in (("work", "主要工作及成效", work), ("problems", "存在的问题和不足", problems),
                            ("plans", _plans_heading(period), plans)):
        if part:
            heading += 1
            blocks.append(_block(f"{key}.h", "h1", f"{CHINESE_NUMERALS[heading - 1]}、{name}"))
            blocks.extend(part)
    blocks.append(_block("sign.org", "sign", f"{org.name}妇联"))
    blocks.append(_block("sign.date", "sign", f"{today:%Y年%-m月%-d日}"))
    return blocks


def merge(previous: list[dict], fresh: list[dict]) -> list[dict]:
    """Regenerate without losing the user's work: her own paragraphs stay after the block they followed, and a
    generated paragraph she edited keeps her text (flagged when the figures underneath have changed)."""
    own: dict[str, list[dict]] = {}
    anchor = ""
    edited: dict[str, dict] = {}
    for block in previous:
        if block["origin"] == "user":
            own.setdefault(anchor, []).append(block)
        else:
            anchor = block["key"]
            if block.get("edited"):
                edited[block["key"]] = block
    merged = list(own.get("", []))
    keys = {b["key"] for b in fresh}
    for block in fresh:
        kept = edited.get(block["key"])
        if kept:
            block = {**block, "text": kept["text"], "edited": True,
                     "stale": kept.get("generated_text", kept["text"]) != block["text"],
                     "generated_text": block["text"]}
        merged.append(block)
        merged.extend(own.get(block["key"], []))
    for key, blocks in own.items():  # paragraphs whose anchor disappeared go before the signature
        if key and key not in keys:
            merged[-2:-2] = blocks
    return merged
