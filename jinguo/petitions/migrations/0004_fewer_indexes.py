"""No single-column index where a composite index leads with the column (org, status), no pattern-ops twin where
nothing matches a prefix (import key, search hashes): each index costs every insert of a half-million-row table.
The old indexes are dropped without rebuilding the tables (core.schema.drop_column_indexes)."""

import django.db.models.deletion
from django.db import migrations, models

from jinguo.core.schema import drop_column_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_version'),
        ('orgs', '0002_version'),
        ('petitions', '0003_version'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='import_key',
                    field=models.CharField(blank=True, editable=False, max_length=64),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='org',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='+', to='orgs.orgunit', verbose_name='所属单位'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='status',
                    field=models.CharField(choices=[('registered', '登记'), ('accepted', '已受理'),
                                                    ('rejected', '不予受理'), ('transferred', '已转送'),
                                                    ('in_progress', '办理中'), ('replied', '已答复'),
                                                    ('followed_up', '已回访'), ('closed', '办结'),
                                                    ('review', '复查中')],
                                           default='registered', editable=False, max_length=12,
                                           verbose_name='办理状态'),
                ),
                migrations.AlterField(
                    model_name='petitioner',
                    name='id_hash',
                    field=models.CharField(blank=True, editable=False, max_length=64),
                ),
                migrations.AlterField(
                    model_name='petitioner',
                    name='phone_hash',
                    field=models.CharField(blank=True, editable=False, max_length=64),
                ),
            ],
            database_operations=[
                drop_column_indexes('petitions_case', ['import_key', 'org_id', 'status']),
                drop_column_indexes('petitions_petitioner', ['id_hash', 'phone_hash']),
            ],
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['import_key'], name='case_import_key_idx'),
        ),
        migrations.AddIndex(
            model_name='petitioner',
            index=models.Index(fields=['id_hash'], name='petitioner_id_hash_idx'),
        ),
        migrations.AddIndex(
            model_name='petitioner',
            index=models.Index(fields=['phone_hash'], name='petitioner_phone_hash_idx'),
        ),
    ]
