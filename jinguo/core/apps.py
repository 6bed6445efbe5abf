from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jinguo.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from jinguo.core import sql  # noqa: F401 — registers the `__any_of` lookup
