from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.overview_view, name="overview"),
    path("journey/", views.journey_view, name="journey"),
    path("funnel/", views.funnel_view, name="funnel"),
    path("response/", views.response_view, name="response"),
    path("content/", views.content_view, name="content"),
    path("impact/", views.impact_view, name="impact"),
    path("economics/", views.economics_view, name="economics"),
    path("maturity/", views.maturity_view, name="maturity"),
    path("digest/", views.digest_toggle_view, name="digest_toggle"),
    path("economics/spend/<int:pk>/delete/", views.spend_delete_view, name="spend_delete"),
]
