from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import account_panel_register

        account_panel_register("engagement:account_receipt", order=40)
        account_panel_register("engagement:account_trend", order=50)
        account_panel_register("engagement:account_timeline", order=90)

        from content import hooks

        from . import content_hooks

        hooks.touch_logger_register(content_hooks.touch_log)
        hooks.consumed_reader_register(content_hooks.consumed_assets)
        hooks.stages_reader_register(content_hooks.journey_stages)
        hooks.stage_at_reader_register(content_hooks.stages_at)
        hooks.engaged_before_reader_register(content_hooks.engaged_before)
