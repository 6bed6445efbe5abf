"""Declared list tables: a list page and its `?export=xlsx` show exactly the same columns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Col:
    """One column: a dotted accessor ('org.name'), its header, and whether it links to the record."""

    accessor: str
    header: str = ""
    link: bool = False
    render: Callable[[Any], Any] | None = None
    order_by: str | None = None

    def value(self, obj: models.Model) -> Any:
        if self.render is not None:
            return self.render(obj)
        value: Any = obj
        for part in self.accessor.split("."):
            if value is None:
                return None
            display = getattr(value, f"get_{part}_display", None)
            value = display() if display is not None else getattr(value, part, None)
            if callable(value) and not isinstance(value, models.Model):
                value = value()
        return value


class Table:
    """Subclass and set `columns`; `select_related` keeps the list page free of N+1 queries."""

    columns: list[Col] = []
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    empty_text = _("没有符合条件的记录。")

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def rows(self, objects: Iterable[models.Model]) -> list[tuple[models.Model, list[tuple[Col, Any]]]]:
        return [(obj, [(col, col.value(obj)) for col in self.columns]) for obj in objects]
