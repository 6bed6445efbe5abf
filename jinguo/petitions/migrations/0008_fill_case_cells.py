from django.db import migrations


def fill(apps, schema_editor):
    from jinguo.petitions.stats import rebuild_cells

    rebuild_cells()


class Migration(migrations.Migration):
    """Fill the roll-up from the cases already stored (it runs on the current models: the roll-up is derived data,
    and `jinguo rebuild_cells` recomputes it the same way at any later time)."""

    dependencies = [("petitions", "0007_case_cell")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
