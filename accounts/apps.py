from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import account_panel_register

        account_panel_register("accounts:panel_fit", order=10)
        account_panel_register("accounts:panel_win", order=20)
        account_panel_register("accounts:panel_tier", order=30)
