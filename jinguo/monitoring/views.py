from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jinguo.core import views as generic
from jinguo.core.actions import WorkflowActionView
from jinguo.core.models import EditConflict
from jinguo.core.numbers import plain_number
from jinguo.core.periods import Period
from jinguo.monitoring import services
from jinguo.monitoring.actions import SUBMISSION_ACTIONS
from jinguo.monitoring.attainment import attainment
from jinguo.monitoring.filters import IndicatorFilterSet, SubmissionFilterSet
from jinguo.monitoring.forms import GridForm, IndicatorForm, RuleForm
from jinguo.monitoring.models import DataSet, Indicator, Submission, ValidationRule
from jinguo.monitoring.tables import IndicatorTable, RuleTable, SubmissionTable


class SubmissionListView(generic.ObjectListView):
    queryset = Submission.objects.all()
    table = SubmissionTable
    filterset = SubmissionFilterSet


class HomeView(LoginRequiredMixin, View):
    """The clerk's start: her data sets with this year's and last year's grids; the office sees its subtree's."""

    def get(self, request):
        generic.require_scope(request.user, DataSet, "view")
        datasets = DataSet.objects.visible_to(request.user).select_related("org").order_by("org__path")
        year = timezone.localdate().year
        periods = [str(year - 1), str(year)]
        status = {(s.dataset_id, s.period): s for s in Submission.objects.filter(dataset__in=datasets,
                                                                                 period__in=periods)}
        rows = [(d, [(p, status.get((d.pk, p))) for p in periods]) for d in datasets]
        return render(request, "monitoring/home.html", {"rows": rows, "periods": periods})


def _previous(period: Period) -> str:
    return str(period.year_earlier() if period.kind == "Y" else services._previous(period))


class GridView(LoginRequiredMixin, View):
    """The data-entry grid of one data set and period: last period beside each field, a comment per value."""

    def get_submission(self, request, dataset_pk, period_text) -> tuple[DataSet, Submission | None, Period]:
        dataset = get_object_or_404(DataSet.objects.visible_to(request.user, "view"), pk=dataset_pk)
        try:
            period = Period.parse(period_text)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        submission = Submission.objects.filter(dataset=dataset, period=str(period)).first()
        return dataset, submission, period

    def rows(self, dataset, submission, period, form=None):
        """(indicator, stored value, last period's value, typed value, error) per indicator: after a refused save
        the cells show what was typed, and the reason beside each bad one."""
        current = {v.indicator_id: v for v in submission.values.all()} if submission else {}
        before = Submission.objects.filter(dataset=dataset, period=_previous(period)).first()
        previous = {v.indicator_id: v.value for v in before.values.all()} if before else {}
        errors = form.cell_errors() if form is not None else {}
        rows = []
        for indicator in dataset.indicators.order_by("outline", "domain", "code"):
            stored = current.get(indicator.pk)
            if form is not None:
                typed = (form.data.get(f"v_{indicator.pk}", ""), form.data.get(f"c_{indicator.pk}", ""))
            else:
                typed = (plain_number(stored.value) if stored else "", stored.comment if stored else "")
            rows.append((indicator, stored, previous.get(indicator.pk), typed, errors.get(indicator.pk, "")))
        return rows

    def render(self, request, dataset, submission, period, violations=None, status=200, form=None):
        can_edit = DataSet.objects.visible_to(request.user, "fill").filter(pk=dataset.pk).exists()
        return render(request, "monitoring/grid.html", {
            "dataset": dataset, "submission": submission, "period": period,
            "rows": self.rows(dataset, submission, period, form), "violations": violations or [],
            "can_edit": can_edit and not (submission and submission.locked),
            "actions": SUBMISSION_ACTIONS.buttons(submission, request.user) if submission else [],
            "changes": services.changes_since_approval(submission) if submission and submission.approved_values
            else {},
        }, status=status)

    def get(self, request, dataset_pk, period):
        dataset, submission, period = self.get_submission(request, dataset_pk, period)
        return self.render(request, dataset, submission, period)

    def post(self, request, dataset_pk, period):
        dataset, submission, period = self.get_submission(request, dataset_pk, period)
        if not DataSet.objects.visible_to(request.user, "fill").filter(pk=dataset.pk).exists():
            raise PermissionDenied(_("您没有填报此数据集的权限。"))
        form = GridForm(request.POST, indicators=dataset.indicators.order_by("outline", "domain", "code"))
        if not form.is_valid():
            messages.error(request, _("有%(n)d个数值未能读取，均未保存，请按格子旁的提示修改。") % {
                "n": len(form.cell_errors())})
            return self.render(request, dataset, submission, period, status=400, form=form)
        try:
            submission = services.save_grid(dataset, period, form.values())
        except EditConflict:
            return generic.conflict(request, submission or dataset)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return self.render(request, dataset, submission, period, status=400, form=form)
        if request.POST.get("action") == "submit":
            try:
                violations = services.submit(submission)
            except EditConflict:
                return generic.conflict(request, submission)
            if violations:
                messages.error(request, _("有%(n)d条校验未通过，未提交。错误须修正；警告须在“说明”中写明原因。") % {
                    "n": len(violations)})
                return self.render(request, dataset, submission, period, violations, status=400)
            messages.success(request, _("已提交，等待妇儿工委办审核。"))
        else:
            messages.success(request, _("草稿已保存。"))
        return redirect("monitoring:grid", dataset_pk=dataset.pk, period=str(period))


class SubmissionActionView(WorkflowActionView):
    """审核 / 退回 / 审定 / 重新打开 by the office, and 提交 of what is saved (the table `SUBMISSION_ACTIONS`)."""

    workflow = SUBMISSION_ACTIONS
    queryset = Submission.objects.all()

    def done(self, request, submission: Submission, action: str) -> None:
        messages.success(request, _("已更新：%(s)s。") % {"s": submission.get_status_display()})

    def success_url(self, submission: Submission) -> str:
        return reverse("monitoring:grid", kwargs={"dataset_pk": submission.dataset_id, "period": submission.period})


def submission_detail(request, pk):
    submission = get_object_or_404(Submission.objects.visible_to(request.user, "view"), pk=pk)
    return redirect("monitoring:grid", dataset_pk=submission.dataset_id, period=submission.period)


class AttainmentView(generic.UnitPeriodView):
    """两纲 targets met in a unit's year, and the validation problems of its figures."""

    model = Submission
    template_name = "monitoring/attainment.html"

    def get_statistics(self, org, period) -> dict:
        rows = attainment(org, period.year)
        measured = [r for r in rows if r.attained is not None]
        return {"year": period.year, "rows": rows, "met": sum(1 for r in measured if r.attained),
                "measured": len(measured), "problems": services.check_unit(org, str(period.year))}


class IndicatorListView(generic.ObjectListView):
    queryset = Indicator.objects.all()
    table = IndicatorTable
    filterset = IndicatorFilterSet


class IndicatorEditView(generic.ObjectEditView):
    """A local indicator (the national ones arrive by migration)."""

    queryset = Indicator.objects.all()
    form_class = IndicatorForm


class RuleListView(generic.ObjectListView):
    queryset = ValidationRule.objects.all()
    table = RuleTable


class RuleEditView(generic.ObjectEditView):
    queryset = ValidationRule.objects.all()
    form_class = RuleForm
