from django.apps import AppConfig
from django.utils.translation import gettext_noop


class HomeConfig(AppConfig):
    """The home page sections of the portal's own roles: "My day" (sales and KAMs) and "Programme pulse"
    (marketing and admins). Top of the layer order: it reads accounts, work, engagement and activation."""

    name = "home"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import home_section_register

        home_section_register("home:my_day", title=gettext_noop("My day"), order=10, roles=("sales",))
        home_section_register(
            "home:pulse", title=gettext_noop("Programme pulse"), order=10, roles=("admin", "marketing")
        )
