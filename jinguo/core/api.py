"""Base API classes: every viewset reads through `visible_to`, so the API has the web's scope exactly."""

from drf_spectacular.openapi import AutoSchema as DrfAutoSchema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from jinguo.core.auditcontext import set_actor
from jinguo.core.fields import EncryptedTextField
from jinguo.core.idcard import mask_value
from jinguo.core.models import CodeItem, EditConflict
from jinguo.core.scope import scope_paths

ACTION_FOR_METHOD = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change",
                     "PATCH": "change", "DELETE": "delete"}


_ERROR_BODY = {"type": "object", "additionalProperties": True,
               "description": "detail：中文说明；字段错误时为 {字段: [说明…]}"}
_ERRORS = {
    "400": "输入有误：按字段列出错误",
    "401": "未登录或令牌无效",
    "403": "没有此操作的权限",
    "404": "不存在，或不在您的管辖范围内",
}


class ReasonInput(serializers.Serializer):
    """The body of an action that takes only a reason (退回, 重新打开, 查看明文)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


def reason_from(request) -> str:
    """The `reason` of an action's body, validated: a body that is not an object (JSON null, a list) is a 400
    with a message, never a 500."""
    serializer = ReasonInput(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["reason"]


class AutoSchema(DrfAutoSchema):
    """drf-spectacular's schema, with the error answers every operation can give written down (so clients and
    the schema tests know a 404 outside one's scope, or a 409 on a stale version, is part of the contract)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(_ERRORS)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors["409"] = "与当前状态冲突：记录已被他人修改，或此状态下不能进行该操作"
        for code, description in errors.items():
            responses.setdefault(code, {"description": description,
                                        "content": {"application/json": {"schema": _ERROR_BODY}}})
        return responses


def exception_handler(exc, context):
    """DRF's handler, plus: a save over someone else's newer change is a 409 with the current version; the
    answers that DRF or Django word in English (a missing record, a body that is not JSON, a failed CSRF check)
    say it in Chinese."""
    from django.http import Http404
    from django.utils.translation import gettext as _
    from rest_framework import exceptions

    if isinstance(exc, EditConflict):
        return Response({"detail": str(exc), "version": type(exc.obj)._base_manager.filter(pk=exc.obj.pk)
                         .values_list("version", flat=True).first()}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("不存在，或不在您的管辖范围内。"))
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(_("请求内容无法解析：请发送有效的 JSON（Content-Type: application/json）。"))
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        exc = exceptions.PermissionDenied(_("CSRF 校验失败：请刷新页面后重试；脚本调用请使用令牌（Authorization: "
                                            "Token …），无需 CSRF。"))
    return drf_exception_handler(exc, context)


class MaskedPersonalField(serializers.CharField):
    """An encrypted model field over the API: always masked (the clear text only through an unmask endpoint)."""

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return mask_value(self.field_name or "", str(value or ""))


class ModelSerializer(serializers.ModelSerializer):
    """The project's ModelSerializer: any encrypted field it serialises comes out masked, read-only."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                EncryptedTextField: MaskedPersonalField}


class ScopedViewSetMixin:
    """Set `queryset` (a ScopedQuerySet); records outside the caller's scope do not exist for it (404).

    Rows that belong to another record (an activity's figures) set `scope_model` to the owner's model and
    override `get_queryset` to filter through the owner's `visible_to`.
    """

    scope_model = None
    lookup_value_regex = "[0-9]+"  # ids are integers; anything else is a JSON 404

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        set_actor(request.user)  # token auth happens here, after the middleware opened the audit context
        model = self.scope_model or self.queryset.model
        action = ACTION_FOR_METHOD.get(request.method, "view")
        if not scope_paths(request.user, model.scope_roles.get(action, ())):
            raise PermissionDenied("您没有进行此操作的权限。")

    def get_queryset(self):
        action = ACTION_FOR_METHOD.get(self.request.method, "view")
        return self.queryset.all().visible_to(self.request.user, action)

    def filters_requested(self) -> bool:
        """Whether the request names any of the view's filters (True when the view has no filterset to tell)."""
        filterset = getattr(self, "filterset_class", None)
        if filterset is None or getattr(self, "filterset_fields", None):
            return True
        names = filterset.base_filters.keys()
        return any(param == name or param.startswith(f"{name}_") for param in self.request.query_params
                   for name in names)

    def filter_queryset(self, queryset):
        """The filter backends, skipped when the request names none of the filters: building the filter form (its
        fields, the scoped choices) cost a plain list page more than its own query."""
        if not self.filters_requested():
            return queryset
        return super().filter_queryset(queryset)

    def scope_units(self):
        """The units whose records this request may reach (`ScopedQuerySet.units_for`), None for none."""
        return self.queryset.units_for(self.request.user, ACTION_FOR_METHOD.get(self.request.method, "view"))


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class CodeItemSerializer(serializers.ModelSerializer):
    table = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    aliases = serializers.ListField(source="alias_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = CodeItem
        fields = ["id", "table", "code", "name", "aliases", "parent", "order"]


class CodeItemViewSet(ScopedReadOnlyViewSet):
    """字典条目（问题类别、来源方式、单位类型等）。用 ?table=标识 筛选。"""

    queryset = CodeItem.objects.filter(is_active=True).select_related("table")
    serializer_class = CodeItemSerializer
    filterset_fields = {"table__slug": ["exact"]}

    def get_queryset(self):
        queryset = super().get_queryset()
        table = self.request.query_params.get("table")
        return queryset.filter(table__slug=table) if table else queryset
