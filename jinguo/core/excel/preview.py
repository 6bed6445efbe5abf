"""The first rows of an upload as the import would read them, for the mapping step of the import page.

Each row is parsed with the columns as mapped and checked through the kind's own form, exactly as the import does,
but nothing is written: the page shows the values and marks each problem on its cell (or on the row when a rule
spans fields or the column is not in the file). Personal data (ID numbers, phones, names, addresses) are shown
masked, as everywhere outside the record's own page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from django.utils.translation import gettext as _

from jinguo.core.excel.cells import CellError, normalize_header, parse_text, shown
from jinguo.core.excel.read import Book, Detection, open_book

if TYPE_CHECKING:
    from jinguo.core.excel.spec import ImportContext, ImportSpec

PREVIEW_ROWS = 10


@dataclass
class PreviewCell:
    letter: str
    field: str  # the kind's field the column fills
    text: str  # as shown: the cell's text, masked for personal data
    error: str = ""


@dataclass
class PreviewRow:
    sheet: str
    number: int  # the row as Excel shows it
    cells: list[PreviewCell]
    errors: list[str] = field(default_factory=list)  # problems of the row as a whole (no column of its own)
    exists: bool = False  # a stored record has this row's natural key

    @property
    def ok(self) -> bool:
        return not self.errors and not any(cell.error for cell in self.cells)

    def aligned(self, fields: list[str]) -> list[PreviewCell | None]:
        """The row's cells in `fields` order (tables of several sheets shown in one grid)."""
        by_field = {cell.field: cell for cell in self.cells}
        return [by_field.get(name) for name in fields]


@dataclass
class Preview:
    rows: list[PreviewRow]
    skipped: dict[str, int]  # blank / total / footer / header rows met among the previewed ones
    error: str = ""  # the file could not be read past its header

    @property
    def problems(self) -> int:
        return sum(len(row.errors) + sum(1 for c in row.cells if c.error) for row in self.rows)


def preview(spec: ImportSpec, file: BinaryIO | str, ctx: ImportContext, detection: Detection, *,
            limit: int = PREVIEW_ROWS) -> Preview:
    """The first `limit` records of the detected tables (in sheet order), parsed and validated, never written."""
    from jinguo.core.excel.run import row_kind

    result = Preview(rows=[], skipped={})
    try:
        book = file if isinstance(file, Book) else open_book(file)
    except CellError as exc:
        result.error = str(exc)
        return result
    masks = spec.personal_masks(ctx)
    form_kwargs = spec.form_kwargs(ctx)
    try:
        for table in detection.tables:
            mapping = table.matched
            defaults = spec.absent_defaults({column.field for column in mapping.values()})
            header = [normalize_header(c.header) for c in table.columns]
            shown = [c for c in table.columns if c.field]
            rows, _count = book.data_rows(table.name, table.header_row)
            for number, cells in rows:
                if len(result.rows) >= limit:
                    break
                if number <= table.header_row:
                    continue
                kind = row_kind(cells, header, mapping)
                if kind != "record":
                    result.skipped[kind] = result.skipped.get(kind, 0) + 1
                    if kind == "footer":
                        break
                    continue
                result.rows.append(_row(spec, ctx, table.name, number, cells, mapping, shown, defaults, masks,
                                        form_kwargs))
            if len(result.rows) >= limit:
                break
    except CellError as exc:
        result.error = str(exc)
    finally:
        if book is not file:
            book.close()
    return result


def _row(spec: ImportSpec, ctx: ImportContext, sheet: str, number: int, cells: list[Any], mapping: dict,
         shown: list, defaults: dict, masks: dict, form_kwargs: dict) -> PreviewRow:
    by_letter: dict[str, PreviewCell] = {}
    values = {column.field: cells[index] if index < len(cells) else None for index, column in mapping.items()}
    for source in shown:
        text = parse_text(cells[source.index] if source.index < len(cells) else None)
        if text and source.field in masks:
            text = masks[source.field](text)
        by_letter[source.letter] = PreviewCell(source.letter, source.field, text)
    row = PreviewRow(sheet, number, [by_letter[c.letter] for c in shown])
    spec._masks = masks
    data, errors = spec._row_data(sheet, number, cells, mapping)
    if not errors:
        data = spec.prepare(ctx, {**defaults, **data} if defaults else data)
        existing = spec.find_existing_many(ctx, [data])[0]
        row.exists = existing is not None
        form = spec.form_class(data=data, instance=existing, **form_kwargs)
        if not form.is_valid():
            errors = spec.mask_errors(spec._form_errors(sheet, number, form, mapping, cells), values, masks)
    for error in errors:
        cell = by_letter.get(error.column)
        message = error.message.rstrip("。")
        if cell is not None:
            cell.error = f"{cell.error}；{message}" if cell.error else message
        else:
            row.errors.append(f"{error.header}：{message}" if error.header else message)
    return row


def skipped_text(skipped: dict[str, int]) -> str:
    """空行 2 行、合计行 1 行 … for the preview's note."""
    labels = {"blank": _("空行"), "total": _("合计行"), "footer": _("填表人等说明行"), "header": _("重复的表头")}
    return "、".join(_("%(what)s %(n)d 行") % {"what": labels.get(kind, kind), "n": n} for kind, n in skipped.items())




SAMPLES = 3  # values shown beside each column on the mapping step
SAMPLE_CHARS = 20  # an ID number whole; a long 诉求 by its start
_PERSON_HEADER = ("姓名", "名字")  # and any header ending in 人 (来访人, 当事人, 申请人 …)


def samples(spec: ImportSpec, file: BinaryIO | str, ctx: ImportContext, detection: Detection, *, n: int = SAMPLES,
            scan: int = 50) -> dict[str, list[str]]:
    """{normalized header: up to `n` distinct values} of every source column of the tables, from their first `scan`
    records: shown beside each column's choice on the mapping step, so the clerk recognises a column by what it
    holds. Masked as the preview masks — a column by the mask of the field it is mapped to — and, for a column
    mapped to nothing, any ID or phone number in it, and the values under a header naming a person."""
    from jinguo.core.excel.run import row_kind
    from jinguo.core.excel.spec import _mask_identifiers
    from jinguo.core.idcard import mask_name

    found: dict[str, list[str]] = {}
    try:
        book = file if isinstance(file, Book) else open_book(file)
    except CellError:
        return found
    masks = spec.personal_masks(ctx)
    try:
        for table in detection.tables:
            header = [normalize_header(c.header) for c in table.columns]
            columns = []
            for source in table.columns:
                key = normalize_header(source.header)
                if key in found and len(found[key]) >= n:
                    continue
                mask = masks.get(source.field or "")
                if mask is None and not source.field and (key.endswith("人") or any(w in key for w in _PERSON_HEADER)):
                    mask = mask_name
                columns.append((source.index, found.setdefault(key, []), set(), mask))
            if not columns:
                continue
            rows, _count = book.data_rows(table.name, table.header_row)
            seen = 0
            for number, cells in rows:
                if number <= table.header_row:
                    continue
                kind = row_kind(cells, header)
                if kind == "footer" or seen >= scan or all(len(values) >= n for _i, values, _r, _m in columns):
                    break
                if kind != "record":
                    continue
                seen += 1
                for index, values, raw, mask in columns:
                    text = shown(cells[index]) if index < len(cells) else ""
                    if not text or len(values) >= n or text in raw:
                        continue
                    raw.add(text)  # distinct as written: three names masked alike are still three names
                    text = _mask_identifiers(mask(text) if mask is not None else text)
                    values.append(text[:SAMPLE_CHARS] + "…" if len(text) > SAMPLE_CHARS else text)
    except CellError:
        pass  # the preview says what is wrong with the file
    finally:
        if book is not file:
            book.close()
    return found
