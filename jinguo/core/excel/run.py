"""Running an import: every row validated, then all written in one transaction or nothing.

A bulk spec's file is validated whole first (rows waiting in an encrypted spool), then written; other specs
validate and write row by row inside one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jinguo.core.excel.cells import CellError, parse_text
from jinguo.core.excel.read import tmpdir
from jinguo.core.excel.spec import Column, ImportAborted, ImportContext, ImportResult, ProgressCallback, RowError

if TYPE_CHECKING:
    from jinguo.core.excel.spec import ImportSpec


def run_import(spec: ImportSpec, file: BinaryIO | str, ctx: ImportContext,
               progress: ProgressCallback | None = None) -> ImportResult:
    """Validate every row; write them all in one transaction, or nothing if any row has an error."""
    result = ImportResult()
    try:
        sheet, rows, total = spec.read_rows(file)
    except CellError as exc:
        result.errors.append(RowError("", 0, "", "", str(exc)))
        return result
    header = next(rows, None)
    if header is None:
        result.errors.append(RowError(sheet, 1, "", "", _("工作表是空的")))
        return result
    spec._masks = spec.personal_masks(ctx)
    mapping, header_errors = spec.match_headers(ctx, sheet, header[1])
    result.errors = header_errors
    if any(not e.column for e in header_errors):
        return result  # a required column is missing: every row would fail for it
    # Unknown columns are reported and ignored, and every row is still validated.
    if spec.bulk:
        _import_in_two_passes(spec, ctx, sheet, rows, total, mapping, result, progress)
    else:
        try:
            with transaction.atomic():
                _import_rows(spec, _ImportRun(spec, ctx, sheet, mapping, result), rows, total, progress)
                if result.errors:
                    raise ImportAborted
        except ImportAborted:
            result.created = result.updated = result.skipped = 0
    if not result.errors:
        spec.record_import(ctx, result)
    return result


def _import_in_two_passes(spec: ImportSpec, ctx, sheet, rows, total, mapping, result, progress) -> None:
    """A bulk file is validated whole before anything is written, outside any transaction: the validated rows
    wait in an encrypted spool file (flat memory), and only the writing holds the database — on SQLite its one
    write lock, on both databases the audit chain's head. Validating a large file inside the writing
    transaction made every other user's save (and sign-in) wait for the whole import. Still all or nothing:
    the writes are one transaction, and a row refused while writing rolls them all back."""
    with _Spool() as spool:
        run = _ImportRun(spec, ctx, sheet, mapping, result, spool=spool)
        _import_rows(spec, run, rows, total, progress)
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


def _import_rows(spec: ImportSpec, run: _ImportRun, rows, total, progress) -> None:
    """Parse the rows and hand them on in chunks of `batch_size`, so memory stays flat in the file's length."""
    ctx, sheet, mapping, result = run.ctx, run.sheet, run.mapping, run.result
    seen_keys: dict[tuple, int] = {}
    chunk: list[tuple[int, dict]] = []
    done = 0
    for number, cells in rows:
        done += 1
        if progress and done % spec.progress_every == 0:
            progress(done, total)
        if all(parse_text(c) == "" for c in cells):
            continue
        result.total += 1
        data, row_errors = spec._row_data(sheet, number, cells, mapping)
        if row_errors:
            result.errors.extend(row_errors)
            continue
        data = spec.prepare(ctx, data)
        key = tuple(data.get(name) for name in spec.natural_key)
        if all(part not in (None, "") for part in key):
            if key in seen_keys:
                result.errors.append(RowError(sheet, number, "", "", _("与第%(row)d行重复") % {
                    "row": seen_keys[key]}))
                continue
            seen_keys[key] = number
        chunk.append((number, data))
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
    """Validating and writing one file's rows, a chunk at a time (see `ImportSpec.run_import`). With a spool, the
    rows are only validated here and written afterwards by `write_spooled`."""

    def __init__(self, spec: ImportSpec, ctx: ImportContext, sheet: str, mapping: dict[int, Column],
                 result: ImportResult, spool: _Spool | None = None) -> None:
        self.spec, self.ctx, self.sheet, self.mapping, self.result = spec, ctx, sheet, mapping, result
        self.spool = spool
        self.form_kwargs = spec.form_kwargs(ctx)
        self.validator = None
        if spec.bulk:
            from jinguo.core.forms import RowValidator

            self.validator = RowValidator(spec.form_class(**self.form_kwargs),
                                          present={column.field for column in mapping.values()})

    def process(self, chunk: list[tuple[int, dict]]) -> None:
        if not chunk:
            return
        spec, ctx, result = self.spec, self.ctx, self.result
        existing_rows = spec.find_existing_many(ctx, [data for _number, data in chunk])
        new_rows: list[Any] = []
        for (number, data), existing in zip(chunk, existing_rows, strict=True):
            bulk = existing is None and self.validator is not None
            form = (self.validator.validate(data) if bulk
                    else spec.form_class(data=data, instance=existing, **self.form_kwargs))
            if not form.is_valid():
                errors = spec._form_errors(self.sheet, number, form, self.mapping)
                result.errors.extend(spec.mask_errors(errors, data, spec._masks))
            elif existing is not None and ctx.existing == "skip":
                result.skipped += 1
            elif result.errors:
                continue  # validating only: nothing will be kept
            elif bulk:
                new_rows.append(spec.bulk_row(ctx, form))
            elif self.spool is not None:  # an update: validated again, against the record as it is then
                self.spool.put(("one", number, data, existing.pk if existing is not None else None))
            elif self._save_one(number, form):
                if existing is None:
                    result.created += 1
                else:
                    result.updated += 1
        if new_rows and not result.errors:
            if self.spool is not None:
                self.spool.put(("many", chunk[0][0], chunk[-1][0], new_rows))
            else:
                self._save_many(chunk[0][0], chunk[-1][0], new_rows)

    def write_spooled(self) -> None:
        """The writing pass of a two-pass import (inside its transaction)."""
        spec, ctx = self.spec, self.ctx
        for item in self.spool:
            if item[0] == "many":
                _kind, first, last, rows = item
                self._save_many(first, last, rows)
                continue
            _kind, number, data, pk = item
            existing = spec.base_queryset(ctx, "change").filter(pk=pk).first() if pk is not None else None
            form = spec.form_class(data=data, instance=existing, **self.form_kwargs)
            if not form.is_valid():
                errors = spec._form_errors(self.sheet, number, form, self.mapping)
                self.result.errors.extend(spec.mask_errors(errors, data, spec._masks))
            elif self._save_one(number, form):
                if existing is None:
                    self.result.created += 1
                else:
                    self.result.updated += 1

    def _save_one(self, number: int, form: forms.ModelForm) -> bool:
        try:
            with transaction.atomic():
                obj = self.spec.save(self.ctx, form)
                self.spec.after_save(self.ctx, obj)
        except (ValidationError, PermissionDenied) as exc:
            self.result.errors.append(RowError(self.sheet, number, "", "", _error_text(exc)))
            return False
        return True

    def _save_many(self, first: int, last: int, rows: list[Any]) -> None:
        try:
            with transaction.atomic():
                objs = self.spec.save_many(self.ctx, rows)
                self.spec.after_save_many(self.ctx, objs)
        except (ValidationError, PermissionDenied) as exc:
            self.result.errors.append(RowError(self.sheet, first, "", "", _("第%(first)d—%(last)d行：%(error)s") % {
                "first": first, "last": last, "error": _error_text(exc)}))
            return
        self.result.created += len(rows)



def _error_text(exc: Exception) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


