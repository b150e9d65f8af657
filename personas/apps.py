from django.apps import AppConfig
from django.utils.translation import gettext_noop


class PersonasConfig(AppConfig):
    name = "personas"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import nav_register

        nav_register(gettext_noop("Personas"), "personas:list", active_prefixes=("personas:",), order=30)
