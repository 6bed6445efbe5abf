from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "jinguo.petitions"
    label = "petitions"
    verbose_name = _("信访维权")

    def ready(self) -> None:
        from jinguo.core.home import register_panel
        from jinguo.petitions.home import case_panels

        register_panel("petitions", case_panels, order=10)

        from jinguo.core.rollups import register_rollup
        from jinguo.petitions.stats import rebuild_cells

        register_rollup(_("信访案件月度汇总"), rebuild_cells)
