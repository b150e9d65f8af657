"""Celery entry points for activation: thin, each calls a service. Every task is safe to repeat (see each).

``rules_evaluate`` is registered in ``ActivationConfig.ready``: engagement publishes it after each
scoring pass commits, with the ids of the accounts it scored.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.db import OperationalError
from django.utils import timezone
from django.utils.translation import gettext_noop

from abe import texts
from abe.tasks import SweptTask

from .models import TIME_BASED_CONDITIONS
from .services import alerts, config_changes, evaluation, outbox

SCHEDULED_CHUNK = 500


@shared_task(
    name="activation.tasks.rules_evaluate",
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=300,
    soft_time_limit=280,
)
def rules_evaluate_task(
    self: Task[Any, Any], workspace_id: int, account_ids: list[int], config_change: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The after-scoring hook (``workspace_id``, ``account_ids``): evaluate the rules on the accounts of that
    workspace that a scoring pass changed. Safe to repeat: a crossing already fired is recorded in the rule state
    and the alert's dedupe key.

    After a configuration change (``config_change``) the crossings are held back and one summary notice goes to
    the admins and the owners of the moved accounts, unless the change asked for per-account alerts. A repeat
    finds the crossings consumed and the notice sent (its dedupe key is the change's key)."""
    hold_back = config_change is not None and not config_change.get("per_account_alerts")
    result = evaluation.rules_evaluate(account_ids=account_ids, workspace_id=workspace_id, hold_back=hold_back)
    if hold_back and config_change is not None:
        config_changes.config_change_notice_create(
            workspace_id=workspace_id, change=config_change, held_back=len(result.held_back)
        )
    return {
        "accounts": result.accounts,
        "fired": len(result.fired),
        "suppressed": len(result.suppressed),
        "held_back": len(result.held_back),
    }


@shared_task(
    name="activation.tasks.rules_evaluate_time_based",
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=600,
    soft_time_limit=580,
)
def rules_evaluate_time_based_task(self: Task[Any, Any], account_ids: list[int]) -> dict[str, Any]:
    """Safe to repeat, as ``rules_evaluate``; evaluates only the conditions that change with time alone."""
    result = evaluation.rules_evaluate(account_ids=account_ids, condition_types=TIME_BASED_CONDITIONS)
    return {"accounts": result.accounts, "fired": len(result.fired), "suppressed": len(result.suppressed)}


@shared_task(name="activation.tasks.rules_evaluate_scheduled", acks_late=True, time_limit=120)
def rules_evaluate_scheduled_task() -> int:
    """Beat: fan the time-based rules out in chunks of accounts. Safe to repeat (the chunks are)."""
    ids = evaluation.time_based_account_ids(condition_types=TIME_BASED_CONDITIONS)
    for start in range(0, len(ids), SCHEDULED_CHUNK):
        rules_evaluate_time_based_task.delay(ids[start : start + SCHEDULED_CHUNK])
    return len(ids)


@shared_task(
    name="activation.tasks.email_delivery_send",
    base=SweptTask,
    bind=True,
    autoretry_for=(outbox.TemporaryDeliveryError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=7,
    acks_late=True,
    time_limit=60,
)
def email_delivery_send_task(self: Task[Any, Any], delivery_id: int) -> str:
    """Safe to repeat: a delivery already sent (or held by another worker) is skipped."""
    return outbox.email_delivery_send(delivery_id=delivery_id)


@shared_task(
    name="activation.tasks.webhook_delivery_send",
    base=SweptTask,
    bind=True,
    autoretry_for=(outbox.TemporaryDeliveryError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=7,
    acks_late=True,
    time_limit=60,
)
def webhook_delivery_send_task(self: Task[Any, Any], delivery_id: int) -> str:
    """Safe to repeat: a delivery already sent (or held by another worker) is skipped."""
    return outbox.webhook_delivery_send(delivery_id=delivery_id)


@shared_task(name="activation.tasks.deliveries_sweep", acks_late=True, time_limit=60)
def deliveries_sweep_task() -> dict[str, Any]:
    """Beat: publish again what is due and unsent (broker was down, or retries ran out of the queue). Safe to repeat."""
    email_ids, webhook_ids = outbox.deliveries_due(now=timezone.now())
    outbox.deliveries_publish(email_ids=email_ids, webhook_ids=webhook_ids)
    return {"emails": len(email_ids), "webhooks": len(webhook_ids)}


@shared_task(name="activation.tasks.alerts_wake_snoozed", acks_late=True, time_limit=120)
def alerts_wake_snoozed_task() -> int:
    """Beat: reopen alerts whose snooze ran out. Safe to repeat."""
    return alerts.alerts_wake_snoozed()


@shared_task(name="activation.tasks.digests_send", acks_late=True, time_limit=300)
def digests_send_task() -> int:
    """Beat (hourly): the daily digest once the digest hour has passed. Safe to repeat: once per user and day."""
    return outbox.digests_send()


@shared_task(time_limit=300)
def rule_preview_job_task(job_id: int) -> int:
    """The rule form's preview run as a job: the dry run of the rule's next evaluation (rolled back, nothing kept);
    the result holds the accounts and alerts for the form. A finished job is left alone."""
    from django.core.exceptions import ValidationError

    from abe.jobs import failure_cause, job_fail, job_finish, job_start
    from abe.models import Job

    from .services.forecast import rule_forecast_job_run

    job = Job.objects.select_related("workspace").filter(pk=job_id).first()
    if job is None or job.finished:
        return 0
    job_start(job=job)
    try:
        forecast = rule_forecast_job_run(job=job)
    except ValidationError as exc:
        job_fail(job=job, reason=" ".join(exc.messages))
        return 0
    except Exception as exc:
        job_fail(
            job=job,
            reason=texts.msg(gettext_noop("The preview failed: %(error)s"), error=failure_cause(exc, job_id=job.pk)),
        )
        raise
    message = texts.msg(
        # Translators: e.g. "The rule would fire 3 alerts on 2 accounts."
        gettext_noop("The rule would fire %(alerts)s on %(accounts)s."),
        alerts=texts.msg_plural(texts.ALERTS, forecast.alerts),
        accounts=texts.msg_plural(texts.ACCOUNTS, forecast.accounts),
    )
    job_finish(job=job, message=message, result={"accounts": forecast.accounts, "alerts": forecast.alerts})
    return forecast.alerts
