from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jinguo.core.home import register_panel
from jinguo.core.importkinds import register_import


class PeopleConfig(AppConfig):
    name = "jinguo.people"
    label = "people"
    verbose_name = _("人员名册")

    def ready(self) -> None:
        # The app's own modules load here, once the app registry is ready (they define or query models).
        from jinguo.people.importers import BeneficiaryImport, HonourImport, LoanImport, TalentImport, VolunteerImport

        register_import(BeneficiaryImport, TalentImport, VolunteerImport, HonourImport, LoanImport)

        from jinguo.people.home import reminders_panel

        register_panel("people", reminders_panel, order=40)
