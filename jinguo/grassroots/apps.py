from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jinguo.core.importkinds import register_import


class GrassrootsConfig(AppConfig):
    name = "jinguo.grassroots"
    label = "grassroots"
    verbose_name = _("基层组织建设")

    def ready(self) -> None:
        # The app's own modules load here, once the app registry is ready (they define or query models).
        from jinguo.grassroots.importers import OrgProfileImport

        register_import(OrgProfileImport)
