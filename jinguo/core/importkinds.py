"""Every kind of workbook the platform imports and exports, by the name the command line and the UI use.

Each app registers its column specs from its `AppConfig.ready()` (Wagtail's hooks), so core's import pages, tasks
and commands find them without importing the apps above core (DESIGN.md layers); the kinds come in the order of
INSTALLED_APPS. `jinguo import_xlsx` with no kind lists them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinguo.core.excel import ImportSpec

IMPORT_SPECS: dict[str, type[ImportSpec]] = {}


def register_import(*specs: type[ImportSpec]) -> None:
    """Offer these specs' kinds for import and export (replacing one of the same kind, so a reloaded app does not
    add it twice)."""
    for spec in specs:
        IMPORT_SPECS[spec.kind] = spec


def get_spec(kind: str) -> ImportSpec:
    try:
        return IMPORT_SPECS[kind]()
    except KeyError:
        raise KeyError(kind) from None
