"""Ledger API: activities (with their figures, themes and partners), figures, plan items and measures.

Writes go through the same ActivityForm and service as the pages, so the rules live in one place.
"""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from jinguo.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from jinguo.core.numbers import plain_number
from jinguo.core.scope import recheck_visible
from jinguo.ledger.filters import ActivityFilterSet, PlanItemFilterSet
from jinguo.ledger.forms import MEASURE_PREFIX, ActivityForm
from jinguo.ledger.importers import with_related
from jinguo.ledger.models import Activity, ActivityFigure, Measure, PlanItem
from jinguo.ledger.services import save_activity


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["id", "code", "name", "unit", "kind", "direction"]


class FigureSerializer(serializers.ModelSerializer):
    measure = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.CharField(source="measure.unit", read_only=True)
    value = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = ActivityFigure
        fields = ["id", "activity", "measure", "unit", "value"]


class ActivitySerializer(serializers.ModelSerializer):
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    org_code = serializers.CharField(source="org.code", read_only=True)
    theme_names = serializers.SerializerMethodField()
    partner_names = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ["id", "org", "org_code", "kind", "kind_name", "title", "start_date", "end_date", "place", "themes",
                  "theme_names", "partner_names", "description", "figures", "created", "updated", "version"]

    def get_theme_names(self, obj) -> list[str]:
        return [t.name for t in obj.themes.all()]

    def get_partner_names(self, obj) -> list[str]:
        return [p.name for p in obj.partners.all()]

    def get_figures(self, obj) -> dict[str, str]:
        return {f.measure.code: str(f.value) for f in obj.figures.all()}


class ActivityWriteSerializer(serializers.Serializer):
    """Input of create/update: ids for org, kind and themes; figures by measure code."""

    org = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    title = serializers.CharField(max_length=200)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True)
    themes = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False)
    partners = serializers.ListField(child=serializers.CharField(), required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    figures = serializers.DictField(child=serializers.DecimalField(max_digits=16, decimal_places=2), required=False)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="修改时传入读取到的版本号；记录已被他人修改时返回 409")


class ActivityViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                      mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """活动台账。写入与网页使用同一套校验规则；单位必须在您的管辖范围内。"""

    queryset = with_related(Activity.objects.all())
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet

    def _save(self, request, instance=None):
        incoming = ActivityWriteSerializer(data=request.data, partial=False)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        figures = data.pop("figures", {})
        form_data = {**{k: v for k, v in data.items() if k not in ("themes", "partners")},
                     "themes": [str(t) for t in data.get("themes", [])],
                     "partners": "、".join(data.get("partners", []))}
        measures = list(Measure.objects.filter(is_active=True))
        known = {m.code for m in measures}
        unknown = sorted(set(figures) - known)
        if unknown:
            raise serializers.ValidationError(
                {"figures": [f"未知的指标：{'、'.join(unknown)}，可用：{'、'.join(sorted(known))}"]})
        form_data.update({MEASURE_PREFIX + code: plain_number(value) for code, value in figures.items()})
        form = ActivityForm(data=form_data, instance=instance, user=request.user, measures=measures)
        if not form.is_valid():
            errors: dict = {}
            for name, messages in form.errors.items():
                if name.startswith(MEASURE_PREFIX):
                    errors.setdefault("figures", {})[name[len(MEASURE_PREFIX):]] = messages
                else:
                    errors["non_field_errors" if name == "__all__" else name] = messages
            raise serializers.ValidationError(errors)
        with transaction.atomic():
            activity = save_activity(form)
            recheck_visible(activity, request.user, "change")
        activity = self.get_queryset().model.objects.filter(pk=activity.pk)
        return with_related(activity).get()

    @extend_schema(request=ActivityWriteSerializer, responses=ActivitySerializer)
    def create(self, request, *args, **kwargs):
        activity = self._save(request)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActivityWriteSerializer, responses=ActivitySerializer)
    def update(self, request, *args, **kwargs):
        activity = self._save(request, self.get_object())
        return Response(ActivitySerializer(activity).data)

    @extend_schema(exclude=True)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


class FigureViewSet(ScopedReadOnlyViewSet):
    """活动数据（每项活动的各项数字）。"""

    queryset = ActivityFigure.objects.select_related("measure")
    serializer_class = FigureSerializer
    scope_model = Activity

    def get_queryset(self):
        visible = Activity.objects.visible_to(self.request.user, "view")
        return self.queryset.filter(activity__in=visible)


class PlanItemSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = PlanItem
        fields = ["id", "org", "org_code", "period", "title", "description", "status", "activities"]


class PlanItemViewSet(ScopedReadOnlyViewSet):
    """工作计划。"""

    queryset = PlanItem.objects.select_related("org").prefetch_related("activities")
    serializer_class = PlanItemSerializer
    filterset_class = PlanItemFilterSet


class MeasureViewSet(ScopedReadOnlyViewSet):
    """统计指标（活动数据的种类与单位）。"""

    queryset = Measure.objects.filter(is_active=True)
    serializer_class = MeasureSerializer
