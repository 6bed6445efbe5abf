"""Activities in Excel: fixed columns plus one column per measure (header = the measure's name, with or without
its unit: 发放资料(份), 发放资料, 咨询人次 all resolve)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from django.db import connection
from django.utils.translation import gettext_lazy as _

from jinguo.core.excel import Column, ImportContext, ImportSpec
from jinguo.core.models import CodeItem
from jinguo.core.sql import pks_matching
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
        # The stored rows with exactly these keys (a composite IN on activity_org_date_title_idx), then the scope on
        # those few by primary key.
        ids = pks_matching(Activity, ["org", "start_date", "title"], set(wanted))
        stored = self.base_queryset(ctx, "change").filter(pk__any_of=ids) if ids else []
        found = {(a.org_id, a.start_date.isoformat(), a.title): a for a in stored}
        return [found.get(k) if k is not None else None for k in keys]

    def save(self, ctx: ImportContext, form: ActivityForm) -> Activity:
        return save_activity(form)

    def bulk_row(self, ctx: ImportContext, form: ActivityForm) -> NewActivity:
        return NewActivity(form.instance, list(form.cleaned_data.get("themes") or []), form.figures(),
                           form.partner_names())

    def save_many(self, ctx: ImportContext, rows: list[NewActivity]) -> list[Activity]:
        return create_activities(rows)

    def export_rows(self, ctx: ImportContext, columns: list[Column], queryset) -> Iterator[Sequence]:
        """Finished rows from one query (`export_sql`), in `columns` order — the same cells `export_cell` gives,
        with no record built and no per-row lookup — read 2,000 at a time from a server-side cursor."""
        sql, params, fields = export_sql(queryset, self.measures())
        missing = [c.field for c in columns if c.field not in fields]
        if missing:  # a column added without teaching the query: say so rather than export blanks
            raise ValueError(f"{type(self).__name__}: no export expression for {', '.join(missing)}")
        picks = [fields.index(c.field) for c in columns]
        dates = [i for i, c in enumerate(columns) if c.kind == "date"]
        # SQLite hands a date through the CTE as text unless its declared type survives: made a date again here.
        as_date = dt.date.fromisoformat if connection.vendor == "sqlite" else None
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(2000):
                for raw in chunk:
                    row = [raw[i] for i in picks]
                    if as_date is not None:
                        for i in dates:
                            if type(row[i]) is str and row[i]:
                                row[i] = as_date(row[i])
                    yield row

    def export_queryset(self, ctx: ImportContext, date_from=None, date_to=None):
        queryset = super().export_queryset(ctx)
        if date_from:
            queryset = queryset.filter(start_date__gte=date_from)
        if date_to:
            queryset = queryset.filter(start_date__lte=date_to)
        return with_related(queryset).order_by("start_date", "pk")


def with_related(queryset):
    return queryset.select_related("kind", "org").prefetch_related("themes", "partners", "figures__measure")


def export_sql(queryset, measures: list[Measure]) -> tuple[str, list, list[str]]:
    """(sql, params, fields) of the activities export as one statement: `queryset`'s activities (its filter, scope
    and order kept, numbered by a window) joined to their themes and partners, each joined with 、 in the database
    (string_agg on PostgreSQL, group_concat of an ordered subquery on SQLite), and to their figures, one column per
    measure. Set-based: three GROUP BYs over the exported ids, not three subqueries per row. `fields` names the
    columns of each row (the import's column fields). Every name comes from model meta and every value is a
    parameter, hence the noqa for S608."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from jinguo.ledger.models import ActivityFigure, ActivityPartner

    quote = connection.ops.quote_name
    if queryset.query.is_sliced:  # the first n of a list: the same rows, as a filter the window can number
        queryset = Activity.objects.filter(pk__in=list(queryset.values_list("pk", flat=True))).order_by(
            *(queryset.query.order_by or Activity._meta.ordering))
    ordering = [F(name[1:]).desc() if name.startswith("-") else F(name).asc()
                for name in (queryset.query.order_by or Activity._meta.ordering)]
    base = (queryset.select_related(None).prefetch_related(None).order_by()
            .annotate(x_row=Window(RowNumber(), order_by=ordering))
            .values_list("pk", "start_date", "end_date", "kind__name", "title", "place", "description", "org__code",
                         "x_row"))
    inner, params = base.query.sql_with_params()
    themes_table, items = quote(Activity.themes.through._meta.db_table), quote(CodeItem._meta.db_table)
    partners_table, figures_table = quote(ActivityPartner._meta.db_table), quote(ActivityFigure._meta.db_table)
    aid, name, pk = quote("activity_id"), quote("name"), quote("id")
    exported = "(SELECT a.pk FROM a)"
    if connection.vendor == "postgresql":
        order = f"c.{quote('order')}, c.{quote('code')}"
        themes = (f"SELECT t.{aid} AS aid, string_agg(c.{name}, %s ORDER BY {order}) AS names "  # noqa: S608
                  f"FROM {themes_table} t JOIN {items} c ON c.{pk} = t.{quote('codeitem_id')} "
                  f"WHERE t.{aid} IN {exported} GROUP BY t.{aid}")
        partners = (f"SELECT p.{aid} AS aid, string_agg(p.{name}, %s ORDER BY p.{pk}) AS names "  # noqa: S608
                    f"FROM {partners_table} p WHERE p.{aid} IN {exported} GROUP BY p.{aid}")
    else:
        themes = (f"SELECT aid, group_concat(name, %s) AS names "  # noqa: S608
                  f"FROM (SELECT t.{aid} AS aid, c.{name} AS name "
                  f"FROM {themes_table} t JOIN {items} c ON c.{pk} = t.{quote('codeitem_id')} "
                  f"WHERE t.{aid} IN {exported} ORDER BY t.{aid}, c.{quote('order')}, c.{quote('code')}) "
                  f"GROUP BY aid")
        partners = (f"SELECT aid, group_concat(name, %s) AS names "  # noqa: S608
                    f"FROM (SELECT p.{aid} AS aid, p.{name} AS name FROM {partners_table} p "
                    f"WHERE p.{aid} IN {exported} ORDER BY p.{aid}, p.{pk}) GROUP BY aid")
    scale = 10 ** ActivityFigure._meta.get_field("value").places
    value, measure = quote("value"), quote("measure_id")
    figure_columns = ", ".join(
        f"CAST(MAX(f.{value}) FILTER (WHERE f.{measure} = %s) AS DOUBLE PRECISION) / {scale} AS m{i}"
        for i in range(len(measures)))
    figures = (f"SELECT f.{aid} AS aid{', ' if measures else ''}{figure_columns} "  # noqa: S608
               f"FROM {figures_table} f "
               f"WHERE f.{aid} IN {exported} GROUP BY f.{aid}")
    columns = ["pk", "start_date", "end_date", "kind", "title", "place", "description", "org", "rn"]
    sql = (f"WITH a ({', '.join(columns)}) AS ({inner}) "  # noqa: S608
           f"SELECT a.start_date, a.end_date, a.kind, a.title, COALESCE(th.names, %s), a.place, "
           f"COALESCE(pa.names, %s), a.description, a.org"
           f"{''.join(f', fi.m{i}' for i in range(len(measures)))} FROM a "
           f"LEFT JOIN ({themes}) th ON th.aid = a.pk LEFT JOIN ({partners}) pa ON pa.aid = a.pk "
           f"LEFT JOIN ({figures}) fi ON fi.aid = a.pk ORDER BY a.rn")
    fields = ["start_date", "end_date", "kind", "title", "themes", "place", "partners", "description", "org",
              *(MEASURE_PREFIX + m.code for m in measures)]
    return sql, [*params, "", "", "、", "、", *(m.pk for m in measures)], fields
