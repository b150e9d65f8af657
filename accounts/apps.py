from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_noop


def _rank_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Every ``migrate`` (re)installs the triggers of the accounts' copies (``AccountRank``,
    ``AccountEngagementRank``): SQLite drops them whenever a migration rebuilds the accounts table
    (``accounts.rank_sync``)."""
    from . import rank_sync

    rank_sync.install_all(connections[using])


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_rank_triggers, sender=self, dispatch_uid="accounts.rank_triggers")

        from abe.registry import account_panel_register, job_restart_register

        # A failed bulk change resumes after the accounts it had saved (accounts_bulk_apply_task).
        job_restart_register(
            "accounts_bulk",
            task="accounts.prospecting.tasks.accounts_bulk_apply_task",
            roles=("admin", "marketing", "sales"),
        )

        account_panel_register("accounts:panel_fit", order=10)
        account_panel_register("accounts:panel_win", order=20)
        account_panel_register("accounts:panel_tier", order=30)

        from abe.registry import nav_register, settings_link_register

        nav_register(gettext_noop("Accounts"), "accounts:list", active_prefixes=("accounts:",), order=10)
        nav_register(
            gettext_noop("Tier board"),
            "accounts:tier_board",
            order=20,
            active_prefixes=("accounts:tier", "accounts:icp", "accounts:model", "accounts:import"),
        )
        settings_link_register(
            gettext_noop("Ideal Customer Profile"),
            "accounts:icp_settings",
            order=10,
            description=gettext_noop("Weighted criteria, bands, versions; fit score and grade."),
        )
        settings_link_register(
            gettext_noop("Predictive model"),
            "accounts:model",
            order=20,
            description=gettext_noop("Train, compare with baselines, activate a version."),
        )
        settings_link_register(
            gettext_noop("Tier proposals"),
            "accounts:tier_proposals",
            order=30,
            description=gettext_noop("Moves of pinned and key accounts awaiting a decision."),
        )
        settings_link_register(
            gettext_noop("Import CSV"),
            "accounts:import",
            order=40,
            roles=("admin", "marketing"),
            description=gettext_noop(
                "Accounts, contacts, opportunities (Salesforce, HubSpot, Pipedrive, Zoho CRM, Microsoft Dynamics 365 "
                "presets)."
            ),
        )
