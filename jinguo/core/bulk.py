"""Plain multi-row INSERTs for the bulk paths (imports, synthetic data): values already validated and converted,
no model instances and no per-field conversion per row. Whoever calls these writes the audit trail itself."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

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


def add_to_rows(model: type[models.Model], key: Sequence[str], sums: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Add `rows` (tuples: the `key` columns, then the `sums` columns, values as the database takes them) into a
    roll-up table whose unique key is `key`: a new key is inserted, a stored one gets the sums added — one
    `INSERT … ON CONFLICT DO UPDATE` per row, sent together (executemany: pipelined on PostgreSQL), so concurrent
    writers add up instead of overwriting each other."""
    rows = list(rows)
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    added = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in sums)
    sql = (f"{insert_sql(model, [*key, *sums])} ON CONFLICT ({', '.join(map(quote, key))}) "
           f"DO UPDATE SET {added}")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def insert_objects(objs: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model whose primary keys the caller has already set, through `insert_rows`:
    each field converts its own value (`pre_save`, then `get_db_prep_save`: auto_now stamps, encryption, scaled
    decimals), so the rows are what `bulk_create` would write, without its one giant parameterised INSERT.

    Fast where it matters (an import writes a hundred thousand rows): `auto_now`/`auto_now_add` stamps are taken
    once for the batch, the values are read off each instance in one `itemgetter` call, and only a value that
    Django's own fields would not hand over unchanged (None, a str, an int …) goes through its field's
    conversion."""
    if not objs:
        return
    model, db = type(objs[0]), connections[DEFAULT_DB_ALIAS]  # the real connection: the proxy costs a lookup a value
    fields = model._meta.concrete_fields
    attnames = [f.attname for f in fields]
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    stamp = [(f.attname, f.pre_save(objs[0], True)) for f in stamped]  # one moment for the batch
    # Other fields with their own pre_save (a masked copy of an encrypted field) run it per instance.
    own = [(f, f.attname) for f in fields if type(f).pre_save not in _PLAIN_PRE_SAVE and f not in stamped]
    as_is = [_AS_IS.get(type(f), ()) + (_AS_IS_POSTGRESQL.get(type(f), ()) if db.vendor == "postgresql" else ())
             for f in fields]
    checks = list(enumerate(zip(fields, as_is, strict=True)))
    values_of = operator.itemgetter(*attnames)

    def row(obj: models.Model) -> list:
        loaded = obj.__dict__
        for attname, moment in stamp:
            loaded[attname] = moment
        for f, attname in own:
            loaded[attname] = f.pre_save(obj, True)
        try:
            values = list(values_of(loaded)) if len(attnames) > 1 else [values_of(loaded)]
        except KeyError:  # a deferred field: read through the descriptor
            values = [getattr(obj, attname) for attname in attnames]
        for i, (f, kinds) in checks:
            value = values[i]
            if value.__class__ not in kinds:
                values[i] = f.get_db_prep_save(value, db)
        return values

    insert_rows(model, [f.column for f in fields], (row(obj) for obj in objs))


# `pre_save`s that only read the attribute (a date field's adds the auto_now stamp, taken once per batch above).
_PLAIN_PRE_SAVE = {models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save}

# Django's own fields whose conversion returns these values unchanged (`get_db_prep_save` → `get_prep_value`).
_TEXT, _INT = (type(None), str), (type(None), int)
_AS_IS: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: _TEXT, models.TextField: _TEXT, models.IntegerField: _INT, models.BigIntegerField: _INT,
    models.SmallIntegerField: _INT, models.PositiveIntegerField: _INT, models.PositiveSmallIntegerField: _INT,
    models.PositiveBigIntegerField: _INT, models.AutoField: _INT, models.BigAutoField: _INT,
    models.BooleanField: (type(None), bool), models.ForeignKey: _INT, models.DateField: (type(None),),
    models.DateTimeField: (type(None),), models.DecimalField: (type(None),),
}

# psycopg adapts these itself (Django's PostgreSQL `adapt_date…value` hands them over unchanged); the bulk paths'
# datetimes are aware (timezone.now(), make_aware), which is all `DateTimeField.get_prep_value` would see to.
_AS_IS_POSTGRESQL: dict[type[models.Field], tuple[type, ...]] = {models.DateField: (dt.date,),
                                                                 models.DateTimeField: (dt.datetime,)}


def instance_factory(model: type[models.Model]) -> Callable[..., models.Model]:
    """`model()` for bulk paths that make thousands: a copy of one blank instance's values (callable defaults
    called afresh for each), then `given` field values by attname (`case_id=…`, not `case=…`), without
    `Model.__init__`'s walk over every field. Falls back to `model()` when anyone
    listens to the model's init signals."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model
    blank = model()
    values = {k: v for k, v in blank.__dict__.items() if k != "_state"}
    fresh = [(f.attname, f.get_default) for f in model._meta.concrete_fields if f.has_default() and callable(f.default)]
    new = model.__new__

    def make(**given: Any) -> models.Model:
        obj = new(model)
        loaded = obj.__dict__
        loaded.update(values)
        obj._state = ModelState()
        for attname, default in fresh:
            if attname not in given:
                loaded[attname] = default()
        loaded.update(given)
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


def pack(obj: models.Model) -> tuple:
    """An unsaved instance as plain parts for a bulk path's spool (core.excel.run): its class, its field values
    and its cached relations. Pickling these costs a fraction of pickling the model (Django's `__reduce__` and
    `model_unpickle` per record), and the relations shared by a chunk's rows are pickled once per chunk."""
    state = obj.__dict__.copy()
    del state["_state"]
    return type(obj), state, obj._state.fields_cache


def unpack(packed: tuple) -> models.Model:
    """The instance `pack` took apart, unsaved again."""
    model, state, cache = packed
    obj = model.__new__(model)
    obj.__dict__.update(state)
    obj._state = ModelState()
    obj._state.fields_cache = dict(cache)
    return obj
