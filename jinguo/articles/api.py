"""Information reports over the API: list and detail (sender's subtree and the reports addressed to the caller's
units), and the actions of the unit a report was addressed to: adopt (采用) and forward (转报)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from jinguo.articles import services
from jinguo.articles.models import Adoption, Article
from jinguo.core.api import ModelSerializer, ScopedReadOnlyViewSet
from jinguo.orgs.models import OrgUnit


class AdoptionSerializer(ModelSerializer):
    adopter_name = serializers.CharField(source="adopter_label", read_only=True)

    class Meta:
        model = Adoption
        fields = ["id", "adopter", "adopter_name", "adopted_on", "note"]


class ArticleSerializer(ModelSerializer):
    adoptions = AdoptionSerializer(many=True, read_only=True)

    class Meta:
        model = Article
        fields = ["id", "org", "title", "sent_on", "author", "sent_to", "sent_to_text", "body", "adoptions",
                  "version"]


class AdoptInput(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ForwardInput(serializers.Serializer):
    to_org = serializers.IntegerField(min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ArticleViewSet(ScopedReadOnlyViewSet):
    """信息报送。上级单位可对报送给本单位的信息采用（adopt）或转报（forward）。"""

    queryset = Article.objects.select_related("org", "sent_to").prefetch_related("adoptions__adopter")
    serializer_class = ArticleSerializer

    def get_queryset(self):
        if self.action in ("adopt", "forward"):
            return self.queryset.all().visible_to(self.request.user, self.action)
        return super().get_queryset()

    def _run(self, call):
        try:
            result = call()
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from None
        return result

    @extend_schema(request=AdoptInput, responses={201: AdoptionSerializer})
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        article = self.get_object()
        data = AdoptInput(data=request.data)
        data.is_valid(raise_exception=True)
        adoption = self._run(lambda: services.adopt(article, actor=request.user, note=data.validated_data["note"],
                                                    on=data.validated_data["on"]))
        return Response(AdoptionSerializer(adoption).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ForwardInput, responses={201: None})
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        article = self.get_object()
        data = ForwardInput(data=request.data)
        data.is_valid(raise_exception=True)
        to_org = OrgUnit.objects.filter(pk=data.validated_data["to_org"]).first()
        if to_org is None:
            raise ValidationError({"to_org": ["上级单位不存在。"]})
        record = self._run(lambda: services.forward(article, actor=request.user, to_org=to_org,
                                                    note=data.validated_data["note"]))
        return Response({"id": record.pk, "from_org": record.from_org_id, "to_org": record.to_org_id,
                         "forwarded_on": record.forwarded_on}, status=status.HTTP_201_CREATED)
