"""The Excel engine: one declared column spec per importable model gives its template, its import and its export.

template  → .xlsx with Chinese headers (required ones marked *), drop-downs from the code tables and a 填写说明 sheet
import    → parse with calamine, validate every row through the model's own form, collect every error as
            (sheet, row as Excel shows it, column, reason), and commit all or nothing
export    → the same columns, streamed with XlsxWriter, so an export re-imports unchanged

Rows already present (by natural key) are skipped, or updated when asked (`existing="update"`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO
from xml.etree import ElementTree

from django import forms
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from jinguo.core.models import CodeItem
from jinguo.core.xlsx import save_openpyxl

ProgressCallback = Callable[[int, int], None]

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d")
_HEADER_MARKS = re.compile(r"[*＊]|[（(]必填[)）]|\s+")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}\b)")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def normalize_header(text: Any) -> str:
    """'活动名称*', ' 活动名称（必填）' and '活动名称' are the same header; full-width brackets become half-width."""
    text = _HEADER_MARKS.sub("", str(text or ""))
    return text.replace("（", "(").replace("）", ")")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- Cell parsing ----------------------------------------------------------------------------------------------
class CellError(ValueError):
    """A value that cannot be read as its column's kind; the message is shown to the user."""


def parse_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # calamine reads 13800000000 as 13800000000.0
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        if 1 <= value < 2958466:  # an Excel serial number the reader did not convert
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(_("“%(value)s”不是日期") % {"value": parse_text(value)})
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s”不是有效日期，请写成 2025-03-01、2025/3/1 或 2025年3月1日") % {"value": text})


def parse_decimal(value: Any, *, unit: str = "") -> Decimal | None:
    """Exact numbers: '1,000', '500份' (the column's unit), 12.5; never '1000余' or '约500'."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise CellError(_("应为数字"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # The shortest repr round-trips what the user typed: 0.1, not 0.1000000000000000055.
        return _plain(Decimal(repr(value)))
    text = _THOUSANDS.sub("", str(value).strip())
    if unit and text.endswith(unit):
        text = text[: -len(unit)].strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s”不是确切的数字（请填写阿拉伯数字，不要写“余”“约”“近”等）")
                        % {"value": str(value).strip()}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s”不是确切的数字") % {"value": str(value).strip()})
    return _plain(number)


def _plain(number: Decimal) -> Decimal:
    """40.0 (how Excel stores 40) is the integer 40; 12.50 stays 12.50."""
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


def parse_int(value: Any, *, unit: str = "") -> int | None:
    number = parse_decimal(value, unit=unit)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("应为整数，“%(value)s”带有小数") % {"value": parse_text(value)})
    return int(number)


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
_FALSE = {"否", "无", "n", "no", "false", "0", "×", "✗"}


def parse_bool(value: Any) -> bool | None:
    text = parse_text(value).lower()
    if text == "":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("应填“是”或“否”"))


# --- Column specs ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of a workbook, bound to one form field."""

    header: str
    field: str
    kind: str = "text"  # text | int | decimal | date | bool | code | codes (several, 、-separated) | choice
    required: bool = False
    code_table: str = ""  # kind="code": slug of the code table whose names, codes and aliases are accepted
    choices: tuple[tuple[str, str], ...] = ()  # kind="choice": (value, label)
    aliases: tuple[str, ...] = ()  # other headers meaning the same column
    unit: str = ""  # numbers may carry this unit after them ("500份")
    help: str = ""
    width: int = 16
    exporter: Callable[[Any], Any] | None = None  # value written on export; default: the form field's value

    def accepts(self, header: str) -> bool:
        names = [self.header, *self.aliases]
        return normalize_header(header) in {normalize_header(n) for n in names}


_ID_OR_PHONE = re.compile(r"(?<![0-9])(?:\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?![0-9Xx])")


def _mask_identifiers(text: str) -> str:
    """An ID number or a mobile number quoted by an error text, in whatever column it was typed (an ID number put in
    the date column is still an ID number), masked: error texts are kept in the job and shown again."""
    from jinguo.core.idcard import mask_id_number, mask_phone

    return _ID_OR_PHONE.sub(lambda m: (mask_phone if len(m.group()) == 11 else mask_id_number)(m.group()), text)


@dataclass
class RowError:
    sheet: str
    row: int
    column: str  # Excel letter, "" for the row as a whole
    header: str
    message: str

    def __post_init__(self) -> None:
        self.header, self.message = str(self.header), _mask_identifiers(str(self.message))

    def __str__(self) -> str:
        place = _("工作表“%(sheet)s”第%(row)d行") % {"sheet": self.sheet, "row": self.row}
        if self.header:
            place += _("（%(col)s列“%(header)s”）") % {"col": self.column, "header": self.header}
        return f"{place}：{self.message}"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
                "message": self.message}


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportAborted(Exception):
    """Raised inside the import transaction to roll everything back."""


@dataclass
class ImportContext:
    """Who imports what into where. `user` is None on the command line (the operator acts for the unit)."""

    org: Any
    user: Any = None
    existing: str = "skip"  # skip | update
    period: str | None = None  # for kinds that import figures of one period

    def __post_init__(self) -> None:
        if self.existing not in ("skip", "update"):
            raise ValueError(self.existing)


_PERSONAL_COLUMNS = {"id_number", "abuser_id_number", "phone", "person_name", "address"}


def _mask_for(field_name: str) -> Callable[[str], str]:
    from jinguo.core import idcard

    for part, mask in (("id_number", idcard.mask_id_number), ("phone", idcard.mask_phone),
                       ("address", idcard.mask_address)):
        if part in field_name:
            return mask
    return idcard.mask_name


KIND_LABELS: dict[str, str] = {}  # import kind → its Chinese name, filled as each app's ImportSpec is defined


def kind_label(kind: str) -> str:
    """信访案件 for "petitions": how pages, messages and file names name an import kind."""
    return str(KIND_LABELS.get(kind, kind))


class ImportSpec:
    """Declare `kind`, `label`, `model`, `form_class`, `columns`, `natural_key`; override hooks where needed."""

    kind: str = ""
    label: str = ""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            KIND_LABELS[cls.kind] = cls.label
    model: type[models.Model]
    form_class: type[forms.ModelForm]
    columns: list[Column] = []
    natural_key: tuple[str, ...] = ()
    sheet_name: str = "数据"
    progress_every: int = 200

    def __init__(self) -> None:
        for attr in ("kind", "label", "model", "form_class", "columns", "natural_key"):
            if not getattr(self, attr, None):
                raise ImproperlyConfigured(f"{type(self).__name__} must declare {attr}")
        self._code_lookups: dict[str, dict[str, CodeItem]] = {}
        self._masks: dict[str, Callable[[str], str]] = {}

    # Hooks -------------------------------------------------------------------------------------------------------
    def columns_for(self, ctx: ImportContext) -> list[Column]:
        """The columns of this workbook (a spec with data-driven columns, like ledger measures, overrides this)."""
        return list(self.columns)

    def form_kwargs(self, ctx: ImportContext) -> dict:
        return {}

    def prepare(self, ctx: ImportContext, data: dict) -> dict:
        """Adjust the form data of a row before validation (fill the org, defaults …)."""
        return data

    def find_existing(self, ctx: ImportContext, data: dict) -> models.Model | None:
        """The stored record with this row's natural key, or None. Only records the importer can see count."""
        lookup = {name: data.get(name) for name in self.natural_key}
        if any(value in (None, "") for value in lookup.values()):
            return None
        return self.base_queryset(ctx, "change").filter(**lookup).first()

    def base_queryset(self, ctx: ImportContext, action: str = "view") -> models.QuerySet:
        manager = self.model._default_manager
        if ctx.user is not None:
            return manager.visible_to(ctx.user, action)
        return self.org_subtree(manager.all(), ctx.org)

    def org_subtree(self, queryset: models.QuerySet, org) -> models.QuerySet:
        field_name = getattr(self.model, "scope_org_field", "org")
        prefix = f"{field_name}__path" if field_name else "path"
        return queryset.filter(**{f"{prefix}__startswith": org.path})

    def find_existing_many(self, ctx: ImportContext, rows: list[dict]) -> list[models.Model | None]:
        """`find_existing` for a chunk of rows (a spec can answer with one query instead of one per row)."""
        return [self.find_existing(ctx, data) for data in rows]

    def save(self, ctx: ImportContext, form: forms.ModelForm) -> models.Model:
        return form.save()

    # Rows are read, prepared and checked a chunk of `batch_size` at a time. Without `bulk` a chunk is one row, so
    # a row may refer to one stored by an earlier row of the same file (an org unit's parent). A spec with
    # `bulk = True` validates its new rows with one RowValidator and writes them a chunk at a time through
    # `save_many` (which must audit what it writes); rows updating stored records still go one by one through
    # `save`, so their audit entries keep the usual before/after diff.
    bulk: bool = False
    batch_size: int = 1

    def bulk_row(self, ctx: ImportContext, form: forms.ModelForm) -> Any:
        """What `save_many` needs of one validated new row, taken before the validator moves to the next row."""
        raise NotImplementedError

    def save_many(self, ctx: ImportContext, rows: list[Any]) -> list[models.Model]:
        """Write the chunk's new rows (from `bulk_row`), audited; return the records in the same order."""
        raise NotImplementedError

    def after_save_many(self, ctx: ImportContext, objs: list[models.Model]) -> None:
        """`after_save` for a chunk written by `save_many`: one scope re-check for the whole chunk."""
        if ctx.user is not None and objs:
            from jinguo.core.scope import recheck_visible_many

            recheck_visible_many(objs, ctx.user, "change")

    def after_save(self, ctx: ImportContext, obj: models.Model) -> None:
        """Inside the transaction, after each row: the scope re-check for web and API imports."""
        if ctx.user is not None:
            from jinguo.core.scope import recheck_visible

            recheck_visible(obj, ctx.user, "change")

    def export_queryset(self, ctx: ImportContext, date_from: dt.date | None = None,
                        date_to: dt.date | None = None) -> models.QuerySet:
        return self.base_queryset(ctx, "export")

    # Personal data in error texts --------------------------------------------------------------------------------
    def personal_masks(self, ctx: ImportContext) -> dict[str, Callable[[str], str]]:
        """Form field → mask, for the columns holding personal data (the model's encrypted fields and the people
        registries' person columns). Their values appear in stored error texts only masked."""
        from jinguo.core.fields import EncryptedTextField

        encrypted = {f.name for f in self.model._meta.get_fields() if isinstance(f, EncryptedTextField)}
        masks = {}
        for column in self.columns_for(ctx):
            if column.field in encrypted or column.field in _PERSONAL_COLUMNS:
                masks[column.field] = _mask_for(column.field)
        return masks

    def mask_errors(self, errors: list[RowError], values: dict[str, Any], masks: dict[str, Callable[[str], str]]
                    ) -> list[RowError]:
        """Replace every personal value of the row that an error text repeats by its mask."""
        secrets = [(text, masks[name](text)) for name, value in values.items()
                   if name in masks and len(text := parse_text(value)) >= 2]
        if secrets:
            secrets.sort(key=lambda pair: -len(pair[0]))
            for error in errors:
                for text, masked in secrets:
                    error.message = error.message.replace(text, masked)
        return errors

    # Cells -------------------------------------------------------------------------------------------------------
    def code_lookup(self, table: str) -> dict[str, CodeItem]:
        if table not in self._code_lookups:
            self._code_lookups[table] = CodeItem.objects.lookup(table)
        return self._code_lookups[table]

    def allowed_values(self, column: Column) -> list[str]:
        if column.kind in ("code", "codes"):
            return list(CodeItem.objects.of(column.code_table).values_list("name", flat=True))
        if column.kind == "choice":
            return [str(label) for _value, label in column.choices]
        if column.kind == "bool":
            return [_("是"), _("否")]
        return []

    def parse_cell(self, column: Column, value: Any) -> Any:
        """Cell value → form data value (pk for codes, ISO date, plain number), or CellError."""
        if column.kind == "date":
            parsed = parse_date(value)
            return parsed.isoformat() if parsed else ""
        if column.kind == "int":
            number = parse_int(value, unit=column.unit)
            return "" if number is None else str(number)
        if column.kind == "decimal":
            number = parse_decimal(value, unit=column.unit)
            return "" if number is None else str(number)
        if column.kind == "bool":
            flag = parse_bool(value)
            return "" if flag is None else ("true" if flag else "false")
        text = parse_text(value)
        if column.kind == "codes":
            from jinguo.core.text import split_list

            lookup, pks, unknown = self.code_lookup(column.code_table), [], []
            for part in split_list(text):
                item = lookup.get(part)
                (pks.append(str(item.pk)) if item else unknown.append(part))
            if unknown:
                raise CellError(_("“%(value)s”不在可选值中，可选：%(allowed)s") % {
                    "value": "、".join(unknown), "allowed": "、".join(self.allowed_values(column))})
            return pks
        if column.kind == "code" and text:
            item = self.code_lookup(column.code_table).get(text)
            if item is None:
                raise CellError(_("“%(value)s”不在可选值中，可选：%(allowed)s") % {
                    "value": text, "allowed": "、".join(self.allowed_values(column))})
            return str(item.pk)
        if column.kind == "choice" and text:
            for choice_value, label in column.choices:
                if text in (choice_value, str(label)):
                    return choice_value
            raise CellError(_("“%(value)s”不在可选值中，可选：%(allowed)s") % {
                "value": text, "allowed": "、".join(self.allowed_values(column))})
        return text

    def export_cell(self, column: Column, obj: models.Model) -> Any:
        if column.exporter is not None:
            return column.exporter(obj)
        value = getattr(obj, column.field, None)
        if column.kind == "choice":
            return dict(column.choices).get(value, value)
        if isinstance(value, models.Model):
            return str(value)
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() and column.kind == "int" else float(value)
        return value

    # Reading -----------------------------------------------------------------------------------------------------
    def read_rows(self, file: BinaryIO | str) -> tuple[str, Iterator[tuple[int, list[Any]]], int]:
        """(sheet name, iterator of (Excel row number, cells), data-row count) of the data sheet.

        The sheet's real extent is checked against the caps before calamine opens it (see core/xlsxscan.py), and
        its rows are handed out one at a time instead of as one list of every cell.
        """
        import zipfile

        from django.conf import settings
        from python_calamine import CalamineWorkbook

        from jinguo.core.xlsxscan import NotXlsx, safe_package, scan_sheet, sheet_paths

        max_rows, max_columns = settings.JINGUO_IMPORT_MAX_ROWS, settings.JINGUO_IMPORT_MAX_COLUMNS
        if not isinstance(file, str) and not (hasattr(file, "seekable") and file.seekable()):
            file = io.BytesIO(file.read())
        checked = tempfile.SpooledTemporaryFile(max_size=32 << 20, dir=_tmpdir())
        try:
            with zipfile.ZipFile(file) as archive:
                paths = sheet_paths(archive)
                if not paths:
                    raise CellError(_("工作簿中没有工作表"))
                name = self.sheet_name if self.sheet_name in paths else next(iter(paths))
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

    def match_headers(self, ctx: ImportContext, sheet: str, header_row: list[Any]
                      ) -> tuple[dict[int, Column], list[RowError]]:
        columns = self.columns_for(ctx)
        found: dict[int, Column] = {}
        errors: list[RowError] = []
        for index, raw in enumerate(header_row):
            text = parse_text(raw)
            if not text:
                continue
            column = next((c for c in columns if c.accepts(text)), None)
            if column is None:
                column = self.unknown_header(ctx, text)
            if column is None:
                errors.append(RowError(sheet, 1, column_letter(index), text, _("未知的列，可用的列：%(cols)s") % {
                    "cols": "、".join(str(c.header) for c in columns)}))
            elif column in found.values():
                errors.append(RowError(sheet, 1, column_letter(index), text, _("列重复")))
            else:
                found[index] = column
        for column in columns:
            if column.required and column not in found.values():
                errors.append(RowError(sheet, 1, "", column.header, _("缺少必填列“%(header)s”") % {
                    "header": column.header}))
        return found, errors

    def unknown_header(self, ctx: ImportContext, header: str) -> Column | None:
        """A hook for columns created from data (ledger measures); None means the header is an error."""
        return None

    # Import ------------------------------------------------------------------------------------------------------
    def run_import(self, file: BinaryIO | str, ctx: ImportContext,
                   progress: ProgressCallback | None = None) -> ImportResult:
        """Validate every row; write them all in one transaction, or nothing if any row has an error."""
        result = ImportResult()
        try:
            sheet, rows, total = self.read_rows(file)
        except CellError as exc:
            result.errors.append(RowError("", 0, "", "", str(exc)))
            return result
        header = next(rows, None)
        if header is None:
            result.errors.append(RowError(sheet, 1, "", "", _("工作表是空的")))
            return result
        self._masks = self.personal_masks(ctx)
        mapping, header_errors = self.match_headers(ctx, sheet, header[1])
        result.errors = header_errors
        if any(not e.column for e in header_errors):
            return result  # a required column is missing: every row would fail for it
        # Unknown columns are reported and ignored, and every row is still validated.
        if self.bulk:
            self._import_in_two_passes(ctx, sheet, rows, total, mapping, result, progress)
        else:
            try:
                with transaction.atomic():
                    self._import_rows(_ImportRun(self, ctx, sheet, mapping, result), rows, total, progress)
                    if result.errors:
                        raise ImportAborted
            except ImportAborted:
                result.created = result.updated = result.skipped = 0
        if not result.errors:
            self.record_import(ctx, result)
        return result

    def _import_in_two_passes(self, ctx, sheet, rows, total, mapping, result, progress) -> None:
        """A bulk file is validated whole before anything is written, outside any transaction: the validated rows
        wait in an encrypted spool file (flat memory), and only the writing holds the database — on SQLite its one
        write lock, on both databases the audit chain's head. Validating a large file inside the writing
        transaction made every other user's save (and sign-in) wait for the whole import. Still all or nothing:
        the writes are one transaction, and a row refused while writing rolls them all back."""
        with _Spool() as spool:
            run = _ImportRun(self, ctx, sheet, mapping, result, spool=spool)
            self._import_rows(run, rows, total, progress)
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

    def _import_rows(self, run: _ImportRun, rows, total, progress) -> None:
        """Parse the rows and hand them on in chunks of `batch_size`, so memory stays flat in the file's length."""
        ctx, sheet, mapping, result = run.ctx, run.sheet, run.mapping, run.result
        seen_keys: dict[tuple, int] = {}
        chunk: list[tuple[int, dict]] = []
        done = 0
        for number, cells in rows:
            done += 1
            if progress and done % self.progress_every == 0:
                progress(done, total)
            if all(parse_text(c) == "" for c in cells):
                continue
            result.total += 1
            data, row_errors = self._row_data(sheet, number, cells, mapping)
            if row_errors:
                result.errors.extend(row_errors)
                continue
            data = self.prepare(ctx, data)
            key = tuple(data.get(name) for name in self.natural_key)
            if all(part not in (None, "") for part in key):
                if key in seen_keys:
                    result.errors.append(RowError(sheet, number, "", "", _("与第%(row)d行重复") % {
                        "row": seen_keys[key]}))
                    continue
                seen_keys[key] = number
            chunk.append((number, data))
            if len(chunk) >= self.batch_size:
                run.process(chunk)
                chunk = []
        run.process(chunk)
        if progress:
            progress(total, total)

    def _row_data(self, sheet: str, number: int, cells: list[Any], mapping: dict[int, Column]
                  ) -> tuple[dict, list[RowError]]:
        data: dict[str, Any] = {}
        errors: list[RowError] = []
        for index, column in mapping.items():
            value = cells[index] if index < len(cells) else None
            try:
                parsed = self.parse_cell(column, value)
            except CellError as exc:
                errors.append(RowError(sheet, number, column_letter(index), column.header, str(exc)))
                continue
            if column.required and parsed in ("", None, []):
                errors.append(RowError(sheet, number, column_letter(index), column.header, _("必填")))
                continue
            data[column.field] = parsed
        if errors and self._masks:
            self.mask_errors(errors, {column.field: cells[index] if index < len(cells) else None
                                      for index, column in mapping.items()}, self._masks)
        return data, errors

    def _form_errors(self, sheet: str, number: int, form: forms.Form, mapping: dict[int, Column]) -> list[RowError]:
        by_field = {column.field: (index, column) for index, column in mapping.items()}
        errors = []
        for field_name, messages in form.errors.items():
            index_column = by_field.get(field_name)
            text = "；".join(str(m) for m in messages)
            if index_column is None:
                label = "" if field_name == "__all__" else str(form.fields[field_name].label or field_name)
                errors.append(RowError(sheet, number, "", label, text))
            else:
                index, column = index_column
                errors.append(RowError(sheet, number, column_letter(index), column.header, text))
        return errors

    def record_import(self, ctx: ImportContext, result: ImportResult) -> None:
        from jinguo.core.changelog import record_event
        from jinguo.core.events import Event

        record_event(Event.IMPORTED, org=ctx.org, object_repr=str(self.label),
                     data={"kind": self.kind, "rows": result.total, "created": result.created,
                           "updated": result.updated, "skipped": result.skipped})

    # Template ----------------------------------------------------------------------------------------------------
    def template(self, ctx: ImportContext) -> bytes:
        """The blank workbook users fill in: headers, drop-downs, date formats and a 填写说明 sheet."""
        from openpyxl import Workbook
        from openpyxl.comments import Comment
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.worksheet.datavalidation import DataValidation

        columns = self.columns_for(ctx)
        book = Workbook()
        sheet = book.active
        sheet.title = self.sheet_name
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
            allowed = self.allowed_values(column) if column.kind != "codes" else []
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
            allowed = self.allowed_values(column)
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

    # Export ------------------------------------------------------------------------------------------------------
    def export_rows(self, ctx: ImportContext, columns: list[Column], queryset: Iterable[models.Model]
                    ) -> Iterator[list[Any]]:
        """The cells of each exported row, in `columns` order (a spec may read plain values instead of records)."""
        iterator = queryset.iterator(chunk_size=2000) if hasattr(queryset, "iterator") else queryset
        for obj in iterator:
            yield [self.export_cell(column, obj) for column in columns]

    def export(self, ctx: ImportContext, queryset: Iterable[models.Model], out: BinaryIO) -> int:
        """Stream rows into `out` with the import's own headers; returns how many rows were written.

        Written through `jinguo.core.xlsx`: text stays text (never a formula), whatever it starts with."""
        from jinguo.core import xlsx

        columns = self.columns_for(ctx)
        book = xlsx.workbook(out, in_memory=False, tmpdir=_tmpdir())
        sheet = book.add_worksheet(self.sheet_name)
        bold = book.add_format({"bold": True, "bg_color": "#FCE4EC"})
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width, date_format if column.kind == "date" else None)
            sheet.write_string(0, index, str(column.header), bold)
        count = 0
        write_row = xlsx.write_row
        for count, values in enumerate(self.export_rows(ctx, columns, queryset), start=1):
            write_row(sheet, count, values, None, date_format)
        sheet.freeze_panes(1, 0)
        book.close()
        return count


class _Spool:
    """Validated rows waiting to be written, in a temporary file under var/tmp: each item pickled and encrypted
    (they hold personal data), read back in order once. Our own authenticated ciphertext, so unpickling it
    trusts nothing from outside."""

    def __enter__(self) -> _Spool:
        import tempfile

        self.file = tempfile.TemporaryFile(dir=_tmpdir())
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


def _out_of_range(sheet: str, ref: str, max_rows: int, max_columns: int) -> str:
    return _("工作表“%(sheet)s”的单元格 %(ref)s 超出导入范围（最多 %(rows)s 行、%(cols)s 列），"
             "请删除表格以外的内容后重新上传") % {"sheet": sheet, "ref": ref, "rows": f"{max_rows:,}",
                                                "cols": f"{max_columns:,}"}


def _error_text(exc: Exception) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _tmpdir() -> str:
    from django.conf import settings

    path = settings.VAR_DIR / "tmp"
    path.mkdir(exist_ok=True)
    return str(path)


def annotated_workbook(original: BinaryIO, errors: list[dict]) -> bytes:
    """The uploaded workbook with every bad cell filled red and commented with its error."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    book = load_workbook(original)
    bad = PatternFill("solid", fgColor="FFC7CE")
    notes: dict[tuple[str, str], list[str]] = {}
    for error in errors:
        if not error.get("sheet") or not error.get("row"):
            continue
        cell_ref = f"{error['column'] or 'A'}{error['row']}"
        notes.setdefault((error["sheet"], cell_ref), []).append(
            (f"{error['header']}：" if error["header"] and not error["column"] else "") + error["message"])
    for (sheet_name, ref), messages in notes.items():
        if sheet_name not in book.sheetnames:
            continue
        cell = book[sheet_name][ref]
        cell.fill = bad
        cell.comment = Comment("\n".join(messages), "jinguo", width=300, height=120)
    return save_openpyxl(book)  # the upload's own formulas, and text read as one, go back as text
