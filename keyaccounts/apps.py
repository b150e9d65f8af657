from django.apps import AppConfig
from django.utils.translation import gettext_noop


class KeyAccountsConfig(AppConfig):
    """Key accounts: plans, qualification, Pareto selection, post-sale care, news alerts."""

    name = "keyaccounts"
    verbose_name = "Key accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import account_panel_register, home_section_register, nav_register, settings_link_register

        account_panel_register("keyaccounts:panel_plan", order=40)
        account_panel_register("keyaccounts:panel_postsale", order=45)
        account_panel_register("keyaccounts:panel_news", order=70)
        nav_register(gettext_noop("Key accounts"), "keyaccounts:index", active_prefixes=("keyaccounts",), order=35)
        settings_link_register(
            gettext_noop("Key accounts"),
            "keyaccounts:settings",
            description=gettext_noop("Review cadence per tier, win-back delay, news feeds and ambiguous names."),
            order=70,
            roles=("admin",),
        )
        settings_link_register(
            gettext_noop("Product catalogue"),
            "keyaccounts:products",
            description=gettext_noop("Products that opportunities sell."),
            order=71,
            roles=("admin", "marketing"),
        )
        home_section_register("keyaccounts:home_reviews", title=gettext_noop("Account-plan reviews due"), order=40)

        from abe.registry import account_measure_register, tier_changed_register

        from .selectors import health_accounts_with_readings, health_history
        from .services.plans import plan_reviews_reschedule

        # A plan's review cadence follows its account's tier: re-date the next review when the tier changes.
        tier_changed_register("keyaccounts.plan_reviews_reschedule", plan_reviews_reschedule)

        # Activation's health-drop condition reads the health history through this (it may not import us).
        account_measure_register(
            "health",
            label="Health score",
            history=health_history,
            accounts_with_readings=health_accounts_with_readings,
        )
