"""The case workflow's action table: each action's page form, API input, permission and how the page offers it.

Labels, the statuses each action leaves from and its audit event are declared on the services
(`services.MACHINE`); the case page (`views.CaseActionView`), the API (`/api/cases/{id}/<action>/`) and the
case template all read this table. The page's form and the API's serializer clean to the same keys, so one
`args` turns either into the service's arguments.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jinguo.core.actions import Action, Workflow, pick
from jinguo.core.models import CodeItem
from jinguo.orgs.models import OrgUnit
from jinguo.petitions import services
from jinguo.petitions.forms import (
    AcceptForm,
    AssignForm,
    CloseForm,
    ExtendForm,
    FollowUpForm,
    NoteForm,
    ReferForm,
    RejectForm,
    ReplyForm,
    ReviewForm,
    TransferForm,
)
from jinguo.petitions.models import Case, ClosureResult, FollowUp, Status


class AgencyTypeField(serializers.CharField):
    """A referral agency type by its name or code (司法行政/法律援助), as the page's select offers them."""

    def to_internal_value(self, data) -> CodeItem:
        agency = CodeItem.objects.lookup("referral_agency").get(super().to_internal_value(data))
        if agency is None:
            raise serializers.ValidationError(_("未知的部门类型。"))
        return agency


class OrgCodeField(serializers.CharField):
    """A unit by its code (the page offers the units below the case's own; the service checks the same)."""

    def to_internal_value(self, data) -> OrgUnit:
        org = OrgUnit.objects.filter(code=super().to_internal_value(data)).first()
        if org is None:
            raise serializers.ValidationError(_("单位编码不存在。"))
        return org


def _input(name: str, **fields) -> type[serializers.Serializer]:
    return type(f"{name}Input", (serializers.Serializer,), fields)


def _note():
    return serializers.CharField(required=False, allow_blank=True)


AcceptInput = _input("Accept", on=serializers.DateField(required=False), note=_note())
RejectInput = _input("Reject", reason=serializers.CharField(), on=serializers.DateField(required=False))
TransferInput = _input("Transfer", to=serializers.CharField(), note=_note())
StartInput = _input("Start", note=_note())
ReferInput = _input("Refer", agency_type=AgencyTypeField(help_text="部门类型名称或代码，如 司法行政/法律援助"),
                    unit_name=serializers.CharField(),
                    sent_on=serializers.DateField(required=False, source="on"))
ExtendInput = _input("Extend", days=serializers.IntegerField(), reason=serializers.CharField())
ReplyInput = _input("Reply", reply=serializers.CharField(), on=serializers.DateField(required=False))
FollowUpInput = _input("FollowUp", on=serializers.DateField(), method=serializers.ChoiceField(FollowUp.Method.choices),
                       satisfaction=serializers.ChoiceField(FollowUp.Satisfaction.choices), note=_note())
CloseInput = _input("Close", result=serializers.ChoiceField(ClosureResult.choices), note=_note())
RequestReviewInput = _input("RequestReview", note=_note())
AssignInput = _input("Assign", to_org=OrgCodeField(help_text="承办单位编码"), due_on=serializers.DateField(),
                     note=_note())

_m = services.MACHINE
CASE_ACTIONS = Workflow(_m, Case, [
    Action(_m["accept"], pick("on", "note"), AcceptForm, AcceptInput, permission="handle"),
    Action(_m["reject"], pick("reason", "on"), RejectForm, RejectInput, permission="handle", style="danger",
           confirm=_("不予受理将结束本案的办理，并以书面形式告知信访人理由。")),
    Action(_m["transfer"], pick("to", "note", "on"), TransferForm, TransferInput, permission="handle"),
    # 开始办理 only flips 已受理 to 办理中 with no data of its own, and the statute (信访工作条例: 登记 → 受理 → 办理 →
    # 答复) has no such step: on the page a case goes from 受理 straight to the handling steps (转介, 交办, 答复),
    # which are allowed from 已受理 and move it on themselves. The API keeps `start` for clients that record it.
    Action(_m["start"], pick("note"), NoteForm, StartInput, permission="handle", on_page=False),
    Action(_m["refer"], pick("agency_type", "unit_name", "note", sent_on="on"), ReferForm, ReferInput,
           permission="handle"),
    Action(_m["extend"], pick("days", "reason"), ExtendForm, ExtendInput, permission="handle"),
    Action(_m["assign"], pick("to_org", "due_on", "note"), AssignForm, AssignInput, permission="handle",
           form_kwargs=lambda case: {"case": case}),
    Action(_m["reply"], pick("reply", "on"), ReplyForm, ReplyInput, permission="handle"),
    Action(_m["follow_up"], pick("on", "method", "satisfaction", "note"), FollowUpForm, FollowUpInput,
           permission="handle"),
    Action(_m["close"], pick("result", "on", "note"), CloseForm, CloseInput, permission="handle", style="warning",
           confirm=_("办结后案件不再计入在办；信访人不服的，可在办结后申请复查。")),
    Action(_m["request_review"], pick("on", "note"), ReviewForm, RequestReviewInput, permission="handle"),
], denied=_("您没有办理此案件的权限。"),
    # The step a case usually waits for, opened on the page; the others stay folded behind their buttons.
    suggested={Status.REGISTERED: "accept", Status.ACCEPTED: "reply", Status.IN_PROGRESS: "reply",
               Status.REVIEW: "reply", Status.REPLIED: "follow_up", Status.FOLLOWED_UP: "close"})
