from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jinguo.core.importkinds import register_import


class ArticlesConfig(AppConfig):
    name = "jinguo.articles"
    label = "articles"
    verbose_name = _("信息报送")

    def ready(self) -> None:
        # The app's own modules load here, once the app registry is ready (they define or query models).
        from jinguo.articles.importers import ArticleImport

        register_import(ArticleImport)
