from django.db import migrations

GROUPS = [("01", "贫困母亲", "困难母亲"), ("02", "留守儿童", ""), ("03", "困境儿童", ""), ("04", "单亲困难母亲", "单亲母亲"),
          ("05", "残疾妇女", ""), ("06", "受暴妇女", "家暴受害妇女"), ("07", "留守妇女", ""), ("08", "其他", "")]
AWARDS = [("01", "三八红旗手标兵", ""), ("02", "三八红旗手", "红旗手"), ("03", "三八红旗集体", "红旗集体"),
          ("04", "巾帼建功标兵", ""), ("05", "巾帼建功先进集体", ""), ("06", "最美家庭", ""), ("07", "文明家庭", ""),
          ("08", "其他", "")]


def forwards(apps, schema_editor):
    CodeTable = apps.get_model("core", "CodeTable")
    CodeItem = apps.get_model("core", "CodeItem")
    for slug, name, items in [("beneficiary_group", "帮扶对象类别", GROUPS), ("honour_award", "荣誉名称", AWARDS)]:
        table, _ = CodeTable.objects.get_or_create(slug=slug, defaults={"name": name})
        for order, (code, item, aliases) in enumerate(items, start=1):
            CodeItem.objects.get_or_create(table=table, code=code,
                                           defaults={"name": item, "aliases": aliases, "order": order})


def backwards(apps, schema_editor):
    apps.get_model("core", "CodeTable").objects.filter(slug__in=["beneficiary_group", "honour_award"]).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial"), ("core", "0004_attachment")]
    operations = [migrations.RunPython(forwards, backwards)]
