"""SQL pieces Django 5.2 lacks or has only for PostgreSQL (`contrib.postgres`), written for both of our databases."""

from __future__ import annotations

import datetime as dt
import json
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    Aggregate,
    CharField,
    F,
    Field,
    ForeignObject,
    IntegerField,
    JSONField,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.lookups import In


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


class Keys:
    """Integer keys for `__any_of`, made into one query parameter once and then kept (`core.scope` keeps one per
    subtree): a list is resolved, prepared and bound value by value on every query — a city's units, twice in every
    scoped case query — where this is bound as one text ready for the database, an array literal on PostgreSQL, a
    JSON array on SQLite. Immutable; equal (and hashing) as its tuple of values."""

    __slots__ = ("array", "json", "values")

    def __init__(self, values: Iterable[int]) -> None:
        self.values = tuple(int(value) for value in values)
        listed = ",".join(map(str, self.values))
        self.array, self.json = f"{{{listed}}}", f"[{listed}]"

    def __iter__(self):
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Keys) and other.values == self.values

    def __hash__(self) -> int:
        return hash(self.values)

    def __repr__(self) -> str:
        return f"Keys({list(self.values)!r})"


class AnyOfLookup(In):
    """`field__any_of=[…]`: `field IN (…)` with the values as ONE parameter — `field = ANY(%s)` (an array) on
    PostgreSQL, `field IN (SELECT value FROM json_each(%s))` on SQLite. For filters on long lists (a city's units in
    every scoped query, a thousand keys or ids per chunk of an import): `__in` builds, checks and binds one
    parameter per value, and each such query is a new text of a thousand placeholders that the driver parses in
    Python and the server plans afresh. The database sees the same condition (PostgreSQL turns an IN list into
    `= ANY` of an array itself). A subquery on the right is a plain IN. `Keys` on the right are bound as they are,
    already prepared."""

    lookup_name = "any_of"

    def get_prep_lookup(self):
        if isinstance(self.rhs, Keys):
            return self.rhs  # integers, checked when the Keys were made
        return super().get_prep_lookup()

    def as_sql(self, compiler, connection):
        if isinstance(self.rhs, Keys):
            lhs, lhs_params = self.process_lhs(compiler, connection)
            if connection.vendor == "postgresql":
                cast = self.lhs.output_field.cast_db_type(connection) or "bigint"
                return f"{lhs} = ANY(%s::{cast}[])", (*lhs_params, self.rhs.array)
            return f"{lhs} IN (SELECT value FROM json_each(%s))", (*lhs_params, self.rhs.json)  # noqa: S608
        if not isinstance(self.rhs, list | tuple | set | frozenset):
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs if value is not None]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        return (f"{lhs} IN (SELECT value FROM json_each(%s))",  # noqa: S608 — a column, values are a parameter
                (*lhs_params, json.dumps(values, default=str)))


Field.register_lookup(AnyOfLookup)
ForeignObject.register_lookup(AnyOfLookup)  # a relation's values: the target's keys (ints, not instances)


def AnyOf(field: str, values: Iterable[Any]) -> Q:
    """`Q(field__any_of=values)`: see `AnyOfLookup`."""
    return Q(**{f"{field}__any_of": values if isinstance(values, Keys) else list(values)})


def pks_matching(model: type, fields: list[str], keys: Iterable[tuple]) -> list[Any]:
    """The primary keys of `model`'s rows whose `fields` equal one of `keys` (tuples in `fields` order) — a
    composite IN, the keys as one parameter per field: the rows joined to `unnest` of the key columns on
    PostgreSQL (each key one probe of an index leading with the first fields), to `json_each` on SQLite. Separate
    `__any_of` filters per field match their cross product instead: every row of a unit's year when the keys are
    (unit, date, title)."""
    keys = list(keys)
    if not keys:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    values = [[f.get_db_prep_value(f.to_python(key[i]), connection) for key in keys] for i, f in enumerate(columns)]
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in columns)
        names = ", ".join(f"k{i}" for i in range(len(columns)))
        match = " AND ".join(f"t.{quote(f.column)} = k.k{i}" for i, f in enumerate(columns))
        sql = f"SELECT t.{pk} FROM {table} t JOIN unnest({arrays}) AS k({names}) ON {match}"  # noqa: S608 — names
        params = values  # from model meta, values are parameters
    else:
        match = " AND ".join(f"t.{quote(f.column)} = json_extract(k.value, '$[{i}]')" for i, f in enumerate(columns))
        sql = f"SELECT t.{pk} FROM {table} t JOIN json_each(%s) k ON {match}"  # noqa: S608 — as above
        params = [json.dumps([list(row) for row in zip(*values, strict=True)], default=str)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def kept_cursor(connection):
    """A cursor of `connection` kept open for the statements of compiled queries, wrapped as `connection.cursor()`
    wraps one (query logging, execute wrappers, thread checks): a new cursor per statement costs more than a small
    statement (the driver learns its loaders again per cursor — about 50 µs on psycopg 3). A new database session
    gets a new cursor. Read its rows before running another statement on it."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    kept = _KEPT.get(connection)
    if kept is None or kept[0] is not raw:
        with connection.wrap_database_errors:
            kept = _KEPT[connection] = (raw, connection.create_cursor())
    connection.validate_thread_sharing()
    return connection.make_debug_cursor(kept[1]) if connection.queries_logged else connection.make_cursor(kept[1])


class CompiledQuery:
    """A `values()`/`values_list()` query compiled once per database connection and run again with new values for its
    parameters: for a query on every request (the API token with its user and roles, a page of the case list), whose
    building and compiling by the ORM cost more than running it. `build(**sentinels)` returns the queryset (not
    sliced) with each named parameter given as a sentinel value, found again among the compiled parameters (one or
    more times); `first(**values)` runs it with real values and returns the first row (as `values_list` would,
    through the database's converters) or None, `dicts(limit=…, **values)` the rows as `values()` would.

    A sentinel is an integer, a text, a date, an aware datetime or `Keys`: make it a value no real query uses, since
    every parameter equal to it takes the real value. A text sentinel may also stand inside a pattern (a unit's path
    in `path__startswith`, compiled as `'<path>%'`): a parameter that contains it takes the real value, escaped for
    LIKE as the ORM escapes it, in its place. `rows(**values)` gives all the rows as tuples."""

    def __init__(self, build: Callable[..., QuerySet], **sentinels: Any) -> None:
        self.build = build
        self.sentinels = sentinels
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, alias: str):
        conn = connections[alias]
        compiled = self._compiled.get(conn)
        if compiled is None:
            queryset = self.build(**self.sentinels)
            if queryset.query.is_sliced:
                raise ValueError("a CompiledQuery is built unsliced: `dicts(limit=…)` adds the LIMIT")
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            slots = {}
            for name, sentinel in self.sentinels.items():
                prepare = self._preparer(conn, sentinel)
                prepared = prepare(sentinel)
                found = [i for i, param in enumerate(params) if isinstance(param, type(prepared)) and param == prepared]
                if found:
                    wrapper = type(params[found[0]])  # PostgreSQL's backend wraps integers (psycopg's Int4 …)
                    slot = prepare if wrapper is type(prepared) else (
                        lambda value, prepare=prepare, wrapper=wrapper: wrapper(prepare(value)))
                    slots[name] = [(index, slot) for index in found]
                elif isinstance(sentinel, str) and sentinel:  # inside a LIKE pattern: startswith, contains …
                    slots[name] = [(index, lambda value, pattern=param, sentinel=sentinel, conn=conn:
                                    pattern.replace(sentinel, conn.ops.prep_for_like_query(value)))
                                   for index, param in enumerate(params)
                                   if isinstance(param, str) and sentinel in param]
                if not slots.get(name):
                    raise ValueError(f"parameter {name!r} does not appear in the compiled query")
            converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
            query = queryset.query
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
            compiled = self._compiled[conn] = (sql, list(params), slots, compiler, converters, names)
        return compiled

    @staticmethod
    def _preparer(conn, sentinel) -> Callable[[Any], Any]:
        """How the ORM hands a value of the sentinel's type to the database (SQLite gets datetimes as text)."""
        if isinstance(sentinel, dt.datetime):
            return conn.ops.adapt_datetimefield_value
        if isinstance(sentinel, dt.date):
            return conn.ops.adapt_datefield_value
        if isinstance(sentinel, Keys):
            return (lambda keys: keys.array) if conn.vendor == "postgresql" else (lambda keys: keys.json)
        return lambda value: value

    def sql(self, alias: str = DEFAULT_DB_ALIAS, **values: Any) -> tuple[str, list]:
        """The compiled text and its parameters with these values, for a statement that wraps it (a join, a GROUP BY
        over it) without compiling it again."""
        return self._bind(self._compile(alias), values)

    @staticmethod
    def _bind(compiled: tuple, values: dict[str, Any]) -> tuple[str, list]:
        sql, params, slots = compiled[:3]
        params = list(params)
        for name, value in values.items():
            for index, prepare in slots[name]:
                params[index] = prepare(value)
        return sql, params

    def _run(self, alias: str, limit: int | None, values: dict[str, Any],
             offset: int = 0) -> tuple[list, tuple[str, ...]]:
        compiled = self._compile(alias)
        sql, params = self._bind(compiled, values)
        compiler, converters, names = compiled[3:]
        if limit is not None:
            sql, params = f"{sql} LIMIT %s", [*params, int(limit)]
            if offset:
                sql, params = f"{sql} OFFSET %s", [*params, int(offset)]
        cursor = kept_cursor(connections[alias])
        cursor.execute(sql, params)
        rows = cursor.fetchmany(1) if limit == 1 else cursor.fetchall()
        if converters and rows:
            rows = list(compiler.apply_converters(rows, converters))
        return rows, names

    def first(self, alias: str = DEFAULT_DB_ALIAS, **values: Any) -> tuple | None:
        rows, _names = self._run(alias, 1, values)
        return tuple(rows[0]) if rows else None

    def rows(self, alias: str = DEFAULT_DB_ALIAS, *, limit: int | None = None, **values: Any) -> list[tuple]:
        """The rows (at most `limit`) as `values_list()` gives them: a tuple per row."""
        rows, _names = self._run(alias, limit, values)
        return [tuple(row) for row in rows]

    def dicts(self, alias: str = DEFAULT_DB_ALIAS, *, limit: int | None = None, offset: int = 0,
              **values: Any) -> list[dict]:
        """The rows (at most `limit`, after skipping `offset` of them) as `values()` gives them: a dict per row, by
        the selected names."""
        rows, names = self._run(alias, limit, values, offset)
        return [dict(zip(names, row, strict=True)) for row in rows]


def totals(queryset: QuerySet, **aggregates: Aggregate) -> QuerySet:
    """`queryset.aggregate(**aggregates)` as a `values_list` queryset, for `CompiledQuery` to compile: the same SELECT
    of the aggregates with no GROUP BY, so one row even when nothing matches (grouped by a constant, which the ORM
    leaves out of GROUP BY). Read it with `rows(...)[0]`. Not for a queryset empty by construction (`none()`, `__in`
    an empty list), which the ORM answers without a query."""
    return (queryset.order_by().values(_totals=Value(1, output_field=IntegerField())).annotate(**aggregates)
            .values_list(*aggregates))


class JSONRows(Aggregate):
    """A group's rows as one JSON array of arrays (`[[a, b], …]`) in `order` — JSONB_AGG(JSONB_BUILD_ARRAY(…) ORDER
    BY …) on PostgreSQL; JSON_GROUP_ARRAY(JSON_ARRAY(…)) on SQLite, whose aggregates take no ORDER BY before 3.44
    and which reads a group in its index's order (the key, then the rowid: the primary key's order) — so a page of
    records can carry each record's child rows in its own query."""

    output_field = JSONField()

    def __init__(self, *columns: str, order: str = "pk") -> None:
        super().__init__(*(F(column) for column in columns), F(order))

    def as_sql(self, compiler, connection, **extra_context):
        *columns, order = (compiler.compile(expression) for expression in self.source_expressions)
        params = [param for _sql, column_params in columns for param in column_params]
        listed = ", ".join(sql for sql, _params in columns)
        if connection.vendor == "postgresql":
            return f"JSONB_AGG(JSONB_BUILD_ARRAY({listed}) ORDER BY {order[0]})", [*params, *order[1]]
        return f"JSON_GROUP_ARRAY(JSON_ARRAY({listed}))", params
