"""Default lines of work (工作条线) of the work summary and the activity kinds and themes that feed each.

A hierarchical code table: sections at the top (their codes are the keys the summary's record sources use:
guide, care, rights, career, org, outline), the kinds and themes they claim beneath. A theme claims before a kind:
a 宣传教育 activity themed 三八维权周 is told under 维护妇女儿童权益. Administrators rename, reorder and remap.
"""

from django.db import migrations

SECTIONS = [  # code, heading, claimed activity themes and kinds
    ("guide", "思想引领与宣传教育", ["家庭家教家风", "世界环境日", "科技周", "国际禁毒日", "国际家庭日", "母亲节",
                                "三八妇女节", "宣传教育", "会议", "文体活动", "调查研究", "其他"]),
    ("care", "关爱帮扶", ["春节送温暖", "两癌筛查", "慰问帮扶", "健康服务", "捐赠", "志愿服务"]),
    ("rights", "维护妇女儿童权益", ["三八维权周", "反家庭暴力", "宪法宣传日", "维权服务"]),
    ("career", "建功立业与创业就业", ["巾帼建功", "双学双比", "三下乡", "培训", "表彰"]),
    ("org", "组织建设", []),
    ("outline", "两纲实施", []),
]
DESCRIPTION = ("工作总结的栏目（工作条线）。顶级条目是栏目，代码 guide/care/rights/career/org/outline 供系统识别"
               "信访、荣誉、人才、两纲等记录归入哪一栏，请勿修改代码；名称和排序可改。栏目下的条目写活动主题或活动类型的"
               "名称：活动先按主题归栏，主题未归栏的按活动类型归栏，都未归栏的归入第一栏。")


def forwards(apps, schema_editor):
    CodeTable = apps.get_model("core", "CodeTable")
    CodeItem = apps.get_model("core", "CodeItem")
    table, _created = CodeTable.objects.get_or_create(
        slug="summary_section", defaults={"name": "工作总结栏目", "hierarchical": True, "description": DESCRIPTION})
    for order, (code, name, claimed) in enumerate(SECTIONS, start=1):
        top, _created = CodeItem.objects.get_or_create(table=table, code=code, defaults={"name": name, "order": order})
        for index, item in enumerate(claimed, start=1):
            CodeItem.objects.get_or_create(table=table, code=f"{code}.{index:02d}",
                                           defaults={"name": item, "parent": top, "order": index})


def backwards(apps, schema_editor):
    apps.get_model("core", "CodeItem").objects.filter(table__slug="summary_section", parent__isnull=False).delete()
    apps.get_model("core", "CodeTable").objects.filter(slug="summary_section").delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_summary_office_template"), ("ledger", "0002_default_code_tables"),
                    ("core", "0004_attachment")]
    operations = [migrations.RunPython(forwards, backwards)]
