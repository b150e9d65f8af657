from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    AccountHealthApi,
    AccountPlanViewSet,
    BantItemViewSet,
    NewsFeedViewSet,
    NewsMatchViewSet,
    ParetoApi,
    PlanObjectiveViewSet,
    PlanRiskViewSet,
    ProposeKeyAccountApi,
    QualificationViewSet,
    RecurringActivityViewSet,
    RenewalsApi,
)

router = SimpleRouter()
router.register("account-plans", AccountPlanViewSet, basename="account-plan")
router.register("account-plan-objectives", PlanObjectiveViewSet, basename="account-plan-objective")
router.register("account-plan-risks", PlanRiskViewSet, basename="account-plan-risk")
router.register("bant-items", BantItemViewSet, basename="bant-item")
router.register("qualification", QualificationViewSet, basename="qualification")
router.register("recurring-activities", RecurringActivityViewSet, basename="recurring-activity")
router.register("news-feeds", NewsFeedViewSet, basename="news-feed")
router.register("news-matches", NewsMatchViewSet, basename="news-match")

urlpatterns = [
    path("key-accounts/pareto/", ParetoApi.as_view(), name="key-accounts-pareto"),
    path("key-accounts/propose/", ProposeKeyAccountApi.as_view(), name="key-accounts-propose"),
    path("key-accounts/renewals/", RenewalsApi.as_view(), name="key-accounts-renewals"),
    path("key-accounts/health/<int:pk>/", AccountHealthApi.as_view(), name="key-accounts-health"),
    *router.urls,
]
