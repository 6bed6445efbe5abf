"""Running an import: find the tables (read.detect), then validate every row and write them all in one
transaction, or nothing.

A bulk spec's file is validated whole first (rows waiting in an encrypted spool), then written; other specs
validate and write row by row inside one transaction. Rows that are not records — blank rows, 合计/小计/总计 rows,
the 填表人/审核人/注 lines under the table, a repeated header — are skipped and counted in the result.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jinguo.core.excel.cells import CellError, normalize_header, plain_value
from jinguo.core.excel.read import Book, Detection, SheetTable, detect, open_book, tmpdir
from jinguo.core.excel.spec import (
    ImportAborted,
    ImportContext,
    ImportResult,
    ProgressCallback,
    RowError,
    file_headers,
)

if TYPE_CHECKING:
    from jinguo.core.excel.spec import ImportSpec

# 合计, 合 计, 合计（件）, and with the period before it as month and quarter sheets write it: 本月合计, 一季度小计.
_TOTAL = re.compile(r"(本月|本季度?|本年度?|全年度?|上半年|下半年|第?[一二三四1-4]季度|\d{1,2}月份?|\d{4}年)?"
                    r"(合计|小计|总计|共计|累计)(\W.*)?")
_SIGNATURE = re.compile(r"(填表人|填报人|制表人|审核人|复核人|统计人|经办人|负责人|单位负责人|联系人|分管领导|填报单位"
                        r"|填报日期|填表日期|制表日期|填报时间)([:：(（].*|[\u4e00-\u9fff]{0,4})")
# 制表：张三, 审核：李四, 联系电话：… — a label and its value, only ever under a table.
_LABELLED = re.compile(r"(填表|制表|审核|复核|填报|统计|联系电话|联系方式)[:：].*")
_NOTE = re.compile(r"(注|说明|备注|填表说明)\d*[:：].*")


_FOOTER_STARTS = ("填表", "填报", "制表", "审核", "复核", "统计", "经办", "负责", "单位负责", "联系", "分管")


def row_kind(cells: list[Any], header: list[str] | None = None, fields: Collection[int] | None = None) -> str:
    """record · blank · total (合计/小计/总计) · footer (填表人/审核人 …, 注：…) · header (the header repeated).
    With `fields` (the indexes of the columns imported), a row with none of them filled — 序号 numbered ahead
    down an empty form, a 备注 alone — is blank: it holds nothing to import.

    Called for every row: only text cells are looked at, and only as far as needed."""
    filled = [c for c in cells if c is not None and c != "" and not (isinstance(c, str) and c.isspace())]
    if not filled:
        return "blank"
    for cell in filled[:2]:
        if isinstance(cell, str) and _TOTAL.fullmatch(plain_value(cell)):
            return "total"
    for cell in filled[:2]:  # 注： in the first column, or beside a 序号 numbered ahead
        if isinstance(cell, str):
            if _NOTE.fullmatch(plain_value(cell)):
                return "footer"
            break
    for position, cell in enumerate(filled):
        if isinstance(cell, str) and cell.lstrip().startswith(_FOOTER_STARTS):
            text = plain_value(cell)
            if _SIGNATURE.fullmatch(text) and len(text) <= 30:
                return "footer"
            if position < 2 and _LABELLED.fullmatch(text):  # at the left, where the lines under a table start
                return "footer"
    first = filled[0]
    if header and isinstance(first, str) and normalize_header(first) == header[0]:
        if [normalize_header(c) for c in filled] == header:
            return "header"
    if fields is not None and not any(
            index < len(cells) and cells[index] not in (None, "") and not (isinstance(cells[index], str)
                                                                           and cells[index].isspace())
            for index in fields):
        return "blank"
    return "record"


def run_import(spec: ImportSpec, file: BinaryIO | str, ctx: ImportContext, progress: ProgressCallback | None = None,
               *, detection: Detection | None = None, sheet: str | None = None, header_row: int | None = None,
               mapping: dict[str, str | None] | None = None) -> ImportResult:
    """Validate every row of every table of the file; write them all in one transaction, or nothing if any row has
    an error. `detection` (as the user confirmed it) or `sheet`/`header_row`/`mapping` (see read.detect)."""
    result = ImportResult()
    try:
        book = open_book(file)
    except CellError as exc:
        result.errors.append(RowError("", 0, "", "", str(exc)))
        return result
    with book:
        try:
            if detection is None:
                detection = detect(book, spec, ctx, sheet=sheet, header_row=header_row, mapping=mapping)
            result.sheets = [table.name for table in detection.tables]
            result.ignored_columns = detection.ignored_headers
            result.skipped_sheets = [(s.name, s.reason) for s in detection.skipped]
            result.errors.extend(detection.errors)
            if not result.errors and not detection.tables:
                result.errors.append(RowError("", 0, "", "", _("文件中没有找到可导入的表格")))
            if result.errors:
                return result
            _import_tables(spec, ctx, book, detection.tables, result, progress)
            file_headers(result.errors, detection.tables)
        except CellError as exc:  # a sheet unreadable past its first rows
            result.errors.append(RowError("", 0, "", "", str(exc)))
            result.created = result.updated = result.skipped = 0
            return result
    if not result.errors:
        spec.record_import(ctx, result)
        result.notices = spec.notices(ctx, result)
    return result


def _import_tables(spec: ImportSpec, ctx: ImportContext, book: Book, tables: list[SheetTable], result: ImportResult,
                   progress: ProgressCallback | None) -> None:
    spec._masks = spec.personal_masks(ctx)
    spec._parsed_cells = {}  # code tables may have changed since the spec's last file
    if spec.bulk:
        _import_in_two_passes(spec, ctx, book, tables, result, progress)
        return
    try:
        with transaction.atomic():
            _import_rows(spec, _ImportRun(spec, ctx, tables, result), book, tables, progress)
            if result.errors:
                raise ImportAborted
    except ImportAborted:
        result.created = result.updated = result.skipped = 0


def _import_in_two_passes(spec: ImportSpec, ctx: ImportContext, book: Book, tables: list[SheetTable],
                          result: ImportResult, progress: ProgressCallback | None) -> None:
    """A bulk file is validated whole before anything is written, outside any transaction: the validated rows
    wait in an encrypted spool file (flat memory), and only the writing holds the database — on SQLite its one
    write lock, on both databases the audit chain's head. Validating a large file inside the writing
    transaction made every other user's save (and sign-in) wait for the whole import. Still all or nothing:
    the writes are one transaction, and a row refused while writing rolls them all back."""
    with _Spool() as spool:
        run = _ImportRun(spec, ctx, tables, result, spool=spool)
        _import_rows(spec, run, book, tables, progress)
        if result.errors:
            result.created = result.updated = result.skipped = 0
            return
        try:
            with transaction.atomic():
                run.write_spooled()
                if result.errors:
                    raise ImportAborted
        except ImportAborted:
            result.created = result.updated = result.skipped = 0


def _import_rows(spec: ImportSpec, run: _ImportRun, book: Book, tables: list[SheetTable],
                 progress: ProgressCallback | None) -> None:
    """Parse each table's rows and hand them on in chunks of `batch_size`, so memory stays flat in the file's
    length. The natural keys are checked across all the tables (a row repeated on two sheets is one record)."""
    ctx, result = run.ctx, run.result
    seen_keys: dict[tuple, tuple[str, int]] = {}
    done, total = 0, 0
    for table in tables:
        rows, count = book.data_rows(table.name, table.header_row)
        total += max(0, count - table.header_row)
        mapping = table.matched
        defaults = spec.absent_defaults({column.field for column in mapping.values()})
        run.table(table)
        header = [normalize_header(c.header) for c in table.columns if normalize_header(c.header)]
        ended = False  # below the 填表人/注 lines nothing is a record
        blanks = 0
        chunk: list[tuple[int, dict, list[Any]]] = []  # (row number, form data, the cells as read: quoted by errors)
        for number, cells in rows:
            if number <= table.header_row:
                continue
            done += 1
            if progress and done % spec.progress_every == 0:
                progress(done, total)
            kind = row_kind(cells, header, mapping)
            if kind == "blank":
                blanks += 1  # counted once a row follows: the empty rows at a sheet's end are no news
                continue
            if blanks:
                result.skipped_rows["blank"] = result.skipped_rows.get("blank", 0) + blanks
                blanks = 0
            if ended:
                kind = "footer"
            if kind != "record":
                ended = ended or kind == "footer"
                result.skipped_rows[kind] = result.skipped_rows.get(kind, 0) + 1
                continue
            result.total += 1
            data, row_errors = spec._row_data(table.name, number, cells, mapping)
            if row_errors:
                result.errors.extend(row_errors)
                continue
            if defaults:
                data = {**defaults, **data}
            data = spec.prepare(ctx, data)
            key = tuple(data.get(name) for name in spec.natural_key)
            if all(part not in (None, "") for part in key):
                if key in seen_keys:
                    first_sheet, first_row = seen_keys[key]
                    message = (_("与第%(row)d行重复") % {"row": first_row} if first_sheet == table.name else
                               _("与工作表“%(sheet)s”第%(row)d行重复") % {"sheet": first_sheet, "row": first_row})
                    result.errors.append(RowError(table.name, number, "", "", message))
                    continue
                seen_keys[key] = (table.name, number)
            chunk.append((number, data, cells))
            if len(chunk) >= spec.batch_size:
                run.process(chunk)
                chunk = []
        run.process(chunk)
    if progress:
        progress(total, total)


class _Spool:
    """Validated rows waiting to be written, in a temporary file under var/tmp: each item pickled and encrypted
    (they hold personal data), read back in order once. Our own authenticated ciphertext, so unpickling it
    trusts nothing from outside."""

    def __enter__(self) -> _Spool:
        import tempfile

        self.file = tempfile.TemporaryFile(dir=tmpdir())
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()

    def put(self, item: Any) -> None:
        import pickle

        from jinguo.core import crypto

        data = crypto.encrypt_bytes(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        self.file.write(len(data).to_bytes(8, "big") + data)

    def __iter__(self) -> Iterator[Any]:
        import pickle

        from jinguo.core import crypto

        self.file.seek(0)
        while size := int.from_bytes(self.file.read(8) or b"\0" * 8, "big"):
            yield pickle.loads(crypto.decrypt_bytes(self.file.read(size)))  # noqa: S301 — our own sealed data


class _ImportRun:
    """Validating and writing one file's rows, a chunk at a time (see `run_import`), table by table (`table()` says
    which sheet the next chunks come from). With a spool, the rows are only validated here and written afterwards
    by `write_spooled`."""

    def __init__(self, spec: ImportSpec, ctx: ImportContext, tables: list[SheetTable], result: ImportResult,
                 spool: _Spool | None = None) -> None:
        self.spec, self.ctx, self.result = spec, ctx, result
        self.mappings = {table.name: table.matched for table in tables}
        self.sheet, self.mapping = tables[0].name, self.mappings[tables[0].name]
        self.spool = spool
        self.form_kwargs = spec.form_kwargs(ctx)
        self.validator = None
        if spec.bulk:
            from jinguo.core.forms import RowValidator

            present = {column.field for mapping in self.mappings.values() for column in mapping.values()}
            self.validator = RowValidator(spec.form_class(**self.form_kwargs), present=present)

    def table(self, table: SheetTable) -> None:
        self.sheet, self.mapping = table.name, self.mappings[table.name]

    def process(self, chunk: list[tuple[int, dict, list[Any]]]) -> None:
        if not chunk:
            return
        spec, ctx, result = self.spec, self.ctx, self.result
        existing_rows = spec.find_existing_many(ctx, [data for _number, data, _cells in chunk])
        new_rows: list[Any] = []
        for (number, data, cells), existing in zip(chunk, existing_rows, strict=True):
            bulk = existing is None and self.validator is not None
            form = (self.validator.validate(data) if bulk
                    else spec.form_class(data=data, instance=existing, **self.form_kwargs))
            if not form.is_valid():
                errors = spec._form_errors(self.sheet, number, form, self.mapping, cells)
                result.errors.extend(spec.mask_errors(errors, data, spec._masks))
            elif existing is not None and ctx.existing == "skip":
                result.skipped += 1
            elif result.errors:
                continue  # validating only: nothing will be kept
            elif bulk:
                new_rows.append(spec.bulk_row(ctx, form))
            elif self.spool is not None:  # an update: validated again, against the record as it is then
                self.spool.put(("one", self.sheet, number, data, existing.pk if existing is not None else None,
                                cells))
            elif self._save_one(number, form, created=existing is None):
                if existing is None:
                    result.created += 1
                else:
                    result.updated += 1
        if new_rows and not result.errors:
            if self.spool is not None:
                self.spool.put(("many", self.sheet, chunk[0][0], chunk[-1][0], new_rows))
            else:
                self._save_many(chunk[0][0], chunk[-1][0], new_rows)

    def write_spooled(self) -> None:
        """The writing pass of a two-pass import (inside its transaction)."""
        spec, ctx = self.spec, self.ctx
        for item in self.spool:
            self.sheet, self.mapping = item[1], self.mappings[item[1]]
            if item[0] == "many":
                _kind, _sheet, first, last, rows = item
                self._save_many(first, last, rows)
                continue
            _kind, _sheet, number, data, pk, cells = item
            existing = spec.base_queryset(ctx, "change").filter(pk=pk).first() if pk is not None else None
            form = spec.form_class(data=data, instance=existing, **self.form_kwargs)
            if not form.is_valid():
                errors = spec._form_errors(self.sheet, number, form, self.mapping, cells)
                self.result.errors.extend(spec.mask_errors(errors, data, spec._masks))
            elif self._save_one(number, form, created=existing is None):
                if existing is None:
                    self.result.created += 1
                else:
                    self.result.updated += 1

    def _save_one(self, number: int, form: forms.ModelForm, *, created: bool) -> bool:
        try:
            with transaction.atomic():
                obj = self.spec.save(self.ctx, form)
                self.spec.after_save(self.ctx, obj)
                self.spec.tally(self.ctx, self.result, [obj], created=created)
        except (ValidationError, PermissionDenied) as exc:
            self.result.errors.append(RowError(self.sheet, number, "", "", _error_text(exc)))
            return False
        return True

    def _save_many(self, first: int, last: int, rows: list[Any]) -> None:
        try:
            with transaction.atomic():
                objs = self.spec.save_many(self.ctx, rows)
                self.spec.after_save_many(self.ctx, objs)
                self.spec.tally(self.ctx, self.result, objs, created=True)
        except (ValidationError, PermissionDenied) as exc:
            self.result.errors.append(RowError(self.sheet, first, "", "", _("第%(first)d—%(last)d行：%(error)s") % {
                "first": first, "last": last, "error": _error_text(exc)}))
            return
        self.result.created += len(rows)



def _error_text(exc: Exception) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


