"""Writing activities: the record, its figures and partners in one transaction, with one audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from jinguo.audit.services import record_created_many, record_event
from jinguo.core.bulk import create_objects, insert_rows, pack, unpack
from jinguo.core.events import Event
from jinguo.core.scope import ancestor_paths
from jinguo.ledger.models import Activity, ActivityFigure, ActivityPartner, Measure
from jinguo.ledger.sections import add_stored_to_sections, add_to_sections
from jinguo.ledger.stats import StoredActivity, add_stored_to_cells, add_to_cells
from jinguo.orgs.models import OrgUnit


def _partner_org(activity: Activity, name: str) -> OrgUnit | None:
    """A partner named like a unit near the activity's unit (same parent subtree) is linked to it."""
    return OrgUnit.objects.filter(name=name, path__startswith=_partner_base(activity.org.path)).first()


def _partner_base(org_path: str) -> str:
    """The subtree searched for partner units: the activity unit's parent's (its own at the top)."""
    return (ancestor_paths(org_path) or [org_path])[-1]


@transaction.atomic
def save_activity(form, figures: dict[Measure, Decimal] | None = None,
                  partners: list[str] | None = None) -> Activity:
    """Save a valid ActivityForm: the activity (change-logged), then figures and partners (one audit event)."""
    themes_before = sorted(t.name for t in form.instance.themes.all()) if form.instance.pk else []
    if form.instance.pk:  # take its old contribution out of the roll-ups before anything changes
        add_to_cells(Activity.objects.filter(pk=form.instance.pk), -1)
        add_to_sections(Activity.objects.filter(pk=form.instance.pk), -1)
    activity = form.save()
    themes_after = sorted(t.name for t in activity.themes.all())
    if themes_after != themes_before:
        record_event(Event.THEMES_CHANGED, activity, data={"before": themes_before, "after": themes_after})
    figures = form.figures() if figures is None else figures
    partners = form.partner_names() if partners is None else partners
    set_figures(activity, figures)
    set_partners(activity, partners)
    add_to_cells(Activity.objects.filter(pk=activity.pk))
    add_to_sections(Activity.objects.filter(pk=activity.pk))
    return activity


def set_figures(activity: Activity, figures: dict[Measure, Decimal]) -> None:
    before = {f.measure.code: str(f.value) for f in activity.figures.select_related("measure")}
    after = {measure.code: str(Decimal(value).quantize(Decimal("0.01"))) for measure, value in figures.items()}
    if before == after:
        return
    activity.figures.all().delete()
    ActivityFigure.objects.bulk_create(
        [ActivityFigure(activity=activity, measure=measure, value=value) for measure, value in figures.items()])
    record_event(Event.FIGURES_CHANGED, activity, data={"before": before, "after": after})


def set_partners(activity: Activity, names: list[str]) -> None:
    current = [p.name for p in activity.partners.all()]
    if current == names:
        return
    activity.partners.all().delete()
    ActivityPartner.objects.bulk_create(
        [ActivityPartner(activity=activity, name=name[:100], org=_partner_org(activity, name)) for name in names])
    record_event(Event.PARTNERS_CHANGED, activity, data={"before": current, "after": names})


@dataclass
class NewActivity:
    """A validated, not yet stored activity with what hangs off it (see `create_activities`)."""

    activity: Activity
    themes: list = field(default_factory=list)
    figures: dict[Measure, Decimal] = field(default_factory=dict)
    partners: list[str] = field(default_factory=list)

    def __getstate__(self) -> dict:  # spooled between validating and writing (core.excel.run)
        return {**self.__dict__, "activity": pack(self.activity)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, activity=unpack(state["activity"]))


@transaction.atomic
def create_activities(items: list[NewActivity]) -> list[Activity]:
    """Store many new activities at once (imports): one insert per table, and one audit entry per activity holding
    its fields, themes, figures and partners — what `save_activity` records in up to four entries."""
    from django.db import connection

    activities = create_objects([item.activity for item in items])
    themes = Activity.themes.through
    insert_rows(themes, ["activity_id", "codeitem_id"],
                [(item.activity.pk, theme.pk) for item in items for theme in item.themes])
    value = ActivityFigure._meta.get_field("value")
    insert_rows(ActivityFigure, ["activity_id", "measure_id", "value"],
                [(item.activity.pk, measure.pk, value.get_db_prep_save(amount, connection))
                 for item in items for measure, amount in item.figures.items()])
    names = {name for item in items for name in item.partners}
    candidates = list(OrgUnit.objects.filter(name__in=names).values_list("pk", "name", "path")) if names else []

    def partner_org_id(item: NewActivity, name: str) -> int | None:
        base = _partner_base(item.activity.org.path)
        return next((pk for pk, n, path in candidates if n == name and path.startswith(base)), None)

    insert_rows(ActivityPartner, ["activity_id", "name", "org_id"],
                [(item.activity.pk, name[:100], partner_org_id(item, name))
                 for item in items for name in item.partners])
    record_created_many(activities, [
        {"themes": sorted(theme.name for theme in item.themes),
         "figures": {measure.code: str(Decimal(value).quantize(Decimal("0.01")))
                     for measure, value in item.figures.items()},
         "partners": item.partners}
        for item in items])
    stored = [StoredActivity(a.pk, a.org_id, a.start_date, a.kind_id, [theme.pk for theme in item.themes],
                             list(item.figures.items()))
              for a, item in zip(activities, items, strict=True)]
    add_stored_to_cells(stored)
    add_stored_to_sections(stored)
    return activities
