"""Base forms: every choice of an org-owned record or org unit is limited to what the user may see."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import django_filters.fields
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jinguo.core.fields import EncryptedTextField
from jinguo.core.idcard import mask_value
from jinguo.core.renderers import add_class
from jinguo.core.scope import ScopedQuerySet, ancestor_paths, org_model, tree_version
from jinguo.core.sql import CompiledQuery


class PersonalDataMixin:
    """Personal data never reaches the browser in clear through a form: the one rule for every encrypted value.

    Every field of the form that shows an encrypted value of the record is filled with the masked value
    (`110***********1234`); submitted back unchanged, the field cleans to the stored value (nothing is lost, no
    validation of the mask); anything else typed there is a new value and is validated as usual. Model fields of
    class `EncryptedTextField` are covered automatically; a form showing encrypted values of a related record
    names them in `personal_fields` (form field → dotted path from the instance, e.g. `"person.name"`).
    Seeing the clear value is a separate, logged unmask (`audit.services.reveal`), never a form.
    """

    personal_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.personal_stored: dict[str, str] = {}
        self._mask_personal_fields()

    def personal_sources(self) -> dict[str, str]:
        sources = {f.name: f.name for f in self._meta.model._meta.concrete_fields
                   if isinstance(f, EncryptedTextField) and f.name in self.fields}
        sources.update({name: path for name, path in self.personal_fields.items() if name in self.fields})
        return sources

    def _mask_personal_fields(self) -> None:
        if self.instance is None or self.instance.pk is None:
            return
        for name, path in self.personal_sources().items():
            value = self.instance
            for attr in path.split("."):
                value = getattr(value, attr, None) if value is not None else None
            if not value:
                continue
            masked = mask_value(path.rsplit(".", 1)[-1], str(value))
            self.personal_stored[name] = value
            self.initial[name] = masked
            field = self.fields[name]
            field.clean = _keep_when_masked(field.clean, masked, value)
            field.help_text = _("已脱敏显示；不修改则保留原值，重新填写则替换。")


def _keep_when_masked(clean, masked: str, stored):
    def keep(value):
        if isinstance(value, str) and value.strip() == masked:
            return stored
        return clean(value)

    return keep


class PersonalModelForm(PersonalDataMixin, forms.ModelForm):
    """A plain ModelForm (no scoped choices) over a model with encrypted fields."""


class ScopedModelForm(PersonalDataMixin, forms.ModelForm):
    """ModelForm whose foreign-key choices only offer records visible to `user` (the action is "view").

    Without a user (command line), choices are limited to the subtree of `org` when given.
    """

    def __init__(self, *args, user=None, org=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.scope_org = org
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if getattr(queryset, "org_scoped", False):
                field.queryset = self.limit_choices(queryset)
                if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
                    field.queryset = self.keep_current(name, field.queryset)
        self._bound_integers()
        if self.instance.pk is not None and hasattr(self.instance, "version"):
            # The version this page was drawn from travels with the form, so a save over someone else's newer
            # change is refused (core.models.EditConflict) instead of silently overwriting it.
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                                        initial=self.instance.version)

    def _bound_integers(self) -> None:
        """Whole-number fields keep to their column's portable range on every database: SQLite enforces none, so a
        headcount of 10^16 was saved there (and a time limit that large overflowed date arithmetic later) while
        PostgreSQL refused it."""
        from django.core.exceptions import FieldDoesNotExist
        from django.core.validators import MaxValueValidator, MinValueValidator
        from django.db.backends.base.operations import BaseDatabaseOperations

        from jinguo.core.fields import ScaledDecimalField

        ranges = BaseDatabaseOperations.integer_field_ranges
        for name, field in self.fields.items():
            if not isinstance(field, forms.IntegerField) or isinstance(field, forms.DecimalField):
                continue
            try:
                model_field = self._meta.model._meta.get_field(name)
            except FieldDoesNotExist:  # a form field of its own, bounded by the form
                continue
            if isinstance(model_field, ScaledDecimalField) or model_field.get_internal_type() not in ranges:
                continue
            low, high = ranges[model_field.get_internal_type()]
            if field.max_value is None or field.max_value > high:
                field.max_value = high
                field.validators.append(MaxValueValidator(high))
                field.widget.attrs["max"] = high
            if field.min_value is None or field.min_value < low:
                field.min_value = low
                field.validators.append(MinValueValidator(low))
                field.widget.attrs.setdefault("min", low)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version"):
            self.instance.version = cleaned["version"]
        return cleaned

    def keep_current(self, name: str, queryset):
        """The record's current choice stays a choice even where the user could not pick it: a unit's parent above
        the user's own unit, say. Without it, editing the county's own unit offered no parent, and saving it
        unchanged moved the county to the top of the tree."""
        current = self.instance.pk is not None and getattr(self.instance, f"{name}_id", None)
        if not current or queryset.filter(pk=current).exists():
            return queryset
        return queryset.model._default_manager.filter(Q(pk__in=queryset.values("pk")) | Q(pk=current))

    def limit_choices(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        if self.user is not None:
            return queryset.visible_to(self.user, "view")
        if self.scope_org is not None and isinstance(queryset, ScopedQuerySet):
            model = queryset.model
            prefix = f"{model.scope_org_field}__path" if model.scope_org_field else "path"
            # The unit itself and below, plus its ancestors (a parent may sit above the importing unit).
            ancestors = ancestor_paths(self.scope_org.path)
            return queryset.filter(Q(**{f"{prefix}__startswith": self.scope_org.path})
                                   | Q(**{f"{prefix}__in": ancestors}))
        return queryset


class ExactDecimalField(forms.DecimalField):
    """A DecimalField for exact figures that shows and takes them as people write them.

    Stored figures come back with their scale (300 people as Decimal("300.00")); shown as such, a count field
    (no decimals) then refused its own value as 应为整数 when the form was saved unchanged. A whole number is
    shown and read without trailing zeros ("300", and "300.00" is accepted as 300), so a form posted back
    unchanged is valid again."""

    @staticmethod
    def _whole(value):
        """300.00 → 300; anything else (12.50, a number too large for any figure, NaN) as it is, for the
        validators to judge."""
        if isinstance(value, Decimal) and value.is_finite() and value.adjusted() < 20 \
                and value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value

    def prepare_value(self, value):
        return self._whole(value)

    def to_python(self, value):
        return self._whole(super().to_python(value))


# The largest id a bigint column holds: anything beyond it is not an id, whatever the database would make of it.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A record's id given in a query string or form: a positive whole number, or a Chinese message naming the
    value. (Whether such a record exists, and is visible to the user, is the view's question: a 404.)"""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
        self.error_messages.update({
            "invalid": _("“%(value)s”不是有效的编号，应为正整数。"),
            "min_value": _("“%(value)s”不是有效的编号，应为正整数。"),
            "max_value": _("“%(value)s”不是有效的编号，应为正整数。"),
        })
        self.validators = []  # the messages above say it for every case, with the value

    def to_python(self, value):
        text = "" if value is None else str(value).strip()
        if text in self.empty_values:
            return None
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": text})
        return int(text)


PERIOD_PARTS = [("", _("全年")), ("H1", _("上半年")), ("H2", _("下半年")), ("Q1", _("第一季度")), ("Q2", _("第二季度")),
                ("Q3", _("第三季度")), ("Q4", _("第四季度")),
                *((f"M{m:02d}", _("%(m)d月") % {"m": m}) for m in range(1, 13))]


class PeriodWidget(forms.MultiWidget):
    """A period picked, not typed: a year select and a 全年/上半年/下半年/第一季度…/1月… select, posted as
    `<name>_year` and `<name>_part`. A plain `<name>=2025H1` (links, bookmarks, the API, scripts) is read too."""

    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, attrs=None) -> None:
        this_year = timezone.localdate().year
        years = [("", _("选择年份")), *((str(y), _("%(y)d年") % {"y": y}) for y in range(this_year + 1, 1999, -1))]
        year_attrs = {**(attrs or {}), "aria-label": _("年份")}
        part_attrs = {**(attrs or {}), "aria-label": _("期间")}
        super().__init__({"year": forms.Select(attrs=year_attrs, choices=years),
                          "part": forms.Select(attrs=part_attrs, choices=PERIOD_PARTS)})

    def decompress(self, value):
        from jinguo.core.periods import Period

        if not value:
            return [None, None]
        try:
            period = value if isinstance(value, Period) else Period.parse(str(value))
        except ValueError:
            return [None, None]
        part = "" if period.kind == "Y" else f"{period.kind}{period.number:02d}" if period.kind == "M" else (
            f"{period.kind}{period.number}")
        return [str(period.year), part]

    def value_from_datadict(self, data, files, name):
        if name in data:  # a period written out: ?period=2025H1
            return data.get(name)
        year = data.get(f"{name}_year") or ""
        part = data.get(f"{name}_part") or ""
        return f"{year}{part}" if year else ("" if not part else part)

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and f"{name}_year" not in data and f"{name}_part" not in data


class PeriodFormField(forms.CharField):
    """A reporting period (core.periods.Period) picked with `PeriodWidget` (or written 2025, 2025H1, 2025Q3,
    2025M03); cleans to a Period. The one field for every period on a form or filter."""

    widget = PeriodWidget

    def __init__(self, **kwargs) -> None:
        kwargs.pop("max_length", None)  # given by a model's PeriodField; the widget's values are short anyway
        super().__init__(**kwargs)

    def to_python(self, value):
        from jinguo.core.periods import Period

        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > 20:
            text = text[:20] + "…"  # named in the message; no period is that long
        try:
            return Period.parse(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None

    def prepare_value(self, value):
        return str(value) if value is not None else value

    def widget_attrs(self, widget) -> dict:
        return {}  # no maxlength/minlength on the selects


class PeriodTextFormField(PeriodFormField):
    """`PeriodFormField` for a model's PeriodField: cleans to the period's canonical text ('2025H1')."""

    def clean(self, value):
        period = super().clean(value)
        return str(period) if period is not None else ""


class UnitPeriodQueryForm(forms.Form):
    """The unit and period a statistics or report page is asked for (`?org=…&period=…`): one parser for all of
    them, so a junk value is a message saying which parameter and what was wrong, never a server error."""

    org = IdField(label=_("单位"), required=False)
    period = PeriodFormField(label=_("统计期"), required=False)

    def errors_text(self, field: str) -> str:
        """"单位（org）：“abc”不是有效的编号，应为正整数。" — what and where, for a page or a message."""
        return "；".join(f"{self.fields[field].label}（{field}）：{error}" for error in self.errors.get(field, []))


class CompactSelect(forms.Select):
    """A <select> written straight from its choices, not through one template include and one attrs dict per
    option: a unit picker lists hundreds of units, and Django's per-option rendering made the filter bar the
    slowest part of a list page. Same markup as forms.Select (the test compares them)."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        add_class(final, "form-select", "is-invalid" if str(final.get("aria-invalid", "")).lower() == "true" else "")
        attributes = "".join(f" {key}" if value is True else f' {key}="{escape(value)}"'
                             for key, value in final.items() if value is not False)
        parts = [f'<select name="{escape(name)}"{attributes}>']
        choices = self.choices
        if isinstance(choices, ModelChoiceIterator) and choices.queryset.model is org_model():
            if choices.field.empty_label is not None:
                parts.append(self._option("", choices.field.empty_label, chosen))
            parts.append(_org_options(choices, chosen, self._option))
            parts.append("</select>")
            return mark_safe("".join(parts))  # noqa: S308 — every value and label above is escaped
        for option_value, label in self._choice_pairs():
            if isinstance(label, list | tuple):  # an optgroup
                parts.append(f'<optgroup label="{escape(option_value)}">')
                parts.extend(self._option(v, sub, chosen) for v, sub in label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 — every value and label above is escaped

    def _choice_pairs(self):
        """The choices; a model field's read with one plain query. Django's ModelChoiceIterator reads through
        `.iterator()`, which on PostgreSQL is a server-side cursor: three round trips and a result materialised
        WITH HOLD, for a picker's few hundred rows."""
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            yield from choices
            return
        if choices.field.empty_label is not None:
            yield "", choices.field.empty_label
        for obj in choices.queryset.all():
            yield choices.choice(obj)

    @staticmethod
    def _option(value, label, chosen: set[str]) -> str:
        value = "" if value is None else str(value)
        selected = " selected" if value in chosen else ""
        return f'<option value="{escape(value)}"{selected}>{escape(label)}</option>'


_ORG_OPTIONS_KEPT = 256
_org_options_kept: dict[tuple, str] = {}


def _org_options(choices: ModelChoiceIterator, chosen: set[str], option: Callable[[Any, Any, set[str]], str]) -> str:
    """A unit picker's <option>s, kept in this process for the org tree's version (`scope.tree_version`, new after
    any write to a unit, its name included): a city's picker lists hundreds of units on every list page."""
    try:
        sql = str(choices.queryset.query)
    except EmptyResultSet:
        return ""
    field = choices.field
    key = (tree_version(), sql, type(field), get_language(), frozenset(chosen))
    html = _org_options_kept.get(key)
    if html is None:
        html = "".join(option(field.prepare_value(obj), field.label_from_instance(obj), chosen)
                       for obj in choices.queryset.all())
        if len(_org_options_kept) >= _ORG_OPTIONS_KEPT:
            _org_options_kept.clear()
        _org_options_kept[key] = html
    return html


class CodeChoiceIterator(BaseChoiceIterator):
    """A code-table picker's choices (the active items of one table, its top level only if asked), read by a query
    compiled once per connection (`core.sql.CompiledQuery`): built by the ORM on every filter bar, the two pickers of
    the case list cost more than their options."""

    def __init__(self, field: CodeChoiceField) -> None:
        self.field = field

    def __iter__(self):
        from jinguo.core.models import CodeItem

        if self.field.empty_label is not None:
            yield "", self.field.empty_label
        yield from _CODE_OPTIONS[self.field.top_level].rows(CodeItem.objects.db, table=self.field.code_table)

    def __len__(self) -> int:
        return len(list(iter(self)))


class CodeChoiceField(django_filters.fields.ModelChoiceField):
    """One item of code table `code_table` (`top_level`: items without a parent only), e.g. a 问题类别 filter."""

    iterator = CodeChoiceIterator

    def __init__(self, *, code_table: str, top_level: bool = False, queryset=None, **kwargs) -> None:
        self.code_table, self.top_level = code_table, top_level
        super().__init__(queryset=code_items(code_table, top_level) if queryset is None else queryset, **kwargs)


def code_items(table: str, top_level: bool = False) -> models.QuerySet:
    """The active items of code table `table` (`top_level`: those without a parent)."""
    from jinguo.core.models import CodeItem

    items = CodeItem.objects.of(table)
    return items.filter(parent__isnull=True) if top_level else items


def _code_options(table: str, top_level: bool) -> models.QuerySet:
    return code_items(table, top_level).values_list("pk", "name")


_NO_TABLE = "jinguo-no-such-code-table"
_CODE_OPTIONS = {top: CompiledQuery(partial(_code_options, top_level=top), table=_NO_TABLE) for top in (False, True)}


class IdNumberField(forms.CharField):
    """A 居民身份证号, checked (GB 11643) and returned in canonical form; 15-digit numbers are converted."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        from jinguo.core.idcard import normalize_id_number

        value = super().clean(value)
        return normalize_id_number(value) if value else ""


class PhoneField(forms.CharField):
    """A mobile or landline number, checked by shape."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def clean(self, value):
        from jinguo.core.idcard import normalize_phone

        value = super().clean(value)
        return normalize_phone(value) if value else ""


class RowValidator:
    """One form validating many rows (imports): for each row the form's own fields, `clean_<field>()`, `clean()`
    and the model's field checks run exactly as in a form built for that row — without building one per row, and
    with the choices of every model-choice field read once instead of once per row.

    Checks that need the database per row (unique and check constraints) are not run here: the import's natural-key
    check covers uniqueness, and the database still enforces every constraint when the rows are written.
    Relies on `BaseForm._clean_fields` / `_clean_form` (stable across Django 4.x–5.2; tests/test_excel.py compares
    its verdicts with real forms').
    """

    def __init__(self, form: forms.ModelForm, present: set[str] | None = None) -> None:
        """`present`: the fields the rows can carry (an import's columns). Optional fields that are neither among
        them nor model fields (an activity's figures for measures the file has no column for) are left out: they
        would only ever clean to empty."""
        self.form = form
        if present is not None:
            model_fields = set(form._meta.fields or ())
            absent = {n: f for n, f in form.fields.items()
                      if n not in present and n not in model_fields and not f.required}
            for name in absent:
                del form.fields[name]
            if absent:
                _errors_on_absent_fields_to_row(form, absent)
        # Relations the form picked from its (scoped) choices need no second per-row existence query by the model.
        self._chosen = {name for name, field in form.fields.items() if isinstance(field, forms.ModelChoiceField)}
        for name in self._chosen:
            _read_choices_once(form.fields[name])
        # A column holds few distinct values (dates, categories, statuses, figures): each field cleans each
        # distinct value once per file, and the model's own field checks likewise.
        for field in form.fields.values():
            if not isinstance(field, forms.JSONField):  # its cleaned dicts are the row's own to change
                field.clean = _remembered(field.clean)
        self._plan = None
        if not form.prefix and not any(f.disabled or isinstance(f, forms.FileField) for f in form.fields.values()):
            self._plan = [(name, field, field.widget.value_from_datadict, getattr(form, f"clean_{name}", None))
                          for name, field in form.fields.items()]
        self._model_checks: dict[str, Any] = {}
        from jinguo.core.bulk import instance_factory

        self._new_instance = instance_factory(form._meta.model)
        self._construct = None
        if self._plan is not None:  # `construct_instance` without a BoundField per field per row
            fields, exclude = form._meta.fields, form._meta.exclude
            self._construct = [
                (f, f.name, f.has_default(), form.fields[f.name].widget, form.fields[f.name].empty_values)
                for f in form._meta.model._meta.fields
                if f.editable and not isinstance(f, models.AutoField | models.FileField) and f.name in form.fields
                and (fields is None or f.name in fields) and not (exclude and f.name in exclude)]
        self._exclusions: set[str] | None = None  # the same for every row that reaches the model checks

    def validate(self, data: dict) -> forms.ModelForm:
        """The form bound to `data` and validated: `errors`, `cleaned_data` and `instance` (unsaved) as usual.

        The same form object is returned for every row; take what you need from it before the next call.
        """
        from django.forms.models import construct_instance
        from django.forms.utils import ErrorDict

        form = self.form
        form.data, form.is_bound = data, True
        form._errors, form.cleaned_data = ErrorDict(), {}
        form.instance = self._new_instance()
        if self._plan is None:
            form._clean_fields()
        else:  # `BaseForm._clean_fields` without a BoundField per cell
            cleaned, empty = form.cleaned_data, {}
            for name, field, value_of, clean_method in self._plan:
                try:
                    cleaned[name] = field.clean(value_of(data, empty, name))
                    if clean_method is not None:
                        cleaned[name] = clean_method()
                except forms.ValidationError as exc:
                    form.add_error(name, exc)
        form._clean_form()
        if not form._errors:
            if self._construct is None:
                construct_instance(form, form.instance, form._meta.fields, form._meta.exclude)
            else:
                cleaned, instance, empty = form.cleaned_data, form.instance, {}
                for f, name, has_default, widget, empty_values in self._construct:
                    if name not in cleaned:
                        continue
                    if (has_default and widget.value_omitted_from_data(data, empty, name)
                            and cleaned.get(name) in empty_values):
                        continue  # the model's default stands, as construct_instance leaves it
                    f.save_form_data(instance, cleaned[name])
            if self._exclusions is None:
                self._exclusions = form._get_validation_exclusions() | self._chosen
            try:
                self._clean_model_fields(form.instance, self._exclusions)
                form.instance.clean()
            except forms.ValidationError as exc:
                form._update_errors(exc)
        return form

    def _clean_model_fields(self, instance: models.Model, exclude: set[str]) -> None:
        """`Model.clean_fields` with each field's check of a value remembered (the same value passes or fails the
        same way); a model overriding `clean_fields` keeps its own."""
        if type(instance).clean_fields is not models.Model.clean_fields:
            instance.clean_fields(exclude=exclude)
            return
        errors = {}
        for f in instance._meta.fields:
            if f.name in exclude or f.generated:
                continue
            raw_value = getattr(instance, f.attname)
            if f.blank and raw_value in f.empty_values:
                continue
            check = self._model_checks.get(f.name)
            if check is None:  # relations and JSON (mutable, or checked against the record) are not remembered
                check = self._model_checks[f.name] = (
                    False if f.is_relation or isinstance(f, models.JSONField)
                    else _remembered(partial(f.clean, model_instance=None)))
            try:
                setattr(instance, f.attname, check(raw_value) if check else f.clean(raw_value, instance))
            except forms.ValidationError as exc:
                errors[f.name] = exc.error_list
        if errors:
            raise forms.ValidationError(errors)


_MISSING = object()


def _remembered(clean: Callable[[Any], Any], size: int = 4096) -> Callable[[Any], Any]:
    """`clean(value)` answered from memory for a value seen before — its result or its ValidationError (raised
    afresh each time, so each row's form owns its error). Unhashable values (lists of choices) are keyed as tuples;
    the memory is emptied when it holds `size` values, so a column of distinct texts costs no more than it did."""
    memory: dict[Any, Any] = {}

    def remembered(value):
        key = (value.__class__, tuple(value) if value.__class__ is list else value)
        try:
            hit = memory.get(key, _MISSING)
        except TypeError:  # unhashable
            return clean(value)
        if hit is _MISSING:
            try:
                hit = (True, clean(value))
            except forms.ValidationError as exc:
                hit = (False, exc.error_list if hasattr(exc, "error_list") else exc)
            if len(memory) >= size:
                memory.clear()
            memory[key] = hit
        ok, result = hit
        if not ok:
            raise forms.ValidationError(result)
        return list(result) if isinstance(result, list) else result

    return remembered


def _errors_on_absent_fields_to_row(form: forms.Form, absent: dict[str, forms.Field]) -> None:
    """A rule in `clean()` about a field the file has no column for (办结日期 when 办理状态 is 办结) reports on the
    row, naming the field, instead of failing because the form no longer has it."""
    add_error = form.add_error

    def add_error_somewhere(field: str | None, error) -> None:
        if field in absent:
            label = absent[field].label or field
            messages = error.messages if isinstance(error, forms.ValidationError) else [str(error)]
            error = forms.ValidationError([f"{label}：{message}" for message in messages])
            field = None
        add_error(field, error)

    form.add_error = add_error_somewhere


def _read_choices_once(field: forms.ModelChoiceField) -> None:
    """Give a model-choice field an in-memory lookup of its choices, with the field's own error messages."""
    key = field.to_field_name or "pk"
    choices = {str(getattr(obj, key)): obj for obj in field.queryset}

    def lookup(value):
        if value in field.empty_values:
            return None
        try:
            return choices[str(value)]
        except KeyError:
            raise forms.ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                                        params={"value": value}) from None

    if isinstance(field, forms.ModelMultipleChoiceField):
        def clean(value):
            value = field.prepare_value(value)
            if field.required and not value:
                raise forms.ValidationError(field.error_messages["required"], code="required")
            if not value:
                return []
            if not isinstance(value, list | tuple):
                raise forms.ValidationError(field.error_messages["invalid_list"], code="invalid_list")
            objs = []
            for item in value:
                try:
                    objs.append(choices[str(item)])
                except KeyError:
                    raise forms.ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                                                params={"value": item}) from None
            field.run_validators(value)
            return objs

        field.clean = clean
    else:
        field.to_python = lookup
