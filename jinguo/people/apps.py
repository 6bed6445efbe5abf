from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "jinguo.people"
    label = "people"
    verbose_name = _("人员名册")

    def ready(self) -> None:
        from jinguo.core.home import register_panel
        from jinguo.people.home import reminders_panel

        register_panel("people", reminders_panel, order=40)
