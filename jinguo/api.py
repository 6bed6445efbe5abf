"""The REST API's routes, listed explicitly: each app contributes its viewsets here."""

from rest_framework.routers import DefaultRouter

from jinguo.accounts.api import MeView
from jinguo.core.api import CodeItemViewSet
from jinguo.orgs.api import OrgUnitViewSet

router = DefaultRouter()
router.register("orgs", OrgUnitViewSet, basename="orgunit")
router.register("codes", CodeItemViewSet, basename="codeitem")

extra_urls = [("me/", MeView)]
