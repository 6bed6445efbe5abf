"""The petitions panels of the home page: overdue cases (with a city's counts per county), cases due soon, and
家暴 alerts with protection orders running out. Registered from `PetitionsConfig.ready()`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext as _

from jinguo.core.home import ITEMS_SHOWN, Panel, PanelItem
from jinguo.core.scope import scope_paths
from jinguo.orgs.models import Level, OrgUnit
from jinguo.petitions.models import CASE_ROLES, Case, CaseEvent, DomesticViolence, due_soon_days

ORDER_WARNING_DAYS = 14  # a protection order is flagged this many days before it expires (as on the deadline page)
ALERT_DAYS = 30  # repeat-abuser alerts stay on the home page this long


def _case_item(case: Case, badge: str, tone: str) -> PanelItem:
    return PanelItem(label=f"{case.number} {case.category.name}", url=case.get_absolute_url(),
                     detail=case.handler.name if case.handler_id else case.org.name, badge=badge, tone=tone)


def _per_unit_below(user, overdue) -> list[PanelItem]:
    """For a city or province user: the overdue count of each unit one level below her own (one grouped query per
    length of path, which is one query for a tree of official codes)."""
    roots = scope_paths(user, CASE_ROLES)
    units = list(OrgUnit.objects.filter(parent__path__in=roots, level__in=[Level.CITY, Level.COUNTY])
                 .order_by("path").only("pk", "name", "path"))
    if not units:
        return []
    counts: dict[str, int] = {}
    for length in sorted({len(u.path) for u in units}):
        prefixes = [u.path for u in units if len(u.path) == length]
        rows = (overdue.annotate(unit=Substr("org__path", 1, length)).filter(unit__in=prefixes).order_by()
                .values("unit").annotate(n=Count("pk")))
        counts.update({row["unit"]: row["n"] for row in rows})
    link = reverse("petitions:case_list")
    return [PanelItem(label=u.name, url=f"{link}?deadline=overdue&within={u.pk}", badge=str(counts.get(u.path, 0)),
                      tone="red" if counts.get(u.path) else "green") for u in units]


def case_panels(user, today: dt.date) -> list[Panel] | None:
    if not scope_paths(user, CASE_ROLES):
        return None
    visible = Case.objects.visible_to(user, "view").select_related("category", "org", "handler")
    days = due_soon_days(user.org)
    deadlines = reverse("petitions:deadlines")
    cases = reverse("petitions:case_list")

    overdue = visible.overdue(today)
    overdue_rows = [_case_item(c, _("超期%(n)d日") % {"n": (today - c.current_due).days}, "red")
                    for c in overdue.order_by("current_due", "pk")[:ITEMS_SHOWN]]
    overdue_panel = Panel(
        key="petitions.overdue", title=_("超期案件"), count=overdue.count(), items=overdue_rows, tone="red",
        empty=_("暂无超期案件。"), link=f"{cases}?deadline=overdue", link_label=_("查看全部超期案件"),
        actions=[(_("信访登记"), reverse("petitions:case_add"))])
    overdue_panel.breakdown = _per_unit_below(user, Case.objects.visible_to(user, "view").overdue(today))
    if overdue_panel.breakdown:
        overdue_panel.breakdown_title = _("各地超期件数")

    soon = visible.due_soon(today, days)
    soon_rows = []
    for case in soon.order_by("current_due", "pk")[:ITEMS_SHOWN]:
        left = (case.current_due - today).days
        badge = _("今日到期") if left == 0 else _("还剩%(n)d日") % {"n": left}
        soon_rows.append(_case_item(case, badge, "orange"))
    soon_panel = Panel(
        key="petitions.due_soon", title=_("即将超期（%(n)d日内）") % {"n": days}, count=soon.count(), items=soon_rows,
        tone="orange", empty=_("%(n)d日内没有到期的案件。") % {"n": days}, link=f"{cases}?deadline=soon",
        link_label=_("查看全部即将超期案件"))

    orders = (DomesticViolence.objects.filter(case__in=Case.objects.visible_to(user, "view"), order_granted=True,
                                              order_expires_on__gte=today,
                                              order_expires_on__lte=today + dt.timedelta(days=ORDER_WARNING_DAYS))
              .select_related("case").order_by("order_expires_on"))
    alerts = (CaseEvent.objects.filter(case__in=Case.objects.visible_to(user, "view"), code="case.alert",
                                       at__date__gte=today - dt.timedelta(days=ALERT_DAYS))
              .select_related("case").order_by("-at"))
    dv_rows = [PanelItem(label=_("%(case)s 人身安全保护令") % {"case": d.case.number}, url=d.case.get_absolute_url(),
                         badge=_("%(d)s到期") % {"d": d.order_expires_on.strftime("%m-%d")}, tone="orange")
               for d in orders[:ITEMS_SHOWN]]
    dv_rows += [PanelItem(label=_("%(case)s 预警") % {"case": e.case.number}, url=e.case.get_absolute_url(),
                          detail=e.note, badge=_("预警"), tone="red") for e in alerts[:ITEMS_SHOWN - len(dv_rows)]]
    dv_panel = Panel(
        key="petitions.dv", title=_("家暴预警与保护令"), count=orders.count() + alerts.count(), items=dv_rows,
        tone="red", empty=_("暂无家暴预警，%(n)d日内也没有到期的人身安全保护令。") % {"n": ORDER_WARNING_DAYS},
        link=deadlines, link_label=_("查看期限提醒"))
    return [overdue_panel, soon_panel, dv_panel]
