from django.apps import AppConfig


class AbeConfig(AppConfig):
    name = "abe"
    verbose_name = "Workspaces and access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import health  # noqa: F401  (registers the worker heartbeat task)
        from .api import schema  # noqa: F401  (registers the OpenAPI extension)
        from .db import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="abe-statement-timeout")

        from django.contrib.auth.signals import user_logged_in

        from .middleware import workspace_pin_on_login

        user_logged_in.connect(workspace_pin_on_login, dispatch_uid="abe-workspace-pin")

        from .registry import nav_register

        nav_register("Home", "home", active_prefixes=("home",), order=0)
        nav_register("Settings", "settings:index", active_prefixes=("settings:",), order=90)
