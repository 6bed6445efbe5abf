from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from jinguo.core import views as generic
from jinguo.core.changelog import record_export
from jinguo.core.models import EditConflict
from jinguo.core.periods import Period
from jinguo.ledger.stats import ledger_stats
from jinguo.petitions.models import Case, due_soon_days
from jinguo.petitions.stats import case_count, petition_stats
from jinguo.reports import returns
from jinguo.reports.filters import SummaryFilterSet
from jinguo.reports.forms import ReturnForm, SummaryForm, SummaryTemplateForm
from jinguo.reports.models import Summary, SummaryTemplate
from jinguo.reports.services import add_template, edit_summary, start_summary, summary_docx_for, typed_blocks
from jinguo.reports.tables import SummaryTable, SummaryTemplateTable
from jinguo.reports.tasks import summary_queue_note

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class SummaryListView(generic.ObjectListView):
    queryset = Summary.objects.all()
    table = SummaryTable
    filterset = SummaryFilterSet


class SummaryCreateView(generic.ObjectEditView):
    """Choose unit, period and style; the summary is written in the background, then opens for editing."""

    queryset = Summary.objects.all()
    form_class = SummaryForm
    template_name = "reports/summary_create.html"

    def get_initial(self) -> dict:
        initial = super().get_initial()
        today = timezone.localdate()
        initial.setdefault("period", str(Period.containing(today, "H") if today.month > 6 else
                                         Period(today.year - 1, "H", 2)))
        return initial

    def save(self, form) -> Summary:
        return start_summary(form.save(commit=False), actor=self.request.user)


class SummaryTemplateListView(generic.ObjectListView):
    """The offices' own Word templates the user's units may render summaries into."""

    queryset = SummaryTemplate.objects.all()
    table = SummaryTemplateTable


class SummaryTemplateUploadView(generic.ObjectEditView):
    """Upload an office's own .docx (its red 版头, 发文字号, 主送, fonts) with {{ 正文 }} and the other fields."""

    queryset = SummaryTemplate.objects.all()
    form_class = SummaryTemplateForm
    template_name = "reports/summarytemplate_edit.html"

    def save(self, form) -> SummaryTemplate:
        return add_template(org=form.cleaned_data["org"], name=form.cleaned_data["name"],
                            upload=form.cleaned_data["file"], actor=self.request.user)



def _linked(block: dict) -> str:
    """The paragraph as HTML with each figure a link to the list that produced it."""
    html = escape(block["text"])
    for link in sorted(block.get("links", []), key=lambda item: -len(item["label"])):
        fragment = escape(link["label"])
        if fragment and fragment in html:
            html = html.replace(fragment, f'<a href="{escape(link["url"])}">{fragment}</a>', 1)
    return mark_safe(html)  # noqa: S308 - every piece above is escaped


class SummaryDetailView(LoginRequiredMixin, View):
    """The editor: every paragraph editable; own paragraphs can be added anywhere and removed again."""

    def get_summary(self, request, pk, action="view") -> Summary:
        return get_object_or_404(Summary.objects.visible_to(request.user, action).select_related("org"), pk=pk)

    def get(self, request, pk):
        summary = self.get_summary(request, pk)
        note = summary_queue_note(summary) if summary.status == Summary.Status.PENDING else ""
        if request.htmx and summary.status == Summary.Status.PENDING:
            # Nothing to swap while the wait is normal; past it, the card says why it is still waiting.
            return render(request, "reports/_summary_pending.html", {"queue_note": note}) if note else \
                HttpResponse(status=204)
        response = self.render_editor(request, summary, summary.blocks, queue_note=note)
        if request.htmx and summary.status != Summary.Status.PENDING:
            response["HX-Refresh"] = "true"
        return response

    def render_editor(self, request, summary: Summary, blocks: list[dict], status: int = 200, queue_note: str = ""):
        blocks = [{**b, "index": i, "html": _linked(b)} for i, b in enumerate(blocks)]
        can_change = Summary.objects.visible_to(request.user, "change").filter(pk=summary.pk).exists()
        return render(request, "reports/summary_detail.html", {"summary": summary, "blocks": blocks,
                                                               "can_change": can_change, "queue_note": queue_note},
                      status=status)

    def post(self, request, pk):
        summary = self.get_summary(request, pk, "change")
        texts = {index: request.POST[f"text_{index}"] for index in range(len(summary.blocks))
                 if f"text_{index}" in request.POST}
        blocks = typed_blocks(summary.blocks, texts)
        action = request.POST.get("action", "") or "save"
        version = request.POST.get("version", "")
        try:
            verb = edit_summary(summary, blocks, actor=request.user, action=action,
                                version=int(version) if version.isascii() and version.isdigit() and len(version) < 12
                                else None)
        except ValueError as exc:
            # Keep what she typed, and say what was wrong with the button's request.
            messages.error(request, str(exc))
            return self.render_editor(request, summary, blocks, status=400)
        except EditConflict as exc:
            # Keep what this user typed on the page, and say why it was not saved.
            messages.error(request, str(exc))
            current = self.get_summary(request, pk)
            return self.render_editor(request, current, blocks, status=409)
        if verb == "regenerate":
            messages.success(request, _("已按最新数据重新生成，您自己写的段落和修改都已保留。"))
        elif verb == "download":
            return redirect("reports:summary_download", pk=summary.pk, fmt="docx")
        else:
            messages.success(request, _("已保存。"))
        anchor = f"#b{action.split(':')[1]}" if ":" in action else ""
        return redirect(summary.get_absolute_url() + anchor)


class SummaryDownloadView(LoginRequiredMixin, View):
    """The summary as Word or PDF; any other extension in the URL is a 404 (never echoed into a file name)."""

    FORMATS = ("docx", "pdf")

    def get(self, request, pk, fmt):
        if fmt not in self.FORMATS:
            raise Http404(_("只提供 Word（.docx）和 PDF（.pdf）格式的下载。"))
        summary = get_object_or_404(Summary.objects.visible_to(request.user, "view").select_related("org", "template"),
                                    pk=pk)
        content = summary_docx_for(summary)
        filename = summary.title or f"工作总结-{summary.org.name}-{summary.pk}"
        if fmt == "pdf":
            from jinguo.reports.pdf import PdfUnavailable, docx_to_pdf

            try:
                content = docx_to_pdf(content)
            except PdfUnavailable as exc:
                messages.error(request, str(exc))
                return redirect(summary.get_absolute_url())
            response = HttpResponse(content, content_type="application/pdf")
        else:
            response = HttpResponse(content, content_type=DOCX)
        from urllib.parse import quote

        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}.{fmt}"
        record_export(summary, format=fmt)
        return response


class ReturnView(LoginRequiredMixin, View):
    """统计报表 for the level above: .xlsx of aggregates with small sensitive cells hidden."""

    def get(self, request):
        org, period, orgs = generic.chosen_org_and_period(request, Summary)
        form = ReturnForm(request.GET or None, initial={"period": str(period)})
        if request.GET.get("download") and form.is_valid():
            content = returns.workbook(org, period, threshold=form.cleaned_data["threshold"])
            record_export(f"统计报表 {period}", org=org, period=str(period), threshold=form.cleaned_data["threshold"])
            from urllib.parse import quote

            response = HttpResponse(content, content_type=generic.XLSX)
            response["Content-Disposition"] = (f"attachment; filename*=UTF-8''"
                                               f"{quote(f'{org.name}{period.label}统计报表')}.xlsx")
            return response
        return render(request, "reports/return.html", {"form": form, "org": org, "orgs": orgs, "period": period})


class DashboardView(generic.UnitPeriodView):
    """Petitions and activities for a unit and period, against the same period last year; charts with the
    numbers also as tables."""

    model = Summary
    template_name = "reports/dashboard.html"

    def get_statistics(self, org, period) -> dict:
        request = self.request
        petitions = petition_stats(org, period)
        petitions_before = case_count(org, period.year_earlier())
        ledger = ledger_stats(org, period)
        ledger_before = ledger_stats(org, period.year_earlier())
        today = timezone.localdate()
        visible_cases = Case.objects.visible_to(request.user, "view").filter(org__path__startswith=org.path)
        can_cases = generic.scope_paths(request.user, Case.scope_roles["view"])
        measures = sorted(ledger.measures.values(), key=lambda m: m.order)
        compare = [(m, ledger.total(m.code), ledger_before.total(m.code)) for m in measures
                   if ledger.total(m.code) or ledger_before.total(m.code)]
        units = {}
        for row in petitions.by_unit:
            units.setdefault(row.label, {"cases": 0, "activities": 0})["cases"] = row.cases
        for group in ledger.by_unit:
            units.setdefault(group.label, {"cases": 0, "activities": 0})["activities"] = group.activities
        charts = {
            "months": {"type": "bar", "title": "信访件数（按月）", "labels": [r.label for r in petitions.by_month],
                       "values": [r.cases for r in petitions.by_month]},
            "categories": {"type": "pie", "title": "问题类别", "labels": [r.label for r in petitions.by_category],
                           "values": [r.cases for r in petitions.by_category]},
            "channels": {"type": "bar", "title": "来源方式", "labels": [r.label for r in petitions.by_channel],
                         "values": [r.cases for r in petitions.by_channel]},
            "kinds": {"type": "bar", "title": "活动类型（场次）", "labels": [g.label for g in ledger.by_kind],
                      "values": [g.activities for g in ledger.by_kind]},
            "themes": {"type": "pie", "title": "活动主题", "labels": [g.label for g in ledger.by_theme],
                       "values": [g.activities for g in ledger.by_theme]},
        }
        return {
            "petitions": petitions, "petitions_before": petitions_before,
            "ledger": ledger, "ledger_before": ledger_before, "compare": compare, "charts": charts,
            "units": sorted(units.items()),
            "overdue": visible_cases.overdue(today).count() if can_cases else None,
            "soon": visible_cases.due_soon(today, due_soon_days(request.user.org)).count()
            if can_cases else None,
        }
