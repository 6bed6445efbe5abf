"""Plain multi-row INSERTs for the bulk paths (imports, synthetic data): values already validated and converted,
no model instances and no per-field conversion per row. Whoever calls these writes the audit trail itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


def insert_sql(model: type[models.Model], columns: Sequence[str]) -> str:
    """`INSERT INTO <table> (<columns>) VALUES (%s, …)` for `model`'s table; columns are attnames."""
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(columns))
    return (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608 — names
            f"VALUES ({placeholders})")  # from model meta


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert `rows` (tuples in `columns` order, values as the database takes them): COPY on PostgreSQL (an INSERT
    with thousands of parameters costs more to send than to run), executemany on SQLite."""
    rows = list(rows)
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            sql = f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(insert_sql(model, columns), rows)


def insert_objects(objs: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model whose primary keys the caller has already set, through `insert_rows`:
    each field converts its own value (`pre_save`, then `get_db_prep_save`: auto_now stamps, encryption, scaled
    decimals), so the rows are what `bulk_create` would write, without its one giant parameterised INSERT. A value
    Django's own text, integer and boolean fields would hand over unchanged (None, a str, an int) skips the call."""
    if not objs:
        return
    model, db = type(objs[0]), connections[DEFAULT_DB_ALIAS]  # the real connection: the proxy costs a lookup a value
    fields = model._meta.concrete_fields
    plain = [type(f).pre_save is models.Field.pre_save for f in fields]  # most fields: pre_save is a getattr
    as_is = [_AS_IS.get(type(f), ()) + (_AS_IS_POSTGRESQL.get(type(f), ()) if db.vendor == "postgresql" else ())
             for f in fields]

    plan = list(zip(fields, [f.attname for f in fields], plain, as_is, strict=True))

    def row(obj: models.Model) -> list:
        values, loaded = [], obj.__dict__
        for f, attname, p, kinds in plan:
            value = (loaded[attname] if attname in loaded else getattr(obj, attname)) if p else f.pre_save(obj, True)
            values.append(value if value.__class__ in kinds else f.get_db_prep_save(value, db))
        return values

    insert_rows(model, [f.column for f in fields], (row(obj) for obj in objs))


# Django's own fields whose conversion returns these values unchanged (`get_db_prep_save` → `get_prep_value`).
_TEXT, _INT = (type(None), str), (type(None), int)
_AS_IS: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: _TEXT, models.TextField: _TEXT, models.IntegerField: _INT, models.BigIntegerField: _INT,
    models.SmallIntegerField: _INT, models.PositiveIntegerField: _INT, models.PositiveSmallIntegerField: _INT,
    models.PositiveBigIntegerField: _INT, models.AutoField: _INT, models.BigAutoField: _INT,
    models.BooleanField: (type(None), bool), models.ForeignKey: _INT, models.DateField: (type(None),),
    models.DateTimeField: (type(None),), models.DecimalField: (type(None),),
}

_AS_IS_POSTGRESQL: dict[type[models.Field], tuple[type, ...]] = {models.DateField: (dt.date,)}  # psycopg adapts it


def instance_factory(model: type[models.Model]) -> Callable[[], models.Model]:
    """`model()` for bulk paths that make thousands: a copy of one blank instance's values (callable defaults
    called afresh for each), without `Model.__init__`'s walk over every field. Falls back to `model()` when anyone
    listens to the model's init signals."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model
    blank = model()
    values = {k: v for k, v in blank.__dict__.items() if k != "_state"}
    fresh = [(f.attname, f.get_default) for f in model._meta.concrete_fields if f.has_default() and callable(f.default)]
    new = model.__new__

    def make() -> models.Model:
        obj = new(model)
        obj.__dict__.update(values)
        obj._state = ModelState()
        for attname, default in fresh:
            obj.__dict__[attname] = default()
        return obj

    return make


def create_objects(objs: list[models.Model]) -> list[models.Model]:
    """`bulk_create` for the bulk paths: on PostgreSQL the ids are drawn from the table's sequence in one query
    (safe beside concurrent writers) and the rows go in by COPY (`insert_objects`); elsewhere `bulk_create`.
    Either way each object has its primary key afterwards. No signals, no `save()`: the caller audits."""
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [quote(model._meta.db_table), model._meta.pk.column, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
    insert_objects(objs)
    for obj in objs:
        obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS
    return objs


def next_pk(model: type[models.Model]) -> int:
    """The first free primary key above the stored ones, for inserts that assign ids themselves."""
    return (model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def reset_sequences(*models_: type[models.Model]) -> None:
    """After inserting explicit ids, PostgreSQL's sequences must continue above them (SQLite needs nothing)."""
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(sql)
