"""Default channels, categories (with subcategories and aliases) and referral agency types (domain.md §1.1, §1.3)."""

from django.db import migrations

CHANNELS = [("01", "来信", "书信、信件"), ("02", "来访", "走访、上访"), ("03", "来电", "电话"),
            ("04", "12338热线", "12338、热线"), ("05", "网上信访", "网络、网信、信息网络"), ("06", "传真", ""),
            ("07", "上级转交办", "转交办、上级交办、转办"), ("08", "其他", "")]
CATEGORIES = [  # code, name, aliases, subcategories
    ("01", "婚姻家庭", "婚姻家庭类、婚姻家庭权益", ["家庭暴力", "家庭纠纷", "离婚纠纷", "干涉婚姻", "抚养/赡养", "配偶外遇/重婚"]),
    ("02", "劳动和社会保障权益", "劳动权益、劳动和社会保障权益类、劳动保障",
     ["劳动报酬", "就业性别歧视", "社会保险", "女职工特殊保护"]),
    ("03", "人身权益", "人身权益类、人身和人格权益", ["性骚扰", "性侵害", "拐卖", "人格权"]),
    ("04", "财产权益", "财产权益类", ["土地承包", "宅基地", "集体收益分配", "继承"]),
    ("05", "文化教育", "文化教育类、文化教育权益", []),
    ("06", "政治权利", "政治权利类", []),
    ("07", "法律咨询", "法律法规咨询、咨询", []),
    ("08", "综合", "其他、综合类", []),
]
AGENCIES = [("01", "公安", "公安局、派出所"), ("02", "法院", "人民法院"), ("03", "检察院", "人民检察院"),
            ("04", "司法行政/法律援助", "司法局、法律援助、法律援助中心"), ("05", "民政", "民政局"),
            ("06", "人社", "人社局、劳动监察"), ("07", "教育", "教育局"), ("08", "卫健", "卫健局、医院"),
            ("09", "村(居)委会", "村委会、居委会、社区"), ("10", "其他", "")]


def forwards(apps, schema_editor):
    CodeTable = apps.get_model("core", "CodeTable")
    CodeItem = apps.get_model("core", "CodeItem")

    def table(slug, name, hierarchical=False):
        return CodeTable.objects.get_or_create(slug=slug, defaults={"name": name, "hierarchical": hierarchical})[0]

    channels = table("petition_channel", "信访来源方式")
    for order, (code, name, aliases) in enumerate(CHANNELS, start=1):
        CodeItem.objects.get_or_create(table=channels, code=code,
                                       defaults={"name": name, "aliases": aliases, "order": order})
    categories = table("petition_category", "信访问题类别", hierarchical=True)
    for order, (code, name, aliases, subs) in enumerate(CATEGORIES, start=1):
        parent, _ = CodeItem.objects.get_or_create(table=categories, code=code,
                                                   defaults={"name": name, "aliases": aliases, "order": order})
        for sub_order, sub in enumerate(subs, start=1):
            CodeItem.objects.get_or_create(table=categories, code=f"{code}{sub_order:02d}",
                                           defaults={"name": sub, "parent": parent, "order": sub_order})
    agencies = table("referral_agency", "转介部门类型")
    for order, (code, name, aliases) in enumerate(AGENCIES, start=1):
        CodeItem.objects.get_or_create(table=agencies, code=code,
                                       defaults={"name": name, "aliases": aliases, "order": order})


def backwards(apps, schema_editor):
    apps.get_model("core", "CodeTable").objects.filter(
        slug__in=["petition_channel", "petition_category", "referral_agency"]).delete()


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial"), ("core", "0004_attachment")]
    operations = [migrations.RunPython(forwards, backwards)]
