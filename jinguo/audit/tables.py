"""Columns of the audit log page (its .xlsx export carries every field: audit.views.EXPORT_COLUMNS)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinguo.core.tables import Col, Table


class AuditEntryTable(Table):
    columns = [
        Col("seq", _("序号"), link=True),
        Col("time", _("时间"), render=lambda e: f"{timezone.localtime(e.time):%Y-%m-%d %H:%M:%S}"),
        Col("actor_name", _("操作人")),
        Col("ip", _("来源地址"), render=lambda e: e.ip or ""),
        Col("kind", _("类别")),
        Col("action_label", _("动作")),
        Col("object_repr", _("对象")),
        Col("org_name", _("所属单位")),
    ]
