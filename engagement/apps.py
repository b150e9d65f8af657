from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import account_panel_register

        account_panel_register("engagement:account_receipt", order=40)
        account_panel_register("engagement:account_trend", order=50)
        account_panel_register("engagement:account_timeline", order=90)
