"""Excel kind `org_profiles`: 单位编码, 组织类型, 主席姓名, 执委人数, 妇女之家, 工作经费(元), 换届日期.

The units must exist in the tree; a code may be written with or without the leading digits of the unit the file is
imported into (100 or 431122100 under 431122). An export re-imports unchanged."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jinguo.core.excel import Column, ImportContext, ImportSpec
from jinguo.grassroots import forms, services
from jinguo.grassroots.models import KIND_TABLE, OrgProfile
from jinguo.orgs.services import resolve_unit


def _home(profile: OrgProfile) -> str:
    if not profile.has_home:
        return "无"
    return profile.home_address or "有"


class OrgProfileImport(ImportSpec):
    kind = "org_profiles"
    label = _("基层组织")
    model = OrgProfile
    form_class = forms.OrgProfileImportForm
    natural_key = ("unit_code",)
    columns = [
        Column(_("单位编码"), "unit_code", required=True, width=16, aliases=("编码", "单位代码"),
               help=_("组织树中的单位编码；可省略本单位编码开头的数字，如东安县导入时“100”即“431122100”"),
               exporter=lambda p: p.org.code),
        Column(_("组织类型"), "kind", kind="code", code_table=KIND_TABLE, required=True, width=14,
               exporter=lambda p: p.kind.name),
        Column(_("主席姓名"), "chair_name", width=10, aliases=("主席", "妇联主席")),
        Column(_("执委人数"), "executives", kind="int", unit="人", width=10, aliases=("执委",)),
        Column(_("妇女之家"), "home", width=24, help=_("填“有”或“无”，有的可直接填写妇女之家地址"),
               exporter=_home),
        Column(_("工作经费(元)"), "funding", kind="decimal", unit="元", width=14, aliases=("工作经费",)),
        Column(_("换届日期"), "elected_on", kind="date", width=12, aliases=("换届时间", "最近换届日期")),
    ]

    def form_kwargs(self, ctx: ImportContext) -> dict:
        return {"user": ctx.user, "org": ctx.org}

    def prepare(self, ctx: ImportContext, data: dict) -> dict:
        unit = resolve_unit(str(data.get("unit_code", "")), ctx.org)
        if unit is not None:
            data["unit_code"] = unit.code  # "100" and "431122100" are the same row
        return data

    def find_existing(self, ctx: ImportContext, data: dict):
        unit = resolve_unit(str(data.get("unit_code", "")), ctx.org)
        return None if unit is None else self.base_queryset(ctx, "change").filter(org=unit).first()

    def save(self, ctx: ImportContext, form):
        return services.save_profile(form.save(commit=False))

    def export_queryset(self, ctx: ImportContext, date_from=None, date_to=None):
        return super().export_queryset(ctx).select_related("org", "kind")
