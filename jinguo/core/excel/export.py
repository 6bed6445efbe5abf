"""Exports: the import's own columns streamed with XlsxWriter, so an export re-imports unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, BinaryIO

from django.db import models

from jinguo.core.excel.read import tmpdir

if TYPE_CHECKING:
    from jinguo.core.excel.spec import ImportContext, ImportSpec


def export(spec: ImportSpec, ctx: ImportContext, queryset: Iterable[models.Model], out: BinaryIO) -> int:
    """Stream rows into `out` with the import's own headers; returns how many rows were written.

    Written through `jinguo.core.xlsx`: text stays text (never a formula), whatever it starts with."""
    from jinguo.core import xlsx

    columns = spec.columns_for(ctx)
    book = xlsx.workbook(out, in_memory=False, tmpdir=tmpdir())
    sheet = book.add_worksheet(spec.sheet_name)
    bold = book.add_format({"bold": True, "bg_color": "#FCE4EC"})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width, date_format if column.kind == "date" else None)
        sheet.write_string(0, index, str(column.header), bold)
    count = 0
    write_row = xlsx.write_row
    for count, values in enumerate(spec.export_rows(ctx, columns, queryset), start=1):
        write_row(sheet, count, values, None, date_format)
    sheet.freeze_panes(1, 0)
    book.close()
    return count
