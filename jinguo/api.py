"""The REST API's routes, listed explicitly: each app contributes its viewsets here."""

from rest_framework.routers import DefaultRouter

from jinguo.accounts.api import MeView
from jinguo.articles.api import ArticleViewSet
from jinguo.core.api import CodeItemViewSet
from jinguo.grassroots.api import OrgProfileViewSet
from jinguo.ledger.api import ActivityViewSet, FigureViewSet, MeasureViewSet, PlanItemViewSet
from jinguo.monitoring import api as monitoring_api
from jinguo.orgs.api import OrgUnitViewSet
from jinguo.people import api as people_api
from jinguo.petitions.api import CaseViewSet

router = DefaultRouter()
router.register("orgs", OrgUnitViewSet, basename="orgunit")
router.register("codes", CodeItemViewSet, basename="codeitem")
router.register("activities", ActivityViewSet, basename="activity")
router.register("figures", FigureViewSet, basename="figure")
router.register("plan-items", PlanItemViewSet, basename="planitem")
router.register("measures", MeasureViewSet, basename="measure")
router.register("cases", CaseViewSet, basename="case")
router.register("beneficiaries", people_api.BeneficiaryViewSet, basename="beneficiary")
router.register("talents", people_api.TalentViewSet, basename="talent")
router.register("volunteers", people_api.VolunteerViewSet, basename="volunteer")
router.register("honours", people_api.HonourViewSet, basename="honour")
router.register("civilized-posts", people_api.CivilizedPostViewSet, basename="civilizedpost")
router.register("loans", people_api.LoanViewSet, basename="loan")
router.register("org-profiles", OrgProfileViewSet, basename="orgprofile")
router.register("articles", ArticleViewSet, basename="article")
router.register("indicators", monitoring_api.IndicatorViewSet, basename="indicator")
router.register("rules", monitoring_api.RuleViewSet, basename="rule")
router.register("indicator-values", monitoring_api.ValueViewSet, basename="indicatorvalue")
router.register("submissions", monitoring_api.SubmissionViewSet, basename="submission")

extra_urls = [("me/", MeView)]
