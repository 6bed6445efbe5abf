"""API pagination.

`Pagination` (page numbers, with the total) is the default. Long lists (cases) use `KeysetPagination`: the next
page starts after the last row's sort key, so a page costs the same at the end of a city's cases as at the start,
and the total is counted only when asked for (`?count=true`) instead of scanning every visible row on every page.
A request with `?page=` is answered page by page as before, so older clients keep working.
"""

from __future__ import annotations

import base64
import binascii
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class Pagination(pagination.PageNumberPagination):
    """?page= and ?page_size= (at most 500)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


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
            typed = [field.to_python(value) for field, value in zip(fields, values, strict=True)]
            if any(value is None or (isinstance(value, int) and not -2**63 < value < 2**63) for value in typed):
                raise ValueError  # a bigint column compared with a larger number is a database error
            return data["d"] == "n", typed
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, DjangoValidationError):
            raise ValidationError({self.cursor_query_param: [
                _("翻页游标无效：请使用上一次响应中的 next 或 previous 链接。")]}) from None

    # --- DRF's pagination interface -------------------------------------------------------------------------------
    def paginate_queryset(self, queryset, request, view=None):
        if self.legacy_class.page_query_param in request.query_params:
            self.legacy = self.legacy_class()
            return self.legacy.paginate_queryset(queryset, request, view)
        self.request = request
        self.base_url = request.build_absolute_uri()
        ordering = self._ordering(view)
        size = self.legacy_class().get_page_size(request)
        self.count = (queryset.count() if request.query_params.get(self.count_query_param, "").lower() in _TRUE
                      else None)
        cursor = request.query_params.get(self.cursor_query_param)
        forward, values = (True, None) if not cursor else self._decode(cursor, queryset.model, ordering)
        sort = [("-" if desc == forward else "") + name for name, desc in ordering]
        page = queryset.order_by(*sort)
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
             "description": "为 true 时同时给出总数（需要统计全部可见记录，较慢）", "schema": {"type": "boolean"}},
            {"name": self.legacy_class.page_query_param, "required": False, "in": "query",
             "description": "页码（旧式分页，总是给出总数）", "schema": {"type": "integer"}},
        ]
