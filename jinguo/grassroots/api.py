"""Grassroots profiles over the API: list and detail, scoped like the pages."""

from rest_framework import serializers

from jinguo.core.api import ModelSerializer, ScopedReadOnlyViewSet
from jinguo.grassroots.models import OrgProfile


class OrgProfileSerializer(ModelSerializer):
    kind = serializers.CharField(source="kind.name", read_only=True)
    unit_code = serializers.CharField(source="org.code", read_only=True)
    next_election = serializers.DateField(read_only=True)

    class Meta:
        model = OrgProfile
        fields = ["id", "org", "unit_code", "kind", "chair_name", "chair", "executives", "has_home", "home_address",
                  "funding", "elected_on", "next_election", "note", "version"]


class OrgProfileViewSet(ScopedReadOnlyViewSet):
    """基层组织档案。"""

    queryset = OrgProfile.objects.select_related("org", "kind")
    serializer_class = OrgProfileSerializer
