"""Change recording, inverted (NetBox's change logging): core says what happened, the audit app writes it down.

core sits below the audit app (DESIGN.md layers), yet its models, imports, exports and attachments must leave audit
entries in the writing transaction. So a record exposes its snapshot (`snapshot`, with personal fields sealed), and
core announces each write through the two signals below; the audit app connects its writers in
`AuditConfig.ready()`. A signal nobody listens to would be a silent audit gap, so sending one without a receiver
raises instead. The record's history on detail pages is read back through `history`, which the audit app provides
the same way.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.dispatch import Signal

from jinguo.core import crypto
from jinguo.core.events import Event
from jinguo.core.fields import EncryptedTextField

MASKED = "******"

# A record was created, updated or deleted: sender=the model, instance=the record, action=Event.CREATED|UPDATED|
# DELETED, before/after=snapshots (None for the side that does not exist). Sent inside the writing transaction.
object_changed = Signal()

# A named event (`data.exported`, `object.attached` …): sender=None, code, obj, org, note, data, object_repr.
# Sent inside the caller's transaction.
event_recorded = Signal()


def jsonable(value: Any) -> Any:
    """A value as the trail's JSON keeps it (decimals and dates as text, raw bytes never)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal | float):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return MASKED
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def _sealed(value: Any) -> str:
    """A personal value as the trail keeps it: masked, with a short keyed fingerprint, so that a change of name,
    phone or address is a change in the trail (a bare mask made before and after equal, and the change went
    unrecorded) while the value itself stays unreadable to whoever reads the trail."""
    return f"{MASKED}#{crypto.index_provider().keyed_hash(str(value))[:10]}"


_PLAIN = {type(None), bool, int, str}


def snapshot_values(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """A record's field values (by attname) as JSON; fields in `audit_masked_fields` never leave in clear."""
    data = {}
    for attname, masked in _snapshot_fields(model):
        if attname not in values:
            continue
        value = values[attname]
        if masked and value not in (None, ""):
            data[attname] = _sealed(value)
        else:
            data[attname] = value if value.__class__ in _PLAIN else jsonable(value)
    return data


@cache
def _snapshot_fields(model: type[models.Model]) -> tuple[tuple[str, bool], ...]:
    """(attname, masked) of each stored field, worked out once per model (a bulk import snapshots every row)."""
    masked = set(getattr(model, "audit_masked_fields", ()))
    masked.update(f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField))
    return tuple((f.attname, f.name in masked) for f in model._meta.concrete_fields)


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The current state of a record, as `snapshot_values` writes it."""
    return snapshot_values(type(obj), obj.__dict__ if _loaded(obj) else
                           {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields})


def _loaded(obj: models.Model) -> bool:
    """Every stored field's value is in the instance (none deferred): read them from it directly."""
    return _attnames(type(obj)) <= obj.__dict__.keys()


@cache
def _attnames(model: type[models.Model]) -> frozenset[str]:
    return frozenset(attname for attname, _masked in _snapshot_fields(model))


def _send(signal: Signal, **kwargs) -> Any:
    """Send inside the caller's transaction; the audit writer's answer (its entry) comes back."""
    if not signal.has_listeners(kwargs.get("sender")):
        raise ImproperlyConfigured("No audit writer is connected to core.changelog (is jinguo.audit installed?): "
                                   "the write would leave no audit entry.")
    return next((response for _receiver, response in signal.send(**kwargs) if response is not None), None)


def record_change(obj: models.Model, action: str, before: dict | None, after: dict | None) -> Any:
    """Announce a generic diff of `obj` (the audit app keeps only the fields that changed)."""
    return _send(object_changed, sender=type(obj), instance=obj, action=action, before=before, after=after)


def record_event(code: str, obj: models.Model | None = None, *, org=None, note: str = "", data: dict | None = None,
                 object_repr: str | None = None) -> Any:
    """Announce a named event of core's own machinery (an import, an export, an attachment) for the audit trail;
    returns the entry written."""
    return _send(event_recorded, sender=None, code=str(code), obj=obj, org=org, note=note, data=data,
                 object_repr=object_repr)


def record_export(what: str | models.Model, *, org=None, rows: int | None = None, code: str = Event.EXPORTED,
                  **detail: Any) -> Any:
    """The one record that data left the system: what (a record, or the name of a list or return), for which unit,
    how many rows, and the filter or kind it was taken with (`detail`). Every export path calls this, so the audit
    page lists exports in one shape. Here in core, beside `record_event`, so core's own export paths (list pages,
    the annotated error workbook, `jinguo export_xlsx`) and every app above can call it."""
    data = ({"rows": rows} if rows is not None else {}) | detail
    if isinstance(what, models.Model):
        return record_event(code, what, org=org, data=data)
    return record_event(code, org=org, object_repr=str(what), data=data)


HistoryReader = Callable[[models.Model], Any]
_history: list[HistoryReader] = []


def provide_history(reader: HistoryReader) -> None:
    """The audit app names how a record's change history is read (`AuditConfig.ready()`)."""
    _history[:] = [reader]


def history(obj: models.Model, limit: int = 50) -> Any:
    """A record's own change history (newest first, unmasking entries left out), as the detail page shows it."""
    if not _history:
        return []
    return _history[0](obj)[:limit]
