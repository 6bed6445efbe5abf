"""API pagination.

`Pagination` (page numbers, with the total) is the default. Long lists (cases) use `KeysetPagination`: the next
page starts after the last row's sort key, so a page costs the same at the end of a city's cases as at the start,
and the total is counted only when asked for (`?count=true`) instead of scanning every visible row on every page.
A request with `?page=` is answered page by page as before, so older clients keep working.

A view whose unfiltered list is one query shape for every user (only her units differ) hands the pagination a
`CompiledPage` instead of a queryset: each page query (first page, forward, back) is then built and compiled by the
ORM once per database connection and run with this request's units and cursor (`core.sql.CompiledQuery`), and the
total comes from the view's maintained count when it has one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator as DjangoPaginator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from jinguo.core.sql import CompiledQuery


class Pagination(pagination.PageNumberPagination):
    """?page= and ?page_size= (at most 500). `known_count`, when set, is the total (a maintained count) instead of
    counting the rows."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    known_count: int | None = None

    def django_paginator_class(self, object_list, per_page: int) -> DjangoPaginator:
        paginator = DjangoPaginator(object_list, per_page)
        if self.known_count is not None:
            paginator.count = self.known_count
        return paginator


@dataclass(frozen=True)
class CompiledPage:
    """The rows a keyset-paged list reads, as a query compiled once: `build(**sentinels)` returns the list's
    queryset (`values()`, unordered, unsliced) with sentinel values for its parameters, `values` this request's
    values for them; `key` names the query (one compiled query per key, direction and cursor, kept for the
    process). `build` depends on its arguments alone — a module-level function, never a closure over the request:
    the query it builds first is the one every later request runs. `count`, if given, answers the total without
    counting the rows (a maintained count)."""

    key: str
    model: type[models.Model]
    build: Callable[..., models.QuerySet]
    sentinels: dict[str, Any]
    values: dict[str, Any]
    count: Callable[[], int] | None = dataclass_field(default=None, compare=False)

    def queryset(self) -> models.QuerySet:
        """The same rows through the ORM, with this request's values (page numbers, counting)."""
        return self.build(**self.values)


def _cursor_sentinel(model_field: models.Field, index: int) -> Any:
    """A value of the field's type that no real cursor holds, or None when the type has none here."""
    if isinstance(model_field, models.DateTimeField):
        return dt.datetime(1901, 2, 3, 4, 5, index, tzinfo=dt.UTC)
    if isinstance(model_field, models.IntegerField | models.AutoField | models.BigAutoField):
        return 7654321 + index
    return None


_compiled_pages: dict[tuple, CompiledQuery | None] = {}


_TRUE = {"1", "true", "yes", "on"}


class KeysetPagination(pagination.BasePagination):
    """`?cursor=` pages in the view's `keyset_ordering` (non-null fields ending with the primary key), `?page_size=`
    (at most 500), `?count=true` for the total. The answer is `{count, next, previous, results}` like the page-number
    one, with `count` null unless asked for. `?page=N` switches to page numbers (`Pagination`) for old clients."""

    cursor_query_param = "cursor"
    count_query_param = "count"
    legacy_class = Pagination

    def __init__(self) -> None:
        self.legacy: pagination.PageNumberPagination | None = None

    # --- the keyset ---------------------------------------------------------------------------------------------
    @staticmethod
    def _ordering(view) -> list[tuple[str, bool]]:
        ordering = getattr(view, "keyset_ordering", None) or ("-pk",)
        if ordering[-1].lstrip("-") not in ("pk", "id"):
            raise ValueError(f"{type(view).__name__}.keyset_ordering must end with the primary key")
        return [(name.lstrip("-"), name.startswith("-")) for name in ordering]

    @staticmethod
    def _after(ordering: list[tuple[str, bool]], values: list, forward: bool) -> Q:
        """Rows after `values` in the ordering (before them when going back). The first field is also bounded on its
        own (`<=`), which the index on it can serve; the OR chain then decides the ties."""

        def op(descending: bool, strict: bool) -> str:
            down = descending == forward
            return ("lt" if down else "gt") + ("" if strict else "e")

        first, descending = ordering[0]
        bound = Q(**{f"{first}__{op(descending, strict=False)}": values[0]})
        chain, equal = Q(), {}
        for (name, desc), value in zip(ordering, values, strict=True):
            chain |= Q(**equal, **{f"{name}__{op(desc, strict=True)}": value})
            equal[name] = value
        return bound & chain

    def _encode(self, forward: bool, row, ordering: list[tuple[str, bool]]) -> str:
        values = []
        for name, _desc in ordering:
            value = row[name] if isinstance(row, dict) else getattr(row, name)
            values.append(value.isoformat() if hasattr(value, "isoformat") else value)
        raw = json.dumps({"d": "n" if forward else "p", "k": values}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def _decode(self, text: str, model, ordering: list[tuple[str, bool]]) -> tuple[bool, list]:
        try:
            data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            values = data["k"]
            if data["d"] not in ("n", "p") or not isinstance(values, list) or len(values) != len(ordering):
                raise ValueError
            fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name, _d in ordering]
            typed = [field.get_prep_value(field.to_python(value)) for field, value in zip(fields, values, strict=True)]
            if any(value is None or (isinstance(value, int) and not -2**63 < value < 2**63) for value in typed):
                raise ValueError  # a bigint column compared with a larger number is a database error
            return data["d"] == "n", typed
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, DjangoValidationError):
            raise ValidationError({self.cursor_query_param: [
                _("翻页游标无效：请使用上一次响应中的 next 或 previous 链接。")]}) from None

    # --- DRF's pagination interface -------------------------------------------------------------------------------
    def paginate_queryset(self, queryset, request, view=None):
        source = queryset if isinstance(queryset, CompiledPage) else None
        if self.legacy_class.page_query_param in request.query_params:
            self.legacy = self.legacy_class()
            if source is not None:
                self.legacy.known_count = source.count() if source.count else None
                queryset = source.queryset()
            return self.legacy.paginate_queryset(queryset, request, view)
        self.request = request
        self.base_url = request.build_absolute_uri()
        ordering = self._ordering(view)
        size = self.legacy_class().get_page_size(request)
        self.count = None
        if request.query_params.get(self.count_query_param, "").lower() in _TRUE:
            self.count = source.count() if source and source.count else (
                source.queryset() if source else queryset).count()
        cursor = request.query_params.get(self.cursor_query_param)
        model = source.model if source else queryset.model
        forward, values = (True, None) if not cursor else self._decode(cursor, model, ordering)
        sort = [("-" if desc == forward else "") + name for name, desc in ordering]
        compiled = self._compiled(source, ordering, forward, values is not None) if source else None
        if compiled is not None:
            after = {} if values is None else {f"_after{i}": value for i, value in enumerate(values)}
            rows = compiled.dicts(source.model._default_manager.db, limit=size + 1, **source.values, **after)
        else:
            page = (source.queryset() if source else queryset).order_by(*sort)
            if values is not None:
                page = page.filter(self._after(ordering, values, forward))
            rows = list(page[:size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if not forward:
            rows.reverse()
        # Going forward there is a previous page whenever we came by a cursor; going back, a next page likewise.
        has_next, has_previous = (more, values is not None) if forward else (values is not None, more)
        self.next = self._link(True, rows[-1], ordering) if rows and has_next else None
        self.previous = self._link(False, rows[0], ordering) if rows and has_previous else None
        return rows

    def _compiled(self, source: CompiledPage, ordering: list[tuple[str, bool]], forward: bool,
                  after: bool) -> CompiledQuery | None:
        """The page query of `source` in this direction, with or without a cursor: compiled once (None when an
        ordering field has no sentinel type, and the ORM builds each page)."""
        key = (source.key, tuple(ordering), forward, after)
        if key in _compiled_pages:
            return _compiled_pages[key]
        fields = [source.model._meta.pk if name == "pk" else source.model._meta.get_field(name)
                  for name, _desc in ordering]
        cursor = {f"_after{i}": _cursor_sentinel(f, i) for i, f in enumerate(fields)} if after else {}
        if any(value is None for value in cursor.values()):
            _compiled_pages[key] = None
            return None
        sort = [("-" if desc == forward else "") + name for name, desc in ordering]
        # Kept for the process: nothing of this request (its units, its pagination) goes into the closure.
        rows, names, keyset = source.build, tuple(source.sentinels), type(self)._after

        def build(**sentinels):
            page = rows(**{name: sentinels[name] for name in names}).order_by(*sort)
            if after:
                page = page.filter(keyset(ordering, [sentinels[name] for name in cursor], forward))
            return page

        compiled = _compiled_pages[key] = CompiledQuery(build, **source.sentinels, **cursor)
        return compiled

    def _link(self, forward: bool, row, ordering) -> str:
        return replace_query_param(remove_query_param(self.base_url, self.legacy_class.page_query_param),
                                   self.cursor_query_param, self._encode(forward, row, ordering))

    def get_paginated_response(self, data):
        if self.legacy is not None:
            return self.legacy.get_paginated_response(data)
        return Response({"count": self.count, "next": self.next, "previous": self.previous, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "nullable": True, "example": 123,
                          "description": "总数：仅在 count=true 或按页码（page）请求时给出，否则为 null"},
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "description": "下一页的链接（按页码请求时为页码链接）"},
                "previous": {"type": "string", "nullable": True, "format": "uri",
                             "description": "上一页的链接"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": "翻页游标：取自上一次响应的 next / previous 链接", "schema": {"type": "string"}},
            {"name": "page_size", "required": False, "in": "query",
             "description": f"每页条数（默认 {self.legacy_class.page_size}，至多 {self.legacy_class.max_page_size}）",
             "schema": {"type": "integer"}},
            {"name": self.count_query_param, "required": False, "in": "query",
             "description": "为 true 时同时给出总数（带筛选条件时需统计全部符合条件的记录，较慢）",
             "schema": {"type": "boolean"}},
            {"name": self.legacy_class.page_query_param, "required": False, "in": "query",
             "description": "页码（旧式分页，总是给出总数）", "schema": {"type": "integer"}},
        ]
