"""The loan workflow's action table (申请 → 审核 → 发放 → 还清 / 逾期): read by the loan page's buttons,
`views.LoanStepView` and `/api/loans/{id}/<action>/`. Labels, source statuses and audit events are declared on the
services (`services.LOAN_MACHINE`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jinguo.core.actions import Action, Workflow, pick
from jinguo.people.forms import DisburseForm, RepayForm
from jinguo.people.models import Loan
from jinguo.people.services import LOAN_MACHINE as _m


class LoanDateInput(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="日期，不填为当天")


LOAN_ACTIONS = Workflow(_m, Loan, [
    Action(_m["approve"], style="success"),
    Action(_m["reject"], style="outline-danger"),
    Action(_m["disburse"], pick("on"), DisburseForm, LoanDateInput),
    Action(_m["repay"], pick("on"), RepayForm, LoanDateInput, style="success"),
    Action(_m["overdue"], style="outline-warning"),
], denied=_("您没有办理此贷款的权限。"), prefix_forms=False)
