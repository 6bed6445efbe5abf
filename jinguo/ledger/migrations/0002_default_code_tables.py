"""Default activity kinds, themes and measures. Administrators edit them afterwards; nothing is hard-coded."""

from django.db import migrations

KINDS = ["宣传教育", "培训", "慰问帮扶", "表彰", "会议", "志愿服务", "调查研究", "文体活动", "健康服务", "捐赠", "维权服务", "其他"]
KIND_ALIASES = {"宣传教育": "宣传、宣传活动", "培训": "培训班、技能培训", "慰问帮扶": "慰问、帮扶、走访慰问",
                "健康服务": "两癌筛查、健康体检", "维权服务": "维权、法律服务", "会议": "座谈会"}
THEMES = ["三八妇女节", "三八维权周", "六一儿童节", "母亲节", "国际家庭日", "国际禁毒日", "世界环境日", "科技周",
          "三下乡", "春节送温暖", "巾帼建功", "双学双比", "反家庭暴力", "宪法宣传日", "家庭家教家风", "两癌筛查"]
THEME_ALIASES = {"三八妇女节": "三八节、妇女节", "六一儿童节": "六一、儿童节", "国际禁毒日": "禁毒日、6·26",
                 "春节送温暖": "送温暖", "三八维权周": "维权周", "反家庭暴力": "反家暴"}
MEASURES = [  # code, name, unit, kind, direction, aliases
    ("participants", "参与人数", "人", "count", "", "参与人次、参加人数"),
    ("materials", "发放资料", "份", "count", "", "宣传资料、发放宣传资料"),
    ("consultations", "咨询", "人次", "count", "", "接受咨询、咨询人数"),
    ("banners", "悬挂横幅", "条", "count", "", "横幅"),
    ("handbooks", "发放手册", "本", "count", "", "手册"),
    ("lectures", "讲座", "场", "count", "", "举办讲座、讲座场次"),
    ("trainees", "培训人数", "人", "count", "", "培训人次"),
    ("beneficiaries", "受益人数", "人", "count", "", "受益群众、受益人次"),
    ("volunteers", "志愿者", "人", "count", "", "志愿者人数"),
    ("visited", "慰问人数", "人", "count", "", "慰问对象、慰问户数"),
    ("checkups", "体检人数", "人", "count", "", "筛查人数、体检人次"),
    ("condolence", "慰问金额", "元", "money", "out", "慰问金"),
    ("relief", "救助金额", "元", "money", "out", "救助金"),
    ("goods", "物资价值", "元", "money", "out", "物资折价"),
    ("donations", "捐款金额", "元", "money", "in", "接收捐款、捐款"),
]


def forwards(apps, schema_editor):
    CodeTable = apps.get_model("core", "CodeTable")
    CodeItem = apps.get_model("core", "CodeItem")
    Measure = apps.get_model("ledger", "Measure")
    for slug, name, items, aliases in [("activity_kind", "活动类型", KINDS, KIND_ALIASES),
                                       ("activity_theme", "活动主题", THEMES, THEME_ALIASES)]:
        table, _ = CodeTable.objects.get_or_create(slug=slug, defaults={"name": name})
        for order, item in enumerate(items, start=1):
            CodeItem.objects.get_or_create(table=table, code=f"{order:02d}",
                                           defaults={"name": item, "order": order, "aliases": aliases.get(item, "")})
    for order, (code, name, unit, kind, direction, aliases) in enumerate(MEASURES, start=1):
        Measure.objects.get_or_create(code=code, defaults={"name": name, "unit": unit, "kind": kind,
                                                           "direction": direction, "aliases": aliases, "order": order})


def backwards(apps, schema_editor):
    apps.get_model("core", "CodeTable").objects.filter(slug__in=["activity_kind", "activity_theme"]).delete()
    apps.get_model("ledger", "Measure").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("core", "0003_default_code_tables")]
    operations = [migrations.RunPython(forwards, backwards)]
