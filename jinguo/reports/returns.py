"""Statistical returns (统计报表) for the level above: aggregates only, never identities.

Sheet per subordinate unit plus the total. Cells of sensitive rows (domestic violence, minors) below the
threshold are shown as "<5", and complementary cells are suppressed so that no hidden cell can be worked out
from the published row and column totals (every row and column holds either no hidden cell or at least two).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db.models import Case as When_
from django.db.models import CharField, Count, Q, Sum, Value, When

from jinguo.core.models import CodeItem
from jinguo.core.periods import Period
from jinguo.ledger.models import ActivityFigure, Measure
from jinguo.ledger.stats import activities_in
from jinguo.orgs.models import OrgUnit
from jinguo.petitions.stats import cases_in

DV_ROW, MINOR_ROW = "家庭暴力", "涉及未成年人"


@dataclass
class Table:
    title: str
    rows: list[str]
    columns: list[str]
    cells: list[list[int]]
    sensitive: set[int]

    def row_total(self, r: int) -> int:
        return sum(self.cells[r])

    def column_total(self, c: int) -> int:
        return sum(row[c] for row in self.cells)


def suppress(table: Table, threshold: int) -> tuple[set[tuple[int, int]], set[str]]:
    """Primary suppression of small sensitive cells, then complementary suppression until every row and column
    has zero or at least two hidden cells (a line with no second cell hides its total instead)."""
    hidden = {(r, c) for r in table.sensitive for c, value in enumerate(table.cells[r]) if 0 < value < threshold}
    hidden_totals: set[str] = set()
    changed = True
    while changed:
        changed = False
        lines = [("r", r, [(r, c) for c in range(len(table.columns))]) for r in range(len(table.rows))]
        lines += [("c", c, [(r, c) for r in range(len(table.rows))]) for c in range(len(table.columns))]
        for kind, index, cells in lines:
            inside = [cell for cell in cells if cell in hidden]
            if len(inside) != 1 or f"{kind}{index}" in hidden_totals:
                continue
            candidates = [cell for cell in cells if cell not in hidden]
            if not candidates:
                hidden_totals.add(f"{kind}{index}")
                continue
            # Prefer a cell whose other line already hides something, then the smallest value.
            def cost(cell, kind=kind):
                r, c = cell
                other = any((r, x) in hidden for x in range(len(table.columns))) if kind == "c" else any(
                    (y, c) in hidden for y in range(len(table.rows)))
                return (not other, table.cells[r][c] == 0, table.cells[r][c])

            hidden.add(min(candidates, key=cost))
            changed = True
    return hidden, hidden_totals


def petition_table(root: OrgUnit, period: Period) -> Table:
    channels = list(CodeItem.objects.of("petition_channel").values_list("name", flat=True))
    categories = list(CodeItem.objects.of("petition_category").filter(parent__isnull=True)
                      .values_list("name", flat=True))
    bucket = When_(When(Q(flag_dv=True) | Q(subcategory__name=DV_ROW), then=Value(DV_ROW)),
                   When(flag_minor=True, then=Value(MINOR_ROW)), default="category__name", output_field=CharField())
    counts = {(row["bucket"], row["channel__name"]): row["n"] for row in cases_in(root, period)
              .annotate(bucket=bucket).values("bucket", "channel__name").annotate(n=Count("id")).order_by()}
    rows = [DV_ROW, MINOR_ROW, *categories]
    cells = [[counts.get((row, channel), 0) for channel in channels] for row in rows]
    return Table("信访案件（件）：问题类别 × 来源方式（家庭暴力、涉及未成年人单列，不再计入所属类别）", rows,
                 channels, cells, sensitive={0, 1})


def ledger_table(root: OrgUnit, period: Period) -> Table:
    measures = list(Measure.objects.filter(is_active=True).order_by("order"))
    kinds = list(CodeItem.objects.of("activity_kind").values_list("pk", "name"))
    activities = activities_in(root, period)
    counts = dict(activities.values_list("kind_id").annotate(n=Count("id")).order_by())
    totals = {(row["activity__kind_id"], row["measure_id"]): row["total"] for row in ActivityFigure.objects.filter(
        activity__in=activities).values("activity__kind_id", "measure_id").annotate(total=Sum("value")).order_by()}
    cells = [[counts.get(pk, 0)] + [totals.get((pk, m.pk), 0) for m in measures] for pk, _name in kinds]
    columns = ["活动场次", *(m.header for m in measures)]
    return Table("工作台账：活动类型 × 数据", [name for _pk, name in kinds], columns,
                 cells, sensitive=set())


def workbook(root: OrgUnit, period: Period, *, threshold: int = 5) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "border": 1, "bg_color": "#FCE4EC", "text_wrap": True})
    cell_format = book.add_format({"border": 1})
    hidden_format = book.add_format({"border": 1, "align": "right", "font_color": "#B71C1C"})
    units = [root, *OrgUnit.objects.filter(parent=root, level__in=["city", "county", "township"]).order_by("code")]
    names = set()
    for unit in units:
        name = ("合计" if unit == root else unit.name)[:31]
        if name in names:
            name = f"{name[:25]}{unit.code[-5:]}"
        names.add(name)
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, f"{unit.name}{period.label}统计报表（{'含下级' if unit != root else '汇总'}）", bold)
        row = 2
        for table in (petition_table(unit, period), ledger_table(unit, period)):
            row = _write_table(sheet, row, table, threshold, bold, cell_format, hidden_format)
        sheet.write(row, 0, f"注：敏感类别中少于{threshold}的数值显示为“<{threshold}”，"
                            "并对可推算出的其他格子作了隐藏。")
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 20, 11)
    book.close()
    return buffer.getvalue()


def _write_table(sheet, row: int, table: Table, threshold: int, bold, cell_format, hidden_format) -> int:
    hidden, hidden_totals = suppress(table, threshold)
    sheet.write(row, 0, table.title, bold)
    row += 1
    sheet.write(row, 0, "", bold)
    for c, column in enumerate(table.columns):
        sheet.write(row, c + 1, column, bold)
    sheet.write(row, len(table.columns) + 1, "合计", bold)
    for r, label in enumerate(table.rows):
        row += 1
        sheet.write(row, 0, label, cell_format)
        for c, value in enumerate(table.cells[r]):
            if (r, c) in hidden:
                sheet.write_string(row, c + 1, f"<{threshold}", hidden_format)
            else:
                sheet.write_number(row, c + 1, float(value), cell_format)
        total = table.row_total(r)
        if f"r{r}" in hidden_totals:
            sheet.write_string(row, len(table.columns) + 1, f"<{threshold}", hidden_format)
        else:
            sheet.write_number(row, len(table.columns) + 1, float(total), cell_format)
    row += 1
    sheet.write(row, 0, "合计", bold)
    for c in range(len(table.columns)):
        if f"c{c}" in hidden_totals:
            sheet.write_string(row, c + 1, f"<{threshold}", hidden_format)
        else:
            sheet.write_number(row, c + 1, float(table.column_total(c)), bold)
    sheet.write_number(row, len(table.columns) + 1, float(sum(map(sum, table.cells))), bold)
    return row + 3
