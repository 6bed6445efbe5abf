"""The REST API's routes, listed explicitly: each app contributes its viewsets here."""

from rest_framework.routers import DefaultRouter

from jinguo.accounts.api import MeView
from jinguo.core.api import CodeItemViewSet
from jinguo.ledger.api import ActivityViewSet, FigureViewSet, MeasureViewSet, PlanItemViewSet
from jinguo.orgs.api import OrgUnitViewSet
from jinguo.petitions.api import CaseViewSet

router = DefaultRouter()
router.register("orgs", OrgUnitViewSet, basename="orgunit")
router.register("codes", CodeItemViewSet, basename="codeitem")
router.register("activities", ActivityViewSet, basename="activity")
router.register("figures", FigureViewSet, basename="figure")
router.register("plan-items", PlanItemViewSet, basename="planitem")
router.register("measures", MeasureViewSet, basename="measure")
router.register("cases", CaseViewSet, basename="case")

extra_urls = [("me/", MeView)]
