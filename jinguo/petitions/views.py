from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jinguo.audit.services import UnmaskLimitReached
from jinguo.core import views as generic
from jinguo.core.actions import WorkflowActionView
from jinguo.core.models import EditConflict
from jinguo.petitions import services
from jinguo.petitions.actions import CASE_ACTIONS
from jinguo.petitions.filters import CaseFilterSet
from jinguo.petitions.forms import CaseForm, DomesticViolenceForm, ReasonForm, ReportForm, TimeLimitsForm
from jinguo.petitions.models import Assignment, Case, DomesticViolence, Referral, TimeLimits, due_soon_days
from jinguo.petitions.stats import case_count, petition_stats, visible_case_count
from jinguo.petitions.tables import CaseTable, unit_page


def _case_queryset():
    return Case.objects.select_related("channel", "category", "subcategory", "org", "handler")


class CaseListView(generic.ObjectListView):
    queryset = Case.objects.all()
    table = CaseTable
    filterset = CaseFilterSet
    import_kind = "petitions"
    export_through_spec = False  # the list export is the masked table, never the clear import layout

    def unfiltered_count(self) -> int:
        return visible_case_count(self.request.user)

    def unfiltered_page(self, offset: int, limit: int) -> list[dict]:
        return unit_page(Case.objects.units_for(self.request.user, "view"), offset, limit)


class CaseAddView(generic.ObjectEditView):
    """信访登记: the intake form. Registration numbers the case and starts its clock."""

    queryset = Case.objects.all()
    form_class = CaseForm
    template_name = "petitions/case_intake.html"

    def save(self, form) -> Case:
        case = form.save(commit=False)
        return services.register_case(case, [form.petitioner()], actor=self.request.user)


class CaseEditView(generic.ObjectEditView):
    """Correct the registration facts (not the status: that moves only through the workflow actions)."""

    queryset = Case.objects.all()
    form_class = CaseForm
    template_name = "petitions/case_intake.html"

    def save(self, form) -> Case:
        case = form.save()
        services._step(case, services.Event.CASE_EDITED, actor=self.request.user,
                       data={"fields": sorted(form.changed_data)})
        return case


class CaseDetailView(generic.ObjectDetailView):
    queryset = _case_queryset()
    template_name = "petitions/case_detail.html"

    def get_extra_context(self, case) -> dict:
        return case_context(self.request, case)


def case_context(request, case: Case, *, clear: list | None = None, bound: tuple[str, object] | None = None,
                 confirm: bool = False) -> dict:
    """The case page. `bound` is (action, form) after a refused or to-be-confirmed step: that form is shown with
    what was typed and its messages, open; `confirm` asks to confirm it before it is done."""
    user = request.user
    today = timezone.localdate()
    can_handle = Case.objects.visible_to(user, "handle").filter(pk=case.pk).exists()
    buttons = CASE_ACTIONS.buttons(case, user) if can_handle else []
    if bound:
        buttons = [(action, bound[1] if action.name == bound[0] else form) for action, form in buttons]
    open_action = bound[0] if bound else CASE_ACTIONS.suggested.get(case.status)
    petitioners = list(case.petitioners.all())
    confirming = None
    if confirm and bound:
        form = bound[1]
        confirming = {"action": bound[0], "label": CASE_ACTIONS[bound[0]].label, "form": form,
                      "warning": CASE_ACTIONS[bound[0]].confirm,
                      "values": [(form[name].label, _display(form, name)) for name in form.fields
                                 if form.cleaned_data.get(name) not in (None, "")]}
    return {
        "case": case,
        "petitioners": [(p, p.masked()) for p in petitioners],
        "clear": clear,
        "events": case.events.select_related("org", "actor"),
        "referrals": case.referrals.select_related("agency_type"),
        "assignments": case.assignments.select_related("from_org", "to_org"),
        "follow_ups": case.follow_ups.all(),
        "dv": DomesticViolence.objects.filter(case=case).first(),
        "dv_form": DomesticViolenceForm(instance=DomesticViolence.objects.filter(case=case).first(), prefix="dv"),
        "action_forms": [(action.name, action.label, form, action.name == open_action, bool(action.confirm))
                         for action, form in buttons],
        "confirming": confirming,
        "can_handle": can_handle,
        "can_unmask": Case.objects.visible_to(user, "unmask").filter(pk=case.pk).exists(),
        "days_left": case.days_left(today),
        "overdue_days": -(case.days_left(today) or 0),
        "soon_days": due_soon_days(case.org),
        "reason_form": ReasonForm(),
        "report_form": ReportForm(),
        "attachments": generic.attachments_of(case),
        "today": today,
    }


def _display(form, name: str) -> str:
    """A cleaned value as the confirmation shows it: the chosen label, a date as 2026-03-10, text as typed."""
    value = form.cleaned_data.get(name)
    field = form.fields[name]
    if hasattr(field, "choices") and not hasattr(value, "pk"):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class CaseActionView(WorkflowActionView):
    """POST one workflow action (the table `CASE_ACTIONS`). A form that does not validate — or a date or value the
    rule refuses — comes back on the case page with what was typed and the message beside the field (400). 办结 and
    不予受理 ask once more (the same POST with `confirmed=1`). Anything not allowed in the current status is refused
    with the reason."""

    workflow = CASE_ACTIONS
    queryset = _case_queryset()
    lookup_action = "handle"

    def invalid(self, request, case: Case, action: str, form) -> HttpResponse:
        return self.page(request, case, action, form, status=400)

    def confirm(self, request, case: Case, action: str, form) -> HttpResponse:
        return self.page(request, case, action, form, confirm=True)

    def refused(self, request, case: Case, action: str, form, exc: ValidationError) -> HttpResponse:
        case.refresh_from_db()
        for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
            form.add_error(field if field in form.fields else None, errors)
        return self.page(request, case, action, form, status=400)

    def page(self, request, case: Case, action: str, form, *, status: int = 200, confirm: bool = False):
        view = CaseDetailView()
        view.request = request
        obj = view.get_object(case.pk)
        context = {**view.base_context(), "object": obj, "details": [], "history": [],
                   **case_context(request, obj, bound=(action, form), confirm=confirm)}
        if status == 400:
            messages.error(request, _("%(action)s未完成，请按提示修改后重新提交。") % {
                "action": CASE_ACTIONS[action].label})
        return render(request, "petitions/case_detail.html", context, status=status)


class AssignmentActionView(LoginRequiredMixin, View):
    """反馈 by the lower unit; 催办 / 督办 by the upper one."""

    def post(self, request, pk, action):
        assignment = get_object_or_404(Assignment.objects.select_related("case", "from_org", "to_org"), pk=pk)
        get_object_or_404(Case.objects.visible_to(request.user, "handle"), pk=assignment.case_id)
        try:
            if action == "report":
                form = ReportForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("请填写反馈内容。"))
                services.report_back(assignment, report=form.cleaned_data["report"], actor=request.user)
            elif action in ("press", "supervise"):
                services.press(assignment, actor=request.user, note=request.POST.get("note", ""),
                               supervise=action == "supervise")
            else:
                raise PermissionDenied
        except EditConflict:
            return generic.conflict(request, assignment.case)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("已记录。"))
        return redirect(assignment.case.get_absolute_url())


class ReferralFeedbackView(LoginRequiredMixin, View):
    def post(self, request, pk):
        referral = get_object_or_404(Referral, pk=pk)
        get_object_or_404(Case.objects.visible_to(request.user, "handle"), pk=referral.case_id)
        result = request.POST.get("result", "").strip()
        if not result:
            messages.error(request, _("请填写反馈结果。"))
        else:
            try:
                services.record_referral_feedback(referral, result=result, actor=request.user)
            except EditConflict:
                return generic.conflict(request, referral.case)
            messages.success(request, _("已记录转介反馈。"))
        return redirect(referral.case.get_absolute_url())


class DomesticViolenceView(LoginRequiredMixin, View):
    def post(self, request, pk):
        case = get_object_or_404(Case.objects.visible_to(request.user, "handle"), pk=pk)
        form = DomesticViolenceForm(request.POST, instance=DomesticViolence.objects.filter(case=case).first(),
                                    prefix="dv")
        if form.is_valid():
            try:
                alerts = services.save_dv(case, form.save(commit=False), actor=request.user)
            except EditConflict:
                return generic.conflict(request, case)
            for alert in alerts:
                messages.warning(request, alert)
            messages.success(request, _("家暴情况已保存。"))
        else:
            messages.error(request, "；".join(f"{form.fields[k].label}：{'，'.join(v)}" if k in form.fields
                                             else "，".join(v) for k, v in form.errors.items()))
        return redirect(case.get_absolute_url())


class CaseAttachView(generic.AttachView):
    """Letters, photos of injuries, 告诫书 scans: checked by content and size, visible only with the case."""

    queryset = Case.objects.all()
    action = "handle"


class UnmaskView(LoginRequiredMixin, View):
    """Show personal data in clear for this one response, after a reason; the access is logged."""

    def post(self, request, pk):
        case = get_object_or_404(_case_queryset().visible_to(request.user, "view"), pk=pk)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写查看原因。"))
            return redirect(case.get_absolute_url())
        try:
            clear = services.unmask(case, actor=request.user, reason=form.cleaned_data["reason"])
        except UnmaskLimitReached as exc:  # said on the case's own page, which stays masked
            messages.error(request, str(exc))
            return redirect(case.get_absolute_url())
        except PermissionDenied as exc:
            return render(request, "403.html", {"message": str(exc)}, status=403)
        view = CaseDetailView()
        view.request = request
        context = {**view.base_context(), "object": case, "details": [], "history": [],
                   **case_context(request, case, clear=clear)}
        response = render(request, "petitions/case_detail.html", context)
        response["Cache-Control"] = "no-store"
        return response


class RegistrationFormView(LoginRequiredMixin, View):
    """The printable 信访登记表 (.docx). GET: personal data masked. POST with a reason (and the role): in clear."""

    def get(self, request, pk):
        case = get_object_or_404(_case_queryset().visible_to(request.user, "view"), pk=pk)
        return self.respond(case, clear=False)

    def post(self, request, pk):
        case = get_object_or_404(_case_queryset().visible_to(request.user, "view"), pk=pk)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写打印原因。"))
            return redirect(case.get_absolute_url())
        try:
            services.unmask(case, actor=request.user, reason=form.cleaned_data["reason"])
        except UnmaskLimitReached as exc:
            messages.error(request, str(exc))
            return redirect(case.get_absolute_url())
        return self.respond(case, clear=True)

    def respond(self, case: Case, clear: bool) -> HttpResponse:
        from jinguo.petitions.documents import registration_form

        content = registration_form(case, clear=clear)
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument."
                                                      "wordprocessingml.document")
        name = f"信访登记表-{case.number}{'（明文）' if clear else ''}.docx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
        response["Cache-Control"] = "no-store"
        return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


class DeadlinesView(LoginRequiredMixin, View):
    """即将超期 and 已超期 cases for each unit in scope, assigned cases' clocks, and DV alerts."""

    def get(self, request):
        generic.require_scope(request.user, Case, "view")
        today = timezone.localdate()
        visible = Case.objects.visible_to(request.user, "view").select_related("org", "handler", "category")
        overdue = list(visible.overdue(today).order_by("current_due")[:200])
        days = due_soon_days(request.user.org)
        soon = list(visible.due_soon(today, days).order_by("current_due")[:200])
        assignments = (Assignment.objects.filter(case__in=visible, reported_on__isnull=True)
                       .select_related("case", "from_org", "to_org").order_by("due_on"))
        orders = (DomesticViolence.objects.filter(case__in=visible, order_granted=True,
                                                  order_expires_on__gte=today,
                                                  order_expires_on__lte=today + dt.timedelta(days=14))
                  .select_related("case").order_by("order_expires_on"))
        return render(request, "petitions/deadlines.html", {"overdue": overdue, "soon": soon, "today": today,
                                                            "soon_days": days,
                                                            "assignments": assignments, "orders": orders})


class StatisticsView(generic.UnitPeriodView):
    model = Case
    template_name = "petitions/statistics.html"

    def get_statistics(self, org, period) -> dict:
        return {"stats": petition_stats(org, period), "earlier_cases": case_count(org, period.year_earlier())}


class CaseImportView(generic.ImportView):
    queryset = Case.objects.all()
    import_kind = "petitions"


class TimeLimitsEditView(generic.ObjectEditView):
    """The unit leader sets her unit's own time limits (service pledges stricter than the statute)."""

    queryset = TimeLimits.objects.all()
    form_class = TimeLimitsForm
