from django.urls import path
from rest_framework.routers import SimpleRouter

from .prospecting import (
    AccountTierApi,
    IcpVersionViewSet,
    ImportJobViewSet,
    PredictiveModelViewSet,
    ProspectingSettingsApi,
    RescoreApi,
    TierChangeViewSet,
    TierProposalViewSet,
)
from .views import AccountTeamMemberViewSet, AccountViewSet, ContactViewSet, OpportunityViewSet, ProductViewSet

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("account-team-members", AccountTeamMemberViewSet, basename="account-team-member")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("icp-versions", IcpVersionViewSet, basename="icp-version")
router.register("predictive-models", PredictiveModelViewSet, basename="predictive-model")
router.register("tier-changes", TierChangeViewSet, basename="tier-change")
router.register("tier-proposals", TierProposalViewSet, basename="tier-proposal")
router.register("import-jobs", ImportJobViewSet, basename="import-job")
router.register("products", ProductViewSet, basename="product")

urlpatterns = [
    path("accounts/<int:pk>/tier/", AccountTierApi.as_view(), name="account-tier"),
    path("prospecting/settings/", ProspectingSettingsApi.as_view(), name="prospecting-settings"),
    path("prospecting/rescore/", RescoreApi.as_view(), name="prospecting-rescore"),
    *router.urls,
]
