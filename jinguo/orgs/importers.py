from django.utils.translation import gettext_lazy as _

from jinguo.core.excel import Column, ImportContext, ImportSpec
from jinguo.orgs.forms import OrgUnitForm
from jinguo.orgs.models import LEVEL_SYNONYMS, Level, OrgUnit


class OrgUnitImport(ImportSpec):
    """Units below the importing unit: member units, committees, townships and villages."""

    kind = "orgs"
    label = _("单位")
    model = OrgUnit
    form_class = OrgUnitForm
    natural_key = ("code",)
    columns = [
        Column(_("编码"), "code", required=True, width=16, aliases=("单位编码", "代码", "行政区划代码"),
               help=_("行政区划代码（乡镇9位、村12位），或成员单位、妇委会自定的编码")),
        Column(_("名称"), "name", required=True, width=24, aliases=("单位名称",)),
        Column(_("级别"), "level", kind="choice", choices=tuple(Level.choices), width=12, synonyms=LEVEL_SYNONYMS,
               help=_("可不填：按编码位数判断")),
        Column(_("上级编码"), "parent", width=16, aliases=("上级单位编码", "上级代码"), help=_("不填则为导入到的单位"),
               exporter=lambda unit: unit.parent.code if unit.parent_id else ""),
        Column(_("单位类型"), "agency_type", kind="code", code_table="agency_type", width=14,
               exporter=lambda unit: unit.agency_type.name if unit.agency_type_id else ""),
    ]

    def form_kwargs(self, ctx: ImportContext) -> dict:
        return {"user": ctx.user, "org": ctx.org}

    def prepare(self, ctx: ImportContext, data: dict) -> dict:
        parent_code = data.get("parent") or ctx.org.code
        parent = OrgUnit.objects.filter(code=parent_code).only("pk").first()
        # An unknown parent code stays as text: the form reports it against the 上级编码 column.
        data["parent"] = str(parent.pk) if parent else parent_code
        data.setdefault("is_active", "true")
        return data

    def export_queryset(self, ctx: ImportContext, date_from=None, date_to=None):
        return (super().export_queryset(ctx).exclude(pk=ctx.org.pk)
                .select_related("parent", "agency_type").order_by("path"))
