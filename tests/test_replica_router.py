"""The read-replica router, exercised against two real PostgreSQL databases: statistics and summaries read from the
replica, everything else (and every write, even inside a report) uses the primary."""

import os
import subprocess

import pytest
from django.db import connection, connections

from jinguo.core.periods import Period
from jinguo.core.routers import reading_reports
from jinguo.testing import pg_connect

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                reason="needs two PostgreSQL databases: runs on the suite's PostgreSQL leg")


@pytest.fixture
def replica(tree, django_db_blocker):
    """A second PostgreSQL database holding a copy of the primary as it stood before this test's own writes."""
    cfg = dict(connection.settings_dict)
    name = f"{cfg['NAME']}_replica"
    auth = ["-h", cfg["HOST"] or "127.0.0.1", "-p", str(cfg["PORT"] or 5432), "-U", cfg["USER"]]
    env = {**os.environ, "PGPASSWORD": cfg["PASSWORD"] or ""}
    with pg_connect(cfg) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    dump = subprocess.run(["pg_dump", *auth, "-Fc", cfg["NAME"]], env=env, capture_output=True, check=True).stdout
    subprocess.run(["pg_restore", *auth, "--no-owner", "-d", name], input=dump, env=env, capture_output=True,
                   check=True)
    original = connections.settings
    connections.__dict__["settings"] = {**original, "replica": {**cfg, "NAME": name}}
    from django.conf import settings

    settings.DATABASES["replica"] = connections.settings["replica"]
    try:
        with django_db_blocker.unblock():
            yield name
    finally:
        connections["replica"].close()
        del settings.DATABASES["replica"]
        connections.__dict__["settings"] = original
        with pg_connect(cfg) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_reports_read_the_replica_and_writes_stay_on_the_primary(tree, users, make_case, replica):
    from jinguo.petitions.models import Case
    from jinguo.petitions.stats import petition_stats
    from jinguo.reports.models import Summary

    make_case(tree["county"], received="2025-03-08 10:00")  # on the primary only: not yet replicated
    period = Period.parse("2025")
    assert Case.objects.filter(org=tree["county"]).count() == 1  # an ordinary read: the primary
    with reading_reports():
        assert Case.objects.db_manager().get_queryset().db == "replica"
        assert petition_stats(tree["county"], period).cases == 0  # the replica has not seen the new case
        summary = Summary.objects.create(org=tree["county"], title="写入仍在主库", created_by=users["staff"],
                                         period="2025", status=Summary.Status.READY)
    assert Summary.objects.using("default").filter(pk=summary.pk).exists()
    assert not Summary.objects.using("replica").filter(pk=summary.pk).exists()
    # Statistics (and so dashboards and the work summary built on them) always read the replica.
    assert petition_stats(tree["county"], period).cases == 0
