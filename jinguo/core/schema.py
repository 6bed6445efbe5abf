"""Schema changes that Django's own migration operations make too expensively, or destructively, on some backend."""

from __future__ import annotations

from django.db import migrations


def drop_column_indexes(table: str, columns: list[str]) -> migrations.RunPython:
    """Drop the plain (non-unique) single-column indexes on `columns` of `table`, PostgreSQL's pattern-ops twins
    included, and nothing else. Use as the database side of a `SeparateDatabaseAndState` whose state side turns
    `db_index` off: on SQLite an `AlterField` rebuilds the whole table to do that, which for the audit trail would
    also lose its append-only triggers. Reversing creates a plain index on each column again."""

    def forwards(apps, schema_editor) -> None:
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, table)
        for name, info in found.items():
            if (info["index"] and not info["unique"] and not info["primary_key"] and len(info["columns"]) == 1
                    and info["columns"][0] in columns):
                schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")

    def backwards(apps, schema_editor) -> None:
        quote = schema_editor.quote_name
        for column in columns:
            schema_editor.execute(f"CREATE INDEX {quote(f'{table}_{column}_idx'[:63])} ON {quote(table)} "
                                  f"({quote(column)})")

    return migrations.RunPython(forwards, backwards, elidable=False)
