"""A background task whose worker is killed is run again, or marked failed — never silently lost."""

import datetime as dt
import json
import time

from django.utils import timezone

from jinguo.core import tasks
from jinguo.core.models import ImportJob


def _wait_for(db, status: str, timeout: float = 60) -> list[tuple]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = db.query("SELECT status, worker_ids FROM django_tasks_database_dbtaskresult")
        if rows and rows[0][0] == status:
            return rows
        time.sleep(0.2)
    raise AssertionError(f"task never reached {status}: {rows}")


def test_task_of_a_killed_worker_runs_again(scratch_db, tmp_path):
    marker = tmp_path / "started"
    scratch_db.jinguo("shell", "--no-imports", "-c",
                      f"from tests.faults.tasks import slow_once; slow_once.enqueue({str(marker)!r}, 120)")
    worker = scratch_db.spawn("worker", "--interval", "0.1", "--no-startup-delay")
    try:
        _wait_for(scratch_db, "RUNNING")
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:  # claimed first, then the task starts
            time.sleep(0.1)
        assert marker.exists()
    finally:
        worker.kill()  # SIGKILL: no chance to clean up, as after an OOM kill or a power cut
        worker.wait(10)
    assert scratch_db.query("SELECT status FROM django_tasks_database_dbtaskresult")[0][0] == "RUNNING"

    # The next worker to start finds the orphan, runs it again and finishes it.
    restarted = scratch_db.jinguo("worker", "--batch", "--interval", "0.1", "--no-startup-delay", timeout=120)
    assert "重新排队 1 个" in restarted.stderr
    status, worker_ids = scratch_db.query("SELECT status, worker_ids FROM django_tasks_database_dbtaskresult")[0]
    assert status == "SUCCESSFUL"
    ids = json.loads(worker_ids) if isinstance(worker_ids, str) else worker_ids
    assert len(ids) == 2 and ids[0] != ids[1]  # the dead worker, then the one that finished it


def test_task_given_up_after_repeated_deaths_marks_the_import_failed(tree, users):
    from django_tasks_db.models import DBTaskResult

    job = ImportJob.objects.create(org=tree["county"], kind="activities", user=users["staff"], filename="台账.xlsx",
                                   status=ImportJob.Status.RUNNING)
    started = timezone.now() - dt.timedelta(hours=3)
    common = {"status": "RUNNING", "started_at": started, "task_path": "jinguo.core.tasks.run_import_job",
              "args_kwargs": {"args": [job.pk], "kwargs": {}}, "backend_name": "default", "run_after": started}
    dead = ["otherhost:101", "otherhost:102", "otherhost:103"]
    given_up = DBTaskResult.objects.create(worker_ids=dead, **common)
    retried = DBTaskResult.objects.create(worker_ids=dead[:1], **common)
    alive = DBTaskResult.objects.create(worker_ids=[tasks.worker_id().replace(":", "-") + ":1"],
                                        **{**common, "started_at": timezone.now()})

    outcome = tasks.recover_abandoned_tasks()
    assert outcome == {"requeued": [str(retried.pk)], "failed": [str(given_up.pk)]}
    given_up.refresh_from_db(), retried.refresh_from_db(), alive.refresh_from_db()
    assert (given_up.status, retried.status, alive.status) == ("FAILED", "READY", "RUNNING")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CRASHED and "未导入" in job.message and "3次" in job.message
