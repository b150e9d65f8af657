from django.urls import path

from .views import AnalyticsSummaryApi, MaturityAssessmentListCreateApi

urlpatterns = [
    path("analytics/summary/", AnalyticsSummaryApi.as_view(), name="analytics-summary"),
    path("maturity-assessments/", MaturityAssessmentListCreateApi.as_view(), name="maturity-assessments"),
]
