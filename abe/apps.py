from django.apps import AppConfig


class AbeConfig(AppConfig):
    name = "abe"
    verbose_name = "Workspaces and access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .api import schema  # noqa: F401  (registers the OpenAPI extension)
        from .registry import nav_register

        nav_register("Home", "home", active_prefixes=("home",), order=0)
        nav_register("Settings", "settings:index", active_prefixes=("settings:",), order=90)
