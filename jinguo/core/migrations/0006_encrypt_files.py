"""Import workbooks and attachments are encrypted at rest; the files already stored in clear are encrypted here.

Each file is rewritten atomically, and a file already encrypted is skipped, so the migration can be run again
after an interruption. A file listed in the database but missing on disk is left alone (nothing to protect)."""

from django.db import migrations, models

import jinguo.core.storage


def encrypt_stored_files(apps, schema_editor):
    from jinguo.core.storage import encrypted_storage

    storage = encrypted_storage()
    for model_name in ("ImportJob", "Attachment"):
        model = apps.get_model("core", model_name)
        for name in model.objects.exclude(file="").values_list("file", flat=True).distinct().iterator():
            if storage.exists(name):
                storage.rewrite(name)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_version"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(storage=jinguo.core.storage.encrypted_storage, upload_to="attachments/%Y/%m/",
                                   verbose_name="文件"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="file",
            field=models.FileField(storage=jinguo.core.storage.encrypted_storage, upload_to="imports/%Y/%m/",
                                   verbose_name="文件"),
        ),
        # Not reversible into clear files on purpose: going back leaves them encrypted (and readable by this code).
        migrations.RunPython(encrypt_stored_files, migrations.RunPython.noop, elidable=False),
    ]
