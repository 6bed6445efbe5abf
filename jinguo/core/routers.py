"""Reports read from a replica when one is configured (JINGUO_REPLICA_URL); everything else uses the primary.

The statistics behind dashboards, statistics pages and work summaries are wrapped in `@reports_read_replica`: inside
it, reads go to the `replica` alias; writes always go to `default`. Without a replica nothing changes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_on_replica: ContextVar[bool] = ContextVar("jinguo_reports_on_replica", default=False)


@contextmanager
def reading_reports() -> Iterator[None]:
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


def reports_read_replica(func: Callable) -> Callable:
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with reading_reports():
            return func(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        return REPLICA if _on_replica.get() and REPLICA in settings.DATABASES else None

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica is a copy of the same database

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db != REPLICA  # replication brings the schema
