"""Shared fixtures: a small real org tree, users with roles, and clients signed in as them."""

import io
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

import pytest

from jinguo.core.roles import Role
from jinguo.testing import DatabaseSnapshot, make_user, signed_in_client

CI = os.environ.get("CI") == "true"

# Test groups that need Debian packages; without them they are skipped locally and named in the summary.
REQUIREMENTS = {
    "e2e": ("浏览器端到端测试 (Debian chromium)", lambda: shutil.which("chromium") is not None),
    "pdf": ("PDF 转换测试 (libreoffice-writer-nogui, poppler-utils)",
            lambda: shutil.which("libreoffice") is not None and shutil.which("pdftoppm") is not None),
}
_skipped_groups: dict[str, int] = {}


def _database_order(item) -> int:
    """pytest-django's order: tests in a rolled-back transaction, then transactional ones (which leave the database
    flushed behind them), then tests without a database."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))) or \
            "transactional_db" in fixtures or "live_server" in fixtures:
        return 1
    return 0 if marker or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # pytest-django puts transactional tests after the others, but pytest then regroups items by session-scoped
    # parameters (Playwright's browser), which put the browser tests in the middle: every test after them found the
    # database flushed (no code tables). Sorted again, last, stably.
    items.sort(key=_database_order)
    for marker, (label, available) in REQUIREMENTS.items():
        if available():
            continue
        for item in items:
            if item.get_closest_marker(marker):
                if CI:
                    item.add_marker(pytest.mark.xfail(reason=f"CI=true 时不得跳过：缺少 {label}", run=False,
                                                      strict=True))
                else:
                    item.add_marker(pytest.mark.skip(reason=f"缺少 {label}"))
                    _skipped_groups[label] = _skipped_groups.get(label, 0) + 1


def pytest_terminal_summary(terminalreporter):
    for label, count in _skipped_groups.items():
        terminalreporter.write_line(f"SKIPPED GROUP: {label} — {count} 个测试未运行（apt-get install 后重试）")
    db = os.environ.get("DATABASE_URL", "sqlite")
    terminalreporter.write_line(f"database: {db.split('@')[-1]}")


def suite_settings(tmp_dir: Path) -> dict:
    """The settings every test runs with (`_test_settings`; module-wide records are made with them too)."""
    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        # WhiteNoise looks static files up as they are asked for, instead of listing all ~1,600 of them (node_modules'
        # dist folders) each time a test client is made: ~0.1 s of CPU for every new client, hundreds per run.
        # test_static_files_and_favicon_are_served_without_debug checks the shipped setting.
        "WHITENOISE_AUTOREFRESH": True,
        # Each test's audit chain starts empty, so its signed checkpoints (kept outside the database) start empty too.
        "AUDIT_CHECKPOINT_FILE": tmp_dir / "audit-checkpoints",
        # Background tasks run in-process, right after the transaction that enqueued them commits.
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                              "ENQUEUE_ON_COMMIT": True}},
        # A private, empty cache per test: no progress or login-failure counts leak between tests or runs.
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}},
    }


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    for name, value in suite_settings(tmp_path).items():
        setattr(settings, name, value)
    from django.core.cache import cache

    cache.clear()


def module_records(django_db_blocker, tmp_dir: Path, build: Callable[[], Any]) -> Iterator[Any]:
    """Records made once for a whole module, as Django's setUpTestData makes them for a class (for a module-scoped
    fixture: `yield from module_records(…)`): `build()` runs with the suite's settings and commits; each test then
    runs in its own transaction, rolled back after it, so every test finds the records as made; after the module
    the database is put back as it was before (a DatabaseSnapshot)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import override_settings

    # pytest-django sets up the test database only for modules whose tests ask for it: never write elsewhere.
    assert str(connection.settings_dict["NAME"]).startswith(("test_", "file:memorydb")), \
        "module_records needs the test database: mark the module's tests django_db"
    with django_db_blocker.unblock():
        before = DatabaseSnapshot()
    try:
        with django_db_blocker.unblock(), override_settings(**suite_settings(tmp_dir)):
            cache.clear()
            made = build()
        yield made
    finally:
        with django_db_blocker.unblock():
            before.restore()
            before.discard()


def build_tree() -> dict:
    """湖南省 → 永州市 → 东安县(乡镇 2 个, 统计局)、双牌县; and a sister city 郴州市 → 北湖区."""
    from jinguo.orgs.models import Level
    from jinguo.orgs.services import add_org

    t = {}
    t["province"] = add_org("430000", "湖南省")
    t["city"] = add_org("431100", "永州市", parent=t["province"])
    t["county"] = add_org("431122", "东安县", parent=t["city"])
    t["township"] = add_org("431122100", "白牙市镇", parent=t["county"])
    t["township2"] = add_org("431122101", "大庙口镇", parent=t["county"])
    t["agency"] = add_org("431122-TJ", "东安县统计局", parent=t["county"], level=Level.AGENCY)
    t["sister"] = add_org("431123", "双牌县", parent=t["city"])
    t["sister_township"] = add_org("431123100", "泷泊镇", parent=t["sister"])
    t["other_city"] = add_org("431000", "郴州市", parent=t["province"])
    t["other_county"] = add_org("431002", "北湖区", parent=t["other_city"])
    return t


def build_users(tree: dict) -> dict:
    return {
        "staff": make_user("dongan", tree["county"], Role.STAFF, Role.PETITION_OFFICER),
        "leader": make_user("dongan_leader", tree["county"], Role.UNIT_LEADER),
        "sister": make_user("shuangpai", tree["sister"], Role.STAFF),
        "city": make_user("yongzhou", tree["city"], Role.STAFF, Role.UNIT_LEADER),
        "clerk": make_user("tjj", tree["agency"], Role.AGENCY_CLERK),
        "viewer": make_user("viewer", tree["province"], Role.UPPER_VIEWER),
        "sysadmin": make_user("sysadmin", tree["city"], Role.SYSTEM_ADMIN),
        "secadmin": make_user("secadmin", tree["city"], Role.SECURITY_ADMIN),
        "auditadmin": make_user("auditadmin", tree["city"], Role.AUDIT_ADMIN),
        "county_sysadmin": make_user("dongan_sys", tree["county"], Role.SYSTEM_ADMIN),
    }


@pytest.fixture
def tree(db):
    return build_tree()


@pytest.fixture
def users(tree):
    return build_users(tree)


@pytest.fixture
def login(client):
    """login(user) → a test client signed in as `user`, second factor passed where required."""

    def _login(user, c=None):
        return signed_in_client(user, c or client.__class__())

    return _login


def new_activity(org, title, date, kind="宣传教育", themes=(), partners="", place="", end_date="", **figures):
    """An activity (title, date, kind="宣传教育", themes=(), **figures) through the real form and service."""
    from jinguo.core.models import CodeItem
    from jinguo.ledger.forms import MEASURE_PREFIX, ActivityForm
    from jinguo.ledger.services import save_activity

    kinds = CodeItem.objects.lookup("activity_kind")
    theme_items = CodeItem.objects.lookup("activity_theme")
    data = {"org": org.pk, "kind": kinds[kind].pk, "title": title, "start_date": date, "end_date": end_date,
            "place": place, "themes": [theme_items[t].pk for t in themes], "partners": partners}
    data.update({MEASURE_PREFIX + code: str(value) for code, value in figures.items()})
    form = ActivityForm(data=data)
    assert form.is_valid(), form.errors
    return save_activity(form)


@pytest.fixture
def make_activity(db):
    """make_activity(org, title, date, kind="宣传教育", themes=(), **figures) through the real form and service."""
    return new_activity


def code_lookups() -> dict:
    from jinguo.core.models import CodeItem

    return {"channel": CodeItem.objects.lookup("petition_channel"),
            "category": CodeItem.objects.lookup("petition_category"),
            "agency": CodeItem.objects.lookup("referral_agency")}


@pytest.fixture
def codes(db):
    return code_lookups()


@pytest.fixture
def make_case(codes):
    """make_case(org, received="2025-03-08 10:00", channel="来电", category="婚姻家庭", sub=None, **petitioner)."""
    return case_maker(codes)


def case_maker(codes: dict):
    """make_case(…) for the code items `codes` (code_lookups())."""
    import datetime as dt

    from django.utils import timezone

    from jinguo.petitions import services
    from jinguo.petitions.models import Case

    def _make(org, received="2025-03-08 10:00", channel="来电", category="婚姻家庭", sub=None, actor=None,
              summary="丈夫经常打骂，要求帮助", headcount=1, flags=(), **person):
        case = Case(org=org, channel=codes["channel"][channel], category=codes["category"][category],
                    subcategory=codes["category"][sub] if sub else None, summary=summary, headcount=headcount,
                    received_at=timezone.make_aware(dt.datetime.strptime(received, "%Y-%m-%d %H:%M")),
                    **{f"flag_{f}": True for f in flags})
        return services.register_case(case, [services.PetitionerData(**person)], actor=actor)

    return _make


class DemoLogin(NamedTuple):
    username: str
    password: str


class _Demo:
    """The session's one `jinguo load_demo`: its database snapshot, its audit checkpoint files and its printed login."""

    snapshot: DatabaseSnapshot | None = None
    files: dict[str, bytes] = {}
    login: DemoLogin | None = None
    printed = ""  # what that load printed


def _checkpoint_files() -> list[Path]:
    """The audit chain's anchors outside the database (the checkpoint lines and the tip), which must match it."""
    from django.conf import settings

    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    return [path, path.with_name(path.name + ".tip")]


@pytest.fixture
def demo(request, transactional_db) -> DemoLogin:
    """The demo data (`jinguo load_demo`) in the database, and the login it prints (a county clerk, the password).

    Loaded by the first test of the session that asks for it; every later one gets back exactly that database (and
    the audit checkpoint files that go with it) from a snapshot instead of loading the demo again — the load took
    most of a short browser test. Each test starts from the demo as loaded, whatever the test before it changed.
    Its tests are `django_db(transaction=True, serialized_rollback=True)`: each starts from the migrated database,
    as the first one did when it loaded the demo (and the live server's thread sees what they write)."""
    marker = request.node.get_closest_marker("django_db")
    assert marker and marker.kwargs.get("serialized_rollback"), \
        "the demo fixture needs django_db(transaction=True, serialized_rollback=True)"
    if _Demo.snapshot is not None:
        _Demo.snapshot.restore()
        for path in _checkpoint_files():
            path.unlink(missing_ok=True)
            if path.name in _Demo.files:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(_Demo.files[path.name])
        return _Demo.login
    from django.core.management import call_command

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    password = re.search(r"密码均为 (\S+?)）", printed).group(1)
    username = re.search(r"^\s+(\w+)\s+工作人员", printed, re.MULTILINE).group(1)
    _Demo.login = DemoLogin(username, password)
    _Demo.printed = printed
    _Demo.files = {path.name: path.read_bytes() for path in _checkpoint_files() if path.exists()}
    _Demo.snapshot = DatabaseSnapshot()
    return _Demo.login


@pytest.fixture
def demo_printed(demo) -> str:
    """What the session's `jinguo load_demo` (the `demo` fixture's) printed."""
    return _Demo.printed
