from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "jinguo.monitoring"
    label = "monitoring"
    verbose_name = _("两纲监测")

    def ready(self) -> None:
        from jinguo.core.home import register_panel
        from jinguo.monitoring.home import monitoring_panels

        register_panel("monitoring", monitoring_panels, order=20)
