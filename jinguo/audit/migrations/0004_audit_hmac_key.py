"""The audit chain becomes keyed: each entry records the id of the audit key its HMAC was made with.

Entries already written keep their plain SHA-256 hash (rewriting them would need the append-only trigger off and
would prove nothing). Where there are some, a signed `legacy` checkpoint goes to the checkpoint file: the chain may
begin with unkeyed entries up to that one, and no unkeyed entry is accepted after it.
"""

from django.db import migrations, models


def mark_legacy_entries(apps, schema_editor):
    head = apps.get_model("audit", "AuditHead").objects.using(schema_editor.connection.alias).filter(pk=1).first()
    if head is not None and head.last_seq:
        from jinguo.audit import checkpoints

        checkpoints.write(head.last_seq, head.last_hash, kind=checkpoints.LEGACY)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_fewer_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='key_id',
            field=models.CharField(blank=True, default='', max_length=16, verbose_name='签名密钥'),
        ),
        migrations.RunPython(mark_legacy_entries, migrations.RunPython.noop),
    ]
