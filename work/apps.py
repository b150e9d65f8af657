from django.apps import AppConfig
from django.utils.translation import gettext_noop


class WorkConfig(AppConfig):
    """Tasks: the one to-do model of the portal (from plays, alerts, account plans, check-ins, or by hand)."""

    name = "work"
    verbose_name = "Tasks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import account_panel_register, home_section_register, nav_register

        account_panel_register("work:account_panel", order=17)
        nav_register(gettext_noop("Tasks"), "work:list", active_prefixes=("work",), order=25)
        # Sales see their tasks inside "My day" (home app); the other roles get this fragment after their pulse.
        home_section_register(
            "work:home_my_tasks", title=gettext_noop("My tasks"), order=20, roles=("admin", "marketing", "viewer")
        )
