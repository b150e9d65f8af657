from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    AccountTierApi,
    IcpVersionViewSet,
    PredictiveModelViewSet,
    ProspectingSettingsApi,
    RescoreApi,
    TierChangeViewSet,
    TierProposalViewSet,
)

router = SimpleRouter()
router.register("icp-versions", IcpVersionViewSet, basename="icp-version")
router.register("predictive-models", PredictiveModelViewSet, basename="predictive-model")
router.register("tier-changes", TierChangeViewSet, basename="tier-change")
router.register("tier-proposals", TierProposalViewSet, basename="tier-proposal")

urlpatterns = [
    path("accounts/<int:pk>/tier/", AccountTierApi.as_view(), name="account-tier"),
    path("prospecting/settings/", ProspectingSettingsApi.as_view(), name="prospecting-settings"),
    path("prospecting/rescore/", RescoreApi.as_view(), name="prospecting-rescore"),
    *router.urls,
]
