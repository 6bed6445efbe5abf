"""The one way jinguo writes a workbook: text is always stored as text, never as a formula or a link.

A petitioner's name, an activity title or a failed login's user name may be `=1+1`, `+cmd|' /C calc'!A0`,
`-2+3` or `@SUM(A1)`. Written with XlsxWriter's `write()` (its default `strings_to_formulas`) or assigned to an
openpyxl cell, such text becomes a live formula in whoever opens the export (CSV/formula injection). So:

- XlsxWriter workbooks come from `workbook()`, whose options turn formula, URL and number guessing off, and rows
  are written with `write_row()`/`write_value()` (numbers as numbers, dates as dates, everything else as text);
- openpyxl workbooks (templates with drop-downs, the annotated error workbook) are saved through
  `save_openpyxl()`, which stores every formula cell as the text it was.

Per-cell cost stays what it was: one type check per cell, no escaping, no copy of the text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, BinaryIO

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    import xlsxwriter.workbook
    import xlsxwriter.worksheet
    from openpyxl.workbook.workbook import Workbook as OpenpyxlWorkbook

# No guessing from text: the cell holds exactly the characters given.
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                "remove_timezone": True}


def workbook(out: BinaryIO | str, *, constant_memory: bool = True, **options: Any) -> xlsxwriter.workbook.Workbook:
    """An XlsxWriter workbook writing to `out` that never turns text into a formula, link or number.

    `constant_memory` streams rows (the exports); pass False to write cells in any order (the statistical return).
    """
    import xlsxwriter

    return xlsxwriter.Workbook(out, {"constant_memory": constant_memory, **options, **SAFE_OPTIONS})


def write_value(sheet: xlsxwriter.worksheet.Worksheet, row: int, col: int, value: Any, cell_format=None,
                date_format=None) -> None:
    """One cell: None/"" left blank, booleans 是/否, numbers as numbers, dates as dates, anything else as text."""
    if value is None or value == "":
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    elif isinstance(value, bool):
        sheet.write_string(row, col, _("是") if value else _("否"), cell_format)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value), cell_format)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), date_format or cell_format)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date_format or cell_format)
    else:
        sheet.write_string(row, col, str(value), cell_format)


def write_row(sheet: xlsxwriter.worksheet.Worksheet, row: int, values: list[Any], cell_format=None,
              date_format=None) -> None:
    """`write_value` for each cell of a row, inlined: the exports call this for every row they write."""
    write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
    for col, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            write_string(row, col, value, cell_format)
        elif isinstance(value, bool):
            write_string(row, col, _("是") if value else _("否"), cell_format)
        elif isinstance(value, int | float | Decimal):
            write_number(row, col, float(value), cell_format)
        elif isinstance(value, dt.datetime):
            write_datetime(row, col, value.replace(tzinfo=None), date_format or cell_format)
        elif isinstance(value, dt.date):
            write_datetime(row, col, dt.datetime.combine(value, dt.time()), date_format or cell_format)
        else:
            write_string(row, col, str(value), cell_format)


def set_text(cell: Any, value: Any) -> Any:
    """Put `value` in an openpyxl cell, text kept as text even when it starts with `=`."""
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


def neutralise_formulas(book: OpenpyxlWorkbook) -> int:
    """Store every formula cell of an openpyxl workbook as the text it holds; returns how many were changed.

    The annotated error workbook is the user's own upload sent back: a formula in it (or text openpyxl read as
    one) goes back as text, so no workbook jinguo hands out computes anything."""
    changed = 0
    for sheet in book.worksheets:
        # The cells that exist, not the sheet's whole range: iter_rows() walks every position up to the last
        # cell, which for one stray cell at XFD1048576 is 17 billion of them.
        for cell in list(sheet._cells.values()):
            if cell.data_type == "f":
                value = cell.value
                cell.value = value if isinstance(value, str) else str(getattr(value, "text", value))
                cell.data_type = "s"
                changed += 1
    return changed


def save_openpyxl(book: OpenpyxlWorkbook) -> bytes:
    """The bytes of an openpyxl workbook, with no formula cell in it."""
    import io

    neutralise_formulas(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
