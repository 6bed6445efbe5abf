from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jinguo.core.home import register_panel
from jinguo.core.importkinds import register_import
from jinguo.core.rollups import register_rollup


class PetitionsConfig(AppConfig):
    name = "jinguo.petitions"
    label = "petitions"
    verbose_name = _("信访维权")

    def ready(self) -> None:
        # The app's own modules load here, once the app registry is ready (they define or query models).
        from jinguo.petitions.importers import PetitionImport

        register_import(PetitionImport)

        from jinguo.petitions.home import case_panels

        register_panel("petitions", case_panels, order=10)

        from jinguo.petitions.stats import rebuild_cells

        register_rollup(_("信访案件月度汇总"), rebuild_cells)
