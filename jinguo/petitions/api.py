"""Cases and every workflow action over the API. Personal data is masked in every response; an action that is
not allowed in the case's status answers 409 with a Chinese message naming the status and the allowed actions."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.response import Response

from jinguo.audit.services import UnmaskLimitReached
from jinguo.core.actions import WorkflowViewSetMixin, add_action_routes
from jinguo.core.api import ModelSerializer, ScopedViewSetMixin, reason_from
from jinguo.core.pagination import CompiledPage, KeysetPagination
from jinguo.core.scope import recheck_visible
from jinguo.core.sql import Keys
from jinguo.core.tables import choice_labels
from jinguo.petitions import services
from jinguo.petitions.actions import CASE_ACTIONS
from jinguo.petitions.filters import CaseFilterSet
from jinguo.petitions.forms import CaseForm
from jinguo.petitions.models import Case, ClosureResult, Petitioner, PetitionType
from jinguo.petitions.stats import visible_case_count
from jinguo.petitions.tables import UNITS_SENTINEL, with_names_and_masks


class CaseSerializer(ModelSerializer):
    channel_name = serializers.CharField(source="channel.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    subcategory_name = serializers.CharField(source="subcategory.name", read_only=True, default=None, allow_null=True)
    result = serializers.ChoiceField(ClosureResult.choices, read_only=True, allow_blank=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    org_code = serializers.CharField(source="org.code", read_only=True)
    petitioners = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "number", "org", "org_code", "received_at", "channel", "channel_name", "petition_type",
                  "category", "category_name", "subcategory", "subcategory_name", "summary", "demands",
                  "is_collective", "headcount", "flag_dv", "flag_minor", "flag_urgent", "flag_escalation",
                  "risk_colour", "is_repeat", "status", "status_display", "accept_due", "accepted_on", "handle_due",
                  "extension_days", "replied_on", "closed_on", "result", "current_due", "petitioners",
                  "allowed_actions"]

    def get_petitioners(self, case) -> list[dict]:
        """Always masked: the clear text is only for the unmask endpoint, with a reason."""
        return [{"sex": p.sex, "age": p.age, **p.masked()} for p in case.petitioners.all()]

    def get_allowed_actions(self, case) -> list[str]:
        return services.allowed_actions(case)

    def to_representation(self, case) -> dict:
        """The fields above written out by hand (`case_data`): DRF's field-by-field machinery cost most of a list
        request's time. The declarations stay for input and the schema; a test holds the two equal."""
        row = {name: getattr(case, name) for name in LIST_COLUMNS}
        sub = case.subcategory
        row.update({"org_code": case.org.code, "channel_name": case.channel.name,
                    "category_name": case.category.name, "subcategory_name": None if sub is None else sub.name})
        people = [(p.sex, p.age, p.name_masked, p.id_number_masked, p.phone_masked, p.address_masked)
                  for p in case.petitioners.all()]
        return case_data(row, people)


# The columns a case list reads (plain values, no model instances: four related models per row cost more than the
# query), the names it shows beside the unit's and code items' ids (`NAMES`), and the petitioners' masked
# columns.
LIST_COLUMNS = ("id", "number", "org_id", "received_at", "channel_id", "petition_type", "category_id",
                "subcategory_id", "summary", "demands", "is_collective", "headcount", "flag_dv", "flag_minor",
                "flag_urgent", "flag_escalation", "risk_colour", "is_repeat", "status", "accept_due", "accepted_on",
                "handle_due", "extension_days", "replied_on", "closed_on", "result", "current_due", "handler_id")
NAMES = ("org_code", "channel_name", "category_name", "subcategory_name")  # see petitions.tables.NAME_COLUMNS
PETITIONER_COLUMNS = ("sex", "age", "name_masked", "id_number_masked", "phone_masked", "address_masked")


def case_data(row: dict, petitioners: list[tuple], labels: dict[str, str] | None = None) -> dict:
    """One case as the API writes it, from its `LIST_COLUMNS` and `NAME_COLUMNS` values and its petitioners'
    `PETITIONER_COLUMNS`.
    `labels`: the status labels in the current language (`status_labels()`), looked up once for a whole page."""
    if labels is None:
        labels = status_labels()
    status = row["status"]
    return {
        "id": row["id"], "number": row["number"], "org": row["org_id"], "org_code": row["org_code"],
        "received_at": _datetime(row["received_at"]), "channel": row["channel_id"],
        "channel_name": row["channel_name"], "petition_type": row["petition_type"], "category": row["category_id"],
        "category_name": row["category_name"], "subcategory": row["subcategory_id"],
        "subcategory_name": row["subcategory_name"], "summary": row["summary"], "demands": row["demands"],
        "is_collective": row["is_collective"], "headcount": row["headcount"], "flag_dv": row["flag_dv"],
        "flag_minor": row["flag_minor"], "flag_urgent": row["flag_urgent"],
        "flag_escalation": row["flag_escalation"], "risk_colour": row["risk_colour"], "is_repeat": row["is_repeat"],
        "status": status, "status_display": labels.get(status, status),
        "accept_due": _date(row["accept_due"]), "accepted_on": _date(row["accepted_on"]),
        "handle_due": _date(row["handle_due"]), "extension_days": row["extension_days"],
        "replied_on": _date(row["replied_on"]), "closed_on": _date(row["closed_on"]), "result": row["result"],
        "current_due": _date(row["current_due"]),
        "petitioners": [{"sex": sex, "age": age, "name": name, "id_number": id_number, "phone": phone,
                         "address": address} for sex, age, name, id_number, phone, address in petitioners],
        # The status alone decides the actions (services.allowed_actions_in): no Case is built per row for it.
        "allowed_actions": services.allowed_actions_in(status),
    }


def status_labels() -> dict[str, str]:
    """Status → its label in the current language (translated once per language, not once per row)."""
    return choice_labels(Case, "status")


def _datetime(value: dt.datetime | None) -> str | None:
    """As DRF's DateTimeField writes it: ISO 8601 in the current time zone, UTC as Z."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


_ID = {"min_value": 1, "max_value": 2**63 - 1}


class CaseIntakeSerializer(serializers.Serializer):
    """Input of POST /api/cases/: ids for org and codes; the petitioner's details are encrypted on arrival."""

    org = serializers.IntegerField(**_ID)
    received_at = serializers.DateTimeField(required=False)
    channel = serializers.IntegerField(**_ID)
    category = serializers.IntegerField(**_ID)
    subcategory = serializers.IntegerField(required=False, allow_null=True, **_ID)
    summary = serializers.CharField()
    demands = serializers.CharField(required=False, allow_blank=True)
    petition_type = serializers.ChoiceField(PetitionType.choices, required=False)
    headcount = serializers.IntegerField(required=False, min_value=1, max_value=100000)
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    flag_dv = serializers.BooleanField(required=False)


def _with_masks(queryset):
    """The case list's values (`LIST_COLUMNS`), the names beside its ids and, as `people`, each case's petitioners'
    masks (`PETITIONER_COLUMNS`) as one JSON array."""
    return with_names_and_masks(queryset, LIST_COLUMNS, NAMES, PETITIONER_COLUMNS)


def _list_rows(units: Keys):
    """The unfiltered case list of `units` (`ScopedQuerySet.units_for`): what `visible_to` keeps, with the masks."""
    return _with_masks(Case.objects.in_units(units))


class CaseViewSet(WorkflowViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """信访案件。个人信息一律脱敏；办理环节通过 /api/cases/{id}/<动作>/ 提交。"""

    # The petitioners' masked columns only: a list decrypts nothing.
    queryset = Case.objects.select_related("channel", "category", "subcategory", "org").prefetch_related(
        Prefetch("petitioners", queryset=Petitioner.objects.only(*Petitioner.MASKED_VIEW_FIELDS)))
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    workflow = CASE_ACTIONS
    pagination_class = KeysetPagination
    keyset_ordering = ("-received_at", "-id")  # Case's own ordering, the order of the list page

    def list(self, request, *args, **kwargs):
        """A page of plain values (`LIST_COLUMNS`) with each case's petitioners' masks in the same query (a JSON array
        per case): nothing decrypted, no model instances built. Unfiltered, the page query is compiled once and run
        with the user's units (`_list_rows`, `CompiledPage`), and the total is the maintained count."""
        units = None if self.filters_requested() else self.scope_units()
        if units is not None:
            source = CompiledPage("petitions.api.cases", Case, _list_rows, {"units": UNITS_SENTINEL},
                                  {"units": units}, count=lambda: visible_case_count(request.user, "view"))
        else:
            source = _with_masks(self.filter_queryset(self.get_queryset()).prefetch_related(None))
        rows = self.paginate_queryset(source)
        labels = status_labels()
        return self.get_paginated_response([case_data(row, row["people"] or [], labels) for row in rows])

    @extend_schema(request=CaseIntakeSerializer, responses=CaseSerializer)
    def create(self, request, *args, **kwargs):
        incoming = CaseIntakeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)  # shapes and types first; the form then applies the rules
        now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        data = {"petition_type": "complaint", "headcount": 1, "sex": "F", "received_at": now,
                **{k: v for k, v in request.data.items() if k in incoming.fields}}
        form = CaseForm(data=data, user=request.user)
        if not form.is_valid():
            raise ValidationError({k if k != "__all__" else "non_field_errors": v for k, v in form.errors.items()})
        with transaction.atomic():
            case = services.register_case(form.save(commit=False), [form.petitioner()], actor=request.user)
            recheck_visible(case, request.user, "add")
        return Response(CaseSerializer(self.get_queryset().get(pk=case.pk)).data, status=status.HTTP_201_CREATED)

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
        if isinstance(exc, UnmaskLimitReached):
            limited, exc = exc, Throttled(detail=str(exc))  # the message says when already
            exc.wait = limited.retry_after  # → Retry-After
        elif isinstance(exc, DjangoPermissionDenied):
            exc = PermissionDenied(str(exc))
        return super().handle_exception(exc)

    @extend_schema(request=inline_serializer("Unmask", {"reason": serializers.CharField()}),
                   responses={200: inline_serializer("Clear", {"petitioners": serializers.ListField()}),
                              429: OpenApiResponse(description="一段时间内查看明文次数已达上限（见 Retry-After）")})
    @action(detail=True, methods=["post"])
    def unmask(self, request, pk=None):
        """个人信息明文（需信访专干或单位负责人角色并填写原因，记入访问日志）。"""
        case = self.get_object()
        clear = services.unmask(case, actor=request.user, reason=reason_from(request))
        return Response({"petitioners": [{"name": p.name, "id_number": p.id_number, "phone": p.phone,
                                          "address": p.address} for p in clear]})


add_action_routes(CaseViewSet, CaseSerializer)
