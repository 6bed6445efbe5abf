"""Columns of the account lists."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinguo.core.roles import Role
from jinguo.core.tables import Col, Table


class UserTable(Table):
    columns = [
        Col("username", gettext_lazy("用户名"), link=True),
        Col("display_name", gettext_lazy("姓名")),
        Col("org.name", gettext_lazy("所在单位")),
        Col("role_names", gettext_lazy("角色"),
            render=lambda u: "、".join(sorted({str(Role(a.role).label) for a in u.role_assignments.all()}))),
        Col("is_active", gettext_lazy("启用"), render=lambda u: _("是") if u.is_active else _("否")),
        Col("last_login", gettext_lazy("最近登录")),
    ]
    select_related = ("org",)


class RoleAssignmentTable(Table):
    columns = [
        Col("user.username", gettext_lazy("用户名"), render=None),
        Col("user.display_name", gettext_lazy("姓名")),
        Col("org.name", gettext_lazy("单位（含下级）")),
        Col("role", gettext_lazy("角色")),
        Col("created", gettext_lazy("分配时间")),
    ]
    select_related = ("user", "org")
