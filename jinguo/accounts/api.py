from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from jinguo.accounts.models import User
from jinguo.core.auditcontext import set_actor


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_display = serializers.CharField()
    org_code = serializers.CharField()
    org_name = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "org", "roles"]

    def get_roles(self, user) -> list[dict]:
        return [{"role": a.role, "role_display": a.get_role_display(), "org_code": a.org.code,
                 "org_name": a.org.name} for a in user.role_assignments.select_related("org")]


class MeView(APIView):
    """当前用户及其角色。"""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        set_actor(request.user)
        return Response(MeSerializer(request.user).data)
