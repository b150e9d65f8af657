from django.urls import path

from . import views

app_name = "activation"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("badge/", views.badge_view, name="badge"),
    path("preferences/", views.preference_view, name="preferences"),
    path("<int:pk>/", views.alert_detail_view, name="detail"),
    path("<int:pk>/assign/", views.alert_assign_view, name="assign"),
    path("<int:pk>/<str:action>/", views.alert_action_view, name="action"),
    path("account/<int:pk>/panel/", views.account_panel_view, name="account_panel"),
    path("rules/", views.rule_list_view, name="rules"),
    path("rules/new/", views.rule_form_view, name="rule_create"),
    path("rules/<int:pk>/edit/", views.rule_form_view, name="rule_edit"),
    path("rules/preview/", views.rule_preview_view, name="rule_preview"),
    path("rules/preview/jobs/<int:pk>/", views.rule_preview_job_view, name="rule_preview_job"),
    path("rules/<int:pk>/preview/", views.rule_preview_view, name="rule_change_preview"),
    path("rules/<int:pk>/delete/", views.rule_delete_view, name="rule_delete"),
    path("webhooks/", views.webhook_list_view, name="webhooks"),
    path("webhooks/new/", views.webhook_form_view, name="webhook_create"),
    path("webhooks/<int:pk>/", views.webhook_detail_view, name="webhook_detail"),
    path("webhooks/<int:pk>/edit/", views.webhook_form_view, name="webhook_edit"),
    path("webhooks/<int:pk>/test/", views.webhook_test_view, name="webhook_test"),
    path("webhooks/<int:pk>/rotate-secret/", views.webhook_rotate_view, name="webhook_rotate"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete_view, name="webhook_delete"),
]
