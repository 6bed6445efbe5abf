from django.db import migrations


def fill(apps, schema_editor):
    from jinguo.ledger.sections import rebuild_sections

    rebuild_sections()


class Migration(migrations.Migration):
    """Fill the rank rows and the section roll-up from the activities already stored (on the current models: derived
    data, which `jinguo rebuild_cells` recomputes the same way at any later time). After the default 工作总结栏目,
    which a reports migration loads: an activity's section is read from that table."""

    dependencies = [("ledger", "0009_activity_rank_section_cell"), ("reports", "0004_summary_sections")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
