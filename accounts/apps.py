from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import account_panel_register

        account_panel_register("accounts:panel_fit", order=10)
        account_panel_register("accounts:panel_win", order=20)
        account_panel_register("accounts:panel_tier", order=30)

        from abe.registry import nav_register, settings_link_register

        nav_register("Accounts", "accounts:list", active_prefixes=("accounts:",), order=10)
        nav_register(
            "Tier board",
            "accounts:tier_board",
            order=20,
            active_prefixes=("accounts:tier", "accounts:icp", "accounts:model", "accounts:import"),
        )
        settings_link_register(
            "Ideal Customer Profile",
            "accounts:icp_settings",
            order=10,
            description="Weighted criteria, bands, versions; fit score and grade.",
        )
        settings_link_register(
            "Predictive model",
            "accounts:model",
            order=20,
            description="Train, compare with baselines, activate a version.",
        )
        settings_link_register(
            "Tier proposals",
            "accounts:tier_proposals",
            order=30,
            description="Moves of pinned and key accounts awaiting a decision.",
        )
        settings_link_register(
            "Import CSV",
            "accounts:import",
            order=40,
            roles=("admin", "marketing"),
            description="Accounts, contacts, opportunities (Salesforce, HubSpot presets).",
        )
