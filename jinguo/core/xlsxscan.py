"""The real extent of an .xlsx sheet, found before the reader opens it, and a package holding only what was checked.

calamine builds one dense grid from the sheet's first to its last cell: a single stray value at XFD1048576 asks it
for 512 GiB and the process aborts (Rust aborts on a failed allocation; Python cannot catch it). So before calamine
opens a sheet we stream the sheet's XML out of the zip and look at every cell's reference, stopping at the first
one beyond the caps. The declared `<dimension>` is not trusted: it is whatever the file says.

What calamine then reads must be exactly what was scanned: a workbook can name two sheets alike, point its parts
anywhere, hold two zip entries of one name or write a reference as `r="&#88;FD1"`, and any place where our reading
of the package and calamine's differ lets a far cell through. So calamine never sees the upload: `safe_package`
writes a new, minimal .xlsx — one workbook part naming the checked sheet, the sheet's XML as scanned, the shared
strings and styles without their (optional, untrusted) `count` attributes — and calamine reads that.

Cells are found with one regular expression over the decompressed bytes, a megabyte at a time, so memory stays flat
and a 100,000-row sheet is scanned in well under a second or two (see tests/core/test_hostile_imports.py).
"""

from __future__ import annotations

import html
import posixpath
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CHUNK = 1 << 20
# <row …> or <c …> (any namespace prefix), capturing the attributes and whether the element closes itself.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(\s[^>]*)?>")
# Fast path: cells as Excel and every common writer put them, `<c r="B7"`, `r` first in double quotes with a plain
# reference; `[^>/]*>` leaves out the empty self-closing ones. A piece holding any other kind of cell tag (another
# separator after `<c`, a prefix, an entity or anything else in the reference) is read the slow way.
_ANY_CELL = re.compile(rb"<c[\s/>]")
_PLAIN_CELL = re.compile(rb'<c r="[A-Za-z]{1,3}\d+"')
_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})(\d+)"[^>/]*>')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_REF = re.compile(r"""\sr\s*=\s*["']([A-Za-z]{0,3})(\d*)["']""")
_COUNT_ATTR = re.compile(rb"""\s(?:count|uniqueCount)\s*=\s*(?:"[^"]*"|'[^']*')""")


@dataclass(frozen=True)
class SheetExtent:
    rows: int  # the last row number holding a cell (1-based, as Excel shows it)
    columns: int  # the last column holding a cell (1-based)
    beyond: str = ""  # the reference of the first cell found beyond the caps, "" if none


class NotXlsx(Exception):
    """The file is not an .xlsx workbook (an .xls, .xlsb, .ods or anything else)."""


def column_number(letters: bytes) -> int:
    """b"A" → 1, b"XFD" → 16384."""
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def cell_ref(row: int, column: int) -> str:
    letters = ""
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _parse(data: bytes) -> ElementTree.Element:
    """A small part of the package (the workbook, its relationships). A DOCTYPE has no business in an .xlsx and
    is where entity tricks live, so it is refused; expat resolves no external entities."""
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise NotXlsx("DOCTYPE")
    return ElementTree.fromstring(data)  # noqa: S314 (no DOCTYPE, so no entities to expand)


def _workbook_part(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    workbook = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for rel in _parse(archive.read("_rels/.rels")):
            if rel.get("Type", "").endswith("/officeDocument"):
                workbook = rel.get("Target", workbook).lstrip("/")
    if workbook not in names:
        raise NotXlsx(workbook)
    return workbook


def _targets(archive: zipfile.ZipFile, workbook: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, path) of the workbook's parts."""
    names = set(archive.namelist())
    base = posixpath.dirname(workbook)
    rels_path = posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels")
    targets: dict[str, tuple[str, str]] = {}
    if rels_path in names:
        for rel in _parse(archive.read(rels_path)):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            targets[rel.get("Id", "")] = (rel.get("Type", ""), path)
    return targets


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML inside the zip, from the workbook part and its relationships (the first sheet
    of a name, if a file names two alike)."""
    workbook = _workbook_part(archive)
    targets = _targets(archive, workbook)
    paths: dict[str, str] = {}
    for element in _parse(archive.read(workbook)).iter():
        if element.tag.rpartition("}")[2] == "sheet":
            _type, target = targets.get(element.get(f"{_REL_NS}id", ""), ("", ""))
            if target:
                paths.setdefault(element.get("name", ""), target)
    return paths


def hidden_sheets(archive: zipfile.ZipFile) -> set[str]:
    """Names of the sheets the workbook hides (`state="hidden"` or `"veryHidden"`): lists behind drop-downs."""
    return {element.get("name", "") for element in _parse(archive.read(_workbook_part(archive))).iter()
            if element.tag.rpartition("}")[2] == "sheet" and element.get("state", "visible") != "visible"}


def _date1904(archive: zipfile.ZipFile) -> bool:
    for element in _parse(archive.read(_workbook_part(archive))).iter():
        if element.tag.rpartition("}")[2] == "workbookPr":
            return element.get("date1904", "").lower() in ("1", "true")
    return False


def safe_package(archive: zipfile.ZipFile, name: str, path: str, out) -> None:
    """Write to `out` an .xlsx holding the sheet `name` (its XML at `path`, already scanned) and nothing the reader
    could take from anywhere else: a workbook part of our own, the shared strings and styles (for dates) without
    count attributes. calamine reads this instead of the upload."""
    from xml.sax.saxutils import quoteattr

    targets = _targets(archive, _workbook_part(archive))
    parts = {kind: next((p for t, p in targets.values() if t.endswith("/" + kind) and p in archive.namelist()), None)
             for kind in ("sharedStrings", "styles")}
    ns = "http://schemas.openxmlformats.org"
    rel = f"{ns}/officeDocument/2006/relationships"
    content_types = (f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
                     f'<Default Extension="rels" '
                     f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     f'<Default Extension="xml" ContentType="application/xml"/>'
                     f'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                     f'officedocument.spreadsheetml.sheet.main+xml"/>'
                     f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                     f'officedocument.spreadsheetml.worksheet+xml"/></Types>')
    package_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                    f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    date1904 = ' date1904="1"' if _date1904(archive) else ""
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
                f'xmlns:r="{rel}"><workbookPr{date1904}/><sheets>'
                f'<sheet name={quoteattr(name)} sheetId="1" r:id="rId1"/></sheets></workbook>')
    workbook_rels = [f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>']
    if parts["sharedStrings"]:
        workbook_rels.append(f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>')
    if parts["styles"]:
        workbook_rels.append(f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        package.writestr("[Content_Types].xml", content_types)
        package.writestr("_rels/.rels", package_rels)
        package.writestr("xl/workbook.xml", workbook)
        package.writestr("xl/_rels/workbook.xml.rels",
                         f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/'
                         f'relationships">{"".join(workbook_rels)}</Relationships>')
        with archive.open(path) as source, package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sink:
            shutil.copyfileobj(source, sink, _CHUNK)
        for kind in ("sharedStrings", "styles"):
            if parts[kind]:
                with package.open(f"xl/{kind}.xml", "w", force_zip64=True) as sink:
                    for data in _chunks(archive, parts[kind]):
                        sink.write(_COUNT_ATTR.sub(b"", data))


def _chunks(archive: zipfile.ZipFile, path: str) -> Iterator[bytes]:
    """The sheet's XML a megabyte at a time, each piece ending before a tag (no tag is cut in two)."""
    tail = b""
    with archive.open(path) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            cut = data.rfind(b"<")
            if cut <= 0:
                tail = data
                continue
            yield data[:cut]
            tail = data[cut:]
    if tail:
        yield tail


def scan_sheet(archive: zipfile.ZipFile, path: str, max_rows: int, max_columns: int) -> SheetExtent:
    """The sheet's last row and column holding a value, or the first cell beyond `max_rows`/`max_columns`.

    Excel writes every cell with its reference (`<c r="B7">`): one `findall` per megabyte reads them all. A file
    with cells lacking `r` (allowed: such a cell sits right of the previous one) is read again the slow way.
    Empty self-closing cells (`<c r="X9" s="1"/>`, formatting only) hold no value and are not read, so they do not
    count.
    """
    last_row = last_column = 0
    letters_seen: set[bytes] = set()
    for data in _chunks(archive, path):
        tags = len(_ANY_CELL.findall(data))
        if tags != len(_PLAIN_CELL.findall(data)) or _PREFIXED_CELL.search(data):
            return _scan_slowly(archive, path, max_rows, max_columns)
        valued = _CELL.findall(data)
        if not valued:
            continue
        letters_seen.update({letters for letters, _digits in valued})
        last_row = max(last_row, max(map(int, [digits for _letters, digits in valued])))
        last_column = max(last_column, max(column_number(letters) for letters in letters_seen))
        if last_row > max_rows or last_column > max_columns:
            for letters, digits in valued:
                row, column = int(digits), column_number(letters)
                if row > max_rows or column > max_columns:
                    return SheetExtent(row, column, beyond=cell_ref(row, column))
    return SheetExtent(last_row, last_column)


def _scan_slowly(archive: zipfile.ZipFile, path: str, max_rows: int, max_columns: int) -> SheetExtent:
    """`scan_sheet` for cells and rows placed by position: a cell without `r` right of the previous one, a row
    without `r` below the previous row (as the reader places them)."""
    last_row = last_column = 0
    row = column = 0
    for data in _chunks(archive, path):
        for match in _TAG.finditer(data):
            raw = match.group(2) or b""
            attrs = raw.decode("utf-8", "replace")
            if "&" in attrs:  # a character reference inside the reference: as the XML reader decodes it
                attrs = html.unescape(attrs)
            ref = _REF.search(attrs)
            if match.group(1) == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                column = 0
                continue
            if ref and ref.group(1):
                column = column_number(ref.group(1).encode())
                if ref.group(2):
                    row = int(ref.group(2))
            else:
                column += 1
            if raw.endswith(b"/"):
                continue
            if row > max_rows or column > max_columns:
                return SheetExtent(row, column, beyond=cell_ref(row, column))
            last_row, last_column = max(last_row, row), max(last_column, column)
    return SheetExtent(last_row, last_column)
