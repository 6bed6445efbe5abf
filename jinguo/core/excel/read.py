"""Opening an uploaded file and handing out its rows.

The sheet's real extent is checked against the caps before calamine opens it (see core/xlsxscan.py), and its rows
are handed out one at a time instead of as one list of every cell.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from jinguo.core.excel.cells import CellError, column_letter


def read_rows(file: BinaryIO | str, *, sheet_name: str) -> tuple[str, Iterator[tuple[int, list[Any]]], int]:
    """(sheet name, iterator of (Excel row number, cells), data-row count) of the sheet `sheet_name` (or the first
    sheet when there is none of that name)."""
    import zipfile

    from django.conf import settings
    from python_calamine import CalamineWorkbook

    from jinguo.core.xlsxscan import NotXlsx, safe_package, scan_sheet, sheet_paths

    max_rows, max_columns = settings.JINGUO_IMPORT_MAX_ROWS, settings.JINGUO_IMPORT_MAX_COLUMNS
    if not isinstance(file, str) and not (hasattr(file, "seekable") and file.seekable()):
        file = io.BytesIO(file.read())
    checked = tempfile.SpooledTemporaryFile(max_size=32 << 20, dir=tmpdir())
    try:
        with zipfile.ZipFile(file) as archive:
            paths = sheet_paths(archive)
            if not paths:
                raise CellError(_("工作簿中没有工作表"))
            name = sheet_name if sheet_name in paths else next(iter(paths))
            if paths[name] not in archive.namelist():
                raise CellError(_("工作簿已损坏：找不到工作表“%(sheet)s”的内容") % {"sheet": name})
            extent = scan_sheet(archive, paths[name], max_rows + 1, max_columns)
            if extent.beyond:
                raise CellError(_out_of_range(name, extent.beyond, max_rows, max_columns))
            safe_package(archive, name, paths[name], checked)  # what calamine reads: only what was checked
    except (zipfile.BadZipFile, NotXlsx, ElementTree.ParseError, KeyError, ValueError, OSError) as exc:
        checked.close()
        if isinstance(exc, CellError):
            raise
        raise CellError(_("无法读取文件，请上传 Excel 工作簿（.xlsx；.xls、.et、.ods 等请先在 Excel 或 WPS 中"
                          "另存为 .xlsx）")) from exc
    except BaseException:
        checked.close()
        raise
    finally:
        if not isinstance(file, str):
            file.seek(0)
    try:
        checked.seek(0)
        book = CalamineWorkbook.from_filelike(checked)
        sheet = book.get_sheet_by_name(name)
    except Exception as exc:
        raise CellError(_("无法读取文件，请上传 Excel 工作簿（.xlsx）：%(error)s") % {"error": exc}) from exc
    start = sheet.start or (0, 0)
    end = sheet.end or (0, 0)
    if sheet.end and (end[0] + 1 > max_rows + 1 or end[1] + 1 > max_columns):  # the scan missed it: still refuse
        raise CellError(_out_of_range(name, f"{column_letter(end[1])}{end[0] + 1}", max_rows, max_columns))
    pad = [""] * start[1]
    count = max(0, end[0]) if sheet.end else 0  # the rows below the header row (row 1)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # iter_rows starts at the sheet's first row but at the range's first column: put the columns back.
        for number, row in enumerate(sheet.iter_rows(), start=1):
            yield number, pad + row if pad else row

    return name, rows(), count


def _out_of_range(sheet: str, ref: str, max_rows: int, max_columns: int) -> str:
    return _("工作表“%(sheet)s”的单元格 %(ref)s 超出导入范围（最多 %(rows)s 行、%(cols)s 列），"
             "请删除表格以外的内容后重新上传") % {"sheet": sheet, "ref": ref, "rows": f"{max_rows:,}",
                                                "cols": f"{max_columns:,}"}




def tmpdir() -> str:
    from django.conf import settings

    path = settings.VAR_DIR / "tmp"
    path.mkdir(exist_ok=True)
    return str(path)


