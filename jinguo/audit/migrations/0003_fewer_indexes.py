"""Seven indexes instead of twelve on the audit trail, which every imported record adds a row to: the log's filters
and a record's history get the indexes they use (see AuditEntry.Meta); no pattern-ops twins where nothing matches
a prefix. The old indexes are dropped without rebuilding the table (core.schema.drop_column_indexes)."""

from django.db import migrations, models

from jinguo.core.schema import drop_column_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_trigger'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='auditentry',
                    name='action',
                    field=models.CharField(max_length=64, verbose_name='动作'),
                ),
                migrations.AlterField(
                    model_name='auditentry',
                    name='object_id',
                    field=models.CharField(blank=True, max_length=64, verbose_name='对象编号'),
                ),
                migrations.AlterField(
                    model_name='auditentry',
                    name='object_type',
                    field=models.CharField(blank=True, max_length=100, verbose_name='对象类型'),
                ),
                migrations.AlterField(
                    model_name='auditentry',
                    name='org_path',
                    field=models.CharField(blank=True, max_length=255, verbose_name='所属单位路径'),
                ),
            ],
            database_operations=[
                drop_column_indexes('audit_auditentry', ['action', 'object_id', 'object_type', 'org_path']),
            ],
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['action'], name='audit_action_idx'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['object_type', 'object_id'], name='audit_object_idx'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['org_path'], name='audit_org_path_idx', opclasses=['varchar_pattern_ops']),
        ),
    ]
