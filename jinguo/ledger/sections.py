"""Lines of work (工作条线) for the work summary: which activities belong to which section.

The mapping is the code table `summary_section` (字典「工作总结栏目」, defaults loaded by a reports migration,
edited by the system administrator like every code table): its top-level items are the sections, in order; the
items under a section name the activity themes and activity kinds that feed it. An activity goes to the first
section that claims one of its themes; failing that, to the section that claims its kind; failing that (a kind
added later and not yet mapped), to the first section. The rule is one SQL CASE, so the ledger list can filter by
section and the summary can GROUP BY it — the same activities in both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When

from jinguo.core.models import CodeItem

SECTION_TABLE = "summary_section"


@dataclass(frozen=True)
class Section:
    """One line of work: `code` is the stable key the summary's record sources refer to (rights, career …)."""

    code: str
    name: str
    kinds: frozenset[int]
    themes: frozenset[int]


def summary_sections() -> list[Section]:
    """The sections in order, each with the ids of the activity kinds and themes mapped to it."""
    items = list(CodeItem.objects.of(SECTION_TABLE).order_by("order", "code"))
    kinds = CodeItem.objects.lookup("activity_kind")
    themes = CodeItem.objects.lookup("activity_theme")
    sections = []
    for top in (item for item in items if item.parent_id is None):
        claimed = [item.name.strip() for item in items if item.parent_id == top.pk]
        sections.append(Section(top.code, top.name,
                                frozenset(kinds[n].pk for n in claimed if n in kinds and n not in themes),
                                frozenset(themes[n].pk for n in claimed if n in themes)))
    return sections


def section_of(sections: list[Section], prefix: str = "") -> Case | Value:
    """The section code of an activity as an SQL expression; `prefix` reaches the activity from another model
    ("activity__" from its figures)."""
    from jinguo.ledger.models import Activity

    if not sections:
        return Value("", output_field=CharField())
    through = Activity.themes.through
    activity = OuterRef(f"{prefix}id") if prefix else OuterRef("pk")
    whens = [When(Exists(through.objects.filter(activity_id=activity, codeitem_id__in=s.themes)), then=Value(s.code))
             for s in sections if s.themes]
    whens += [When(Q(**{f"{prefix}kind_id__in": s.kinds}), then=Value(s.code)) for s in sections if s.kinds]
    return Case(*whens, default=Value(sections[0].code), output_field=CharField())


def in_section(activities: QuerySet, code: str, sections: list[Section] | None = None) -> QuerySet:
    """`activities` that the summary counts under section `code`."""
    sections = summary_sections() if sections is None else sections
    return activities.annotate(summary_section=section_of(sections)).filter(summary_section=code)
