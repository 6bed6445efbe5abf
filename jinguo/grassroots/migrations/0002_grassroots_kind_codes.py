from django.db import migrations

# 组织类型 (grassroots organisation kinds). Codes are stable (the survey counts `village` and `community` as
# 村（社区）妇联); administrators may rename items and add aliases.
KINDS = [("village", "村妇联", "村妇代会、村级妇联"), ("community", "社区妇联", "社区妇代会、居委会妇联"),
         ("township", "乡镇妇联", "乡妇联、镇妇联"), ("street", "街道妇联", "街道妇工委"),
         ("organ", "机关妇委会", "机关妇女委员会"), ("enterprise", "企业妇委会", "企业妇女委员会、非公企业妇委会"),
         ("new_field", "新领域妇联", "社会组织妇联、新经济组织妇联、园区妇联"), ("other", "其他", "")]


def forwards(apps, schema_editor):
    CodeTable = apps.get_model("core", "CodeTable")
    CodeItem = apps.get_model("core", "CodeItem")
    table, _created = CodeTable.objects.get_or_create(
        slug="grassroots_kind", defaults={"name": "基层组织类型", "description": "基层组织建设档案的组织类型"})
    for order, (code, name, aliases) in enumerate(KINDS, start=1):
        CodeItem.objects.get_or_create(table=table, code=code, defaults={"name": name, "aliases": aliases,
                                                                         "order": order})


def backwards(apps, schema_editor):
    apps.get_model("core", "CodeTable").objects.filter(slug="grassroots_kind").delete()


class Migration(migrations.Migration):
    dependencies = [("grassroots", "0001_initial"), ("core", "0004_attachment")]
    operations = [migrations.RunPython(forwards, backwards)]
