from django.apps import AppConfig


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
            "Alerts", "activation:inbox", active_prefixes=("activation:",), order=50, badge_url_name="activation:badge"
        )
        settings_link_register(
            "Activation rules", "activation:rules", order=70, description="The triggers that alert the account team."
        )
        settings_link_register(
            "Webhooks",
            "activation:webhooks",
            order=80,
            roles=("admin",),
            description="Signed deliveries to your systems and Slack.",
        )
        settings_link_register(
            "My notifications", "activation:inbox", order=90, description="Instant emails or a daily digest."
        )
