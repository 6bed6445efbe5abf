from django.utils.translation import gettext_lazy as _

from jinguo.core.tables import Col, Table


def _adopters(article) -> str:
    return "、".join(a.adopter_label for a in article.adoptions.all())


class ArticleTable(Table):
    columns = [
        Col("sent_on", _("报送日期")),
        Col("title", _("标题"), link=True),
        Col("author", _("作者")),
        Col("org.name", _("报送单位")),
        Col("recipient", _("报送至")),
        Col("adoptions", _("采用单位"), render=_adopters),
    ]
    select_related = ("org", "sent_to")
    prefetch_related = ("adoptions__adopter",)
