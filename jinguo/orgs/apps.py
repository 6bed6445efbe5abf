from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from jinguo.core.importkinds import register_import
from jinguo.core.scope import register_org_model, tree_changed


class OrgsConfig(AppConfig):
    name = "jinguo.orgs"
    label = "orgs"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        # The app's own modules load here, once the app registry is ready (they define or query models).
        from jinguo.orgs.models import OrgUnit

        register_org_model(OrgUnit)  # first: forms and filters of every app reach the tree through it
        # Scope keeps each subtree's unit ids per version of the tree: every saved or deleted unit makes a new one
        # (bulk writes: OrgUnitQuerySet).
        post_save.connect(_tree_written, sender=OrgUnit, dispatch_uid="orgs.tree_written")
        post_delete.connect(_tree_written, sender=OrgUnit, dispatch_uid="orgs.tree_deleted")

        from jinguo.orgs.importers import OrgUnitImport

        register_import(OrgUnitImport)


def _tree_written(sender, **kwargs) -> None:
    tree_changed()
