"""A task registered as an after-scoring task by a test: it records what it sees when it runs."""

from celery import shared_task

from accounts.models import Account

SEEN: list = []


@shared_task
def record_scores(workspace_id: int, account_ids: list[int]) -> None:
    scored = list(Account.objects.filter(pk__in=account_ids, engagement_score__gt=0).values_list("pk", flat=True))
    SEEN.append(
        (workspace_id, account_ids, scored, Account.objects.filter(pk__in=account_ids, journey_stage="aware").exists())
    )
