from django.apps import AppConfig


class AbeConfig(AppConfig):
    name = "abe"
    verbose_name = "Workspaces and access"
    default_auto_field = "django.db.models.BigAutoField"
