from django.apps import AppConfig


class AbeConfig(AppConfig):
    name = "abe"
    verbose_name = "Workspaces and access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import health, jobs  # noqa: F401  (register the worker heartbeat and the job watchdog tasks)
        from .api import schema  # noqa: F401  (registers the OpenAPI extension)
        from .api.fields import strict_json_booleans

        strict_json_booleans()  # JSON booleans are true or false, as the schema says
        from .db import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="abe-statement-timeout")

        from .embedded_beat import start_if_embedded

        start_if_embedded()  # the schedule in a thread of `runserver` when tasks run in-process (no REDIS_URL)

        from django.contrib.auth.signals import user_logged_in

        from .middleware import workspace_pin_on_login

        user_logged_in.connect(workspace_pin_on_login, dispatch_uid="abe-workspace-pin")

        from django.utils.translation import gettext_noop

        from .forms import localize_number_fields

        localize_number_fields()  # decimal commas in every form (es, pt, ro)

        from .registry import nav_register, settings_link_register

        # Labels are marked here and translated where they are shown (abe.context_processors, abe.views._links).
        nav_register(gettext_noop("Home"), "home", active_prefixes=("home",), order=0)
        nav_register(gettext_noop("Settings"), "settings:index", active_prefixes=("settings:",), order=90)
        settings_link_register(
            gettext_noop("Background jobs"),
            "job_list",
            order=95,
            description=gettext_noop("Bulk changes, rescores and previews: running, done or failed, with the reason."),
        )
        settings_link_register(
            gettext_noop("Language and currency"),
            "settings:locale",
            order=5,
            roles=("admin",),
            description=gettext_noop("The workspace's default language and the currency of its amounts."),
        )
