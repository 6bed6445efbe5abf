"""Background work. Progress goes through the cache, not the database: the import's own transaction would
hide it from the page until the end (and SQLite allows one writer).

A worker killed in the middle of a task (a native library aborting on a hostile file, OOM, kill -9, power) leaves
the task "running" forever in django-tasks' table. `jinguo worker` supervises its worker process, starts it again
when it dies, and every worker starts with `recover_abandoned_tasks()`: the task whose worker died is marked failed
after that first death and its job or summary says so — never silently lost, and never run again to kill the next
worker too (a task that killed its process once will most likely do it again; the user uploads again instead).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from jinguo.core.auditcontext import audit_context, for_user
from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.core.models import ImportJob

log = logging.getLogger(__name__)


def _progress_key(job_id: int) -> str:
    return f"jinguo:import:{job_id}:progress"


def progress_of(job: ImportJob) -> tuple[int, int]:
    if job.finished:
        return job.total, job.total
    return cache.get(_progress_key(job.pk), (0, 0))


@task()
def run_import_job(job_id: int) -> str:
    """Validate and import one uploaded workbook as the user who uploaded it."""

    job = ImportJob.objects.select_related("org", "user").get(pk=job_id)
    if job.finished or job.status == ImportJob.Status.MAPPING:  # never an upload the user has not confirmed
        return job.status
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    spec = get_spec(job.kind)
    ctx = ImportContext(org=job.org, user=job.user, existing=job.existing)

    def progress(done: int, total: int) -> None:
        cache.set(_progress_key(job.pk), (done, total), timeout=3600)

    try:
        with audit_context(**for_user(job.user, source=f"task:import:{job.kind}")), job.file.open("rb") as handle:
            result = spec.run_import(handle, ctx, progress, mapping=job.mapping or None)
    except DatabaseError:
        # The connection dropped (database restarted, network cut): the import's transaction rolled back whole.
        log.exception("import job %s lost its database connection", job_id)
        _mark_crashed(job.pk, _("导入过程中与数据库的连接中断，整个文件未导入（没有写入任何一行）。"
                                "请稍后重新上传同一文件。"))
        raise
    except Exception as exc:
        log.exception("import job %s crashed", job_id)
        _mark_crashed(job.pk, _("处理失败，未导入任何数据：%(error)s") % {"error": exc})
        raise
    keep = settings.JINGUO_IMPORT_MAX_STORED_ERRORS
    if not result.ok:
        _store_error_file(job, result.errors)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED,
        total=result.total, done=result.total, created_count=result.created, updated_count=result.updated,
        skipped_count=result.skipped, errors=[e.as_dict() for e in result.errors[:keep]],
        errors_omitted=max(0, len(result.errors) - keep), error_file=job.error_file.name or "",
        notices=[notice.as_dict() for notice in result.notices],
        finished_at=timezone.now(),
        message="\n".join(([] if result.ok else [_("发现%(n)d处错误，整个文件未导入。") % {"n": len(result.errors)}])
                          + result.notes()),
    )
    cache.delete(_progress_key(job.pk))
    return "done" if result.ok else "failed"


def _store_error_file(job: ImportJob, errors: list) -> None:
    """The upload with every error marked (the job keeps only the first ones in its list)."""
    from django.core.files.base import ContentFile

    from jinguo.core.excel import annotated_workbook

    if not any(e.sheet and e.row for e in errors):
        return  # nothing to mark in the file: the whole file was refused (unreadable, beyond the caps …)
    if not job.filename.lower().endswith(".xlsx"):
        return  # an .xls, .ods or .csv: the listed errors tell what is wrong (only .xlsx workbooks are annotated)
    try:
        with job.file.open("rb") as handle:
            content = annotated_workbook(handle, [e.as_dict() for e in errors])
    except Exception:  # a file openpyxl cannot read: the listed errors still tell what is wrong
        log.exception("import job %s: could not build the annotated workbook", job.pk)
        return
    job.error_file.save(f"errors-{job.pk}.xlsx", ContentFile(content), save=False)


def _mark_crashed(job_id: int, message: str) -> None:
    """Record the failure on a fresh connection when the old one is gone."""
    for attempt in range(2):
        try:
            ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.CRASHED, finished_at=timezone.now(),
                                                       message=message)
            return
        except DatabaseError:
            if attempt:
                log.exception("could not mark import job %s as crashed", job_id)
                return
            connection.close()


# --- Tasks whose worker died -------------------------------------------------------------------------------------

MAX_ATTEMPTS = 1  # a task is given up when its first worker dies: re-running a poison task kills every restart
STALE_AFTER = dt.timedelta(hours=2)  # a task of a worker on another host counts as abandoned after this long
_on_abandoned: dict[str, Callable[..., None]] = {}


def on_abandoned(task_obj) -> Callable:
    """Register what to mark on the domain record when `task_obj` is given up after MAX_ATTEMPTS."""

    def register(func: Callable[..., None]) -> Callable[..., None]:
        _on_abandoned[task_obj.module_path] = func
        return func

    return register


QUEUE_PATIENCE = dt.timedelta(seconds=30)  # an idle worker takes a queued task within a second or two


def queue_note(task_obj, key: int, *, kept: str, now: dt.datetime | None = None) -> str:
    """For work still waiting its turn (`task_obj` enqueued with `key` as its first argument: an import job, a work
    summary): what its page should say once the wait is longer than a worker takes — the tasks ahead of it while
    another task runs, or that no background worker seems to be running (nothing running, nothing taken), with
    `kept` (what is safe and need not be done again). Empty while the wait is normal or nothing waits."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    queued = (DBTaskResult.objects.ready().filter(task_path=task_obj.module_path, args_kwargs__args__0=key)
              .values_list("enqueued_at", flat=True).first())
    if queued is None or now - queued < QUEUE_PATIENCE:
        return ""
    if DBTaskResult.objects.running().exists():
        ahead = DBTaskResult.objects.ready().filter(enqueued_at__lt=queued).count()
        return _("后台正在处理其他任务，前面还有%(n)d个任务在排队，请稍候，本页会自动更新。") % {"n": ahead}
    return _("已等候%(s)d秒仍未开始处理：后台处理服务可能没有运行。%(kept)s请联系系统管理员检查后台处理服务"
             "（jinguo worker）。") % {"s": int((now - queued).total_seconds()), "kept": kept}


def import_queue_note(job: ImportJob, now: dt.datetime | None = None) -> str:
    """`queue_note` for an import job still waiting."""
    if job.status != ImportJob.Status.PENDING:
        return ""
    return queue_note(run_import_job, job.pk, now=now, kept=_("文件已保存，服务恢复后会自动处理，不必重新上传。"))


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _worker_alive(worker: str, started_at, now) -> bool:
    host, _sep, pid = worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        return b"worker" in cmdline
    return started_at is not None and now - started_at < STALE_AFTER


def recover_abandoned_tasks(now: dt.datetime | None = None) -> dict[str, list[str]]:
    """Re-queue tasks whose worker died; give up (failed, domain record marked) after MAX_ATTEMPTS."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    outcome: dict[str, list[str]] = {"requeued": [], "failed": []}
    with transaction.atomic():
        for result in DBTaskResult.objects.running().select_for_update():
            last_worker = result.worker_ids[-1] if result.worker_ids else ""
            if _worker_alive(last_worker, result.started_at, now):
                continue
            if len(result.worker_ids) >= MAX_ATTEMPTS:
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = "jinguo.core.tasks.WorkerLost"
                result.traceback = f"worker {last_worker} stopped while running this task ({MAX_ATTEMPTS} attempts)"
                result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                handler = _on_abandoned.get(result.task_path)
                if handler:
                    handler(*result.args_kwargs.get("args", []), **result.args_kwargs.get("kwargs", {}))
                outcome["failed"].append(str(result.pk))
                log.error("task %s (%s) abandoned after %s attempts", result.pk, result.task_path, MAX_ATTEMPTS)
            else:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                outcome["requeued"].append(str(result.pk))
                log.warning("task %s (%s) re-queued: worker %s is gone", result.pk, result.task_path, last_worker)
    return outcome


class WorkerLost(Exception):
    """The worker process running the task stopped without finishing it."""


@on_abandoned(run_import_job)
def _import_abandoned(job_id: int) -> None:
    _mark_crashed(job_id, _("后台处理进程在处理这个文件时意外中止（文件可能过大、已损坏或含有异常内容），"
                            "整个文件未导入（没有写入任何一行）。请检查文件后重新上传；如仍失败，请联系系统管理员。"))
