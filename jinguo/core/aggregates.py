"""Aggregates that Django 5.2 has only for PostgreSQL (`contrib.postgres`), written for both of our databases."""

from __future__ import annotations

from django.db.models import Aggregate, CharField, TextField, Value


class GroupConcat(Aggregate):
    """The values of a group joined by `separator` into one text: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite
    (their order is the database's: sort the parts where it matters)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s)"
    output_field = TextField()

    def __init__(self, expression, separator: str = ",", **extra) -> None:
        super().__init__(expression, Value(separator, output_field=CharField()), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)
