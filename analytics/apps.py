from django.apps import AppConfig
from django.utils.translation import gettext_noop as N_


class AnalyticsConfig(AppConfig):
    name = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import after_scoring_register, nav_register, settings_link_register

        after_scoring_register("analytics.tasks.facts_refresh_accounts_task", order=200)
        nav_register(N_("Analytics"), "analytics:overview", active_prefixes=("analytics",), order=80)
        settings_link_register(
            N_("Programme spend and economics"),
            "analytics:economics",
            description=N_("Spend entries, gross margin, churn and alert SLAs behind CAC, LTV and response KPIs."),
            order=80,
            roles=("admin", "marketing"),
        )
