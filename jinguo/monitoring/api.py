"""Monitoring over the API: indicators, rules, values and submissions (with the approval actions); a member
unit's clerk sees and changes only her own data sets."""

from rest_framework import serializers

from jinguo.core.actions import WorkflowViewSetMixin, add_action_routes
from jinguo.core.api import ScopedReadOnlyViewSet
from jinguo.monitoring.actions import SUBMISSION_ACTIONS
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


class SubmissionViewSet(WorkflowViewSetMixin, ScopedReadOnlyViewSet):
    """填报及其审核：提交、审核、退回、审定、重新打开。"""

    queryset = Submission.objects.select_related("dataset")
    serializer_class = SubmissionSerializer
    workflow = SUBMISSION_ACTIONS


add_action_routes(SubmissionViewSet, SubmissionSerializer)
