"""The roll-ups statistics read (the ledger's `ActivityCell`, the petitions' `CaseCell`), registered by their apps.

core knows no domain model (DESIGN.md layers): each app that keeps a roll-up in its writing transaction calls
`register_rollup` from its `AppConfig.ready()` with a label and a function that recomputes the whole roll-up from
its records and returns the number of rows; `jinguo rebuild_cells` runs them all, after bulk loads past the services.
"""

from __future__ import annotations

from collections.abc import Callable

_ROLLUPS: dict[str, Callable[[], int]] = {}


def register_rollup(label: str, rebuild: Callable[[], int]) -> None:
    """Register (or replace, on a second `ready()`) the roll-up called `label`."""
    _ROLLUPS[label] = rebuild


def rollups() -> dict[str, Callable[[], int]]:
    """Every registered roll-up, label → rebuild function, in registration order."""
    return dict(_ROLLUPS)
