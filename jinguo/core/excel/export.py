"""Exports: the import's own columns streamed with XlsxWriter, so an export re-imports unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from django.db import models

from jinguo.core.excel.read import tmpdir

if TYPE_CHECKING:
    from jinguo.core.excel.spec import Column, ImportContext, ImportSpec

# Excel's serial day of 1900-03-01 and after is the proleptic ordinal minus this (Excel counts a 29 February 1900).
_EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()
_FIRST_PLAIN_DAY = dt.date(1900, 3, 1)


def export(spec: ImportSpec, ctx: ImportContext, queryset: Iterable[models.Model], out: BinaryIO) -> int:
    """Stream rows into `out` with the import's own headers; returns how many rows were written.

    Written through `jinguo.core.xlsx`: text stays text (never a formula), whatever it starts with. The writer of
    each column is chosen once from its kind (dates as date-formatted serial numbers, numbers as numbers, the rest
    as text), so a cell costs one type check and one XlsxWriter call; a value of another type than its column's goes
    through `xlsx.write_value`, which still never writes a formula."""
    from jinguo.core import xlsx

    columns = spec.columns_for(ctx)
    book = xlsx.workbook(out, in_memory=False, tmpdir=tmpdir())
    sheet = book.add_worksheet(spec.sheet_name)
    bold = book.add_format({"bold": True, "bg_color": "#FCE4EC"})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width, date_format if column.kind == "date" else None)
        sheet.write_string(0, index, str(column.header), bold)
    write_row = row_writer(sheet, columns, date_format)
    count = 0
    for count, values in enumerate(spec.export_rows(ctx, columns, queryset), start=1):
        write_row(count, values)
    sheet.freeze_panes(1, 0)
    book.close()
    return count


def row_writer(sheet, columns: Sequence[Column], date_format) -> Callable[[int, Sequence[Any]], None]:
    """`write(row, values)` for rows in `columns` order, with each column's XlsxWriter call picked once."""
    from jinguo.core.xlsx import write_value

    write_string, write_number = sheet.write_string, sheet.write_number
    dates = frozenset(i for i, c in enumerate(columns) if c.kind == "date")
    numbers = frozenset(i for i, c in enumerate(columns) if c.kind in ("int", "decimal"))
    plan = tuple((i, "date" if i in dates else "number" if i in numbers else "text") for i in range(len(columns)))

    def write(row: int, values: Sequence[Any]) -> None:
        for col, kind in plan:
            value = values[col]
            if value is None or value == "":
                continue
            cls = type(value)
            if kind == "text" and cls is str:
                write_string(row, col, value)
            elif kind == "number" and (cls is float or cls is int):
                write_number(row, col, value)
            elif kind == "date" and cls is dt.date and value >= _FIRST_PLAIN_DAY:
                write_number(row, col, value.toordinal() - _EXCEL_EPOCH, date_format)
            else:  # anything else (a bool, a Decimal, a datetime, a number in a text column): the general rule
                write_value(sheet, row, col, value, None, date_format)

    return write
