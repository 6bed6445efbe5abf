"""Declared list tables: a list page and its `?export=xlsx` show exactly the same columns."""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Col:
    """One column: a dotted accessor ('org.name'), its header, and whether it links to the record."""

    accessor: str
    header: str = ""
    link: bool = False
    render: Callable[[Any], Any] | None = None
    order_by: str | None = None
    wrap: bool = False  # free text that may always wrap (a file name): the columns after it stay on a phone's screen

    def value(self, obj: models.Model | dict) -> Any:
        if self.render is not None:
            return self.render(obj)
        if isinstance(obj, dict):  # a plain-values row (`Table.source`)
            return obj.get(self.accessor)
        value: Any = obj
        for part in self.accessor.split("."):
            if value is None:
                return None
            labels = _choice_labels(type(value), part, get_language()) if isinstance(value, models.Model) else None
            if labels is not None:  # what get_<part>_display() says, without its per-call hashing of the choices
                raw = getattr(value, part)
                value = labels.get(raw, raw)
                continue
            display = getattr(value, f"get_{part}_display", None)
            value = display() if display is not None else getattr(value, part, None)
            if callable(value) and not isinstance(value, models.Model):
                value = value()
        return value


def choice_labels(model: type[models.Model], name: str) -> dict:
    """A choice field's value → label in the current language, translated once per language."""
    return _choice_labels(model, name, get_language()) or {}


def choice_label(model: type[models.Model], name: str, value: Any) -> Any:
    """What `get_<name>_display()` says for `value` of a choice field, in the current language."""
    return choice_labels(model, name).get(value, value)


@functools.cache
def _choice_labels(model: type[models.Model], name: str, language: str | None) -> dict | None:
    """A choice field's value → label in `language` (None for anything else): translated once, not once per cell."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not getattr(field, "flatchoices", None) or field.is_relation:
        return None
    with override(language):
        return {value: str(label) for value, label in field.flatchoices}


class Table:
    """Subclass and set `columns`; `select_related` keeps the list page free of N+1 queries. A table may instead read
    plain values (`source` returning a `values()` queryset, each row a dict, and `url` linking a row)."""

    columns: list[Col] = []
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    empty_text = _("没有符合条件的记录。")

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def records(self, queryset: models.QuerySet) -> models.QuerySet:
        """The records with the related rows the columns read beside them."""
        return queryset.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    def source(self, queryset: models.QuerySet) -> models.QuerySet:
        """The rows the page and its export read, from the visible and filtered records: the records by default."""
        return self.records(queryset)

    def url(self, row: models.Model | dict) -> str:
        """The record's page, for a linked column."""
        get_url = getattr(row, "get_absolute_url", None)
        return get_url() if get_url else ""

    def rows(self, objects: Iterable[models.Model]) -> list[tuple[models.Model, list[tuple[Col, Any]]]]:
        return [(obj, [(col, col.value(obj)) for col in self.columns]) for obj in objects]

    def render_body(self, rows: list[tuple[models.Model, list[tuple[Col, Any]]]]) -> str:
        """The table's <tr> rows, written straight from the values: the template loop (a filter, a tag and two URL
        reversals per cell) was the largest part of a list page's time. Each value is shown as the template would
        show it (local time, localized, escaped unless already safe); a linked column links to the record."""
        parts = []
        for obj, cells in rows:
            url = None
            parts.append("<tr>")
            for col, value in cells:
                if value is None:
                    text = ""
                elif type(value) is str:  # most cells: escaped as conditional_escape would, without its checks
                    text = html.escape(value)
                else:
                    text = conditional_escape(localize(template_localtime(value)))
                if col.link:
                    if url is None:  # once per row
                        url = self.url(obj)
                    if url:
                        text = f'<a href="{escape(url)}">{text}</a>'
                if col.wrap:
                    css = ' class="col-wrap"'  # app.css keeps it wide enough to read, wrapping
                else:
                    css = ' class="text-nowrap"' if keeps_on_one_line(value) else ""
                parts.append(f"<td{css}>{text}</td>")
            parts.append("</tr>\n")
        return mark_safe("".join(parts))  # noqa: S308 — every value and URL above is escaped


def keeps_on_one_line(value) -> bool:
    """Whether a table cell should not wrap: dates, numbers, case numbers and short words (类型、单位) read badly broken
    mid-word in a narrow column; long text wraps as usual."""
    if value is None:
        return True
    if isinstance(value, dt.date | int | float | Decimal):
        return True
    return len(str(value)) <= 20
