# The new index is built before the old one goes: no moment without one.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_import_mapping'),
        ('ledger', '0010_fill_activity_ranks'),
        ('orgs', '0002_version'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(fields=['org', 'start_date', 'title'], name='activity_org_date_title_idx'),
        ),
        migrations.RemoveIndex(
            model_name='activity',
            name='activity_org_date_idx',
        ),
    ]
