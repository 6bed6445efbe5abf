"""Column specs and the ImportSpec core: what an import kind declares, how a cell becomes form data, how headers
are matched, the result and error types. Reading files (read.py), running an import (run.py), the template
(template.py) and the export (export.py) live beside it; ImportSpec's methods for those delegate there."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext as _

from jinguo.core.excel.cells import (
    NAME_FIELDS,
    CellError,
    column_letter,
    loose_header,
    normalize_header,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
    plain_value,
    rank_free,
    refuse_numeric_id_number,
    shown,
    squeezed_name,
    without_unit,
)
from jinguo.core.models import CodeItem

ProgressCallback = Callable[[int, int], None]


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
    aliases: tuple[str, ...] = ()  # other headers meaning the same column (synonyms, declared per kind)
    synonyms: tuple[tuple[str, str], ...] = ()  # kind="choice": (as people write it, value): ("已办结", "closed")
    unit: str = ""  # numbers may carry this unit after them ("500份")
    help: str = ""
    width: int = 16
    exporter: Callable[[Any], Any] | None = None  # value written on export; default: the form field's value
    # Set on the copy a sheet's column is read with (read.SheetTable), not declared: a bare number times `scale`
    # (贷款金额（万元） read into 元), and the year of a date written without one (3月5日 under a 2025年 title).
    scale: int = 1
    year: int | None = None

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
    """One problem of a file, where the clerk finds it: the sheet, the row as Excel shows it, the column letter and
    the column's header as the file writes it (问题类型), with the system's name for it (问题类别) in `label` when
    the two differ — an error names the column she can see, not one she has never heard of."""

    sheet: str
    row: int
    column: str  # Excel letter, "" for the row as a whole
    header: str  # the file's own header for a column of the file; the system's name for a field the file lacks
    message: str
    label: str = ""  # the system's name of the column, when the file's header differs from it

    def __post_init__(self) -> None:
        self.header, self.label = str(self.header), str(self.label)
        self.message = _mask_identifiers(str(self.message))

    @property
    def column_name(self) -> str:
        """“问题类型”（问题类别）: the file's header, and the system's name when it differs."""
        if not self.header:
            return ""
        return f"“{self.header}”" + (f"（{self.label}）" if self.label else "")

    def __str__(self) -> str:
        if not self.sheet and not self.row:  # the file as a whole (unreadable, no table …)
            return self.message
        place = _("工作表“%(sheet)s”第%(row)d行") % {"sheet": self.sheet, "row": self.row}
        if self.column and self.header:
            place += _(" %(col)s列%(name)s") % {"col": self.column, "name": self.column_name}
        elif self.header:
            place += self.column_name
        return f"{place}：{self.message}"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
                "label": self.label, "message": self.message}


def file_headers(errors: list[RowError], tables: Iterable[Any]) -> None:
    """Name each error's column as the file does (read.SheetTable's source columns): 问题类型, with 问题类别 as its
    label, where the errors were made with the system's names. A header that only differs by marks (登记日期*) is
    the system's own; one that only lacks the unit (发放资料 for 发放资料(份)) needs no label."""
    sources = {(table.name, c.letter): c for table in tables for c in table.columns if c.field}
    if not sources:
        return
    for error in errors:
        source = sources.get((error.sheet, error.column)) if error.column else None
        if source is None or not source.header:
            continue
        written, system = normalize_header(source.header), normalize_header(source.label)
        if written == system:
            error.header, error.label = source.label, ""
        elif written == without_unit(system):  # 发放资料 for 发放资料(份): the unit adds nothing to say
            error.header, error.label = source.header, ""
        else:
            error.header, error.label = source.header, source.label


@dataclass
class Notice:
    """Something the clerk must know about the records just imported, beyond the counts (the result page shows it as
    a warning with its link, the command line prints the text): 12 imported cases still open, 5 of them overdue."""

    text: str
    url: str = ""  # a list filtered to those records, when there is one
    link: str = ""  # the link's words

    def as_dict(self) -> dict:
        return {"text": self.text, "url": self.url, "link": self.link}


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)  # the sheets read as tables
    ignored_columns: list[str] = field(default_factory=list)  # headers of the columns not imported (序号、备注 …)
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)  # (sheet, why)
    skipped_rows: dict[str, int] = field(default_factory=dict)  # why → how many: blank, total, footer
    tallies: dict[str, int] = field(default_factory=dict)  # what a spec counts of the records written (`tally`)
    notices: list[Notice] = field(default_factory=list)  # what the clerk must know of them (`ImportSpec.notices`)

    def notes(self) -> list[str]:
        """What was left out of the file, in words for the result page and the command line."""
        notes = []
        if self.ignored_columns:
            notes.append(_("已忽略的列：%(cols)s") % {"cols": "、".join(self.ignored_columns)})
        labels = {"blank": _("空行"), "total": _("合计行"), "footer": _("表尾（填表人、审核人、注）")}
        counted = [_("%(what)s %(n)d 行") % {"what": labels.get(k, k), "n": n}
                   for k, n in self.skipped_rows.items() if n]
        if counted:
            notes.append(_("已跳过：%(rows)s") % {"rows": "，".join(counted)})
        for sheet, reason in self.skipped_sheets:
            notes.append(_("未读取工作表“%(sheet)s”：%(reason)s") % {"sheet": sheet, "reason": reason})
        return notes

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


_UNPARSED = object()

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
        self._parsed_cells: dict[tuple, Any] = {}  # (field, type, cell) → parsed value or CellError, per file

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
    personal_fields: tuple[str, ...] = ()  # form fields of personal data beyond the model's encrypted ones: masked
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
        """Form field → mask, for the columns holding personal data (the model's encrypted fields, the people
        registries' person columns and a spec's `personal_fields`: a case's petitioner columns). Their values
        appear in stored error texts only masked."""
        from jinguo.core.fields import EncryptedTextField

        encrypted = {f.name for f in self.model._meta.get_fields() if isinstance(f, EncryptedTextField)}
        masks = {}
        for column in self.columns_for(ctx):
            if column.field in encrypted or column.field in _PERSONAL_COLUMNS or column.field in self.personal_fields:
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

    def code_item(self, column: Column, text: str) -> CodeItem | None:
        """The code-table item a cell names: its name, code or an alias, as written or with stray spaces,
        full-width characters and a 类 suffix dropped (婚姻家庭类 → 婚姻家庭)."""
        lookup = self.code_lookup(column.code_table)
        item = lookup.get(text)
        if item is None:
            plain = plain_value(text)
            item = lookup.get(plain) or lookup.get(loose_header(plain))
        return item

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
        if column.field.endswith("id_number"):
            refuse_numeric_id_number(value)
        if column.kind == "date":
            parsed = parse_date(value, year=column.year)
            return parsed.isoformat() if parsed else ""
        if column.kind == "int":
            number = parse_int(value, unit=column.unit, scale=column.scale)
            return "" if number is None else str(number)
        if column.kind == "decimal":
            if column.unit == "%" and isinstance(value, float) and 0 < value <= 1:
                # 100% typed into a cell formatted as a percentage is stored as 1: read as 1 it would be 1%.
                raise CellError(_("“%(value)s”：本列按百分数填写，100%% 请填 100；若单元格设成了百分比格式，请改为常规"
                                  "格式后重新填写") % {"value": parse_text(value)})
            number = parse_decimal(value, unit=column.unit, scale=column.scale)
            return "" if number is None else str(number)
        if column.kind == "bool":
            flag = parse_bool(value)
            return "" if flag is None else ("true" if flag else "false")
        text = parse_text(value)
        if column.field in NAME_FIELDS:
            text = squeezed_name(text)
        if column.kind == "codes":
            from jinguo.core.text import split_list

            lookup, pks, unknown = self.code_lookup(column.code_table), [], []
            for part in split_list(text):
                item = lookup.get(part) or self.code_item(column, part)
                (pks.append(str(item.pk)) if item else unknown.append(part))
            if unknown:
                raise CellError(_("“%(value)s”不在可选值中，可选：%(allowed)s") % {
                    "value": "、".join(unknown), "allowed": "、".join(self.allowed_values(column))})
            return pks
        if column.kind == "code" and text:
            item = self.code_item(column, text)
            if item is None:
                raise CellError(_("“%(value)s”不在可选值中，可选：%(allowed)s") % {
                    "value": text, "allowed": "、".join(self.allowed_values(column))})
            return str(item.pk)
        if column.kind == "choice" and text:
            plain = plain_value(text)
            for choice_value, label in column.choices:
                if text in (choice_value, str(label)) or plain in (choice_value, plain_value(label)):
                    return choice_value
            for written, choice_value in column.synonyms:
                if plain == plain_value(written):
                    return choice_value
            bare = loose_header(plain)  # 婚姻家庭类 → 婚姻家庭
            for choice_value, label in column.choices:
                if bare and bare == loose_header(label):
                    return choice_value
            ranked = rank_free(plain)  # 县（区）级, 县 → 县级; 已办结（调解） → 已办结
            if ranked:
                for choice_value, label in column.choices:
                    if ranked == rank_free(plain_value(label)):
                        return choice_value
                for written, choice_value in column.synonyms:
                    if ranked == rank_free(plain_value(written)):
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
        """(sheet name, iterator of (Excel row number, cells), data-row count) of the data sheet (see read.py)."""
        from jinguo.core.excel.read import read_rows

        return read_rows(file, sheet_name=self.sheet_name)

    # Headers -----------------------------------------------------------------------------------------------------
    ignored_headers: tuple[str, ...] = ("序号", "编号", "备注", "说明")  # ignored unless a column claims them

    def match_header(self, ctx: ImportContext, columns: list[Column], text: str) -> tuple[Column | None, str]:
        """(column, how) for one header text: exact (the column's header), synonym (a declared alias, or a column
        the spec makes from data), loose (after dropping a unit in brackets and a 类 suffix); (None, "ignored")."""
        index = self._header_index(columns)
        key = normalize_header(text)
        if not key:
            return None, "ignored"
        if key in index[0]:
            return index[0][key]
        column = self.unknown_header(ctx, text)
        if column is not None:
            return column, "synonym"
        if key in {normalize_header(h) for h in self.ignored_headers}:
            return None, "ignored"
        loose = index[1].get(loose_header(text))
        if loose is not None:
            return loose, "loose"
        return None, "ignored"

    def _header_index(self, columns: list[Column]) -> tuple[dict[str, tuple[Column, str]], dict[str, Column]]:
        cached = getattr(self, "_header_cache", None)
        if cached is not None and cached[0] is columns:
            return cached[1]
        exact: dict[str, tuple[Column, str]] = {}
        loose: dict[str, Column] = {}
        for column in columns:
            exact.setdefault(normalize_header(column.header), (column, "exact"))
        for column in columns:
            for alias in column.aliases:
                exact.setdefault(normalize_header(alias), (column, "synonym"))
        for column in columns:
            for name in (column.header, *column.aliases):
                loose.setdefault(loose_header(name), column)
        self._header_cache = (columns, (exact, loose))
        return exact, loose

    def unknown_header(self, ctx: ImportContext, header: str) -> Column | None:
        """A hook for columns created from data (ledger measures); None means the header is an error."""
        return None

    # Import ------------------------------------------------------------------------------------------------------
    def run_import(self, file: BinaryIO | str, ctx: ImportContext, progress: ProgressCallback | None = None, *,
                   detection: Any = None, sheet: str | None = None, header_row: int | None = None,
                   mapping: dict[str, str | None] | None = None) -> ImportResult:
        """Validate every row; write them all in one transaction, or nothing if any row has an error (run.py).
        `detection` (read.Detection, as the user confirmed it), or `sheet`, `header_row`, `mapping` to steer the
        detection (see read.detect)."""
        from jinguo.core.excel.run import run_import

        return run_import(self, file, ctx, progress, detection=detection, sheet=sheet, header_row=header_row,
                          mapping=mapping)

    def detect(self, file: BinaryIO | str, ctx: ImportContext, *, sheet: str | None = None,
               header_row: int | None = None, mapping: dict[str, str | None] | None = None) -> Any:
        """Where the file's tables are and how their columns match (read.detect → read.Detection)."""
        from jinguo.core.excel.read import detect

        return detect(file, self, ctx, sheet=sheet, header_row=header_row, mapping=mapping)

    def absent_defaults(self, present: set[str]) -> dict[str, str]:
        """Form data for the model fields with a default that the file has no column for (贴息比例 when a loans
        ledger lacks it): the model's default, as if the form had been shown with it."""
        from django.core.exceptions import FieldDoesNotExist

        defaults: dict[str, str] = {}
        for name in self.form_class._meta.fields or ():
            if name in present:
                continue
            try:
                model_field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if getattr(model_field, "concrete", False) and model_field.has_default() and not model_field.many_to_many:
                value = model_field.get_default()
                if value is not None and not isinstance(value, models.Model):
                    defaults[name] = str(value)
        return defaults

    def _row_data(self, sheet: str, number: int, cells: list[Any], mapping: dict[int, Column]
                  ) -> tuple[dict, list[RowError]]:
        data: dict[str, Any] = {}
        errors: list[RowError] = []
        parsed_before = self._parsed_cells
        for index, column in mapping.items():
            value = cells[index] if index < len(cells) else None
            # A column holds few distinct values (dates, categories, figures): each is parsed once per file.
            key = (column.field, column.scale, column.year, value.__class__, value)
            try:
                parsed = parsed_before.get(key, _UNPARSED)
            except TypeError:  # not a value calamine hands out: parsed, not remembered
                key, parsed = None, _UNPARSED
            if parsed is _UNPARSED:
                try:
                    parsed = self.parse_cell(column, value)
                except CellError as exc:
                    parsed = exc
                if len(parsed_before) >= 50_000:
                    parsed_before.clear()
                if key is not None and not isinstance(parsed, list):  # lists (several codes) are the row's own
                    parsed_before[key] = parsed
            if isinstance(parsed, CellError):
                errors.append(RowError(sheet, number, column_letter(index), column.header, str(parsed)))
                continue
            if column.required and parsed in ("", None, []):
                errors.append(RowError(sheet, number, column_letter(index), column.header, _("必填")))
                continue
            if parsed == "" and column.field in self._blank_defaults():
                parsed = self._blank_defaults()[column.field]  # an empty cell is as the column left out: 贴息比例 100
            data[column.field] = parsed
        if errors and self._masks:
            self.mask_errors(errors, {column.field: cells[index] if index < len(cells) else None
                                      for index, column in mapping.items()}, self._masks)
        return data, errors

    def _blank_defaults(self) -> dict[str, str]:
        """`absent_defaults` of every field, read once per file: what an empty cell of a column with a default
        stands for."""
        cells = self._parsed_cells
        if "_blank_defaults" not in cells:
            cells["_blank_defaults"] = self.absent_defaults(set())
        return cells["_blank_defaults"]

    def _form_errors(self, sheet: str, number: int, form: forms.Form, mapping: dict[int, Column],
                     cells: list[Any] | None = None) -> list[RowError]:
        """The form's errors as RowErrors on their columns; each error of a column the file has quotes what its cell
        held (`cells`, the row as read), masked for personal data, unless the message already does."""
        by_field = {column.field: (index, column) for index, column in mapping.items()}
        errors = []
        for field_name, messages in form.errors.items():
            index_column = by_field.get(field_name)
            text = "；".join(str(m) for m in messages)
            if index_column is None:
                form_field = form.fields.get(field_name)
                label = "" if field_name == "__all__" else str(getattr(form_field, "label", "") or field_name)
                errors.append(RowError(sheet, number, "", label, text))
            else:
                index, column = index_column
                if cells is not None:
                    text = self._quoting(column, cells[index] if index < len(cells) else None, text,
                                         form.data.get(field_name) if hasattr(form.data, "get") else None)
                errors.append(RowError(sheet, number, column_letter(index), column.header, text))
        return errors

    QUOTED_CHARS = 40  # a longer cell is quoted by its start

    def _quoting(self, column: Column, value: Any, message: str, parsed: Any = None) -> str:
        """登记日期不能晚于今天（所填为“2099-03-05”）— the message with the cell's value, unless it quotes it already
        (as written, or as parsed: a date in ISO form, an ID number in canonical form)."""
        text = shown(value)
        if not text:
            return message
        spellings = [text] if column.kind in ("code", "codes") or parsed in (None, "", []) else [text, str(parsed)]
        if any(f"“{quoted}”" in message or (len(quoted) >= 6 and quoted in message) for quoted in spellings):
            return message
        mask = self._masks.get(column.field)
        if mask is not None:
            text = mask(text)
        if len(text) > self.QUOTED_CHARS:
            text = text[: self.QUOTED_CHARS] + "…"
        stop = "。" if message.endswith("。") else ""
        return _("%(message)s（所填为“%(value)s”）") % {"message": message.removesuffix("。"), "value": text} + stop

    def tally(self, ctx: ImportContext, result: ImportResult, objs: list[models.Model], *, created: bool) -> None:
        """After each chunk written (inside the import's transaction): count in `result.tallies` what `notices` will
        tell of the records. Nothing by default."""

    def notices(self, ctx: ImportContext, result: ImportResult) -> list[Notice]:
        """What the clerk must know of the records a successful import wrote, from `result.tallies` (imported
        petitions still open, some already overdue); none by default."""
        return []

    def record_import(self, ctx: ImportContext, result: ImportResult) -> None:
        from jinguo.core.changelog import record_event
        from jinguo.core.events import Event

        record_event(Event.IMPORTED, org=ctx.org, object_repr=str(self.label),
                     data={"kind": self.kind, "rows": result.total, "created": result.created,
                           "updated": result.updated, "skipped": result.skipped})

    # Template ----------------------------------------------------------------------------------------------------
    def template(self, ctx: ImportContext) -> bytes:
        """The blank workbook users fill in: headers, drop-downs, date formats and a 填写说明 sheet."""
        from jinguo.core.excel.template import template

        return template(self, ctx)

    # Export ------------------------------------------------------------------------------------------------------
    def export_rows(self, ctx: ImportContext, columns: list[Column], queryset: Iterable[models.Model]
                    ) -> Iterator[list[Any]]:
        """The cells of each exported row, in `columns` order (a spec may read plain values instead of records)."""
        iterator = queryset.iterator(chunk_size=2000) if hasattr(queryset, "iterator") else queryset
        for obj in iterator:
            yield [self.export_cell(column, obj) for column in columns]

    def export(self, ctx: ImportContext, queryset: Iterable[models.Model], out: BinaryIO) -> int:
        """Stream rows into `out` with the import's own headers; returns how many rows were written (export.py)."""
        from jinguo.core.excel.export import export

        return export(self, ctx, queryset, out)
