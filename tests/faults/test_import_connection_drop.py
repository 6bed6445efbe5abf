"""The database connection drops in the middle of an import: nothing is half-written, the user is told why."""

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from jinguo.core import tasks
from jinguo.core.importkinds import get_spec
from jinguo.core.models import ImportJob
from jinguo.ledger.models import Activity
from jinguo.testing import pg_connect, xlsx_file

# The template's own headers: the upload imports straight away (a guessed header would stop at the mapping step).
HEADERS = ["开始日期", "结束日期", "活动类型", "活动名称", "主题", "地点", "合作单位", "说明", "参与人数(人)"]


def _cut_connection(outage: dict) -> None:
    """PostgreSQL: the server really terminates this session. SQLite (in-memory test database, which a real close
    would destroy): every statement fails until the connection is re-opened, as after a lost file system."""
    if connection.vendor == "postgresql":
        pid = connection.connection.info.backend_pid
        with pg_connect(connection.settings_dict, connection.settings_dict["NAME"]) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
    else:
        outage["on"] = True


@pytest.fixture
def outage(monkeypatch):
    state = {"on": False}

    def refuse(execute, sql, params, many, context):
        if state["on"]:
            raise OperationalError("disk I/O error")
        return execute(sql, params, many, context)

    real_close = connection.close

    def close():  # re-opening the connection ends the outage
        state["on"] = False
        return real_close()

    monkeypatch.setattr(connection, "close", close)
    with connection.execute_wrapper(refuse):
        yield state


# Outside a test transaction (the drop must end the import's own transaction); serialized_rollback restores the
# code tables for the tests after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_connection_lost_mid_import_leaves_nothing_and_says_so(tree, users, login, monkeypatch, outage):
    from jinguo.core.defaults import ensure_defaults

    ensure_defaults()  # code tables and measures, in case a transactional test before this one flushed them
    rows = [[f"2025-03-{i % 28 + 1:02d}", "", "宣传教育", f"宣传活动{i}", "", "", "", "", 10 + i] for i in range(40)]
    spec = get_spec("activities")
    monkeypatch.setattr(type(spec), "progress_every", 5)
    monkeypatch.setattr(type(spec), "batch_size", 5)  # rows are written in chunks of 5 …
    real_cache, calls = tasks.cache, {"n": 0}

    class CutAfterThirdProgress:
        def __getattr__(self, name):
            return getattr(real_cache, name)

        def set(self, key, value, *args, **kwargs):
            real_cache.set(key, value, *args, **kwargs)
            calls["n"] += 1
            if calls["n"] == 3:  # … so 10 of 40 rows are written inside the import's transaction by now
                _cut_connection(outage)

    monkeypatch.setattr(tasks, "cache", CutAfterThirdProgress())
    client = login(users["staff"])
    response = client.post(reverse("ledger:activity_import"),
                           {"file": xlsx_file(HEADERS, rows), "org": tree["county"].pk})
    assert calls["n"] == 3 and response.status_code == 302

    assert not Activity.objects.exists()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CRASHED
    page = client.get(reverse("core:importjob_detail", args=[job.pk])).content.decode()
    assert "与数据库的连接中断" in page and "整个文件未导入" in page

    # Once the database is back, the same file imports whole.
    monkeypatch.setattr(tasks, "cache", real_cache)
    client.post(reverse("ledger:activity_import"), {"file": xlsx_file(HEADERS, rows), "org": tree["county"].pk})
    second = ImportJob.objects.latest("pk")
    assert Activity.objects.count() == 40, (second.status, second.message, second.errors[:3])
