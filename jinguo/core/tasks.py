"""Background work. Progress goes through the cache, not the database: the import's own transaction would
hide it from the page until the end (and SQLite allows one writer)."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from jinguo.audit.context import audit_context, for_user
from jinguo.core.excel import ImportContext
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
    from jinguo.importers import get_spec

    job = ImportJob.objects.select_related("org", "user").get(pk=job_id)
    if job.finished:
        return job.status
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    spec = get_spec(job.kind)
    ctx = ImportContext(org=job.org, user=job.user, existing=job.existing)

    def progress(done: int, total: int) -> None:
        cache.set(_progress_key(job.pk), (done, total), timeout=3600)

    try:
        with audit_context(**for_user(job.user, source=f"task:import:{job.kind}")), job.file.open("rb") as handle:
            result = spec.run_import(handle, ctx, progress)
    except Exception as exc:
        log.exception("import job %s crashed", job_id)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CRASHED, finished_at=timezone.now(),
                                                   message=_("处理失败，未导入任何数据：%(error)s") % {"error": exc})
        raise
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED,
        total=result.total, done=result.total, created_count=result.created, updated_count=result.updated,
        skipped_count=result.skipped, errors=[e.as_dict() for e in result.errors], finished_at=timezone.now(),
        message="" if result.ok else _("发现%(n)d处错误，整个文件未导入。") % {"n": len(result.errors)},
    )
    cache.delete(_progress_key(job.pk))
    return "done" if result.ok else "failed"
