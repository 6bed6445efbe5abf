"""Opening an uploaded file and handing out its rows, and finding the table in each sheet.

Files: .xlsx, .xls (Excel 97–2003) and .ods through calamine; .csv in UTF-8 (with or without BOM) or GBK/GB18030.
The type is read from the content, not the name. An .xlsx's sheets have their real extent checked against the caps
before calamine opens them (see core/xlsxscan.py); .xls/.ods sheets are checked as calamine loads them and .csv
rows as they are counted. Rows are handed out one at a time instead of as one list of every cell.

Detection (`detect`) finds, in each sheet, the header row — the first of the first 20 rows that matches enough of
the kind's column names — and matches every source column to a field, loosely (see `spec.ImportSpec.match_header`).
Rows above the header (the title, 填报单位/填报日期) are skipped; a two-row header (a merged group label over
sub-headers) is read as one. Every sheet with a recognisable header is a table to import (a sheet per month or
quarter); the others are listed as skipped, with why.

The API the upload page builds on (keep it stable):

    detection = detect(file, spec, ctx, sheet=None, header_row=None, mapping=None)
    detection.tables        → [SheetTable(name, header_rows=(3,) or (3, 4), columns=[SourceColumn …], missing)]
    detection.skipped       → [SkippedSheet(name, reason)]
    detection.errors        → [RowError] (file unreadable, no table found, required columns missing …)
    detection.signature     → stable key of the normalized header texts (save a confirmed mapping under it)
    detection.mapping()     → {column letter: field name or None} as detected, the shape `mapping=` takes
    SourceColumn(index, letter, header, field, how, label) with how one of
        exact (the column's own header) · synonym (an alias declared for the kind) · loose (after dropping units in
        brackets, a 类 suffix, full-width forms) · mapped (the user's choice) · ignored (序号、备注, nothing matched,
        or mapped to None) · duplicate (a second column for a field already taken; ignored)

    spec.run_import(file, ctx, progress, detection=detection)         # import what the user confirmed
    spec.run_import(file, ctx, mapping={"来访时间": "received_date", "F": None})   # or detect with overrides

`mapping` keys are a header text (as written, or normalized) or a column letter; values a field name of the kind
(`[c.field for c in spec.columns_for(ctx)]`) or None to ignore the column. `sheet` limits detection to one sheet;
`header_row` (1-based, as Excel shows it) fixes the header row instead of searching for it.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import hashlib
import html
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jinguo.core.excel.cells import CellError, column_letter, normalize_header, parse_date, parse_text

if TYPE_CHECKING:
    from jinguo.core.excel.spec import Column, ImportContext, ImportSpec, RowError

HEADER_SEARCH_ROWS = 20  # the header is looked for in this many rows at the top of each sheet
# Our own workbooks' helper sheets — the template's lists and guide, the annotated workbook's error list: never data.
TEMPLATE_SHEETS = ("可选值", "填写说明", "错误清单")
_UNREADABLE = gettext_noop("无法读取文件，请上传 Excel 工作簿（.xlsx、.xls、.ods）或 CSV 文件")


def read_rows(file: BinaryIO | str, *, sheet_name: str) -> tuple[str, Iterator[tuple[int, list[Any]]], int]:
    """(sheet name, iterator of (Excel row number, cells), data-row count) of the sheet `sheet_name` (or the first
    sheet when there is none of that name). The book stays open until the iterator is exhausted or collected."""
    book = open_book(file)
    try:
        names = book.sheet_names or book.hidden_names
        if not names:
            raise CellError(_("工作簿中没有工作表"))
        name = sheet_name if sheet_name in names else names[0]
        rows, count = book.rows(name)
    except BaseException:
        book.close()
        raise

    def iterate() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from rows
        finally:
            book.close()

    return name, iterate(), count


# --- Opening files ---------------------------------------------------------------------------------------------
def open_book(file: BinaryIO | str, *, name: str = "") -> Book:
    """The upload opened by its content: .xlsx, .xls, .ods or .csv. Raises CellError (in Chinese) otherwise."""
    if not isinstance(file, str) and not (hasattr(file, "seekable") and file.seekable()):
        file = io.BytesIO(file.read())
    if isinstance(file, str):
        name = name or file
        with open(file, "rb") as handle:
            head = handle.read(8)
    else:
        file.seek(0)
        head = file.read(8)
        file.seek(0)
    if not head:
        raise CellError(_("文件是空的"))
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(file)
        return XlsxBook(file) if kind == "xlsx" else CalamineBook(file, kind)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return CalamineBook(file, "xls")
    return CsvBook(file, name=name)


def _zip_kind(file: BinaryIO | str) -> str:
    try:
        with zipfile.ZipFile(file) as archive:
            names = {n.lower() for n in archive.namelist()}
            if "mimetype" in names:
                mimetype = archive.read(next(n for n in archive.namelist() if n.lower() == "mimetype"))[:100]
                if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                    return "ods"
            if any(n.endswith("vbaproject.bin") for n in names):
                raise CellError(_("文件含有宏，已拒绝。请另存为不含宏的 .xlsx 文件后再上传"))
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise CellError(_(_UNREADABLE)) from exc
    finally:
        if not isinstance(file, str):
            file.seek(0)
    return "xlsx"


class Book:
    """An opened file: its sheets (visible ones in `sheet_names`, hidden ones apart) and each sheet's rows."""

    format: str = ""

    def __init__(self) -> None:
        self.sheet_names: list[str] = []
        self.hidden_names: list[str] = []
        self._open: list[Any] = []

    def rows(self, name: str) -> tuple[Iterator[tuple[int, list[Any]]], int]:
        """(iterator of (row number as Excel shows it, cells), the sheet's last row number). Each call starts again
        at row 1."""
        raise NotImplementedError

    def data_rows(self, name: str, header_row: int) -> tuple[Iterator[tuple[int, list[Any]]], int]:
        """`rows`, with a cell merged down over several rows below the header (the same date, category or bank
        written once for a run of records, as ledgers do) read as its value in each of those rows: the clerk sees it
        there. A cell merged across columns stays in its first column only (活动名称 spanning 活动地点 is not the
        place)."""
        rows, count = self.rows(name)
        starts: dict[int, list[tuple[int, int]]] = {}
        for (first_row, first_column), (last_row, _last_column) in self.merged_ranges(name):
            if last_row > first_row and first_row + 1 > header_row:
                starts.setdefault(first_row + 1, []).append((first_column, last_row + 1))
        if not starts:
            return rows, count
        return _filled_down(rows, starts), count

    def merged_ranges(self, name: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """The sheet's merged ranges, ((first row, first column), (last row, last column)) counted from 0."""
        return []

    def close(self) -> None:
        for item in self._open:
            item.close()
        self._open = []

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _filled_down(rows: Iterator[tuple[int, list[Any]]], starts: dict[int, list[tuple[int, int]]]
                 ) -> Iterator[tuple[int, list[Any]]]:
    active: dict[int, tuple[Any, int]] = {}  # column → (the merged cell's value, its last row)
    for number, cells in rows:
        for column, last in starts.get(number, ()):
            active[column] = (cells[column] if column < len(cells) else None, last)
        if active:
            cells = list(cells)
            for column, (value, last) in list(active.items()):
                if number > last:
                    del active[column]
                    continue
                if column >= len(cells):
                    cells.extend([""] * (column + 1 - len(cells)))
                if cells[column] in (None, ""):
                    cells[column] = value
        yield number, cells


def _merged(sheet: Any) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    try:
        return list(sheet.merged_cell_ranges or ())
    except Exception:  # a format calamine keeps no merges for: nothing to fill
        return []


def _caps() -> tuple[int, int]:
    from django.conf import settings

    return settings.JINGUO_IMPORT_MAX_ROWS, settings.JINGUO_IMPORT_MAX_COLUMNS


def _calamine_rows(sheet: Any, name: str) -> tuple[Iterator[tuple[int, list[Any]]], int]:
    max_rows, max_columns = _caps()
    start, end = sheet.start or (0, 0), sheet.end or (0, 0)
    if sheet.end and (end[0] + 1 > max_rows + 1 or end[1] + 1 > max_columns):  # the scan missed it: still refuse
        raise CellError(_out_of_range(name, f"{column_letter(end[1])}{end[0] + 1}", max_rows, max_columns))
    pad = [""] * start[1]
    count = end[0] + 1 if sheet.end else 0

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # iter_rows starts at the sheet's first row but at the range's first column: put the columns back.
        for number, row in enumerate(sheet.iter_rows(), start=1):
            yield number, pad + row if pad else row

    return rows(), count


class XlsxBook(Book):
    """An .xlsx: each sheet scanned for its real extent, then read by calamine from a package holding only it."""

    format = "xlsx"

    def __init__(self, file: BinaryIO | str) -> None:
        from jinguo.core.xlsxscan import NotXlsx, hidden_sheets, sheet_paths

        super().__init__()
        self.file = file
        self._loaded: tuple[str, Any] | None = None
        try:
            with zipfile.ZipFile(file) as archive:
                self.paths = sheet_paths(archive)
                hidden = hidden_sheets(archive)
        except (zipfile.BadZipFile, NotXlsx, ElementTree.ParseError, KeyError, ValueError, OSError) as exc:
            raise CellError(_(_UNREADABLE)) from exc
        finally:
            if not isinstance(file, str):
                file.seek(0)
        if not self.paths:
            raise CellError(_("工作簿中没有工作表"))
        self.sheet_names = [n for n in self.paths if n not in hidden]
        self.hidden_names = [n for n in self.paths if n in hidden]

    def _sheet(self, name: str) -> Any:
        from python_calamine import CalamineWorkbook

        from jinguo.core.xlsxscan import NotXlsx, safe_package, scan_sheet

        if self._loaded is not None and self._loaded[0] == name:
            return self._loaded[1]
        self._loaded = None
        self.close()
        max_rows, max_columns = _caps()
        checked = tempfile.SpooledTemporaryFile(max_size=32 << 20, dir=tmpdir())
        self._open.append(checked)
        try:
            with zipfile.ZipFile(self.file) as archive:
                if self.paths[name] not in archive.namelist():
                    raise CellError(_("工作簿已损坏：找不到工作表“%(sheet)s”的内容") % {"sheet": name})
                extent = scan_sheet(archive, self.paths[name], max_rows + 1, max_columns)
                if extent.beyond:
                    raise CellError(_out_of_range(name, extent.beyond, max_rows, max_columns))
                safe_package(archive, name, self.paths[name], checked)  # what calamine reads: only what was checked
        except CellError:
            raise
        except (zipfile.BadZipFile, NotXlsx, ElementTree.ParseError, KeyError, ValueError, OSError) as exc:
            raise CellError(_("无法读取文件，请上传 Excel 工作簿（.xlsx；.et 等请先在 Excel 或 WPS 中另存为 .xlsx）"
                              )) from exc
        finally:
            if not isinstance(self.file, str):
                self.file.seek(0)
        try:
            checked.seek(0)
            sheet = CalamineWorkbook.from_filelike(checked).get_sheet_by_name(name)
        except Exception as exc:
            raise CellError(_("无法读取文件，请上传 Excel 工作簿（.xlsx）：%(error)s") % {"error": exc}) from exc
        self._loaded = (name, sheet)
        return sheet

    def rows(self, name: str) -> tuple[Iterator[tuple[int, list[Any]]], int]:
        return _calamine_rows(self._sheet(name), name)

    def merged_ranges(self, name: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        return _merged(self._sheet(name))


_ODS_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>")
_ODS_NAME = re.compile(rb"""[\s:]name\s*=\s*["']([^"']*)["']""")
_ODS_REPEAT = re.compile(rb"number-(rows|columns)-repeated\s*=\s*[\"']\s*(\d+)")


def ods_beyond(file: BinaryIO | str, max_rows: int, max_columns: int) -> tuple[str, str] | None:
    """(sheet name, cell reference) of the first value of an .ods beyond the caps, or None. Read from the
    decompressed content.xml a megabyte at a time, repeats counted, before calamine builds any grid: a value after
    a million repeated empty rows would have it allocate for all of them."""
    try:
        with zipfile.ZipFile(file) as archive, archive.open("content.xml") as content:
            sheet, row, column, row_repeat, tail = "", 0, 0, 1, b""
            while chunk := content.read(1 << 20):
                data = tail + chunk
                end = data.rfind(b">") + 1
                data, tail = data[:end], data[end:]
                for match in _ODS_TAG.finditer(data):
                    closing, tag, attrs = match.group(1), match.group(2), match.group(3)
                    repeats = {kind: int(n) for kind, n in _ODS_REPEAT.findall(attrs)}
                    if tag == b"table" and not closing:
                        name = _ODS_NAME.search(attrs)
                        sheet, row = html.unescape(name.group(1).decode(errors="replace")) if name else "", 0
                    elif tag == b"table-row" and attrs.rstrip().endswith(b"/"):  # an empty row, maybe repeated
                        row += repeats.get(b"rows", 1)
                    elif tag == b"table-row" and not closing:
                        row_repeat, column = repeats.get(b"rows", 1), 0
                        row += 1
                    elif tag == b"table-row":
                        row += row_repeat - 1
                    elif not closing:
                        column += repeats.get(b"columns", 1)
                        if b"value-type" in attrs:  # a cell holding a value (empty ones are repeated freely)
                            last = row + row_repeat - 1
                            if last > max_rows + 1 or column > max_columns:
                                return sheet, f"{column_letter(min(column, max_columns + 1) - 1)}{last}"
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None  # calamine reports what is wrong with the file
    finally:
        if not isinstance(file, str):
            file.seek(0)
    return None


class CalamineBook(Book):
    """An .xls (Excel 97–2003) or .ods, read by calamine directly; each sheet checked against the caps as loaded."""

    def __init__(self, file: BinaryIO | str, format: str) -> None:
        from python_calamine import CalamineWorkbook

        super().__init__()
        self.format = format
        if format == "ods":
            max_rows, max_columns = _caps()
            beyond = ods_beyond(file, max_rows, max_columns)
            if beyond is not None:
                raise CellError(_out_of_range(beyond[0], beyond[1], max_rows, max_columns))
        try:
            self.book = (CalamineWorkbook.from_path(file) if isinstance(file, str)
                         else CalamineWorkbook.from_filelike(file))
            metadata = self.book.sheets_metadata
        except Exception as exc:
            raise CellError(_(_UNREADABLE) + _("（%(error)s）") % {"error": exc}) from exc
        finally:
            if not isinstance(file, str):
                file.seek(0)
        for sheet in metadata:
            if str(sheet.typ).endswith("WorkSheet"):
                visible = str(sheet.visible).endswith(".Visible")
                (self.sheet_names if visible else self.hidden_names).append(sheet.name)
        self._loaded: tuple[str, Any] | None = None

    def rows(self, name: str) -> tuple[Iterator[tuple[int, list[Any]]], int]:
        if self._loaded is None or self._loaded[0] != name:
            self._loaded = None
            try:
                self._loaded = (name, self.book.get_sheet_by_name(name))
            except Exception as exc:
                raise CellError(_(_UNREADABLE) + _("（%(error)s）") % {"error": exc}) from exc
        return _calamine_rows(self._loaded[1], name)

    def merged_ranges(self, name: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        self.rows(name)
        return _merged(self._loaded[1])


class CsvBook(Book):
    """A .csv: UTF-8 (with or without BOM) or else GBK/GB18030, comma-, tab- or semicolon-separated. One sheet,
    named after the file."""

    format = "csv"

    def __init__(self, file: BinaryIO | str, *, name: str = "") -> None:
        super().__init__()
        self.file = file
        stem = str(name).replace("\\", "/").rpartition("/")[2].rsplit(".", 1)[0]
        self.sheet_names = [stem or "CSV"]
        self.encoding = self._encoding()
        self.delimiter = self._delimiter()
        self._count: int | None = None

    def _binary(self) -> BinaryIO:
        if isinstance(self.file, str):
            handle = open(self.file, "rb")
            self._open.append(handle)
            return handle
        self.file.seek(0)
        return self.file

    def _encoding(self) -> str:
        """UTF-8 if every byte decodes as UTF-8 (a BOM is dropped), else GB18030 (a superset of GBK and GB2312),
        else refused. Read a megabyte at a time."""
        handle = self._binary()
        head = handle.read(4096)
        if b"\0" in head:
            raise CellError(_(_UNREADABLE))
        handle.seek(0)
        for encoding in ("utf-8-sig", "gb18030"):
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                while chunk := handle.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError:
                handle.seek(0)
        raise CellError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码后再上传"))

    def _lines(self) -> Iterator[str]:
        handle = self._binary()
        return io.TextIOWrapper(handle, encoding=self.encoding, newline="")

    def _delimiter(self) -> str:
        text = self._lines()
        try:
            first = next((line for line in text if line.strip()), "")
        finally:
            text.detach()
        counts = {d: first.count(d) for d in (",", "\t", ";")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","

    def _reader(self) -> Iterator[list[str]]:
        text = self._lines()
        try:
            yield from csv.reader(text, delimiter=self.delimiter)
        except csv.Error as exc:
            raise CellError(_("CSV 文件格式有误：%(error)s") % {"error": exc}) from exc
        finally:
            text.detach()

    def rows(self, name: str) -> tuple[Iterator[tuple[int, list[Any]]], int]:
        max_rows, max_columns = _caps()
        if self._count is None:  # one counting pass: the caps and the progress total
            count = 0
            for count, row in enumerate(self._reader(), start=1):
                if count > max_rows + 1 or len(row) > max_columns:
                    ref = f"{column_letter(min(len(row), max_columns + 1) - 1)}{count}"
                    raise CellError(_out_of_range(name, ref, max_rows, max_columns))
            self._count = count
        return ((number, row) for number, row in enumerate(self._reader(), start=1)), self._count


# --- Finding the table -----------------------------------------------------------------------------------------
@dataclass
class SourceColumn:
    """One column of the file and what it was matched to."""

    index: int  # 0-based
    letter: str  # A, B … as Excel shows it
    header: str  # the header text as written (for a two-row header, the sub-header, else the group label)
    field: str | None  # the kind's field it fills, None when ignored
    how: str  # exact | synonym | loose | mapped | ignored | duplicate
    label: str = ""  # the matched column's own header (活动名称), "" when ignored
    column: Column | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        return {"index": self.index, "letter": self.letter, "header": self.header, "field": self.field,
                "how": self.how, "label": self.label}


@dataclass
class SheetTable:
    """A sheet holding a table of the kind: where its header is and how its columns match."""

    name: str
    header_rows: tuple[int, ...]  # Excel row numbers: (3,) or, for a two-row header, (3, 4)
    columns: list[SourceColumn]
    missing: list[str] = field(default_factory=list)  # headers of required columns the sheet lacks

    @property
    def header_row(self) -> int:
        """The last header row: data starts below it."""
        return self.header_rows[-1]

    @property
    def matched(self) -> dict[int, Column]:
        return {c.index: c.column for c in self.columns if c.field and c.column is not None}

    @property
    def ignored(self) -> list[SourceColumn]:
        return [c for c in self.columns if not c.field]

    def as_dict(self) -> dict:
        return {"name": self.name, "header_rows": list(self.header_rows),
                "columns": [c.as_dict() for c in self.columns], "missing": list(self.missing)}


@dataclass
class SkippedSheet:
    name: str
    reason: str


@dataclass
class Detection:
    """Where the tables of a file are and how their columns match (see the module docstring)."""

    kind: str
    format: str = ""
    tables: list[SheetTable] = field(default_factory=list)
    skipped: list[SkippedSheet] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def signature(self) -> str:
        """A stable key of the normalized header texts of the file's tables (in column order, sheets with the same
        headers counted once): two files with the same headers share it, whatever their rows."""
        seen: list[str] = []
        for table in self.tables:
            key = "|".join(normalize_header(c.header) for c in table.columns)
            if key not in seen:
                seen.append(key)
        return hashlib.sha256(f"{self.kind}\n{chr(10).join(seen)}".encode()).hexdigest()[:32]

    def mapping(self) -> dict[str, str | None]:
        """{column letter: field or None} of the first table, the shape `mapping=` takes."""
        if not self.tables:
            return {}
        return {c.letter: c.field for c in self.tables[0].columns}

    @property
    def ignored_headers(self) -> list[str]:
        names: list[str] = []
        for table in self.tables:
            for column in table.ignored:
                if column.header not in names:
                    names.append(column.header)
        return names

    def as_dict(self) -> dict:
        return {"kind": self.kind, "format": self.format, "signature": self.signature,
                "tables": [t.as_dict() for t in self.tables],
                "skipped": [{"name": s.name, "reason": s.reason} for s in self.skipped],
                "errors": [e.as_dict() for e in self.errors]}


def detect(file: BinaryIO | str | Book, spec: ImportSpec, ctx: ImportContext, *, sheet: str | None = None,
           header_row: int | None = None, mapping: dict[str, str | None] | None = None) -> Detection:
    """Find the tables of `file` for `spec` (see the module docstring). Never raises for a bad file: what is wrong
    is in `errors`."""
    from jinguo.core.excel.spec import RowError

    detection = Detection(kind=spec.kind)
    try:
        book = file if isinstance(file, Book) else open_book(file)
    except CellError as exc:
        detection.errors.append(RowError("", 0, "", "", str(exc)))
        return detection
    try:
        detection.format = book.format
        _detect_in(book, spec, ctx, detection, sheet=sheet, header_row=header_row, mapping=mapping or {})
    except CellError as exc:
        detection.errors.append(RowError("", 0, "", "", str(exc)))
    finally:
        if book is not file:
            book.close()
    return detection


def _detect_in(book: Book, spec: ImportSpec, ctx: ImportContext, detection: Detection, *, sheet: str | None,
               header_row: int | None, mapping: dict[str, str | None]) -> None:
    from jinguo.core.excel.spec import RowError

    columns = spec.columns_for(ctx)
    names = book.sheet_names
    if sheet is not None:
        if sheet not in names + book.hidden_names:
            detection.errors.append(RowError(sheet, 0, "", "", _("找不到工作表“%(sheet)s”，工作簿中有：%(names)s") % {
                "sheet": sheet, "names": "、".join(names + book.hidden_names)}))
            return
        names = [sheet]
    else:
        for name in book.hidden_names:
            if name not in TEMPLATE_SHEETS:  # our own lists, guide and error list are not worth a note
                detection.skipped.append(SkippedSheet(name, _("隐藏的工作表")))
    if not names:
        detection.errors.append(RowError("", 0, "", "", _("工作簿中没有工作表")))
        return
    enough = min(2, len(columns))
    preferred = spec.sheet_name if spec.sheet_name in names else None
    fallback: tuple[str, list[list[Any]]] | None = None
    for name in names:
        if sheet is None and name in TEMPLATE_SHEETS:
            continue
        rows, _count = book.rows(name)
        top: list[list[Any]] = []
        for number, cells in rows:
            top.append(cells)
            if number >= max(HEADER_SEARCH_ROWS, header_row or 0) + 1:
                break
        if not any(parse_text(c) for row in top for c in row):
            detection.skipped.append(SkippedSheet(name, _("空白工作表")))
            continue
        if fallback is None or name == preferred:
            fallback = (name, top)
        found = _find_header(spec, ctx, columns, top, header_row=header_row, enough=enough, mapping=mapping)
        if found is None:
            detection.skipped.append(SkippedSheet(name, _("前%(n)d行中没有找到表头（可识别的列名不足）") % {
                "n": HEADER_SEARCH_ROWS}))
            continue
        rows_at, texts = found
        detection.tables.append(_table(spec, ctx, columns, name, rows_at, texts, mapping,
                                       year=title_year(name, top[: rows_at[0] - 1])))
    if not detection.tables and book.format == "csv":
        detection.skipped = []
        reason = _("：前%(n)d行中没有找到表头，应有 %(cols)s 等列") % {
            "n": HEADER_SEARCH_ROWS, "cols": "、".join(str(c.header) for c in columns[:4])}
        detection.errors.append(RowError("", 0, "", "", _(_UNREADABLE) + reason))
        return
    if not detection.tables and fallback is not None:
        # Nothing looks like a table: read the preferred sheet's first row as the header, so the user is told which
        # columns it lacks rather than only that nothing was found.
        # The row matching most columns stands for the header (the first row if none matches any).
        name, top = fallback
        scores = [_score(spec, ctx, columns, [parse_text(c) for c in row], mapping) for row in top]
        number = header_row or (scores.index(max(scores)) + 1 if scores and max(scores) else 1)
        texts = [parse_text(c) for c in (top[number - 1] if len(top) >= number else [])]
        detection.skipped = [s for s in detection.skipped if s.name != name]
        detection.tables.append(_table(spec, ctx, columns, name, (number,), texts, mapping,
                                       year=title_year(name, top[: number - 1])))
    for table in detection.tables:
        for header in table.missing:
            detection.errors.append(RowError(table.name, table.header_row, "", header,
                                             _("缺少必填列“%(header)s”") % {"header": header}))


def _score(spec: ImportSpec, ctx: ImportContext, columns: list[Column], headers: list[str],
           mapping: dict[str, str | None]) -> int:
    """How many of the kind's fields a row of header texts names (a header the user mapped counts)."""
    mapped = {normalize_header(k): v for k, v in mapping.items() if v}
    fields = set()
    for text in headers:
        if text:
            if normalize_header(text) in mapped:
                fields.add(mapped[normalize_header(text)])
                continue
            column, _how = spec.match_header(ctx, columns, text)
            if column is not None:
                fields.add(column.field)
    return len(fields)


def _find_header(spec: ImportSpec, ctx: ImportContext, columns: list[Column], top: list[list[Any]], *,
                 header_row: int | None, enough: int, mapping: dict[str, str | None]
                 ) -> tuple[tuple[int, ...], list[str]] | None:
    """(header row numbers, header text per column) of the first row of `top` matching `enough` columns, with the
    row under it when the two read together match more (a merged group label over sub-headers)."""
    def texts(row: list[Any]) -> list[str]:
        return [parse_text(c) for c in row]

    def score(headers: list[str]) -> int:
        return _score(spec, ctx, columns, headers, mapping)

    def merged(upper: list[str], lower: list[str]) -> list[str]:
        width = max(len(upper), len(lower))
        upper, lower = upper + [""] * (width - len(upper)), lower + [""] * (width - len(lower))
        return [low or up for up, low in zip(upper, lower, strict=True)]

    candidates = [header_row] if header_row else range(1, min(len(top), HEADER_SEARCH_ROWS) + 1)
    for number in candidates:
        if number > len(top):
            return None
        single = texts(top[number - 1])
        below = texts(top[number]) if number < len(top) else []
        alone = score(single)
        both = merged(single, below)
        together = score(both) if below else 0
        # Two rows are one header when each adds columns the other lacks (a label merged down over both rows, a
        # group label over sub-headers): a title or a blank line above a header adds none.
        if together > alone and together > score(below) > 0 and (header_row or together >= enough):
            return (number, number + 1), both
        if header_row or alone >= enough:
            return (number,), single
    return None


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_DATED_LINE = re.compile(r"(填报|填表|制表|报送|统计|打印|导出)(日期|时间)")


def title_year(sheet: str, above: list[list[Any]]) -> int | None:
    """The year a sheet's dates without one (3月5日) belong to: the one year its title names (东安县妇联2025年信访
    接待登记台账), else the one its name does (2025年3月). None when there is none, or more than one (2024—2025学年):
    such dates are then refused, not guessed. The 填报日期 line, or a whole date beside its label, says when the form
    was filled in, not what it is of."""
    years: set[str] = set()
    for row in above:
        for cell in row:
            text = parse_text(cell)
            if not text or _DATED_LINE.search(text):
                continue
            try:
                if parse_date(cell):
                    continue  # 2025年7月10日 in the cell after 填报日期：
            except CellError:
                pass
            years.update(_YEAR.findall(text))
    if not years:
        years.update(_YEAR.findall(sheet))
    return int(years.pop()) if len(years) == 1 else None


_SCALES = {"万": 10000, "千": 1000}


def unit_scale(column: Column, header: str) -> int:
    """How many of the column's units one of the file's header makes: 10000 for 贷款金额（万元） read into a column in
    元, 1 when the header names no unit or the column's own."""
    if column.kind not in ("int", "decimal"):
        return 1
    written = _UNIT.search(normalize_header(header))
    own = column.unit or next(iter(_UNIT.findall(normalize_header(column.header))), "")
    if written is None or not own or written.group(1) == own:
        return 1
    unit = written.group(1)
    if unit[1:] == own and unit[:1] in _SCALES:
        return _SCALES[unit[:1]]
    return 1


_UNIT = re.compile(r"\(([^()]+)\)$")


def _table(spec: ImportSpec, ctx: ImportContext, columns: list[Column], name: str, header_rows: tuple[int, ...],
           texts: list[str], mapping: dict[str, str | None], *, year: int | None = None) -> SheetTable:
    """The sheet's columns matched: first those the user mapped (their choice wins a field), then the guesses. Each
    matched column is read with the sheet's title year (its dates written without one) and the scale of the unit
    its header names (万元)."""
    by_field = {c.field: c for c in columns}
    normalized_mapping = {normalize_header(k): v for k, v in mapping.items()}
    found: dict[int, tuple[Column | None, str]] = {}
    taken: set[str] = set()
    for index, text in enumerate(texts):
        letter = column_letter(index)
        if text and (letter in mapping or normalize_header(text) in normalized_mapping):
            wanted = mapping[letter] if letter in mapping else normalized_mapping[normalize_header(text)]
            column = by_field.get(wanted) if wanted else None
            if column is not None and column.field in taken:
                column = None
            found[index] = (column, "mapped" if column is not None else "ignored")
            if column is not None:
                taken.add(column.field)
    source: list[SourceColumn] = []
    for index, text in enumerate(texts):
        if not text:
            continue
        if index in found:
            column, how = found[index]
        else:
            column, how = spec.match_header(ctx, columns, text)
            if column is not None and column.field in taken:
                column, how = None, "duplicate"
            elif column is None:
                how = "ignored"
            else:
                taken.add(column.field)
        if column is not None and ((column.kind == "date" and year) or unit_scale(column, text) != 1):
            column = dataclasses.replace(column, year=year if column.kind == "date" else None,
                                         scale=unit_scale(column, text))
        source.append(SourceColumn(index, column_letter(index), text, column.field if column else None, how,
                                   str(column.header) if column else "", column))
    missing = [str(c.header) for c in columns if c.required and c.field not in taken]
    return SheetTable(name, header_rows, source, missing)


def _out_of_range(sheet: str, ref: str, max_rows: int, max_columns: int) -> str:
    return _("工作表“%(sheet)s”的单元格 %(ref)s 超出导入范围（最多 %(rows)s 行、%(cols)s 列），"
             "请删除表格以外的内容后重新上传") % {"sheet": sheet, "ref": ref, "rows": f"{max_rows:,}",
                                                "cols": f"{max_columns:,}"}


def tmpdir() -> str:
    from django.conf import settings

    path = settings.VAR_DIR / "tmp"
    path.mkdir(exist_ok=True)
    return str(path)
