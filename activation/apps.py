from django.apps import AppConfig
from django.utils.translation import gettext_noop


class ActivationConfig(AppConfig):
    name = "activation"
    label = "activation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import account_panel_register, after_scoring_register

        account_panel_register("activation:account_panel", order=60)
        after_scoring_register("activation.tasks.rules_evaluate_task")
        from abe.registry import alert_forecast_register

        alert_forecast_register("activation.services.forecast.alerts_forecast")

        from abe.registry import nav_register, settings_link_register

        nav_register(
            gettext_noop("Alerts"),
            "activation:inbox",
            active_prefixes=("activation:",),
            order=50,
            badge_url_name="activation:badge",
        )
        settings_link_register(
            gettext_noop("Activation rules"),
            "activation:rules",
            order=70,
            description=gettext_noop("The triggers that alert the account team."),
        )
        settings_link_register(
            gettext_noop("Webhooks"),
            "activation:webhooks",
            order=80,
            roles=("admin",),
            description=gettext_noop("Signed deliveries to your systems and Slack."),
        )
        settings_link_register(
            gettext_noop("My notifications"),
            "activation:inbox",
            order=90,
            description=gettext_noop("Instant emails or a daily digest."),
        )
