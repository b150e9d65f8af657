from django.apps import AppConfig


class ActivationConfig(AppConfig):
    name = "activation"
    label = "activation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import account_panel_register, after_scoring_register

        account_panel_register("activation:account_panel", order=60)
        after_scoring_register("activation.tasks.rules_evaluate_task")
