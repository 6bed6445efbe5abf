from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jinguo.articles import services, stats
from jinguo.articles.filters import ArticleFilterSet
from jinguo.articles.forms import AdoptForm, ArticleForm, ForwardForm, RecordAdoptionForm
from jinguo.articles.models import Adoption, Article
from jinguo.articles.tables import ArticleTable
from jinguo.core import views as generic
from jinguo.core import xlsx
from jinguo.core.changelog import record_export
from jinguo.core.models import EditConflict
from jinguo.core.scope import scope_paths
from jinguo.orgs.models import OrgUnit


class ArticleListView(generic.ObjectListView):
    queryset = Article.objects.all()
    table = ArticleTable
    filterset = ArticleFilterSet
    import_kind = "articles"  # the export keeps to the user's own reports ("export" scope), not those received


class ArticleDetailView(generic.ObjectDetailView):
    queryset = Article.objects.select_related("org", "sent_to")
    template_name = "articles/article_detail.html"
    fields = ["title", "sent_on", "author", "org", "sent_to", "sent_to_text", "body"]

    def get_extra_context(self, obj) -> dict:
        user = self.request.user
        acting = None
        if Article.objects.visible_to(user, "adopt").filter(pk=obj.pk).exists():
            try:
                acting = services.acting_unit(obj, user, "adopt")
            except PermissionDenied:
                acting = None
        # The sender's side (its unit or one above it, not the unit the report was addressed to) records outside
        # adoptions and attaches files.
        can_record = acting is None and Article.objects.visible_to(user, "change").filter(pk=obj.pk).exists()
        adoptions = list(obj.adoptions.select_related("adopter", "adopted_by"))
        return {
            "adoptions": adoptions, "forwards": obj.forwards.select_related("from_org", "to_org", "forwarded_by"),
            "attachments": generic.attachments_of(obj), "acting": acting, "can_record": can_record,
            "adopted_here": acting is not None and any(a.adopter_id == acting.pk for a in adoptions),
            "adopt_form": AdoptForm(), "forward_form": ForwardForm(above=acting), "record_form": RecordAdoptionForm(),
            **getattr(self, "bound_forms", {}),
        }


class ArticleEditView(generic.ObjectEditView):
    queryset = Article.objects.all()
    form_class = ArticleForm

    def get_initial(self) -> dict:
        initial = super().get_initial()
        initial.setdefault("sent_on", timezone.localdate().isoformat())
        parent_id = getattr(self.request.user.org, "parent_id", None)
        if parent_id:
            initial.setdefault("sent_to", parent_id)
        return initial


class ArticleDeleteView(generic.ObjectDeleteView):
    queryset = Article.objects.all()


class ArticleImportView(generic.ImportView):
    queryset = Article.objects.all()
    import_kind = "articles"


class InboxView(LoginRequiredMixin, View):
    """收到的信息: reports sent or forwarded to the user's own units, newest first, with whether her unit adopted."""

    def get(self, request):
        roots = scope_paths(request.user, Article.scope_roles["adopt"])
        if not roots:
            raise PermissionDenied(_("您没有进行此操作的权限。"))
        units = list(OrgUnit.objects.filter(path__in=roots).values_list("pk", flat=True))
        pending = request.GET.get("show") != "all"
        articles = (Article.objects.visible_to(request.user, "adopt").addressed_to(units)
                    .select_related("org", "sent_to").prefetch_related("adoptions__adopter"))
        if pending:
            articles = articles.exclude(pk__in=Adoption.objects.filter(adopter__in=units).values("article"))
        from django.core.paginator import Paginator

        page = Paginator(articles.order_by("-sent_on", "-pk"), 50).get_page(request.GET.get("page"))
        for article in page.object_list:
            article.adopted_here = any(a.adopter_id in units for a in article.adoptions.all())
        return render(request, "articles/inbox.html", {"page": page, "pending": pending})


def _actions():
    """One action table for the page and the API: (form, service call, success message)."""
    return {
        "adopt": (AdoptForm, lambda article, user, data: services.adopt(
            article, actor=user, note=data.get("note") or "", on=data.get("on")), _("已采用。")),
        "forward": (ForwardForm, lambda article, user, data: services.forward(
            article, actor=user, to_org=data["to_org"], note=data.get("note") or ""), _("已转报。")),
        "record": (RecordAdoptionForm, lambda article, user, data: services.record_adoption(
            article, actor=user, adopter_text=data["adopter_text"], on=data.get("on"),
            note=data.get("note") or ""), _("已登记采用情况。")),
    }


ACTION_SCOPE = {"adopt": "adopt", "forward": "forward", "record": "change"}


class ArticleActionView(LoginRequiredMixin, View):
    """采用 / 转报 (by the unit the report was addressed to) and 登记外部采用 (by the sender): form → service."""

    def post(self, request, pk, action):
        scope = ACTION_SCOPE.get(action)
        article = get_object_or_404(Article.objects.visible_to(request.user, scope or "change"), pk=pk)
        if scope is None:
            raise Http404
        form_class, call, done = _actions()[action]
        kwargs = {}
        if form_class is ForwardForm:
            try:
                kwargs["above"] = services.acting_unit(article, request.user, "forward")
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                return redirect(article.get_absolute_url())
        form = form_class(request.POST, **kwargs)
        if not form.is_valid():
            view = ArticleDetailView()
            view.setup(request, pk=pk)
            view.bound_forms = {f"{action}_form": form}
            response = view.get(request, pk)
            response.status_code = 400
            return response
        try:
            call(article, request.user, form.cleaned_data)
        except EditConflict:
            return generic.conflict(request, article)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, done)
        return redirect(article.get_absolute_url())


class AdoptionWithdrawView(LoginRequiredMixin, View):
    """Take back an adoption: the adopting unit's own user, or the sender for one it recorded itself."""

    def post(self, request, pk):
        adoption = get_object_or_404(Adoption.objects.select_related("article", "adopter"), pk=pk)
        article = adoption.article
        own_units = scope_paths(request.user, Article.scope_roles["adopt"])
        by_adopter = adoption.adopter_id and adoption.adopter.path in own_units
        by_sender = adoption.adopter_id is None and Article.objects.visible_to(request.user, "change").filter(
            pk=article.pk).exists()
        if not (by_adopter or by_sender):
            raise Http404
        services.withdraw_adoption(adoption, actor=request.user)
        messages.success(request, _("已撤销采用记录。"))
        return redirect(article.get_absolute_url())


class ArticleAttachView(generic.AttachView):
    """Attach the report's file (Word, PDF, photos) to a report the user may change."""

    queryset = Article.objects.all()


class RankingView(generic.UnitPeriodView):
    """信息工作考核: the units below a unit, ranked by reports adopted in the period; ?export=xlsx for the table."""

    model = Article
    template_name = "articles/ranking.html"

    def get_statistics(self, org, period) -> dict:
        info = stats.info_work(org, period)
        return {"rows": stats.ranking(org, period), "info": info, "sentence": stats.info_work_sentence(info, org)}

    def export(self, org, period):
        rows = stats.ranking(org, period)
        buffer = io.BytesIO()
        write_ranking(buffer, org, period, rows)
        record_export(_("信息工作考核"), org=org, rows=len(rows), period=str(period), org_id=org.pk)
        return generic.xlsx_response(buffer, f"信息工作考核-{org.name}-{period}.xlsx")


def write_ranking(out, org, period, rows: list[stats.RankRow]) -> None:
    book = xlsx.workbook(out, constant_memory=False)
    sheet = book.add_worksheet(_("信息工作考核"))
    bold = book.add_format({"bold": True})
    xlsx.write_value(sheet, 0, 0, _("%(org)s信息工作考核（%(period)s）") % {"org": org.name, "period": period.label},
                     book.add_format({"bold": True, "font_size": 14}))
    headers = [_("名次"), _("单位"), _("单位编码"), _("报送(篇)"), _("被采用(篇)"), _("采用率(%)"),
               _("被上级妇联采用(次)"), _("被其他单位采用(次)")]
    for col, header in enumerate(headers):
        xlsx.write_value(sheet, 2, col, header, bold)
        sheet.set_column(col, col, 16 if col != 1 else 22)
    for index, row in enumerate(rows, start=1):
        xlsx.write_row(sheet, 2 + index, [index, row.name, row.code, row.written, row.adopted, row.rate,
                                          row.adopted_above, row.adopted_outside])
    book.close()
