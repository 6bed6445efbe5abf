"""A scratch database that other processes (a worker, `jinguo backup`, `jinguo restore`) can reach: a SQLite file,
or a real PostgreSQL database when the suite runs on PostgreSQL. Migrated once per session, cloned per test."""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import pytest

from jinguo.testing import pg_connect

ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("DATABASE_URL", "").startswith("postgres")


def _pg_admin():
    cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
    return pg_connect(cfg), cfg


def _pg_url(name: str) -> str:
    cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
    auth = cfg["USER"] + (f":{cfg['PASSWORD']}" if cfg["PASSWORD"] else "")
    return f"postgres://{auth}@{cfg['HOST']}:{cfg['PORT'] or 5432}/{name}"


@dataclass
class ScratchDb:
    url: str
    var_dir: Path
    env: dict = field(default_factory=dict)

    def jinguo(self, *args: str, check: bool = True, timeout: float = 300, env: dict | None = None,
               ) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "jinguo.manage", *args], cwd=ROOT,
                                env={**self.env, **(env or {})}, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(
                f"jinguo {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def spawn(self, *args: str, stdin: int | None = None) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "jinguo.manage", *args], cwd=ROOT, env=self.env,
                                stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the scratch database directly, as an operator would, independent of Django."""
        if PG:
            import psycopg

            with psycopg.connect(self.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
                return conn.execute(sql.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(self.url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql, params).fetchall()


def _env(url: str, var_dir: Path, data_key: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JINGUO_", "PYTEST", "DJANGO_SETTINGS"))}
    # The same keys on every scratch server (the audit key too: another server restores and verifies its trail).
    env.update(DATABASE_URL=url, JINGUO_VAR_DIR=str(var_dir), JINGUO_DATA_KEY=data_key, JINGUO_AUDIT_KEY=data_key,
               JINGUO_SECRET_KEY="scratch-" + "x" * 40, DJANGO_SETTINGS_MODULE="jinguo.settings",
               PYTHONPATH=str(ROOT))
    return env


@pytest.fixture(scope="session")
def _scratch_template(tmp_path_factory):
    base = tmp_path_factory.mktemp("scratch")
    data_key = base64.b64encode(secrets.token_bytes(32)).decode()
    if PG:
        name = f"jinguo_scratch_tpl_{os.getpid()}"
        admin, _cfg = _pg_admin()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    else:
        name = None
        url = f"sqlite:///{base / 'template.sqlite3'}"
    template = ScratchDb(url, base, _env(url, base, data_key))
    template.jinguo("migrate", "--no-input", "-v0")
    if PG:
        admin.close()
    yield template, data_key, name
    if PG:
        admin, _cfg = _pg_admin()
        with admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _clone(template: ScratchDb, template_name: str | None, var_dir: Path, data_key: str) -> tuple[ScratchDb, str]:
    """Another database with the template's rows (PostgreSQL: CREATE DATABASE … TEMPLATE; SQLite: the backup API) and
    `var_dir` for its files. Returns it and what to drop afterwards (a PostgreSQL database name, or the file)."""
    if PG:
        name = f"jinguo_scratch_{uuid.uuid4().hex[:10]}"
        admin, _cfg = _pg_admin()
        with admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
        url = _pg_url(name)
    else:
        target = var_dir / "scratch.sqlite3"
        with sqlite3.connect(template.url.removeprefix("sqlite:///")) as src, sqlite3.connect(target) as dst:
            src.backup(dst)  # a plain file copy would miss what is still in the -wal file
        name = str(target)
        url = f"sqlite:///{target}"
    return ScratchDb(url, var_dir, _env(url, var_dir, data_key)), name


@pytest.fixture(scope="session")
def _demo_scratch_template(_scratch_template, tmp_path_factory):
    """A scratch server with `jinguo load_demo` run on it, once per session: its database and its var/ folder (the
    audit checkpoint and tip files that anchor its chain, media, cache) are the template of `new_scratch_db(demo=True)`.
    """
    template, data_key, template_name = _scratch_template
    var_dir = tmp_path_factory.mktemp("scratch_demo")
    demo, name = _clone(template, template_name, var_dir, data_key)
    demo.jinguo("load_demo")
    yield demo, name
    if PG:
        admin, _cfg = _pg_admin()
        with admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def new_scratch_db(_scratch_template, tmp_path, request):
    """new_scratch_db() → another migrated, empty database with its own var/ folder (same keys).
    new_scratch_db(demo=True) → one holding the demo data instead (`jinguo load_demo`, run once per session), its
    var/ folder a copy of the one the demo was loaded with."""
    template, data_key, template_name = _scratch_template
    made: list[str] = []

    def _new(demo: bool = False) -> ScratchDb:
        var_dir = tmp_path / f"var{len(made)}"
        if demo:
            source, source_name = request.getfixturevalue("_demo_scratch_template")
            shutil.copytree(source.var_dir, var_dir, ignore=shutil.ignore_patterns("scratch.sqlite3*"))
            db, name = _clone(source, source_name, var_dir, data_key)
        else:
            var_dir.mkdir()
            db, name = _clone(template, template_name, var_dir, data_key)
        made.append(name)
        return db

    yield _new
    if PG:
        admin, _cfg = _pg_admin()
        with admin:
            for name in made:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_db(new_scratch_db):
    return new_scratch_db()
