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

from jinguo.core import xlsx
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
    # A row total only where every column counts the same thing: the ledger's columns are 场次, 人, 份, 人次 and
    # 元, which no total may add together (columns are still totalled, each within its own measure).
    row_totals: bool = True



def extended(table: Table) -> list[list[int]]:
    """The table with its margins: row totals as the last column, column totals (and the grand total) as the last
    row. Every line of it is an equation (cells add up to the total), which is what a reader can exploit."""
    rows = [[*row, sum(row)] if table.row_totals else list(row) for row in table.cells]
    rows.append([sum(row[c] for row in rows) for c in range(len(rows[0]) if rows else len(table.columns))])
    return rows


def suppress(table: Table, threshold: int, also: set[tuple[int, int]] = frozenset()) -> set[tuple[int, int]]:
    """Hidden cells of the extended table (margins included).

    Primary: cells and row totals of sensitive rows between 1 and threshold−1, and the cells `also` names (hidden
    for another sheet's sake, `suppress_across`). Complementary: until every row and column of the extended table
    holds no hidden cell or at least two, so no line has a single unknown and nothing can be worked out by
    subtraction (preferring cells whose crossing line already hides one, then small values).
    """
    grid = extended(table)
    height, width = len(grid), len(grid[0])
    hidden = {(r, c) for r in table.sensitive for c in range(width) if 0 < grid[r][c] < threshold} | set(also)
    lines = [[(r, c) for c in range(width)] for r in range(height)] + [
        [(r, c) for r in range(height)] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = [cell for cell in line if cell in hidden]
            if len(inside) != 1:
                continue
            lone = inside[0]
            along_row = all(cell[0] == lone[0] for cell in line)

            def cost(cell, along_row=along_row):
                r, c = cell
                crossing = [(y, c) for y in range(height)] if along_row else [(r, x) for x in range(width)]
                return (not any(other in hidden for other in crossing), grid[r][c] == 0, grid[r][c])

            hidden.add(min((cell for cell in line if cell not in hidden), key=cost))
            changed = True
    return hidden


def suppress_across(tables: list[Table], threshold: int) -> list[set[tuple[int, int]]]:
    """Hidden cells of the same table on every sheet of a return: `tables[0]` the whole unit's, the others its
    subordinate units'. Each cell of the whole is (at most its own records plus) the sum of the same cell over the
    subordinates — one more equation per cell, across the sheets. So a cell hidden on one sheet alone in such an
    equation (东安县's 2 beside 双牌县's 6 and the total's 8) has another hidden with it: the smallest non-zero
    value among the others, and that sheet's own complementary cells follow (`suppress`)."""
    hidden = [suppress(table, threshold) for table in tables]
    grids = [extended(table) for table in tables]
    if len(tables) < 2:
        return hidden
    cells = [(r, c) for r in range(len(grids[0])) for c in range(len(grids[0][0]))]
    changed = True
    while changed:
        changed = False
        for cell in cells:
            holding = [i for i, sheet in enumerate(hidden) if cell in sheet]
            if len(holding) != 1:
                continue
            r, c = cell
            pick = min((i for i in range(len(tables)) if i not in holding),
                       key=lambda i: (grids[i][r][c] == 0, grids[i][r][c]))
            hidden[pick] = suppress(tables[pick], threshold, also=hidden[pick] | {cell})
            changed = True
    return hidden


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
    return Table("工作台账：活动类型 × 数据（各列单位不同，只按列合计）", [name for _pk, name in kinds], columns,
                 cells, sensitive=set(), row_totals=False)


def workbook(root: OrgUnit, period: Period, *, threshold: int = 5) -> bytes:
    buffer = io.BytesIO()
    # Unit, category and measure names are data: written as text, never as formulas.
    book = xlsx.workbook(buffer, constant_memory=False, in_memory=True)
    bold = book.add_format({"bold": True, "border": 1, "bg_color": "#FCE4EC", "text_wrap": True})
    cell_format = book.add_format({"border": 1})
    hidden_format = book.add_format({"border": 1, "align": "right", "font_color": "#B71C1C"})
    units = [root, *OrgUnit.objects.filter(parent=root, level__in=["city", "county", "township"]).order_by("code")]
    tables = [(petition_table(unit, period), ledger_table(unit, period)) for unit in units]
    hidden = list(zip(*(suppress_across(list(same), threshold) for same in zip(*tables, strict=True)), strict=True))
    names = set()
    for unit, unit_tables, unit_hidden in zip(units, tables, hidden, strict=True):
        name = ("合计" if unit == root else unit.name)[:31]
        if name in names:
            name = f"{name[:25]}{unit.code[-5:]}"
        names.add(name)
        sheet = book.add_worksheet(name)
        sheet.write_string(0, 0, f"{unit.name}{period.label}统计报表（{'含下级' if unit != root else '汇总'}）", bold)
        row = 2
        for table, table_hidden in zip(unit_tables, unit_hidden, strict=True):
            row = _write_table(sheet, row, table, table_hidden, threshold, bold, cell_format, hidden_format)
        sheet.write_string(row, 0, f"注：敏感类别中少于{threshold}的数值显示为“<{threshold}”；"
                                   "为防止推算而一并隐藏的其他数值显示为“×”。")
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 20, 11)
    book.close()
    return buffer.getvalue()


def _write_table(sheet, row: int, table: Table, hidden: set[tuple[int, int]], threshold: int, bold, cell_format,
                 hidden_format) -> int:
    grid = extended(table)
    sheet.write_string(row, 0, table.title, bold)
    row += 1
    for c, header in enumerate(["", *table.columns, *(["合计"] if table.row_totals else [])]):
        if header:
            sheet.write_string(row, c, str(header), bold)
        else:
            sheet.write_blank(row, c, None, bold)
    for r, label in enumerate([*table.rows, "合计"]):
        row += 1
        sheet.write_string(row, 0, str(label), bold if r == len(table.rows) else cell_format)
        for c, value in enumerate(grid[r]):
            if (r, c) in hidden:
                # "<5" only where it is true; a cell hidden so that the others cannot be worked out says only ×.
                mark = f"<{threshold}" if value < threshold else "×"
                sheet.write_string(row, c + 1, mark, hidden_format)
            else:
                sheet.write_number(row, c + 1, float(value), bold if r == len(table.rows) else cell_format)
    return row + 3
