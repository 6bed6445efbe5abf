"""The home page as a work list: panels that the domain apps register (Wagtail's hooks).

core knows nothing of cases, loans or returns (DESIGN.md layers): each domain app calls `register_panel` from its
`AppConfig.ready()` with a function `build(user, today)` that returns its panels for that user — or nothing when
the user's roles do not see that data — and the home view renders what comes back, in order. A builder keeps its
queries bounded (a count and a few rows), since the home page is what everyone opens first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

ITEMS_SHOWN = 5  # rows per panel; the header link leads to the full list


@dataclass
class PanelItem:
    """One row of a panel: what it is, where it leads, and a short badge (超期3日, 到期 3-12)."""

    label: str
    url: str
    detail: str = ""
    badge: str = ""
    tone: str = ""  # the badge's colour: red | orange | yellow | green | blue | "" (grey)


@dataclass
class Panel:
    """A card on the home page: a title with its count, up to `ITEMS_SHOWN` rows, the link to the full list, and
    what to say when there is nothing (暂无超期案件)."""

    key: str
    title: str
    count: int
    items: list[PanelItem]
    empty: str
    link: str = ""
    link_label: str = ""
    tone: str = ""  # the count badge's colour when count > 0
    breakdown_title: str = ""
    breakdown: list[PanelItem] = field(default_factory=list)  # e.g. a city's overdue counts per county
    actions: list[tuple[str, str]] = field(default_factory=list)  # (label, url): the panel's quick actions


Builder = Callable[[object, dt.date], "Panel | Iterable[Panel] | None"]
_BUILDERS: dict[str, tuple[int, Builder]] = {}


def register_panel(key: str, build: Builder, *, order: int = 100) -> None:
    """Register (or replace, so a reloaded app does not add it twice) the panel builder named `key`."""
    _BUILDERS[key] = (order, build)


def registered() -> list[str]:
    return [key for key, _entry in sorted(_BUILDERS.items(), key=lambda kv: (kv[1][0], kv[0]))]


def panels_for(user, today: dt.date) -> list[Panel]:
    """Every registered panel this user sees, in registration order."""
    panels: list[Panel] = []
    for key in registered():
        result = _BUILDERS[key][1](user, today)
        if result is None:
            continue
        panels.extend([result] if isinstance(result, Panel) else result)
    return panels
