from django.utils.translation import gettext_lazy as _

from jinguo.core.numbers import plain_number
from jinguo.core.tables import Col, Table


def _figures(activity) -> str:
    return "；".join(f"{f.measure.name}{plain_number(f.value)}{f.measure.unit}" for f in activity.figures.all())


class ActivityTable(Table):
    columns = [
        Col("start_date", _("日期")),
        Col("title", _("活动名称"), link=True),
        Col("kind.name", _("类型")),
        Col("themes", _("主题"), render=lambda a: "、".join(t.name for t in a.themes.all())),
        Col("org.name", _("主办单位")),
        Col("figures", _("数据"), render=_figures),
    ]
    select_related = ("kind", "org")
    prefetch_related = ("themes", "figures__measure")


class PlanItemTable(Table):
    columns = [
        Col("period", _("计划期")),
        Col("title", _("计划事项"), link=True),
        Col("org.name", _("负责单位")),
        Col("status", _("状态")),
    ]
    select_related = ("org",)


class MeasureTable(Table):
    columns = [
        Col("name", _("名称"), link=True),
        Col("unit", _("单位")),
        Col("kind", _("类型")),
        Col("direction", _("资金方向")),
        Col("aliases", _("别名")),
        Col("is_active", _("启用"), render=lambda m: "是" if m.is_active else "否"),
    ]
