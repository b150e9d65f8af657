from django.urls import path

from . import views

app_name = "engagement"
urlpatterns = [
    path("accounts/<int:pk>/timeline/", views.account_timeline_panel, name="account_timeline"),
    path("accounts/<int:pk>/trend/", views.account_trend_panel, name="account_trend"),
    path("accounts/<int:pk>/receipt/", views.account_receipt_panel, name="account_receipt"),
    path("settings/", views.scoring_settings_view, name="settings"),
    path("settings/preview/", views.scoring_preview_view, name="settings_preview"),
    path("settings/preview/<int:pk>/", views.scoring_preview_job_view, name="settings_preview_job"),
    path("settings/batches/<int:pk>/retry/", views.pending_batch_retry_view, name="batch_retry"),
    path("events/upload/", views.events_upload_view, name="upload"),
    path("events/upload/<int:pk>/", views.event_import_detail_view, name="upload_detail"),
    path("events/upload/<int:pk>/start/", views.event_import_start_view, name="upload_start"),
]
