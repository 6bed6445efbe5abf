"""Excel kind `articles`: 标题, 报送日期, 作者, 采用单位 — the information ledger offices already keep.

采用单位 is blank when the report was not adopted; a unit of the tree by name or code (“永州市妇联”, “永州市”,
“431100”), or an outside body in text (“县委办公室”); several separated by 、. The reports belong to the unit the file
is imported into. An export re-imports unchanged."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jinguo.articles import forms, services
from jinguo.articles.models import Article
from jinguo.core.excel import Column, ImportContext, ImportSpec


def _adopters(article: Article) -> str:
    return "、".join(a.adopter_label for a in article.adoptions.all())


class ArticleImport(ImportSpec):
    kind = "articles"
    label = _("信息报送")
    model = Article
    form_class = forms.ArticleImportForm
    natural_key = ("title", "sent_on")
    columns = [
        Column(_("标题"), "title", required=True, width=40, aliases=("信息标题", "题目")),
        Column(_("报送日期"), "sent_on", kind="date", required=True, width=12, aliases=("日期", "报送时间")),
        Column(_("作者"), "author", width=12, aliases=("撰稿人",)),
        Column(_("采用单位"), "adopters", width=24, aliases=("采用情况", "被采用单位"), exporter=_adopters,
               help=_("未被采用留空；上级妇联写单位名称或编码（如“永州市妇联”），外部单位照写（如“县委办公室”）；"
                      "多个用顿号分隔")),
    ]

    def form_kwargs(self, ctx: ImportContext) -> dict:
        return {"user": ctx.user, "org": ctx.org}

    def prepare(self, ctx: ImportContext, data: dict) -> dict:
        data["org"] = str(ctx.org.pk)
        return data

    def find_existing(self, ctx: ImportContext, data: dict):
        if not data.get("title") or not data.get("sent_on"):
            return None
        return self.base_queryset(ctx, "change").filter(org=ctx.org, title=data["title"].strip(),
                                                        sent_on=data["sent_on"]).first()

    def save(self, ctx: ImportContext, form):
        article = form.save()
        for name in form.cleaned_data.get("adopters") or []:
            unit = services.resolve_adopter(name, ctx.org)
            taken = article.adoptions.filter(adopter=unit) if unit else article.adoptions.filter(adopter_text=name)
            if not taken.exists():
                services.record_adoption(article, actor=ctx.user, adopter=unit, adopter_text="" if unit else name)
        return article

    def export_queryset(self, ctx: ImportContext, date_from=None, date_to=None):
        return super().export_queryset(ctx).prefetch_related("adoptions__adopter")
