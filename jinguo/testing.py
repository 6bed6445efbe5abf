"""Test helpers shared by the suite (STYLE.md: strict test helpers live with the code they exercise)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jinguo.accounts.models import User
from jinguo.accounts.services import grant_role

TEST_PASSWORD = "Test#Pass2025"  # noqa: S105


def pg_connect(cfg: dict, dbname: str = "postgres"):
    """An autocommit psycopg connection to `dbname` on the server named by Django-style settings `cfg`
    (HOST, PORT, USER, PASSWORD — `connection.settings_dict` or `dj_database_url.parse(...)`)."""
    import psycopg

    return psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"],
                           password=cfg["PASSWORD"], dbname=dbname, autocommit=True)


def make_user(username: str, org, *roles, password: str = TEST_PASSWORD) -> User:
    user = User(username=username, display_name=username, org=org, must_change_password=False)
    user.set_password(password)
    user.save()
    for role in roles:
        grant_role(user, org, role)
    user.forget_roles()
    return user


def signed_in_client(user: User, client):
    """A client with a session for `user`, having passed the second factor when the user needs one."""
    client.force_login(user)
    if user.needs_second_factor:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


class assert_max_queries(CaptureQueriesContext):
    """Fail when a block runs more than `limit` queries (list pages must stay free of N+1)."""

    def __init__(self, limit: int) -> None:
        super().__init__(connection)
        self.limit = limit

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        if exc[0] is None and len(self) > self.limit:
            queries = "\n".join(q["sql"] for q in self.captured_queries)
            raise AssertionError(f"{len(self)} queries, at most {self.limit} allowed:\n{queries}")


def xlsx_file(headers: list, rows: list[list], *, name: str = "数据.xlsx"):
    """An in-memory workbook as users fill in: sheet "数据", a header row, then the rows."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "数据"
    for row in [headers, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def form_data(html: str, action_contains: str | None = None) -> dict[str, str | list[str]]:
    """What a browser would submit from the first POST form in `html` whose action contains `action_contains`
    (default: the first form that posts to its own page): text, hidden and checked inputs, selected options (or
    a single select's first option), textareas."""
    from html.parser import HTMLParser

    class FormParser(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.data: dict[str, list[str]] = {}
            self.state = "before"  # before → inside → done
            self.select: str | None = None
            self.select_first: str | None = None
            self.select_chosen = False
            self.select_multiple = False
            self.textarea: str | None = None

        def add(self, name: str | None, value: str) -> None:
            if name:
                self.data.setdefault(name, []).append(value)

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            action = a.get("action") or ""
            if tag == "form" and self.state == "before" and (a.get("method") or "").lower() == "post" and (
                    not action if action_contains is None else action_contains in action):
                self.state = "inside"
            if self.state != "inside":
                return
            if tag == "input":
                kind = (a.get("type") or "text").lower()
                if kind in {"submit", "button", "file", "image", "reset"}:
                    return
                if kind in {"checkbox", "radio"} and "checked" not in a:
                    return
                self.add(a.get("name"), a.get("value") or ("on" if kind == "checkbox" else ""))
            elif tag == "select":
                self.select, self.select_first, self.select_chosen = a.get("name"), None, False
                self.select_multiple = "multiple" in a  # a browser sends nothing for a multiple select left empty
            elif tag == "option" and self.select:
                value = a.get("value", "")
                if self.select_first is None:
                    self.select_first = value
                if "selected" in a:
                    self.add(self.select, value)
                    self.select_chosen = True
            elif tag == "textarea":
                self.textarea = a.get("name")
                self.add(self.textarea, "")

        def handle_endtag(self, tag):
            if self.state != "inside":
                return
            if tag == "select" and self.select:
                if not self.select_chosen and self.select_first is not None and not self.select_multiple:
                    self.add(self.select, self.select_first)
                self.select = None
            elif tag == "textarea":
                self.textarea = None
            elif tag == "form":
                self.state = "done"

        def handle_data(self, data):
            if self.state == "inside" and self.textarea:
                self.data[self.textarea][-1] += data.removeprefix("\n") if not self.data[self.textarea][-1] else data

    parser = FormParser()
    parser.feed(html)
    if parser.state == "before":
        raise AssertionError(f"no POST form (action containing {action_contains!r}) on the page")
    return {k: v[0] if len(v) == 1 else v for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}


class DatabaseSnapshot:
    """Every row of the default database at one moment, put back on demand in a fraction of a second — so browser
    tests can share one `jinguo load_demo` per session instead of loading it anew each.

    SQLite (the suite's in-memory database): a copy through SQLite's backup API, restored the same way; the whole
    database, sqlite_sequence included. PostgreSQL: each table copied into a schema of its own (not on the search
    path, so `flush` and introspection never see it); a restore empties every table and copies the rows back in one
    transaction (foreign keys are deferred to the commit), then sets each sequence to where it stood. Both put back
    the same primary keys, so what a test saw once it sees again. Take it and restore it outside any transaction
    (transactional tests): the live server's thread reads the database at once."""

    _taken = 0  # snapshots taken in this process: each PostgreSQL one has its own schema

    def __init__(self, using: str = "default") -> None:
        import os

        from django.db import connections

        DatabaseSnapshot._taken += 1
        self.schema = f"jinguo_test_snapshot_{os.getpid()}_{DatabaseSnapshot._taken}"
        self.connection = connections[using]
        self._check_autocommit()
        self.connection.ensure_connection()
        if self.connection.vendor == "sqlite":
            import sqlite3

            self._copy = sqlite3.connect(":memory:", check_same_thread=False)
            self.connection.connection.backup(self._copy)
        elif self.connection.vendor == "postgresql":
            self._take_postgresql()
        else:
            raise NotImplementedError(f"no snapshot for {self.connection.vendor}")

    def _check_autocommit(self) -> None:
        if self.connection.in_atomic_block:
            raise RuntimeError("DatabaseSnapshot needs a transactional test (it cannot run inside a transaction)")

    def _take_postgresql(self) -> None:
        from django.db import transaction

        qn = self.connection.ops.quote_name
        self.tables = sorted(self.connection.introspection.table_names(include_views=False))
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {qn(self.schema)} CASCADE")
            cursor.execute(f"CREATE SCHEMA {qn(self.schema)}")
            self.filled = []
            for table in self.tables:
                cursor.execute(f"CREATE UNLOGGED TABLE {qn(self.schema)}.{qn(table)} AS TABLE {qn(table)}")
                if cursor.rowcount:
                    self.filled.append(table)
            cursor.execute("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value "
                           "FROM pg_sequences WHERE schemaname = current_schema()")
            self.sequences = cursor.fetchall()

    def restore(self) -> None:
        from django.db import transaction

        self._check_autocommit()
        self.connection.ensure_connection()
        if self.connection.vendor == "sqlite":
            self._copy.backup(self.connection.connection)
            return
        qn = self.connection.ops.quote_name
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(qn(t) for t in self.tables))
            for table in self.filled:
                cursor.execute(f"INSERT INTO {qn(table)} SELECT * FROM {qn(self.schema)}.{qn(table)}")  # noqa: S608
            for sequence, last_value in self.sequences:
                cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last_value or 1, last_value is not None])

    def discard(self) -> None:
        """Free what the snapshot holds (PostgreSQL: drop its schema)."""
        if self.connection.vendor == "sqlite":
            self._copy.close()
            return
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {self.connection.ops.quote_name(self.schema)} CASCADE")
