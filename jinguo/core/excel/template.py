"""The blank workbook users fill in, and the uploaded workbook handed back with its errors marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from django.utils.translation import gettext as _

from jinguo.core.excel.cells import column_letter
from jinguo.core.xlsx import save_openpyxl

if TYPE_CHECKING:
    from jinguo.core.excel.spec import ImportContext, ImportSpec


def template(spec: ImportSpec, ctx: ImportContext) -> bytes:
    """The blank workbook users fill in: headers, drop-downs, date formats and a 填写说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = spec.columns_for(ctx)
    book = Workbook()
    sheet = book.active
    sheet.title = spec.sheet_name
    lists = book.create_sheet("可选值")
    guide = book.create_sheet("填写说明")
    header_fill = PatternFill("solid", fgColor="FCE4EC")
    list_col = 0
    for index, column in enumerate(columns):
        letter = column_letter(index)
        cell = sheet.cell(row=1, column=index + 1, value=str(column.header) + ("*" if column.required else ""))
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
        if column.help:
            cell.comment = Comment(str(column.help), "jinguo")
        sheet.column_dimensions[letter].width = column.width
        allowed = spec.allowed_values(column) if column.kind != "codes" else []
        if allowed:
            list_letter = column_letter(list_col)
            lists.cell(row=1, column=list_col + 1, value=str(column.header))
            for offset, value in enumerate(allowed, start=2):
                lists.cell(row=offset, column=list_col + 1, value=value)
            validation = DataValidation(
                type="list", formula1=f"'可选值'!${list_letter}$2:${list_letter}${len(allowed) + 1}",
                allow_blank=not column.required, showErrorMessage=column.kind != "code",
                errorTitle=_("请从列表中选择"), error=_("请从下拉列表中选择"))
            validation.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(validation)
            list_col += 1
        if column.kind == "date":
            for row in range(2, 502):
                sheet.cell(row=row, column=index + 1).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    lists.sheet_state = "hidden"
    guide.append([_("列名"), _("是否必填"), _("格式或可选值"), _("说明")])
    for column in columns:
        allowed = spec.allowed_values(column)
        fmt = {"date": _("日期，如 2025-03-01、2025/3/1、2025年3月1日"), "int": _("整数"),
               "decimal": _("数字（可带两位小数）"), "bool": _("是 / 否")}.get(column.kind, _("文字"))
        if allowed:
            fmt = "、".join(allowed[:60]) + ("…" if len(allowed) > 60 else "")
        guide.append([str(column.header), _("必填") if column.required else _("选填"), fmt, str(column.help)])
    guide.append([])
    guide.append([_("说明：第一行为表头，请勿修改；从第二行开始每行一条记录。导入时会检查每一行，"
                    "有任何错误时整个文件都不会导入，并列出每个错误所在的行和列。")])
    for letter, width in zip("ABCD", (18, 10, 50, 50), strict=True):
        guide.column_dimensions[letter].width = width
    guide["A1"].font = guide["B1"].font = guide["C1"].font = guide["D1"].font = Font(bold=True)
    return save_openpyxl(book)  # code-table names starting with "=" stay text



ERROR_SHEET = "错误清单"  # the annotated workbook's list of every error; never read as data when re-uploaded


def annotated_workbook(original: BinaryIO, errors: list[dict]) -> bytes:
    """The uploaded workbook with every bad cell filled red and commented with its error, and a first sheet
    错误清单 listing every error by sheet, row, column and the column's header as the file writes it (with the
    system's name for it when that differs), so the clerk reads the list and finds each cell."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    book = load_workbook(original)
    bad = PatternFill("solid", fgColor="FFC7CE")
    notes: dict[tuple[str, str], list[str]] = {}
    for error in errors:
        if not error.get("sheet") or not error.get("row"):
            continue
        cell_ref = f"{error['column'] or 'A'}{error['row']}"
        notes.setdefault((error["sheet"], cell_ref), []).append(
            (f"{_column_name(error)}：" if error["header"] and not error["column"] else "") + error["message"])
    for (sheet_name, ref), messages in notes.items():
        if sheet_name not in book.sheetnames:
            continue
        cell = book[sheet_name][ref]
        cell.fill = bad
        cell.comment = Comment("\n".join(messages), "jinguo", width=300, height=120)
    if ERROR_SHEET in book.sheetnames:  # the marked workbook uploaded again with errors left: a fresh list
        del book[ERROR_SHEET]
    listing = book.create_sheet(ERROR_SHEET, 0)
    listing.append([_("工作表"), _("行"), _("列"), _("列名"), _("问题")])
    for error in errors:
        listing.append([error.get("sheet", ""), error.get("row") or None, error.get("column", ""),
                        _column_name(error), error.get("message", "")])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (12, 6, 5, 24, 80), strict=True):
        listing.column_dimensions[letter].width = width
    listing.freeze_panes = "A2"
    book.active = 0
    for sheet in book.worksheets[1:]:
        sheet.sheet_view.tabSelected = False
    return save_openpyxl(book)  # the upload's own formulas, and text read as one, go back as text


def _column_name(error: dict) -> str:
    """问题类型（问题类别）: the file's header and, when it differs, the system's name (RowError.column_name)."""
    header, label = error.get("header", ""), error.get("label", "")
    return f"{header}（{label}）" if header and label else header
