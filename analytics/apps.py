from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import after_scoring_register, nav_register, settings_link_register

        after_scoring_register("analytics.tasks.facts_refresh_accounts_task", order=200)
        nav_register("Analytics", "analytics:overview", active_prefixes=("analytics",), order=80)
        settings_link_register(
            "Programme spend and economics",
            "analytics:economics",
            description="Spend entries, gross margin, churn and alert SLAs behind CAC, LTV and response KPIs.",
            order=80,
            roles=("admin", "marketing"),
        )
