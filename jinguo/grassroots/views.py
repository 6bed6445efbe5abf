from __future__ import annotations

import io

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jinguo.core import views as generic
from jinguo.core import xlsx
from jinguo.core.changelog import record_export
from jinguo.core.models import CodeItem
from jinguo.grassroots import services, stats
from jinguo.grassroots.filters import OrgProfileFilterSet
from jinguo.grassroots.forms import OrgProfileForm
from jinguo.grassroots.models import KIND_TABLE, OrgProfile
from jinguo.grassroots.tables import OrgProfileTable

SOON_DAYS = 180  # the reminder lists elections falling due within half a year


class OrgProfileListView(generic.ObjectListView):
    queryset = OrgProfile.objects.all()
    table = OrgProfileTable
    filterset = OrgProfileFilterSet
    import_kind = "org_profiles"


class OrgProfileDetailView(generic.ObjectDetailView):
    queryset = OrgProfile.objects.select_related("org", "kind", "chair__person")
    template_name = "grassroots/orgprofile_detail.html"
    fields = ["org", "kind", "chair_name", "chair", "executives", "has_home", "home_address", "funding",
              "elected_on", "note"]

    def get_extra_context(self, obj) -> dict:
        today = timezone.localdate()
        return {"snapshots": obj.snapshots.select_related("kind").order_by("-year"), "today": today,
                "overdue": obj.next_election is not None and obj.next_election <= today}


class OrgProfileEditView(generic.ObjectEditView):
    queryset = OrgProfile.objects.all()
    form_class = OrgProfileForm

    def save(self, form) -> OrgProfile:
        return services.save_profile(form.save(commit=False))


class OrgProfileDeleteView(generic.ObjectDeleteView):
    queryset = OrgProfile.objects.all()


class OrgProfileImportView(generic.ImportView):
    queryset = OrgProfile.objects.all()
    import_kind = "org_profiles"


class SurveyView(generic.UnitPeriodView):
    """基层组织建设情况: a unit and its subtree in a period — by kind, 妇女之家, funding, elections due — and the
    return for the level above (?export=xlsx), counts only."""

    model = OrgProfile
    template_name = "grassroots/survey.html"

    def get_statistics(self, org, period) -> dict:
        survey = stats.survey(org, period)
        due = services.elections_due(OrgProfile.objects.visible_to(self.request.user).filter(
            org__path__startswith=org.path), period.end).select_related("org", "kind").order_by("elected_on")
        return {"survey": survey, "units": stats.by_unit(org, period), "due": due[:200], "due_count": due.count(),
                "sentence": stats.survey_sentence(survey, org)}

    def export(self, org, period):
        buffer = io.BytesIO()
        rows = write_return(buffer, org, period, stats.by_unit(org, period), stats.survey(org, period))
        record_export(_("基层组织建设情况统计表"), org=org, rows=rows, period=str(period), org_id=org.pk)
        return generic.xlsx_response(buffer, f"基层组织建设情况统计表-{org.name}-{period}.xlsx")


def write_return(out, org, period, units: list[stats.KindFigures], survey: stats.Survey) -> int:
    """The return for the level above, through the one writer: per unit below, counts by kind, 妇女之家, 执委,
    funding and elections due. No chair or any other person's name."""
    kinds = list(CodeItem.objects.of(KIND_TABLE).order_by("order", "code"))
    book = xlsx.workbook(out, constant_memory=False)
    sheet = book.add_worksheet(_("基层组织建设情况"))
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    xlsx.write_value(sheet, 0, 0, _("%(org)s基层组织建设情况统计表（%(period)s）") % {"org": org.name,
                                                                                  "period": period.label}, title)
    headers = [_("单位"), _("单位编码"), *[k.name for k in kinds], _("组织合计"), _("有妇女之家"), _("无妇女之家"),
               _("执委人数"), _("工作经费(元)"), _("到期应换届")]
    for col, header in enumerate(headers):
        xlsx.write_value(sheet, 2, col, header, bold)
        sheet.set_column(col, col, 14 if col else 20)

    def line(row: int, name: str, code: str, figures: stats.KindFigures, by_kind: dict[str, int], fmt=None) -> None:
        xlsx.write_row(sheet, row, [name, code, *[by_kind.get(k.code, 0) for k in kinds], figures.count,
                                    figures.with_home, figures.without_home, figures.executives,
                                    figures.funding, figures.elections_due], fmt)

    row = 3
    for unit in units:
        line(row, unit.name, unit.code, unit, unit.by_kind)
        row += 1
    line(row, _("合计"), "", survey.total, {k.code: k.count for k in survey.kinds}, bold)
    xlsx.write_value(sheet, row + 2, 0, _("填报单位：%(org)s    导出日期：%(day)s") % {
        "org": org.name, "day": timezone.localdate().isoformat()})
    book.close()
    return len(units)


class RemindersView(LoginRequiredMixin, View):
    """换届提醒: organisations five years past their last election, those due within half a year, and those with no
    election date recorded."""

    def get(self, request):
        generic.require_scope(request.user, OrgProfile, "view")
        today = timezone.localdate()
        profiles = OrgProfile.objects.visible_to(request.user).select_related("org", "kind")
        overdue = services.elections_due(profiles, today).order_by("elected_on")
        soon = services.elections_due(profiles, today, SOON_DAYS).exclude(pk__in=overdue.values("pk")).order_by(
            "elected_on")
        return render(request, "grassroots/reminders.html", {
            "today": today, "overdue": overdue, "soon": soon, "soon_days": SOON_DAYS,
            "unknown": services.elections_unknown(profiles).order_by("org__path")})
