from django_tasks import task

from jinguo.core.auditcontext import audit_context, for_user
from jinguo.core.tasks import on_abandoned, queue_note
from jinguo.reports.models import Summary


@task()
def generate_summary(summary_id: int) -> str:
    """Write a summary over a large scope in the background; the page polls its status."""
    from jinguo.reports.services import regenerate

    summary = Summary.objects.select_related("org", "created_by").get(pk=summary_id)
    try:
        with audit_context(**for_user(summary.created_by, source="task:work_summary")):
            regenerate(summary)
    except Exception:
        Summary.objects.filter(pk=summary_id).update(status=Summary.Status.FAILED)
        raise
    return "ready"


@on_abandoned(generate_summary)
def _summary_abandoned(summary_id: int) -> None:
    Summary.objects.filter(pk=summary_id).update(status=Summary.Status.FAILED)


def summary_queue_note(summary: Summary) -> str:
    """`queue_note` for a work summary still waiting to be written in the background."""
    from django.utils.translation import gettext as _

    return queue_note(generate_summary, summary.pk, kept=_("总结已登记，服务恢复后会自动生成，不必重新提交。"))
