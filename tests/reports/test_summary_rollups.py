"""The work summary reads its ledger facts from the stored sections (ActivityRank, SectionCell); the same summary
written from the raw tables — each activity's section and reach worked out by the ledger's own rule over the
activities, their themes and figures, as the summary did before the roll-ups — is the same text, word for word, at
every level and scope, including the order of activities that tie on reach."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Count, F, Sum, Window
from django.db.models.functions import RowNumber

from jinguo.core.periods import Period
from jinguo.ledger.models import Activity, ActivityFigure
from jinguo.ledger.sections import reach_of, section_of
from jinguo.ledger.stats import activities_in
from jinguo.orgs.models import group_under
from jinguo.reports import summary
from jinguo.reports.summary import WIDE_LEVELS, Options, SectionFacts, generate

pytestmark = pytest.mark.django_db


def raw_ledger_facts(org, period, sections, options, measures=None, children=None) -> dict[str, SectionFacts]:
    """The summary's ledger facts from the raw tables: GROUP BYs over the period's activities with the section rule
    as an SQL CASE, and a window per section ranking them by reach (what the summary has read already is ignored)."""
    activities = activities_in(org, period, scope=options.scope)
    per_org = list(activities.annotate(s=section_of(sections)).values_list("s", "org_id").annotate(n=Count("id"))
                   .order_by())
    per_org_figures = list(ActivityFigure.objects.filter(activity__in=activities.values("pk"))
                           .annotate(s=section_of(sections, "activity__"))
                           .values_list("s", "activity__org_id", "measure__code").annotate(t=Sum("value"))
                           .order_by())
    before = dict(activities_in(org, period.year_earlier(), scope=options.scope).annotate(s=section_of(sections))
                  .values_list("s").annotate(n=Count("id")).order_by())
    facts = {s.code: SectionFacts(s, before=before.get(s.code, 0)) for s in sections}
    for code, _org, n in per_org:
        facts[code].activities += n
    for code, _org, measure, total in per_org_figures:
        facts[code].totals[measure] = facts[code].totals.get(measure, Decimal(0)) + total
    order = [F("reach_people").desc(), F("reach_copies").desc(), F("reach_yuan").desc(), F("start_date").asc(),
             F("pk").asc()]
    ranked = (reach_of(activities.annotate(s=section_of(sections)))
              .annotate(rank=Window(RowNumber(), partition_by=[F("s")], order_by=order))
              .filter(rank__lte=options.highlights).values_list("pk", "s", "rank"))
    placed = {pk: (code, rank) for pk, code, rank in ranked}
    found = Activity.objects.filter(pk__in=placed).select_related("org").prefetch_related("partners",
                                                                                         "figures__measure")
    for activity in sorted(found, key=lambda a: placed[a.pk][1]):
        facts[placed[activity.pk][0]].top.append(summary.Highlight.of(activity))
    if options.scope == "tree" and org.level in WIDE_LEVELS:
        units = group_under(org, {org_id for _s, org_id, _n in per_org})
        table: dict[str, dict[int, list]] = {}
        for code, org_id, n in per_org:
            table.setdefault(code, {}).setdefault(units[org_id].pk, [units[org_id], 0, {}])[1] += n
        for code, org_id, measure, total in per_org_figures:
            into = table.setdefault(code, {}).setdefault(units[org_id].pk, [units[org_id], 0, {}])[2]
            into[measure] = into.get(measure, Decimal(0)) + total
        for code, rows in table.items():
            facts[code].by_unit = sorted((tuple(r) for r in rows.values()), key=lambda r: r[0].code)
    return facts


@pytest.fixture
def ledger(tree, make_activity):
    """Activities in every section across the city's units, this year and last, with ties on reach (broken by date,
    then by which was stored first), activities without figures, zero figures and money-only reach."""
    units = [tree["city"], tree["county"], tree["township"], tree["township2"], tree["sister"],
             tree["sister_township"]]
    plans = [("宣传教育", ("三八维权周",), {"materials": 500, "consultations": 40}),
             ("宣传教育", ("母亲节",), {"participants": 120}),
             ("培训", (), {"trainees": 45, "materials": 20}),
             ("慰问帮扶", (), {"visited": 12, "condolence": "3000.50"}),
             ("慰问帮扶", ("春节送温暖",), {"condolence": 800}),
             ("会议", (), {}),
             ("宣传教育", ("反家庭暴力",), {"participants": 120}),
             ("培训", ("巾帼建功",), {"trainees": 0, "handbooks": 30})]
    for i in range(40):
        kind, themes, figures = plans[i % len(plans)]
        year = 2025 if i % 5 else 2024
        day = dt.date(year, 1 + i % 12, 1 + (i * 7) % 28)
        make_activity(units[i % len(units)], f"活动{i}", day, kind=kind, themes=themes, place=f"地点{i % 3}",
                      **figures)
    for day in ("2025-05-05", "2025-05-04", "2025-05-05"):  # three equal reaches: the earlier, then the first stored
        make_activity(tree["township"], f"并列宣传{day}", day, themes=("反家庭暴力",), participants=120)
    return tree


@pytest.mark.parametrize("unit", ["province", "city", "county", "township", "sister"])
def test_summary_from_the_roll_ups_equals_the_summary_from_the_raw_tables(ledger, monkeypatch, unit):
    org = ledger[unit]
    for period in ("2025", "2025H1", "2025Q3", "2024"):
        for options in (Options(today=dt.date(2026, 1, 5)), Options(scope="self", today=dt.date(2026, 1, 5)),
                        Options(highlights=5, rounded=True, today=dt.date(2026, 1, 5))):
            from_rollups = generate(org, Period.parse(period), options)
            with monkeypatch.context() as patched:
                patched.setattr(summary, "ledger_facts", raw_ledger_facts)
                from_raw = generate(org, Period.parse(period), options)
            assert from_rollups == from_raw, (period, options)
    if unit in ("city", "county"):  # the data is there to compare: items named in more than one section
        texts = [b["text"] for b in generate(org, Period.parse("2025"), Options(today=dt.date(2026, 1, 5)))]
        assert sum(t.startswith(("一是", "二是")) for t in texts) >= 4
