from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import nav_register

        nav_register("Analytics", "analytics:overview", active_prefixes=("analytics:",), order=60)
