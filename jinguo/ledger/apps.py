from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

from jinguo.core.changelog import object_changed
from jinguo.core.home import register_panel
from jinguo.core.importkinds import register_import
from jinguo.core.rollups import register_rollup


class LedgerConfig(AppConfig):
    name = "jinguo.ledger"
    label = "ledger"
    verbose_name = _("工作台账")

    def ready(self) -> None:
        # The app's own modules load here, once the app registry is ready (they define or query models).
        from jinguo.ledger.importers import ActivityImport

        register_import(ActivityImport)

        from jinguo.ledger.home import activities_panel

        register_panel("ledger", activities_panel, order=30)

        from jinguo.ledger.sections import rebuild_sections
        from jinguo.ledger.stats import rebuild_cells

        register_rollup(_("活动台账月度汇总"), rebuild_cells)
        register_rollup(_("活动台账工作总结栏目汇总"), rebuild_sections)

        from django.db.models.signals import pre_delete

        from jinguo.ledger.models import Activity
        from jinguo.ledger.sections import add_to_sections
        from jinguo.ledger.stats import add_to_cells

        def take_out_of_cells(sender, instance: Activity, **kwargs) -> None:
            """However an activity is deleted (page, API, cascade), its figures leave the roll-ups with it."""
            add_to_cells(Activity.objects.filter(pk=instance.pk), -1)
            add_to_sections(Activity.objects.filter(pk=instance.pk), -1)

        # weak=False: the receiver is a local function, which a weak reference would let go as soon as ready()
        # returns. It lived on only while DEBUG kept a reference in Django's signature cache; without DEBUG (any
        # production server) deleted activities stayed in the statistics.
        pre_delete.connect(take_out_of_cells, sender=Activity, weak=False, dispatch_uid="ledger.activity_cells")

        from jinguo.ledger.models import Measure
        from jinguo.ledger.sections import sections_changed

        # An activity's stored section follows the code tables of the rule, and its reach the measures' units: an
        # administrator's edit of either recomputes them in the edit's own transaction (the change-log signal is
        # sent inside it).
        object_changed.connect(sections_changed, sender=apps.get_model("core", "CodeItem"), weak=False,
                               dispatch_uid="ledger.sections_codes")
        object_changed.connect(sections_changed, sender=Measure, weak=False, dispatch_uid="ledger.sections_measures")
