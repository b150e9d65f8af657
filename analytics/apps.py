from django.apps import AppConfig
from django.utils.translation import gettext_noop


class AnalyticsConfig(AppConfig):
    name = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import after_scoring_register, nav_register, settings_link_register

        after_scoring_register("analytics.tasks.facts_refresh_accounts_task", order=200)
        nav_register(gettext_noop("Analytics"), "analytics:overview", active_prefixes=("analytics",), order=80)
        settings_link_register(
            gettext_noop("Programme spend and economics"),
            "analytics:economics",
            description=gettext_noop(
                "Spend entries, gross margin, churn and alert SLAs behind CAC, LTV and response KPIs."
            ),
            order=80,
            roles=("admin", "marketing"),
        )
