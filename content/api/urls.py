from django.urls import path
from rest_framework.routers import SimpleRouter

from . import committee
from .views import router

committee_router = SimpleRouter()
committee_router.register("outreach-templates", committee.OutreachTemplateViewSet, basename="outreach-template")
committee_router.register("plays", committee.PlayViewSet, basename="play")

urlpatterns = [
    *router.urls,
    *committee_router.urls,
    path("accounts/<int:pk>/coverage/", committee.AccountCoverageApi.as_view(), name="account-coverage"),
    path(
        "accounts/<int:pk>/next-best-content/", committee.AccountNextBestApi.as_view(), name="account-next-best-content"
    ),
    path("committee-templates/", committee.CommitteeTemplateListApi.as_view(), name="committee-template-list"),
    path("committee-templates/<str:tier>/", committee.CommitteeTemplateApi.as_view(), name="committee-template"),
    path("committee-coverage/", committee.CoverageListApi.as_view(), name="committee-coverage"),
    path("committee-analysis/won-lost/", committee.WonLostApi.as_view(), name="committee-won-lost"),
    path("content-settings/", committee.ContentSettingsApi.as_view(), name="content-settings"),
    path("content-performance/", committee.AssetPerformanceApi.as_view(), name="content-performance"),
]
