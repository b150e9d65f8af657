from django.urls import path

from .views import EventBatchApi, EventIngestApi

urlpatterns = [
    path("events/", EventIngestApi.as_view(), name="events-ingest"),
    path("events/batch/", EventBatchApi.as_view(), name="events-batch"),
]
