from django.urls import path

from .views import AnalyticsSummaryApi

urlpatterns = [
    path("analytics/summary/", AnalyticsSummaryApi.as_view(), name="analytics-summary"),
]
