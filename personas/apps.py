from django.apps import AppConfig


class PersonasConfig(AppConfig):
    name = "personas"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import nav_register

        nav_register("Personas", "personas:list", active_prefixes=("personas:",), order=30)
