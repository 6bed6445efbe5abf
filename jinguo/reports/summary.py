"""The half-year / annual work summary (工作总结), written from the records.

Every figure comes from the statistics services (GROUP BY in the database); every share from the counts printed
beside it (core.numbers.shares: count ÷ total, rounded as offices print it, so equal counts read equal shares). Each generated paragraph
carries links to the filtered lists that produced its figures. Sections without data are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from jinguo.core.numbers import count_text, money_text, percent, plain_number
from jinguo.core.periods import Period
from jinguo.ledger.models import Measure, PlanItem
from jinguo.ledger.stats import LedgerStats, ledger_stats
from jinguo.orgs.models import OrgUnit
from jinguo.petitions.stats import PetitionStats, petition_stats

CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Options:
    scope: str = "tree"  # tree: the unit and everything below it; self: the unit alone
    rounded: bool = False  # "800余人次" instead of "850人次"
    share_places: int = 1  # 60.5% or 61%


def _block(key: str, kind: str, text: str, links: list[tuple[str, str]] | None = None) -> dict:
    return {"key": key, "kind": kind, "text": text, "origin": "generated", "edited": False,
            "links": [{"label": label, "url": url} for label, url in (links or [])]}


def _url(name: str, **query) -> str:
    return reverse(name) + "?" + urlencode({k: v for k, v in query.items() if v not in (None, "")})


def _period_word(period: Period) -> str:
    return {"Y": "全年", "H": "上半年" if period.number == 1 else "下半年",
            "Q": f"第{CHINESE_NUMERALS[period.number - 1]}季度", "M": f"{period.number}月"}[period.kind]


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


def petition_blocks(stats: PetitionStats, earlier: PetitionStats, org: OrgUnit, period: Period,
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
        facts.append(fragment)
        links.append((fragment, _url(lst, flag="dv", **base)))
    if stats.referrals_by_agency:
        facts.append("向" + "、".join(f"{r.label}部门转介{r.cases}件" for r in stats.referrals_by_agency))
    if stats.on_time_rate is not None:
        facts.append(f"办结{stats.completed}件，按期办结率{percent(stats.on_time_rate, 1)}")
    if stats.repeat_cases:
        fragment = f"重复信访{n(stats.repeat_cases, '件次')}"
        facts.append(fragment)
        links.append((fragment, _url(lst, flag="repeat", **base)))
    change = _change(stats.cases, earlier.cases, "件次")
    if change:
        facts.append(f"受理总量{change}")
    if facts:
        blocks.append(_block("petitions.facts", "para", "，".join(facts) + "。", links))
    return blocks


def _figures(totals: dict, measures: dict[str, Measure], options: Options, *,
             money: bool) -> list[tuple[str, Measure]]:
    parts = []
    for code, measure in measures.items():
        value = totals.get(code)
        if not value or (measure.kind == Measure.Kind.MONEY) != money:
            continue
        amount = (money_text(value, rounded=options.rounded) if measure.kind == Measure.Kind.MONEY
                  else count_text(value, measure.unit, rounded=options.rounded))
        parts.append((measure.prose(amount), measure))
    return parts


def ledger_blocks(stats: LedgerStats, org: OrgUnit, period: Period, options: Options, start: int) -> list[dict]:
    """One subsection per activity kind (most activities first), then the funds."""
    if not stats.activities:
        return []
    measures = dict(sorted(stats.measures.items(), key=lambda item: item[1].order))
    base = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat(), "within": org.pk}
    blocks = []
    number = start
    for group in stats.by_kind:
        themes = stats.kind_themes.get(group.key, [])[:2]
        lead = f"围绕{'、'.join(themes)}等主题，" if themes else ""
        figures = (_figures(group.totals, measures, options, money=False)
                   + _figures(group.totals, measures, options, money=True))
        held = f"开展{group.label}活动{count_text(group.activities, '场次', rounded=options.rounded)}"
        text = f"{lead}{held}" + "".join(f"，{fragment}" for fragment, _m in figures) + "。"
        heading = f"（{CHINESE_NUMERALS[number - 1]}）{group.label}"
        links = [(held, _url("ledger:activity_list", kind=group.key, **base))] + [
            (fragment, _url("ledger:activity_list", kind=group.key, measure=measure.pk, **base))
            for fragment, measure in figures]
        blocks.append(_block(f"ledger.kind.{group.key}.h", "h2", heading))
        blocks.append(_block(f"ledger.kind.{group.key}", "para", text, links))
        number += 1
    funds = stats.funds()
    if funds["out"] or funds["in"]:
        parts = []
        if funds["out"]:
            parts.append(f"发放慰问金、救助金及物资共{money_text(funds['out'], rounded=options.rounded)}")
        if funds["in"]:
            parts.append(f"接收社会捐款{money_text(funds['in'], rounded=options.rounded)}")
        url = _url("ledger:funds", org=org.pk, period=str(period))
        blocks.append(_block("ledger.funds.h", "h2", f"（{CHINESE_NUMERALS[number - 1]}）资金使用"))
        blocks.append(_block("ledger.funds", "para", f"{period.label}，" + "，".join(parts) + "。",
                             [(part, url) for part in parts]))
    return blocks


def people_blocks(stats, org: OrgUnit, period: Period, options: Options, number: int) -> list[dict]:
    """Registries: people helped, new cadres, volunteers, honours, 巾帼文明岗 and loans (only what has data)."""
    if stats.empty:
        return []
    n = lambda value, unit: count_text(value, unit, rounded=options.rounded)  # noqa: E731
    parts = []
    if stats.aided_people:
        text = f"帮扶困难妇女儿童{n(stats.aided_people, '人')}"
        parts.append((text + (f"，发放帮扶资金{money_text(stats.aid_amount, rounded=options.rounded)}"
                              if stats.aid_amount else ""), reverse("people:beneficiary_list")))
    if stats.new_cadres:
        parts.append(("新任" + "、".join(f"{label}{count}名" for label, count in stats.new_cadres.items()),
                      reverse("people:talent_list")))
    if stats.volunteers:
        parts.append((f"组织巾帼志愿者{n(stats.volunteers, '人')}开展志愿服务"
                      f"{plain_number(stats.volunteer_hours)}小时", reverse("people:volunteer_list")))
    if stats.honours:
        parts.append(("获得" + "、".join(f"{level}荣誉{count}项" for level, count in stats.honours.items()),
                      reverse("people:honour_list")))
    if stats.civilized_posts:
        parts.append((f"新命名巾帼文明岗{stats.civilized_posts}个", reverse("people:civilizedpost_list")))
    if stats.loans:
        text = f"发放妇女小额担保贷款{stats.loans}笔、{money_text(stats.loan_amount, rounded=options.rounded)}"
        if stats.subsidy_amount:
            text += f"，贴息{money_text(stats.subsidy_amount, rounded=options.rounded)}"
        parts.append((text, reverse("people:loan_list")))
    return [_block("people.h", "h2", f"（{CHINESE_NUMERALS[number - 1]}）巾帼建功与关爱帮扶"),
            _block("people", "para", f"{period.label}，" + "；".join(p for p, _u in parts) + "。", parts)]


def monitoring_blocks(org: OrgUnit, period: Period, number: int) -> list[dict]:
    """两纲实施: attainment of the outline targets for the period's year, when the units have reported."""
    from jinguo.monitoring.attainment import attainment
    from jinguo.monitoring.models import Submission

    if not Submission.objects.filter(org__path__startswith=org.path, period=str(period.year)).exists():
        return []
    rows = [r for r in attainment(org, period.year, years_back=0) if r.attained is not None]
    if not rows:
        return []
    met = sum(1 for r in rows if r.attained)
    text = (f"{period.year}年纳入监测的妇女儿童发展纲要指标中，可监测{len(rows)}项，达标{met}项，"
            f"达标率{percent(Decimal(met) * 100 / len(rows), 1)}。")
    behind = [r.indicator.name for r in rows if not r.attained]
    if behind:
        text += f"尚未达标的有{'、'.join(behind[:5])}{'等' if len(behind) > 5 else ''}。"
    return [_block("monitoring.h", "h2", f"（{CHINESE_NUMERALS[number - 1]}）两纲实施"),
            _block("monitoring", "para", text, [(f"可监测{len(rows)}项", _url("monitoring:attainment", org=org.pk,
                                                                             period=str(period.year)))])]


def plan_blocks(org: OrgUnit, period: Period, options: Options) -> list[dict]:
    following = period.next()
    items = PlanItem.objects.filter(period=str(following)).exclude(status=PlanItem.Status.CANCELLED)
    items = items.filter(org=org) if options.scope == "self" else items.filter(org__path__startswith=org.path)
    items = list(items.order_by("order", "pk"))
    if not items:
        return []
    blocks = []
    for index, item in enumerate(items, start=1):
        text = f"{index}. {item.title.rstrip('。')}。" + (item.description.strip() if item.description else "")
        blocks.append(_block(f"plans.{item.pk}", "para", text,
                             [("工作计划", reverse("ledger:planitem_detail", args=[item.pk]))]))
    return blocks


def generate(org: OrgUnit, period: Period, options: Options | None = None) -> list[dict]:
    """The whole summary as blocks: title, opening, 一、主要工作及成效 …, 二、下一阶段工作计划, signature."""
    options = options or Options()
    petitions, earlier = (petition_stats(org, period, scope=options.scope, places=options.share_places),
                          petition_stats(org, period.year_earlier(), scope=options.scope))
    ledger = ledger_stats(org, period, scope=options.scope)
    work = []
    numbering = 1
    petition_part = petition_blocks(petitions, earlier, org, period, options)
    if petition_part:
        work.append(_block("petitions.h", "h2", f"（{CHINESE_NUMERALS[numbering - 1]}）维权信访工作"))
        work.extend(petition_part)
        numbering += 1
    work.extend(ledger_blocks(ledger, org, period, options, numbering))
    from jinguo.people.services import people_stats

    numbering = sum(1 for b in work if b["kind"] == "h2") + 1
    work.extend(people_blocks(people_stats(org, period, scope=options.scope), org, period, options, numbering))
    numbering = sum(1 for b in work if b["kind"] == "h2") + 1
    work.extend(monitoring_blocks(org, period, numbering))
    plans = plan_blocks(org, period, options)
    blocks = [_block("title", "title", title(org, period)),
              _block("opening", "para", f"{period.label}，{org.name}妇联在上级党委和上级妇联的坚强领导下，"
                                         f"紧紧围绕中心工作，团结引领广大妇女建功新时代，各项工作取得新进展。"
                                         f"现将{_period_word(period)}工作总结如下：")]
    heading = 1
    if work:
        blocks.append(_block("work.h", "h1", f"{CHINESE_NUMERALS[heading - 1]}、主要工作及成效"))
        blocks.extend(work)
        heading += 1
    if plans:
        blocks.append(_block("plans.h", "h1", f"{CHINESE_NUMERALS[heading - 1]}、下一阶段工作计划"))
        blocks.extend(plans)
    blocks.append(_block("sign.org", "sign", f"{org.name}妇联"))
    blocks.append(_block("sign.date", "sign", f"{timezone.localdate():%Y年%-m月%-d日}"))
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
