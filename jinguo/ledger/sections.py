"""Lines of work (工作条线) for the work summary: which activities belong to which section, and how far each reached.

The mapping is the code table `summary_section` (字典「工作总结栏目」, defaults loaded by a reports migration,
edited by the system administrator like every code table): its top-level items are the sections, in order; the
items under a section name the activity themes and activity kinds that feed it. An activity goes to the first
section that claims one of its themes; failing that, to the section that claims its kind; failing that (a kind
added later and not yet mapped), to the first section. The rule is one SQL CASE (`section_of`), so the ledger list
can filter by section and the summary can GROUP BY it — the same activities in both.

Working that CASE out for each of a province's million activities takes seconds, so the summary reads it stored:
`ActivityRank` (one row per activity: unit, date, section, reach) and `SectionCell` (unit × month × section ×
measure), kept by `add_to_sections` in the transaction that writes the activities, brought back in line by
`resync_sections` (the activities an edit moved, only) when one of the code tables the rule reads (sections, activity
kinds and themes) or a measure's unit changes, and rebuilt whole by `jinguo rebuild_cells` after bulk loads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from jinguo.core.bulk import add_to_rows, insert_rows
from jinguo.core.events import Event
from jinguo.core.fields import CentsField
from jinguo.core.models import CodeItem, CodeTable, spellings
from jinguo.core.sql import CompiledQuery

if TYPE_CHECKING:
    from jinguo.ledger.stats import StoredActivity

SECTION_TABLE = "summary_section"
# The tables whose items decide an activity's section (`summary_sections` reads all three).
SECTION_SOURCES = (SECTION_TABLE, "activity_kind", "activity_theme")
# The summary ranks activities by reach: people first (counts in these units), then copies, then yuan.
PEOPLE_UNITS = ("人", "人次", "户", "名")
COPY_UNITS = ("份", "本", "册", "张")
NO_REACH = Decimal(-1)  # ActivityRank's reach when the activity has no figure of that kind (see the model)


@dataclass(frozen=True)
class Section:
    """One line of work: `code` is the stable key the summary's record sources refer to (rights, career …); `pk` is
    its code item, the id the roll-ups store."""

    code: str
    name: str
    kinds: frozenset[int]
    themes: frozenset[int]
    pk: int = 0


# The active items of the three tables, in each table's order: one query, compiled once per connection (read afresh
# on every call, so an administrator's edit counts at once).
_SOURCE_ITEMS = CompiledQuery(lambda: CodeItem.objects.filter(table__slug__in=SECTION_SOURCES, is_active=True)
                              .order_by("table__slug", "order", "code")
                              .values_list("table__slug", "pk", "code", "name", "aliases", "parent_id",
                                           "parent__name"))


def summary_sections() -> list[Section]:
    """The sections in order, each with the ids of the activity kinds and themes mapped to it."""
    tables: dict[str, list[tuple]] = {slug: [] for slug in SECTION_SOURCES}
    for slug, *item in _SOURCE_ITEMS.rows(CodeItem.objects.db):
        tables[slug].append(item)

    def lookup(slug: str) -> dict[str, int]:  # CodeItem.objects.lookup(slug), to the items' ids
        items = tables[slug]
        found = spellings([(code, name, aliases, parent if parent_id else None)
                           for _pk, code, name, aliases, parent_id, parent in items])
        return {key: items[index][0] for key, index in found.items()}

    items = tables[SECTION_TABLE]
    kinds, themes = lookup("activity_kind"), lookup("activity_theme")
    sections = []
    for pk, code, name, _aliases, parent_id, _parent in items:
        if parent_id is None:
            claimed = [child[2].strip() for child in items if child[4] == pk]
            sections.append(Section(code, name, frozenset(kinds[n] for n in claimed if n in kinds and n not in themes),
                                    frozenset(themes[n] for n in claimed if n in themes), pk))
    return sections


def _section_case(sections: list[Section], prefix: str, value, output_field) -> Case | Value:
    """The rule itself: `value(section)` of the section an activity falls in, as one SQL CASE."""
    from jinguo.ledger.models import Activity

    if not sections:
        return Value(value(None), output_field=output_field)
    through = Activity.themes.through
    activity = OuterRef(f"{prefix}id") if prefix else OuterRef("pk")
    whens = [When(Exists(through.objects.filter(activity_id=activity, codeitem_id__in=s.themes)),
                  then=Value(value(s))) for s in sections if s.themes]
    whens += [When(Q(**{f"{prefix}kind_id__in": s.kinds}), then=Value(value(s))) for s in sections if s.kinds]
    return Case(*whens, default=Value(value(sections[0])), output_field=output_field)


def section_of(sections: list[Section], prefix: str = "") -> Case | Value:
    """The section code of an activity as an SQL expression; `prefix` reaches the activity from another model
    ("activity__" from its figures)."""
    return _section_case(sections, prefix, lambda s: s.code if s else "", CharField())


def section_id_of(sections: list[Section], prefix: str = "") -> Case | Value:
    """The same rule giving the section's code item id (0 when there are no sections): what the roll-ups store."""
    return _section_case(sections, prefix, lambda s: s.pk if s else 0, IntegerField())


def section_id_for(sections: list[Section], kind_id: int, theme_ids: Iterable[int]) -> int:
    """`section_id_of` for one activity held in memory (a bulk writer's): the same rule, in the same order — the
    first section claiming one of its themes, else the first claiming its kind, else the first section."""
    if not sections:
        return 0
    themes = set(theme_ids)
    for section in sections:
        if not section.themes.isdisjoint(themes):
            return section.pk
    for section in sections:
        if kind_id in section.kinds:
            return section.pk
    return sections[0].pk


def in_section(activities: QuerySet, code: str, sections: list[Section] | None = None) -> QuerySet:
    """`activities` that the summary counts under section `code`."""
    sections = summary_sections() if sections is None else sections
    return activities.annotate(summary_section=section_of(sections)).filter(summary_section=code)


def _reach_conditions(prefix: str = "") -> dict[str, Q]:
    """Which figures count towards each reach, from ActivityFigure (`prefix` "figures__" from the activity)."""
    from jinguo.ledger.models import Measure

    return {"people": Q(**{f"{prefix}measure__unit__in": PEOPLE_UNITS, f"{prefix}measure__kind": Measure.Kind.COUNT}),
            "copies": Q(**{f"{prefix}measure__unit__in": COPY_UNITS}),
            "yuan": Q(**{f"{prefix}measure__kind": Measure.Kind.MONEY})}


def reach_of(activities: QuerySet) -> QuerySet:
    """`activities` with their reach for ranking: people, copies, yuan — the sums of their figures in people units
    (counts), copy units and money; `NO_REACH` where they have none of the kind."""
    none = Value(NO_REACH, output_field=CentsField())
    return activities.annotate(**{
        f"reach_{name}": Coalesce(Sum("figures__value", filter=condition), none, output_field=CentsField())
        for name, condition in _reach_conditions("figures__").items()})


# --- the stored sections and their roll-up (ActivityRank, SectionCell) ---------------------------------------------

def add_to_sections(activities: QuerySet, sign: int = 1) -> None:
    """Store (sign=1) or take away (sign=-1) `activities`' rank rows and their contribution to `SectionCell`, inside
    the caller's transaction: set-based (one INSERT … SELECT for the rank rows, one INSERT … SELECT … ON CONFLICT DO
    UPDATE for the cells, so concurrent writers add up), however many activities. Call with -1 before an activity
    changes or goes (it reads the stored rows), with 1 once it is stored with its themes and figures."""
    from jinguo.ledger.models import ActivityRank

    if sign > 0:
        _write_ranks(activities, summary_sections())
    ranks = ActivityRank.objects.filter(pk__in=activities.values("pk"))
    if sign < 0:  # before the rows it takes away are gone
        orgs = {org_id for org_id, in ranks.values_list("org_id")}
    _write_cells(ranks, sign, upsert=True)
    if sign < 0:
        ranks.delete()
        _drop_empty_cells(orgs)


def _drop_empty_cells(orgs: set[int]) -> None:
    """Delete the cells of `orgs` that activities taken away left at zero."""
    from jinguo.ledger.models import SectionCell

    if orgs:
        SectionCell.objects.filter(org_id__any_of=list(orgs), activities=0).delete()


def add_stored_to_sections(activities: Iterable[StoredActivity]) -> None:
    """`add_to_sections(stored)` for activities whose parts are at hand (the bulk import): each one's section
    (`section_id_for`) and reach (the sums `_reach_conditions` selects) worked out here, the rank rows inserted and
    the cells added in one upsert — instead of the INSERT … SELECTs joining the new rows back to their themes and
    figures, whose plans read the whole rank table once per chunk. The twin of `_write_ranks` / `_write_cells`:
    tests/ledger/test_sections.py holds both to a rebuild."""
    from jinguo.ledger.models import ActivityRank, Measure, SectionCell

    sections = summary_sections()
    as_cents = ActivityRank._meta.get_field("people").get_prep_value  # a plain integer column: no adapting
    none = as_cents(NO_REACH)
    counts: dict[Measure, tuple[bool, bool, bool]] = {}  # measure → which reaches it counts towards

    def reach(figures) -> tuple:
        sums = [None, None, None]
        for measure, value in figures:
            towards = counts.get(measure)
            if towards is None:
                towards = counts[measure] = (measure.unit in PEOPLE_UNITS and measure.kind == Measure.Kind.COUNT,
                                             measure.unit in COPY_UNITS, measure.kind == Measure.Kind.MONEY)
            for i, counted in enumerate(towards):
                if counted:
                    sums[i] = value if sums[i] is None else sums[i] + value
        return tuple(none if v is None else as_cents(v) for v in sums)

    ranks, cells = [], defaultdict(lambda: [0, Decimal(0)])
    as_date = ActivityRank._meta.get_field("start_date").get_db_prep_save
    for activity in activities:
        section_id = section_id_for(sections, activity.kind_id, activity.theme_ids)
        ranks.append((activity.pk, activity.org_id, as_date(activity.start_date, connection), section_id,
                      *reach(activity.figures)))
        month = activity.start_date.replace(day=1)
        cells[month, activity.org_id, section_id, 0][0] += 1
        for measure, value in activity.figures:
            cell = cells[month, activity.org_id, section_id, measure.pk]
            cell[0] += 1
            cell[1] += value
    insert_rows(ActivityRank, ["activity_id", "org_id", "start_date", "section_id", "people", "copies", "yuan"],
                ranks)
    add_to_rows(SectionCell, ("month", "org_id", "section_id", "measure_id"), ("activities", "total"),
                [(as_date(month, connection), *rest, n, as_cents(total))
                 for (month, *rest), (n, total) in cells.items()])


def rebuild_sections() -> int:
    """Recompute every rank row and the whole roll-up from the activities, with the code tables as they are now:
    after bulk loads past the services, and when the section rule's tables or a measure's unit change. Returns the
    number of rows written."""
    from jinguo.ledger.models import Activity, ActivityRank, SectionCell

    SectionCell.objects.all().delete()
    ActivityRank.objects.all().delete()
    _write_ranks(Activity.objects.all(), summary_sections(), every=True)
    _write_cells(ActivityRank.objects.all(), 1, upsert=False)
    return ActivityRank.objects.count() + SectionCell.objects.count()


def resync_sections(*, measure_id: int | None = None) -> int:
    """Bring the stored rows in line with the code tables as they are now, touching only what an administrator's edit
    moved: the activities whose stored section is no longer the one the rule gives (`measure_id=None`: a code item of
    the rule's tables changed), or whose reach may have changed (`measure_id`: that measure's unit or kind changed;
    the cells count figures per measure whatever its unit, so only the rank rows are written again). Rewriting every
    row (`rebuild_sections`) took minutes for a province's activities, inside the administrator's request. Returns
    the number of activities rewritten."""
    from jinguo.ledger.models import Activity, ActivityFigure, ActivityRank

    sections = summary_sections()
    if measure_id is not None:
        with_figure = ActivityFigure.objects.filter(measure_id=measure_id).order_by().values("activity_id")
        ranks = ActivityRank.objects.filter(pk__in=with_figure)
        count = ranks.count()
        if count:
            ranks.delete()
            _write_ranks(Activity.objects.filter(pk__in=with_figure), sections)
        return count
    moved = defaultdict(list)  # new section → the activities moving there; their reach stays as stored
    for pk, now in (ActivityRank.objects.order_by().annotate(now=section_id_of(sections, "activity__"))
                    .exclude(section_id=F("now")).values_list("pk", "now")):
        moved[now].append(pk)
    everyone = [pk for pks in moved.values() for pk in pks]
    if everyone:
        ranks = ActivityRank.objects.filter(pk__any_of=everyone)
        orgs = set(ranks.values_list("org_id", flat=True).distinct())
        _write_cells(ranks, -1, upsert=True)  # out of the cells of the sections they were stored under
        for section_id, pks in moved.items():
            ActivityRank.objects.filter(pk__any_of=pks).update(section_id=section_id)
        _write_cells(ranks, 1, upsert=True)
        _drop_empty_cells(orgs)
    return len(everyone)


def _write_ranks(activities: QuerySet, sections: list[Section], *, every: bool = False) -> None:
    """One INSERT … SELECT of the rank rows of `activities` (`every`: all of them, no filter): the section worked out
    once per activity and joined to its figures summed per activity — not the figures joined first and the section
    worked out, and grouped by, once per figure."""
    from jinguo.ledger.models import ActivityFigure, ActivityRank

    rows = (activities.order_by()
            .values(a_id=F("pk"), a_org=F("org_id"), a_date=F("start_date"), a_section=section_id_of(sections)))
    figures = ActivityFigure.objects.all() if every else ActivityFigure.objects.filter(
        activity__in=activities.order_by().values("pk"))
    reach = (figures.order_by().values(f_activity=F("activity_id"))
             .annotate(**{f"f_{name}": Sum("value", filter=condition)
                          for name, condition in _reach_conditions().items()}))
    rows_sql, rows_params = rows.query.sql_with_params()  # names come from model meta, values are parameters
    reach_sql, reach_params = reach.query.sql_with_params()
    none = ActivityRank._meta.get_field("people").get_db_prep_save(NO_REACH, connection)
    table = connection.ops.quote_name(ActivityRank._meta.db_table)
    order = " ORDER BY 1" if every else ""  # a whole table in the order of its primary key
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (activity_id, org_id, start_date, section_id, people, copies, yuan) "  # noqa: S608
                       f"SELECT a.a_id, a.a_org, a.a_date, a.a_section, COALESCE(f.f_people, %s), "
                       f"COALESCE(f.f_copies, %s), COALESCE(f.f_yuan, %s) FROM ({rows_sql}) a "
                       f"LEFT JOIN ({reach_sql}) f ON f.f_activity = a.a_id{order}",
                       [none, none, none, *rows_params, *reach_params])


def _write_cells(ranks: QuerySet, sign: int, *, upsert: bool) -> None:
    """What the rank rows `ranks` contribute to `SectionCell`: their count and their figures per (unit, month,
    section), in one statement (the two sources never share a key: measure ids are never 0). The figures join the
    rank rows by activity id directly, not through the activities."""
    from jinguo.ledger.models import ActivityFigure, SectionCell

    zero = Value(0, output_field=IntegerField())
    key = {"c_org": F("org_id"), "c_month": TruncMonth("start_date"), "c_section": F("section_id")}
    counts = ranks.order_by().values(**key, c_measure=zero).annotate(c_n=Count("pk"), c_total=zero)
    keyed = ranks.order_by().values(c_id=F("pk"), **key)
    counts_sql, counts_params = counts.query.sql_with_params()
    keyed_sql, keyed_params = keyed.query.sql_with_params()
    quote = connection.ops.quote_name
    figures_table, table = quote(ActivityFigure._meta.db_table), quote(SectionCell._meta.db_table)
    figures_sql = (f"SELECT r.c_org, r.c_month, r.c_section, f.measure_id AS c_measure, COUNT(*) AS c_n, "  # noqa: S608
                   f"SUM(f.value) AS c_total FROM ({keyed_sql}) r JOIN {figures_table} f ON f.activity_id = r.c_id "
                   f"GROUP BY r.c_org, r.c_month, r.c_section, f.measure_id")
    on_conflict = (f" ON CONFLICT (month, org_id, section_id, measure_id) DO UPDATE SET "
                   f"activities = {table}.activities + excluded.activities, total = {table}.total + excluded.total")
    insert = (f"INSERT INTO {table} (org_id, month, section_id, measure_id, activities, total) "  # noqa: S608
              f"SELECT c_org, c_month, c_section, c_measure, %s * c_n, %s * c_total "
              f"FROM ({counts_sql} UNION ALL {figures_sql}) AS source WHERE true"
              f"{on_conflict if upsert else ' ORDER BY 2, 1'}")  # a rebuild's rows in the order of the table's key
    with connection.cursor() as cursor:
        cursor.execute(insert, [sign, sign, *counts_params, *keyed_params])


# What each model's stored rows depend on: a code item's every field but its stamps (names, codes and aliases match
# the claims, order and parent make the sections), a measure's unit and kind (the reach it counts towards).
_RULE_FIELDS = {"core.codeitem": None, "ledger.measure": ("unit", "kind")}
_STAMPS = ("created", "updated", "version")


def sections_changed(sender, instance, action, before: dict | None, after: dict | None, **kwargs) -> None:
    """`core.changelog.object_changed` receiver for code items and measures: when an item of the tables the section
    rule reads is added, changed or deleted, or a measure's unit or kind changes, the activities it moves to another
    section, or whose reach it may change, are recomputed inside the edit's transaction (`resync_sections`).
    Returns None: the change-log signal hands the audit writer's answer back to the sender."""
    fields = _RULE_FIELDS.get(sender._meta.label_lower, ())
    if fields and action != Event.UPDATED:
        return  # a measure added has no figures yet; one with figures cannot be deleted (PROTECT)
    if before is not None and after is not None:
        keys = fields or [k for k in {*before, *after} if k not in _STAMPS]
        if all(before.get(k) == after.get(k) for k in keys):
            return
    if sender is CodeItem and not CodeTable.objects.filter(pk=instance.table_id, slug__in=SECTION_SOURCES).exists():
        return
    resync_sections(measure_id=None if sender is CodeItem else instance.pk)
