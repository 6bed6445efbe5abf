from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from jinguo.core.importkinds import register_import
from jinguo.core.scope import register_org_model


class OrgsConfig(AppConfig):
    name = "jinguo.orgs"
    label = "orgs"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        # The app's own modules load here, once the app registry is ready (they define or query models).
        from jinguo.orgs.models import OrgUnit

        register_org_model(OrgUnit)  # first: forms and filters of every app reach the tree through it

        from jinguo.orgs.importers import OrgUnitImport

        register_import(OrgUnitImport)
