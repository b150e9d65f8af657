from django.apps import AppConfig


class WorkConfig(AppConfig):
    """Tasks: the one to-do model of the portal (from plays, alerts, account plans, check-ins, or by hand)."""

    name = "work"
    verbose_name = "Tasks"
    default_auto_field = "django.db.models.BigAutoField"
