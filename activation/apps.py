from django.apps import AppConfig


class ActivationConfig(AppConfig):
    name = "activation"
    label = "activation"
    default_auto_field = "django.db.models.BigAutoField"
