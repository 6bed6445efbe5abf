"""Activities in Excel: fixed columns plus one column per measure (header = the measure's name, with or without
its unit: 发放资料(份), 发放资料, 咨询人次 all resolve)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from django.utils.translation import gettext_lazy as _

from jinguo.core.excel import Column, ImportContext, ImportSpec
from jinguo.ledger.forms import MEASURE_PREFIX, ActivityForm
from jinguo.ledger.models import Activity, Measure
from jinguo.ledger.services import NewActivity, create_activities, save_activity
from jinguo.orgs.models import OrgUnit


def _figure(code: str):
    def export(activity: Activity):
        figures = getattr(activity, "_figures_by_code", None)
        if figures is None:  # one pass over the prefetched figures per activity, not one per measure column
            figures = activity._figures_by_code = {f.measure.code: f.value for f in activity.figures.all()}
        return figures.get(code)

    return export


class ActivityImport(ImportSpec):
    kind = "activities"
    label = _("活动台账")
    model = Activity
    form_class = ActivityForm
    natural_key = ("org", "start_date", "title")
    columns = [
        Column(_("开始日期"), "start_date", kind="date", required=True, width=12,
               aliases=("活动日期", "日期", "活动时间", "时间", "开展日期", "开展时间", "举办日期")),
        Column(_("结束日期"), "end_date", kind="date", width=12, help=_("不填则与开始日期相同"),
               aliases=("结束时间", "截止日期")),
        Column(_("活动类型"), "kind", kind="code", code_table="activity_kind", required=True, width=12,
               aliases=("类型", "活动形式", "形式"),
               exporter=lambda a: a.kind.name),
        Column(_("活动名称"), "title", required=True, width=30, aliases=("名称", "活动标题", "项目名称")),
        Column(_("主题"), "themes", kind="codes", code_table="activity_theme", width=16,
               help=_("可填多个，用顿号分隔"), aliases=("活动主题", "主题活动"),
               exporter=lambda a: "、".join(t.name for t in a.themes.all())),
        Column(_("地点"), "place", width=16, aliases=("活动地点", "举办地点")),
        Column(_("合作单位"), "partners", width=20, help=_("多个用顿号或逗号分隔"),
               aliases=("联合单位", "协办单位", "参与单位"),
               exporter=lambda a: "、".join(p.name for p in a.partners.all())),
        Column(_("说明"), "description", width=30, aliases=("活动内容", "内容", "活动简介", "简要情况", "情况说明")),
        Column(_("单位编码"), "org", width=14, aliases=("主办单位编码",), help=_("主办单位的编码；不填为导入到的单位"),
               exporter=lambda a: a.org.code),
    ]

    bulk = True
    batch_size = 1000

    def __init__(self) -> None:
        super().__init__()
        self._measures: list[Measure] | None = None
        self._org_ids: dict[str, int] | None = None

    def measures(self) -> list[Measure]:
        if self._measures is None:
            self._measures = list(Measure.objects.filter(is_active=True))
        return self._measures

    def columns_for(self, ctx: ImportContext) -> list[Column]:
        return [*self.columns, *(
            Column(m.header, MEASURE_PREFIX + m.code, kind="decimal", unit=m.unit, aliases=tuple(m.spellings),
                   width=12, exporter=_figure(m.code))
            for m in self.measures())]

    def form_kwargs(self, ctx: ImportContext) -> dict:
        return {"user": ctx.user, "org": ctx.org, "measures": self.measures()}

    def prepare(self, ctx: ImportContext, data: dict) -> dict:
        code = (data.get("org") or "").strip()
        if not code:
            data["org"] = str(ctx.org.pk)
        else:
            if self._org_ids is None:  # the codes of the importing unit's subtree, read once per file
                self._org_ids = dict(OrgUnit.objects.subtree(ctx.org).values_list("code", "pk"))
            unit_id = self._org_ids.get(code)
            data["org"] = str(unit_id) if unit_id else code  # unknown: the form reports it on 单位编码
        return data

    def find_existing(self, ctx: ImportContext, data: dict):
        return self.find_existing_many(ctx, [data])[0]

    def find_existing_many(self, ctx: ImportContext, rows: list[dict]) -> list[Activity | None]:
        def key(data: dict) -> tuple | None:
            if not str(data.get("org", "")).isdigit() or not data.get("start_date") or not data.get("title"):
                return None
            return int(data["org"]), str(data["start_date"]), data["title"]

        keys = [key(data) for data in rows]
        wanted = [k for k in keys if k is not None]
        if not wanted:
            return [None] * len(rows)
        stored = self.base_queryset(ctx, "change").filter(
            org_id__in={k[0] for k in wanted}, start_date__in={k[1] for k in wanted}, title__in={k[2] for k in wanted})
        found = {(a.org_id, a.start_date.isoformat(), a.title): a for a in stored}
        return [found.get(k) if k is not None else None for k in keys]

    def save(self, ctx: ImportContext, form: ActivityForm) -> Activity:
        return save_activity(form)

    def bulk_row(self, ctx: ImportContext, form: ActivityForm) -> NewActivity:
        return NewActivity(form.instance, list(form.cleaned_data.get("themes") or []), form.figures(),
                           form.partner_names())

    def save_many(self, ctx: ImportContext, rows: list[NewActivity]) -> list[Activity]:
        return create_activities(rows)

    def export_rows(self, ctx: ImportContext, columns: list[Column], queryset) -> Iterator[list]:
        """Plain values, 2,000 activities at a time (one query each for their themes, partners and figures):
        the same cells `export_cell` gives, without building records."""
        from collections import defaultdict

        from jinguo.core.models import CodeItem
        from jinguo.ledger.models import ActivityFigure, ActivityPartner

        kinds = dict(CodeItem.objects.filter(table__slug="activity_kind").values_list("pk", "name"))
        themes = {pk: (rank, name) for rank, (pk, name) in enumerate(  # in the code table's own order
            CodeItem.objects.filter(table__slug="activity_theme").values_list("pk", "name"))}
        measure_code = {m.pk: m.code for m in self.measures()}
        rows = (queryset.select_related(None).prefetch_related(None)
                .values_list("pk", "start_date", "end_date", "kind_id", "title", "place", "description", "org__code")
                .iterator(chunk_size=2000))
        while chunk := list(islice(rows, 2000)):
            ids = [row[0] for row in chunk]
            theme_ids, partners, figures = defaultdict(list), defaultdict(list), defaultdict(dict)
            for activity_id, theme_id in Activity.themes.through.objects.filter(activity_id__in=ids).values_list(
                    "activity_id", "codeitem_id"):
                theme_ids[activity_id].append(themes[theme_id])
            for activity_id, name in ActivityPartner.objects.filter(activity_id__in=ids).order_by("pk").values_list(
                    "activity_id", "name"):
                partners[activity_id].append(name)
            for activity_id, measure_id, value in ActivityFigure.objects.filter(activity_id__in=ids).values_list(
                    "activity_id", "measure_id", "value"):
                if measure_id in measure_code:
                    figures[activity_id][MEASURE_PREFIX + measure_code[measure_id]] = float(value)
            for pk, start, end, kind_id, title, place, description, org_code in chunk:
                values = {"start_date": start, "end_date": end, "kind": kinds.get(kind_id), "title": title,
                          "themes": "、".join(name for _rank, name in sorted(theme_ids[pk])), "place": place,
                          "partners": "、".join(partners[pk]), "description": description, "org": org_code,
                          **figures[pk]}
                yield [values.get(column.field) for column in columns]

    def export_queryset(self, ctx: ImportContext, date_from=None, date_to=None):
        queryset = super().export_queryset(ctx)
        if date_from:
            queryset = queryset.filter(start_date__gte=date_from)
        if date_to:
            queryset = queryset.filter(start_date__lte=date_to)
        return with_related(queryset).order_by("start_date", "pk")


def with_related(queryset):
    return queryset.select_related("kind", "org").prefetch_related("themes", "partners", "figures__measure")
