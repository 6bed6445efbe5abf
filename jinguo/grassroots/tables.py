from django.utils.translation import gettext_lazy as _

from jinguo.core.numbers import money
from jinguo.core.tables import Col, Table


class OrgProfileTable(Table):
    columns = [
        Col("org.code", _("单位编码")),
        Col("org.name", _("单位"), link=True),
        Col("kind.name", _("组织类型")),
        Col("chair_name", _("主席")),
        Col("executives", _("执委人数")),
        Col("has_home", _("妇女之家"), render=lambda p: (p.home_address or "有") if p.has_home else "无"),
        Col("funding", _("工作经费(元)"), render=lambda p: money(p.funding)),
        Col("elected_on", _("换届日期")),
        Col("next_election", _("下次换届")),
    ]
    select_related = ("org", "kind")
