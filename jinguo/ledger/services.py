"""Writing activities: the record, its figures and partners in one transaction, with one audit trail."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from jinguo.audit.events import Event
from jinguo.audit.services import record_event
from jinguo.ledger.models import Activity, ActivityFigure, ActivityPartner, Measure
from jinguo.orgs.models import OrgUnit


def _partner_org(activity: Activity, name: str) -> OrgUnit | None:
    """A partner named like a unit near the activity's unit (same parent subtree) is linked to it."""
    base = activity.org.parent or activity.org
    return OrgUnit.objects.filter(name=name, path__startswith=base.path).first()


@transaction.atomic
def save_activity(form, figures: dict[Measure, Decimal] | None = None,
                  partners: list[str] | None = None) -> Activity:
    """Save a valid ActivityForm: the activity (change-logged), then figures and partners (one audit event)."""
    themes_before = sorted(t.name for t in form.instance.themes.all()) if form.instance.pk else []
    activity = form.save()
    themes_after = sorted(t.name for t in activity.themes.all())
    if themes_after != themes_before:
        record_event(Event.THEMES_CHANGED, activity, data={"before": themes_before, "after": themes_after})
    figures = form.figures() if figures is None else figures
    partners = form.partner_names() if partners is None else partners
    set_figures(activity, figures)
    set_partners(activity, partners)
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
