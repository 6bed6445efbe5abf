from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jinguo.core.home import register_panel
from jinguo.core.importkinds import register_import


class MonitoringConfig(AppConfig):
    name = "jinguo.monitoring"
    label = "monitoring"
    verbose_name = _("两纲监测")

    def ready(self) -> None:
        # The app's own modules load here, once the app registry is ready (they define or query models).
        from jinguo.monitoring.importers import IndicatorValueImport

        register_import(IndicatorValueImport)

        from jinguo.monitoring.home import monitoring_panels

        register_panel("monitoring", monitoring_panels, order=20)
