from django.utils.translation import gettext_lazy as _

from jinguo.core.tables import Col, Table


class OrgUnitTable(Table):
    columns = [
        Col("code", _("编码"), link=True),
        Col("name", _("名称"), link=True),
        Col("level", _("级别")),
        Col("parent.name", _("上级单位")),
        Col("agency_type.name", _("单位类型")),
        Col("vintage", _("区划版本")),
    ]
    select_related = ("parent", "agency_type")
