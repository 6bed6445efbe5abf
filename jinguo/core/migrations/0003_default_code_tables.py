"""The default code tables of the foundation. Domain apps add theirs in their own migrations."""

from django.db import migrations

AGENCY_TYPES = [
    ("TJ", "统计局", "统计"),
    ("JY", "教育局", "教育、教体局"),
    ("WJ", "卫生健康委员会", "卫健委、卫健局、卫生健康局"),
    ("RS", "人力资源和社会保障局", "人社局、人社"),
    ("GA", "公安局", "公安"),
    ("FY", "人民法院", "法院"),
    ("JC", "人民检察院", "检察院"),
    ("MZ", "民政局", "民政"),
    ("SF", "司法局", "司法行政、司法"),
    ("CZ", "财政局", "财政"),
    ("NY", "农业农村局", "农业农村、农业局"),
    ("TW", "团委", "共青团"),
    ("GH", "总工会", "工会"),
    ("FL", "妇联", "妇女联合会"),
    ("QT", "其他", ""),
]


def forwards(apps, schema_editor):
    CodeTable = apps.get_model("core", "CodeTable")
    CodeItem = apps.get_model("core", "CodeItem")
    table, _ = CodeTable.objects.get_or_create(
        slug="agency_type", defaults={"name": "单位类型", "description": "妇儿工委成员单位等的类型"})
    for order, (code, name, aliases) in enumerate(AGENCY_TYPES, start=1):
        CodeItem.objects.get_or_create(table=table, code=code,
                                       defaults={"name": name, "aliases": aliases, "order": order})


def backwards(apps, schema_editor):
    apps.get_model("core", "CodeTable").objects.filter(slug="agency_type").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
