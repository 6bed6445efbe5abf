"""The monitoring panels of the home page: returns submitted to the user's unit and waiting for her review, and
for a member unit's clerk her data sets of the year with their state. Registered from `MonitoringConfig.ready()`."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from jinguo.core.home import ITEMS_SHOWN, Panel, PanelItem
from jinguo.core.periods import Period
from jinguo.core.roles import Role
from jinguo.core.scope import scope_paths
from jinguo.monitoring.models import DataSet, Submission

STATUS_TONES = {Submission.Status.DRAFT: "blue", Submission.Status.SUBMITTED: "orange",
                Submission.Status.REVIEWED: "green", Submission.Status.RETURNED: "red",
                Submission.Status.APPROVED: "green"}


def _grid(submission_or_dataset, period: str) -> str:
    dataset_pk = getattr(submission_or_dataset, "dataset_id", None) or submission_or_dataset.pk
    return reverse("monitoring:grid", kwargs={"dataset_pk": dataset_pk, "period": period})


def monitoring_panels(user, today: dt.date) -> list[Panel] | None:
    panels = []
    approver_units = scope_paths(user, Submission.scope_roles["approve"])
    if approver_units:
        # Returns submitted to her own unit: the member units and units directly below the ones she leads.
        waiting = (Submission.objects.visible_to(user, "approve")
                   .filter(status=Submission.Status.SUBMITTED, org__parent__path__in=approver_units))
        items = [PanelItem(label=f"{s.org.name} · {s.dataset.name}", url=_grid(s, s.period),
                           detail=Period.parse(s.period).label, badge=_("待审核"), tone="orange")
                 for s in waiting.select_related("org", "dataset").order_by("updated", "pk")[:ITEMS_SHOWN]]
        panels.append(Panel(key="monitoring.review", title=_("待审核的监测报表"), count=waiting.count(), items=items,
                            tone="orange", empty=_("暂无待审核的报表。成员单位提交后会显示在这里。"),
                            link=reverse("monitoring:submission_list"),
                            link_label=_("查看全部填报")))
    if scope_paths(user, {Role.AGENCY_CLERK}):
        year = Period.containing(today)
        datasets = list(DataSet.objects.visible_to(user, "fill").select_related("org").order_by("org__path", "pk")
                        [:ITEMS_SHOWN])
        states = {s.dataset_id: s for s in Submission.objects.filter(dataset__in=datasets, period=str(year))}
        items = []
        for dataset in datasets:
            submission = states.get(dataset.pk)
            items.append(PanelItem(
                label=dataset.name, url=_grid(dataset, str(year)), detail=f"{dataset.org.name} · {year.label}",
                badge=submission.get_status_display() if submission else _("未填报"),
                tone=STATUS_TONES.get(submission.status, "") if submission else "red"))
        todo = sum(1 for d in datasets if d.pk not in states or states[d.pk].status in (
            Submission.Status.DRAFT, Submission.Status.RETURNED))
        panels.append(Panel(key="monitoring.fill", title=_("本年度数据填报"), count=todo, items=items, tone="orange",
                            empty=_("本单位还没有数据集，请联系妇儿工委办配置。"), link=reverse("monitoring:home"),
                            link_label=_("进入数据填报")))
    return panels or None
