from rest_framework import serializers

from jinguo.core.api import ScopedReadOnlyViewSet
from jinguo.orgs.filters import OrgUnitFilterSet
from jinguo.orgs.models import OrgUnit


class OrgUnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "level", "level_display", "parent", "parent_code", "path", "depth",
                  "vintage", "is_active"]


class OrgUnitViewSet(ScopedReadOnlyViewSet):
    """单位（组织树）。只返回您管辖范围内的单位。"""

    queryset = OrgUnit.objects.select_related("parent")
    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilterSet
