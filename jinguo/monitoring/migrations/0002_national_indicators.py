"""Indicators of the 2021–2030 outlines with targets confirmed in domain.md §2.2, plus the counts their rates are
computed from. Local units add their own."""

from decimal import Decimal

from django.db import migrations

INDICATORS = [  # outline, domain, code, name, unit, kind, numerator, denominator, multiplier, target, direction
    ("women", "妇女与健康", "W_HEALTH_MMR_D", "孕产妇死亡数", "人", "count", None, None, 1, None, ""),
    ("women", "妇女与健康", "W_HEALTH_LB", "活产数", "人", "count", None, None, 1, None, ""),
    ("women", "妇女与健康", "W_HEALTH_MMR", "孕产妇死亡率", "1/10万", "rate", "W_HEALTH_MMR_D", "W_HEALTH_LB", 100000,
     Decimal("12"), "le"),
    ("women", "妇女与健康", "W_HEALTH_CC_S", "宫颈癌筛查人数", "人", "count", None, None, 1, None, ""),
    ("women", "妇女与健康", "W_HEALTH_CC_T", "适龄妇女人数", "人", "count", None, None, 1, None, ""),
    ("women", "妇女与健康", "W_HEALTH_CC", "适龄妇女宫颈癌人群筛查率", "%", "rate", "W_HEALTH_CC_S", "W_HEALTH_CC_T",
     100, Decimal("70"), "ge"),
    ("women", "妇女与健康", "W_HEALTH_HIV", "艾滋病母婴传播率", "%", "value", None, None, 100, Decimal("2"), "le"),
    ("children", "儿童与健康", "C_HEALTH_U5_D", "5岁以下儿童死亡数", "人", "count", None, None, 1, None, ""),
    ("children", "儿童与健康", "C_HEALTH_U5", "5岁以下儿童死亡率", "‰", "rate", "C_HEALTH_U5_D", "W_HEALTH_LB", 1000,
     Decimal("6"), "le"),
    ("children", "儿童与健康", "C_HEALTH_PED", "每千名儿童儿科执业(助理)医生数", "人", "value", None, None, 1,
     Decimal("1.12"), "ge"),
    ("children", "儿童与健康", "C_HEALTH_BED", "每千名儿童儿科床位数", "张", "value", None, None, 1, Decimal("3.17"),
     "ge"),
]
RULES = [  # code, name, left, op, right, importance, missing, message
    ("R_MMR_LE_LB", "孕产妇死亡数不大于活产数", "W_HEALTH_MMR_D", "<=", "W_HEALTH_LB", "error", "any",
     "孕产妇死亡数不能大于活产数"),
    ("R_CC_LE_T", "筛查人数不大于适龄妇女人数", "W_HEALTH_CC_S", "<=", "W_HEALTH_CC_T", "error", "any",
     "宫颈癌筛查人数不能大于适龄妇女人数"),
    ("R_U5_LE_LB", "5岁以下死亡数不大于活产数", "C_HEALTH_U5_D", "<=", "W_HEALTH_LB", "error", "any",
     "5岁以下儿童死亡数不能大于活产数"),
    ("R_LB_STABLE", "活产数与上年相比变化不超过30%", "W_HEALTH_LB", "<=", "W_HEALTH_LB[previous] * 1.3", "warning",
     "any", "活产数比上年增加超过30%，请说明原因"),
]


def forwards(apps, schema_editor):
    Indicator = apps.get_model("monitoring", "Indicator")
    Rule = apps.get_model("monitoring", "ValidationRule")
    CodeItem = apps.get_model("core", "CodeItem")
    health = CodeItem.objects.filter(table__slug="agency_type", code="WJ").first()
    made = {}
    for outline, domain, code, name, unit, kind, num, den, mult, target, direction in INDICATORS:
        made[code], _ = Indicator.objects.get_or_create(code=code, defaults={
            "outline": outline, "domain": domain, "name": name, "unit": unit, "kind": kind, "multiplier": mult,
            "numerator": made.get(num), "denominator": made.get(den), "target": target, "direction": direction,
            "target_year": 2030 if target is not None else None, "agency_type": health})
    for code, name, left, op, right, importance, missing, message in RULES:
        Rule.objects.get_or_create(code=code, defaults={"name": name, "left": left, "operator": op, "right": right,
                                                        "importance": importance, "missing": missing,
                                                        "message": message})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial"), ("core", "0004_attachment")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
