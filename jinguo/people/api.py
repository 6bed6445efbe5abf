"""Registries over the API: list and detail, scoped like the pages, personal data always masked."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jinguo.core.actions import WorkflowViewSetMixin, add_action_routes
from jinguo.core.api import ModelSerializer, ScopedReadOnlyViewSet
from jinguo.people.actions import LOAN_ACTIONS
from jinguo.people.models import Beneficiary, CivilizedPost, Honour, Loan, Talent, Volunteer


@extend_schema_field({"type": "object", "nullable": True, "properties": {
    "id": {"type": "integer"}, "sex": {"type": "string"}, "name": {"type": "string"},
    "id_number": {"type": "string"}, "phone": {"type": "string"}, "address": {"type": "string"}}})
class MaskedPersonField(serializers.Field):
    def to_representation(self, person) -> dict:
        return {"id": person.pk, "sex": person.sex, **person.masked()} if person else None


def serializer_for(model_class, fields):
    meta = type("Meta", (), {"model": model_class, "fields": ["id", "org", *fields]})
    attrs = {"Meta": meta}
    if "person" in fields:
        attrs["person"] = MaskedPersonField(read_only=True)
    return type(f"{model_class.__name__}Serializer", (ModelSerializer,), attrs)


def viewset_for(model_class, fields, doc: str):
    return type(f"{model_class.__name__}ViewSet", (ScopedReadOnlyViewSet,), {
        "queryset": model_class.objects.select_related(*(["person"] if "person" in fields else [])),
        "serializer_class": serializer_for(model_class, fields), "__doc__": doc})


BeneficiaryViewSet = viewset_for(Beneficiary, ["person", "group", "since", "until", "note"], "帮扶对象。")
TalentViewSet = viewset_for(Talent, ["person", "post_kind", "workplace", "post", "education", "political_status",
                                     "speciality", "appointed_on", "last_reviewed"], "女性人才库。")
VolunteerViewSet = viewset_for(Volunteer, ["person", "team", "skills", "joined_on"], "巾帼志愿者。")
HonourViewSet = viewset_for(Honour, ["award", "level", "year", "person", "collective", "conferred_by",
                                     "document_no"], "荣誉表彰。")
CivilizedPostViewSet = viewset_for(CivilizedPost, ["name", "host", "level", "created_on", "last_reviewed", "status"],
                                   "巾帼文明岗。")


class LoanViewSet(WorkflowViewSetMixin, viewset_for(Loan, [
        "person", "amount", "bank", "term_months", "subsidy_rate", "subsidy_amount", "project", "applied_on",
        "disbursed_on", "due_on", "repaid_on", "status"], "")):
    """小额担保贷款；办理环节（审核通过、不通过、发放、还清、标记逾期）通过 /api/loans/{id}/<动作>/ 提交。"""

    workflow = LOAN_ACTIONS


add_action_routes(LoanViewSet, LoanViewSet.serializer_class)
