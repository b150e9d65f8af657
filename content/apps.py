from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import nav_register

        nav_register("Content", "content:list", active_prefixes=("content:",), order=40)
