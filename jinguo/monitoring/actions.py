"""The submission workflow's action table (填报 → 提交 → 审核 → 审定, 退回, 重新打开): read by the grid page's
buttons, `views.SubmissionActionView` and `/api/submissions/{id}/<action>/`. Labels, source statuses and audit
events are declared on the services (`services.MACHINE`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinguo.core.actions import Action, Refused, Workflow, pick
from jinguo.core.api import ReasonInput
from jinguo.monitoring import services
from jinguo.monitoring.forms import ReopenForm, ReturnForm
from jinguo.monitoring.models import Submission


def refuse_violations(violations: list[services.Violation]) -> None:
    """提交 changes nothing while a rule blocks it: the page and the API say how many and which."""
    if violations:
        raise Refused(_("有%(n)d条校验未通过，未提交。错误须修正；警告须在“说明”中写明原因。") % {"n": len(violations)},
                      extra={"violations": [str(v) for v in violations]})


_m = services.MACHINE
_approver = gettext_lazy("只有妇儿工委办（单位负责人）可以审核。")
SUBMISSION_ACTIONS = Workflow(_m, Submission, [
    # The grid's own 提交 button saves the values and submits (GridView); the action is the API's and the
    # submission page's way to submit what is saved.
    Action(_m["submit"], check=refuse_violations, permission="change", denied=gettext_lazy("您没有提交此填报的权限。"),
           icon="send", on_page=False),
    Action(_m["review"], permission="approve", denied=_approver, style="success", icon="check"),
    Action(_m["approve"], permission="approve", denied=_approver, icon="circle-check"),
    Action(_m["return"], pick("reason"), ReturnForm, ReasonInput, permission="approve", denied=_approver,
           style="outline-danger"),
    Action(_m["reopen"], pick("reason"), ReopenForm, ReasonInput, permission="approve", denied=_approver, style=""),
], denied=gettext_lazy("您没有办理此填报的权限。"), prefix_forms=False)
