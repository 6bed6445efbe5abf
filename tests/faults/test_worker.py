"""A background task whose worker is killed is run again, or marked failed — never silently lost."""

import datetime as dt
import json
import os
import signal
import time

from django.utils import timezone

from jinguo.core import tasks
from jinguo.core.models import ImportJob


def _statuses(db) -> dict[str, str]:
    rows = db.query("SELECT task_path, status FROM django_tasks_database_dbtaskresult")
    return {path.rpartition(".")[2]: status for path, status in rows}


def _wait_statuses(db, expected: dict[str, str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _statuses(db) == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"tasks never reached {expected}: {_statuses(db)}")


def _stop(worker) -> str:
    """SIGTERM, as `make run`'s trap or systemd sends it: the supervisor stops its child and exits cleanly."""
    worker.send_signal(signal.SIGTERM)
    out, _err = worker.communicate(timeout=30)
    assert worker.returncode == 0, out
    return out


# The worker dying mid-task used to re-queue the task up to 3 times; a task that kills its worker (a hostile file)
# then killed every restart. Now the task is failed after the first death, and the supervisor restarts the worker.
def test_task_of_a_killed_worker_is_failed_and_the_worker_restarts_for_the_next(scratch_db, tmp_path):
    marker, quick = tmp_path / "started", tmp_path / "quick"
    quick.write_text("already")  # slow_once with an existing marker finishes at once
    scratch_db.jinguo("shell", "--no-imports", "-c",
                      "from tests.faults.tasks import slow_once; "
                      f"slow_once.enqueue({str(marker)!r}, 120); slow_once.enqueue({str(quick)!r}, 120)")
    worker = scratch_db.spawn("worker", "--interval", "0.1", "--no-startup-delay")
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists()
        ids = scratch_db.query("SELECT worker_ids FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'")
        running = json.loads(ids[0][0]) if isinstance(ids[0][0], str) else ids[0][0]
        os.kill(int(running[-1].rpartition(":")[2]), signal.SIGKILL)  # the worker process, as the OOM killer would
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rows = scratch_db.query("SELECT status FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at")
            if [r[0] for r in rows] == ["FAILED", "SUCCESSFUL"]:
                break
            time.sleep(0.2)
        assert [r[0] for r in rows] == ["FAILED", "SUCCESSFUL"]
        assert worker.poll() is None  # the supervisor is still up, serving
    finally:
        if worker.poll() is None:
            out = _stop(worker)
        else:
            out = worker.communicate()[0]
    assert "意外退出" in out and "SIGKILL" in out and "标记失败 1 个" in out, out
    traceback = scratch_db.query("SELECT traceback FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'")
    assert "stopped while running" in traceback[0][0]


def test_task_that_aborts_its_worker_is_failed_after_the_first_crash_and_the_next_job_runs(scratch_db, tmp_path):
    quick = tmp_path / "quick"
    quick.write_text("already")
    scratch_db.jinguo("shell", "--no-imports", "-c",
                      "from tests.faults.tasks import abort_worker, slow_once; "
                      f"abort_worker.enqueue(); slow_once.enqueue({str(quick)!r}, 120)")
    worker = scratch_db.spawn("worker", "--interval", "0.1", "--no-startup-delay")
    try:
        _wait_statuses(scratch_db, {"abort_worker": "FAILED", "slow_once": "SUCCESSFUL"})
        assert worker.poll() is None
        rows = scratch_db.query("SELECT worker_ids FROM django_tasks_database_dbtaskresult")
        assert all(len(json.loads(r[0]) if isinstance(r[0], str) else r[0]) == 1 for r in rows)  # never re-run
    finally:
        out = _stop(worker) if worker.poll() is None else worker.communicate()[0]
    assert "SIGABRT" in out and "标记失败 1 个" in out, out


def test_task_given_up_after_its_first_worker_died_marks_the_import_failed(tree, users):
    from django_tasks_db.models import DBTaskResult

    job = ImportJob.objects.create(org=tree["county"], kind="activities", user=users["staff"], filename="台账.xlsx",
                                   status=ImportJob.Status.RUNNING)
    started = timezone.now() - dt.timedelta(hours=3)
    common = {"status": "RUNNING", "started_at": started, "task_path": "jinguo.core.tasks.run_import_job",
              "args_kwargs": {"args": [job.pk], "kwargs": {}}, "backend_name": "default", "run_after": started}
    given_up = DBTaskResult.objects.create(worker_ids=["otherhost:101"], **common)
    alive = DBTaskResult.objects.create(worker_ids=[tasks.worker_id().replace(":", "-") + ":1"],
                                        **{**common, "started_at": timezone.now()})

    outcome = tasks.recover_abandoned_tasks()
    assert outcome == {"requeued": [], "failed": [str(given_up.pk)]}
    given_up.refresh_from_db(), alive.refresh_from_db()
    assert (given_up.status, alive.status) == ("FAILED", "RUNNING")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CRASHED and "未导入" in job.message and "意外中止" in job.message


def test_a_file_queued_with_no_worker_running_says_so_instead_of_waiting_at_zero(tree, users, login):
    """A clerk's upload waits its turn: within half a minute nothing is said; after it, the page says either how many
    tasks are ahead while another runs, or that the background service seems down (the file is kept, no need to
    upload it again)."""
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    job = ImportJob.objects.create(org=tree["county"], kind="activities", user=users["staff"], filename="台账.xlsx",
                                   status=ImportJob.Status.PENDING)
    queued = DBTaskResult.objects.create(status="READY", task_path="jinguo.core.tasks.run_import_job",
                                         args_kwargs={"args": [job.pk], "kwargs": {}}, backend_name="default",
                                         run_after=timezone.now())
    assert tasks.import_queue_note(job) == ""  # a worker takes it within a second or two
    later = timezone.now() + dt.timedelta(seconds=45)
    note = tasks.import_queue_note(job, now=later)
    assert "后台处理服务可能没有运行" in note and "不必重新上传" in note
    DBTaskResult.objects.create(status="RUNNING", started_at=timezone.now(), task_path="jinguo.core.tasks.x",
                                args_kwargs={"args": [], "kwargs": {}}, backend_name="default",
                                run_after=timezone.now(), worker_ids=["host:1"])
    DBTaskResult.objects.filter(pk=queued.pk).update(enqueued_at=timezone.now() - dt.timedelta(minutes=2))
    page = login(users["staff"]).get(reverse("core:importjob_detail", args=[job.pk])).content.decode()
    assert "前面还有0个任务在排队" in page
    DBTaskResult.objects.filter(status="RUNNING").delete()
    page = login(users["staff"]).get(reverse("core:importjob_detail", args=[job.pk])).content.decode()
    assert "后台处理服务可能没有运行" in page
    job.status = ImportJob.Status.RUNNING
    job.save()
    assert tasks.import_queue_note(job, now=later) == ""  # taken: the progress speaks for itself


def test_a_work_summary_queued_with_no_worker_running_says_so_on_its_page(tree, users, login):
    """The same for a summary written in the background: its 生成中 card, polled every second, says why it is still
    waiting once the wait is longer than a worker takes."""
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    from jinguo.reports.models import Summary

    summary = Summary.objects.create(org=tree["county"], period="2025", created_by=users["staff"],
                                     status=Summary.Status.PENDING)
    queued = DBTaskResult.objects.create(status="READY", task_path="jinguo.reports.tasks.generate_summary",
                                         args_kwargs={"args": [summary.pk], "kwargs": {}}, backend_name="default",
                                         run_after=timezone.now())
    client = login(users["staff"])
    url = reverse("reports:summary_detail", args=[summary.pk])
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 204  # nothing to say yet: the card stays
    assert "后台处理服务可能没有运行" not in client.get(url).content.decode()
    DBTaskResult.objects.filter(pk=queued.pk).update(enqueued_at=timezone.now() - dt.timedelta(minutes=2))
    polled = client.get(url, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and "后台处理服务可能没有运行" in polled.content.decode()
    assert "不必重新提交" in polled.content.decode() and "正在根据记录生成总结" in polled.content.decode()
    assert "后台处理服务可能没有运行" in client.get(url).content.decode()
