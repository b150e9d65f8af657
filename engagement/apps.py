from django.apps import AppConfig
from django.utils.translation import gettext_noop


class EngagementConfig(AppConfig):
    name = "engagement"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abe.registry import account_panel_register, job_restart_register

        # A failed recompute after a settings change resumes from the last range it committed (its job's params).
        job_restart_register(
            "engagement_recompute", task="engagement.tasks.engagement_recompute_job_task", roles=("admin",)
        )
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

        from abe.registry import settings_link_register

        settings_link_register(
            gettext_noop("Engagement scoring"),
            "engagement:settings",
            order=50,
            roles=("admin",),
            description=gettext_noop("Weights, half-lives, caps, multipliers, stages, with a preview."),
        )
        settings_link_register(
            gettext_noop("Upload events"),
            "engagement:upload",
            order=60,
            roles=("admin", "marketing", "sales"),
            description=gettext_noop("Engagement events from a CSV file."),
        )
        from accounts.signals import accounts_changed

        accounts_changed.connect(_rescore_changed_accounts, dispatch_uid="engagement_rescore_changed_accounts")


def _rescore_changed_accounts(sender: object, *, workspace_id: int, account_ids: list[int], **kwargs: object) -> None:
    """Imported deals move journey stages (won/open deal conditions): rescore those accounts once committed."""
    from abe.tasks import enqueue_on_commit

    from .tasks import engagement_score_accounts_task

    for start in range(0, len(account_ids), 5000):
        enqueue_on_commit(engagement_score_accounts_task, workspace_id, account_ids[start : start + 5000])
