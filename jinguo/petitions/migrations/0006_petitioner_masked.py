"""The masked form of each petitioner's personal data, kept beside the ciphertext so lists and the API decrypt
nothing; existing rows are filled here (decrypted once with the configured keys, in batches)."""

from django.db import migrations

import jinguo.core.fields


def fill_masks(apps, schema_editor):
    from jinguo.core.idcard import masked_fields

    Petitioner = apps.get_model("petitions", "Petitioner")
    table, quote = Petitioner._meta.db_table, schema_editor.connection.ops.quote_name
    sql = (f"UPDATE {quote(table)} SET name_masked = %s, id_number_masked = %s, phone_masked = %s, "
           f"address_masked = %s WHERE id = %s")
    people = Petitioner.objects.order_by("pk").only("name", "id_number", "phone", "address")
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while batch := list(people.filter(pk__gt=last)[:2000]):  # keyset batches: no cursor open while writing
            rows = []
            for p in batch:
                m = masked_fields(name=p.name, id_number=p.id_number, phone=p.phone, address=p.address)
                rows.append((m["name"], m["id_number"], m["phone"], m["address"], p.pk))
            cursor.executemany(sql, rows)
            last = batch[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ("petitions", "0005_case_is_typical"),
    ]

    operations = [
        migrations.AddField(
            model_name="petitioner",
            name="address_masked",
            field=jinguo.core.fields.MaskedCopyField(source="address", verbose_name="住址（脱敏）"),
        ),
        migrations.AddField(
            model_name="petitioner",
            name="id_number_masked",
            field=jinguo.core.fields.MaskedCopyField(source="id_number", verbose_name="身份证号（脱敏）"),
        ),
        migrations.AddField(
            model_name="petitioner",
            name="name_masked",
            field=jinguo.core.fields.MaskedCopyField(source="name", verbose_name="姓名（脱敏）"),
        ),
        migrations.AddField(
            model_name="petitioner",
            name="phone_masked",
            field=jinguo.core.fields.MaskedCopyField(source="phone", verbose_name="联系电话（脱敏）"),
        ),
        migrations.RunPython(fill_masks, migrations.RunPython.noop),
    ]
