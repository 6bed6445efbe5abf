"""Who is acting, from where: set once per request, command or background task, read by every audit write.

In core because core's command base, API base and background tasks open it; the audit app reads it.
"""

from __future__ import annotations

import contextlib
import getpass
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None = None
    actor_name: str = ""
    ip: str | None = None
    request_id: str = ""
    source: str = "system"


_current: ContextVar[AuditContext] = ContextVar("jinguo_audit_context", default=AuditContext())  # noqa: B039 - frozen


def current() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def audit_context(**values) -> Iterator[AuditContext]:
    """Run a block as a given actor; values not given keep the enclosing context's."""
    values.setdefault("request_id", uuid.uuid4().hex)
    token = _current.set(replace(_current.get(), **values))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def for_user(user, *, source: str, ip: str | None = None, request_id: str | None = None) -> dict:
    """Context values for an authenticated user (name frozen, so renaming a user keeps history readable)."""
    values = {"source": source, "ip": ip, "request_id": request_id or uuid.uuid4().hex}
    if user is not None and getattr(user, "is_authenticated", False):
        values.update(actor_id=user.pk, actor_name=user.get_username())
    return values


def for_command(command: str) -> dict:
    try:
        who = getpass.getuser()
    except Exception:
        who = "?"
    return {"source": f"command:{command}", "actor_name": f"命令行({who})", "actor_id": None}


def set_actor(user) -> None:
    """Name the actor once authentication happens late (DRF token auth runs in the view, not middleware).

    Only call inside a block opened by `audit_context` (the request middleware opens one): leaving that
    block restores the outer context.
    """
    if user is not None and getattr(user, "is_authenticated", False):
        _current.set(replace(_current.get(), actor_id=user.pk, actor_name=user.get_username()))
