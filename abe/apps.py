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
