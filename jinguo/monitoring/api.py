"""Monitoring over the API: indicators, rules, values and submissions (with the approval actions); a member
unit's clerk sees and changes only her own data sets."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from jinguo.core.api import ScopedReadOnlyViewSet, reason_from
from jinguo.monitoring import services
from jinguo.monitoring.models import DataValue, Indicator, Submission, ValidationRule


class IndicatorSerializer(serializers.ModelSerializer):
    numerator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    denominator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Indicator
        fields = ["id", "outline", "domain", "code", "name", "unit", "kind", "numerator", "denominator",
                  "multiplier", "target", "direction", "target_year"]


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ValidationRule
        fields = ["id", "code", "name", "left", "operator", "right", "importance", "missing", "message"]


class ValueSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True, allow_null=True)

    class Meta:
        model = DataValue
        fields = ["id", "submission", "indicator", "value", "comment"]


class SubmissionSerializer(serializers.ModelSerializer):
    dataset_name = serializers.CharField(source="dataset.name", read_only=True)

    class Meta:
        model = Submission
        fields = ["id", "org", "dataset", "dataset_name", "period", "status", "return_reason"]


class IndicatorViewSet(ScopedReadOnlyViewSet):
    """两纲监测指标（含目标值）。"""

    queryset = Indicator.objects.select_related("numerator", "denominator")
    serializer_class = IndicatorSerializer


class RuleViewSet(ScopedReadOnlyViewSet):
    """校验规则。"""

    queryset = ValidationRule.objects.filter(is_active=True)
    serializer_class = RuleSerializer


class ValueViewSet(ScopedReadOnlyViewSet):
    """指标数值（只含您能看到的填报）。"""

    queryset = DataValue.objects.select_related("indicator")
    serializer_class = ValueSerializer
    scope_model = Submission

    def get_queryset(self):
        return self.queryset.filter(submission__in=Submission.objects.visible_to(self.request.user, "view"))


class SubmissionViewSet(ScopedReadOnlyViewSet):
    """填报及其审核：提交、审核、退回、审定、重新打开。"""

    queryset = Submission.objects.select_related("dataset")
    serializer_class = SubmissionSerializer

    def _run(self, request, step):
        submission = self.get_object()
        try:
            if step == "submit":
                if not Submission.objects.visible_to(request.user, "change").filter(pk=submission.pk).exists():
                    raise DjangoPermissionDenied("您没有提交此填报的权限。")
                violations = services.submit(submission, actor=request.user)
                if violations:
                    return Response({"detail": "校验未通过，未提交。", "violations": [str(v) for v in violations]},
                                    status=400)
            elif step == "review":
                services.review(submission, actor=request.user)
            elif step == "return":
                services.return_submission(submission, reason=reason_from(request), actor=request.user)
            elif step == "approve":
                services.approve(submission, actor=request.user)
            elif step == "reopen":
                services.reopen(submission, actor=request.user, reason=reason_from(request))
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from None
        return Response(SubmissionSerializer(submission).data)

    @extend_schema(request=None, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._run(request, "submit")

    @extend_schema(request=None, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._run(request, "review")

    @extend_schema(request=inline_serializer("ReturnInput", {"reason": serializers.CharField()}),
                   responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._run(request, "return")

    @extend_schema(request=None, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._run(request, "approve")

    @extend_schema(request=inline_serializer("ReopenInput", {"reason": serializers.CharField()}),
                   responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._run(request, "reopen")
