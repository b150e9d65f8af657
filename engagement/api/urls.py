from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import EngagementConfigApi, EngagementConfigPreviewApi, EventBatchApi, EventImportViewSet, EventIngestApi

router = SimpleRouter()
router.register("event-imports", EventImportViewSet, basename="event-import")

urlpatterns = [
    path("events/", EventIngestApi.as_view(), name="events-ingest"),
    path("events/batch/", EventBatchApi.as_view(), name="events-batch"),
    path("engagement/config/", EngagementConfigApi.as_view(), name="engagement-config"),
    path("engagement/config/preview/", EngagementConfigPreviewApi.as_view(), name="engagement-config-preview"),
    *router.urls,
]
