from django.apps import AppConfig
from django.utils.translation import gettext_noop


class ContentConfig(AppConfig):
    name = "content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import (
            account_panel_register,
            nav_register,
            settings_link_register,
            task_completed_register,
        )

        account_panel_register("content:panel_committee", order=15)
        account_panel_register("content:panel_next_best", order=16)
        nav_register(
            gettext_noop("Committees"),
            "content:heatmap",
            active_prefixes=("content:heatmap", "content:gaps", "content:won_lost"),
            order=26,
        )
        nav_register(gettext_noop("Plays"), "content:plays", active_prefixes=("content:play",), order=45)
        settings_link_register(
            gettext_noop("Buying committees"),
            "content:committee_templates",
            description=gettext_noop(
                "The roles a complete committee needs per tier, and when a person counts as engaged."
            ),
            roles=("admin", "marketing"),
        )
        settings_link_register(
            gettext_noop("Content selection"),
            "content:settings",
            description=gettext_noop(
                "Effort allowed per tier, content stage per journey stage, and the ranking prior."
            ),
            roles=("admin", "marketing"),
        )
        settings_link_register(
            gettext_noop("Outreach templates"),
            "content:templates",
            description=gettext_noop("Emails with merge fields for contacts, personas, owners and similar customers."),
        )
        task_completed_register("content.tasks.play_step_touch_log_task")

        from abe.registry import nav_register

        nav_register(gettext_noop("Content"), "content:list", active_prefixes=("content:",), order=40)
