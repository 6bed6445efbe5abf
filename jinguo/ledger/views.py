from __future__ import annotations

import calendar
import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from jinguo.core import views as generic
from jinguo.core.periods import Period
from jinguo.core.views import attachments_of
from jinguo.ledger.filters import ActivityFilterSet, PlanItemFilterSet
from jinguo.ledger.forms import ActivityForm, MeasureForm, PlanItemForm
from jinguo.ledger.importers import with_related
from jinguo.ledger.models import Activity, Measure, PlanItem
from jinguo.ledger.services import save_activity
from jinguo.ledger.stats import ledger_stats
from jinguo.ledger.tables import ActivityTable, MeasureTable, PlanItemTable


class ActivityListView(generic.ObjectListView):
    queryset = Activity.objects.all()
    table = ActivityTable
    filterset = ActivityFilterSet
    import_kind = "activities"
    template_name = "ledger/activity_list.html"


class ActivityDetailView(generic.ObjectDetailView):
    queryset = Activity.objects.select_related("kind", "org").prefetch_related("themes", "partners", "figures__measure")
    template_name = "ledger/activity_detail.html"
    fields = ["title", "kind", "start_date", "end_date", "place", "org", "description"]

    def get_extra_context(self, obj) -> dict:
        return {"attachments": attachments_of(obj),
                "plan_items": obj.plan_items.visible_to(self.request.user, "view")}


class ActivityEditView(generic.ObjectEditView):
    """The fast entry form: one page, keyboard order, figures as a grid of number fields."""

    queryset = Activity.objects.all()
    form_class = ActivityForm
    template_name = "ledger/activity_edit.html"

    def get_initial(self) -> dict:
        initial = super().get_initial()
        initial.setdefault("start_date", timezone.localdate())
        return initial

    def save(self, form) -> Activity:
        return save_activity(form)


class ActivityDeleteView(generic.ObjectDeleteView):
    queryset = Activity.objects.all()


class ActivityImportView(generic.ImportView):
    queryset = Activity.objects.all()
    import_kind = "activities"


class CalendarView(LoginRequiredMixin, View):
    """A month at a glance: each day's activities, visible ones only."""

    def get(self, request):
        generic.require_scope(request.user, Activity, "view")
        today = timezone.localdate()
        try:
            year, month = (int(x) for x in request.GET.get("month", today.strftime("%Y-%m")).split("-"))
            first = dt.date(year, month, 1)
        except ValueError:
            first = today.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        activities = (Activity.objects.visible_to(request.user).filter(start_date__lte=last, end_date__gte=first)
                      .select_related("kind").order_by("start_date", "pk"))
        by_day: dict[dt.date, list[Activity]] = {}
        for activity in activities:
            day = max(activity.start_date, first)
            by_day.setdefault(day, []).append(activity)
        weeks = [[(day, by_day.get(day, []), day.month == first.month) for day in week]
                 for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)]
        previous = (first - dt.timedelta(days=1)).strftime("%Y-%m")
        following = (last + dt.timedelta(days=1)).strftime("%Y-%m")
        return render(request, "ledger/calendar.html", {"weeks": weeks, "first": first, "previous": previous,
                                                        "following": following, "today": today,
                                                        "count": len(activities)})


class FundsView(generic.UnitPeriodView):
    """Money given out and received in a period, by activity kind and by unit."""

    model = Activity
    template_name = "ledger/funds.html"

    def get_statistics(self, org, period) -> dict:
        stats = ledger_stats(org, period)
        money = [m for m in stats.measures.values() if m.direction]
        rows_kind = [(g, [g.totals.get(m.code) for m in money]) for g in stats.by_kind
                     if any(g.totals.get(m.code) for m in money)]
        rows_unit = [(g, [g.totals.get(m.code) for m in money]) for g in stats.by_unit
                     if any(g.totals.get(m.code) for m in money)]
        return {"stats": stats, "money": money, "rows_kind": rows_kind, "rows_unit": rows_unit,
                "totals": [stats.totals.get(m.code) for m in money], "funds": stats.funds(),
                "list_url": reverse("ledger:activity_list")}


class PlanItemListView(generic.ObjectListView):
    queryset = PlanItem.objects.all()
    table = PlanItemTable
    filterset = PlanItemFilterSet


class PlanItemDetailView(generic.ObjectDetailView):
    queryset = PlanItem.objects.select_related("org")
    template_name = "ledger/planitem_detail.html"
    fields = ["period", "title", "description", "status", "org"]

    def get_extra_context(self, obj) -> dict:
        return {"activities": with_related(obj.activities.visible_to(self.request.user, "view"))}


class PlanItemEditView(generic.ObjectEditView):
    queryset = PlanItem.objects.all()
    form_class = PlanItemForm

    def get_initial(self) -> dict:
        initial = super().get_initial()
        initial.setdefault("period", str(Period.containing(timezone.localdate(), "H").next()))
        return initial


class PlanItemDeleteView(generic.ObjectDeleteView):
    queryset = PlanItem.objects.all()


class MeasureListView(generic.ObjectListView):
    queryset = Measure.objects.all()
    table = MeasureTable


class MeasureEditView(generic.ObjectEditView):
    queryset = Measure.objects.all()
    form_class = MeasureForm


class AttachmentUploadView(generic.AttachView):
    """Attach photos or documents to an activity the user may change."""

    queryset = Activity.objects.all()
