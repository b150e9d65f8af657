"""How many alerts a change would set off, before it is saved: dry runs of the real rule pass (nothing is kept).

Both forecasts run the same code as the evaluation that follows the save (``account_rules_evaluate``: rule
states, dedupe keys, cool-downs, filters) inside a transaction that is then rolled back, so the count is what
saving would fire, not an estimate, and no row, delivery or after-commit task survives.

``alerts_forecast`` is registered with ``abe.registry.alert_forecast_register``: the engagement settings preview
(page and API) writes the scores and stage changes a candidate configuration would give in its own rolled-back
transaction and calls it with the accounts that changed (what the after-scoring hook would receive).

``rule_forecast``: how many accounts a new, edited or re-activated rule would fire on at its next evaluation with
the accounts as they are now (the rule form's preview and ``POST /api/v1/activation-rules/preview/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from abe import texts
from abe.models import Job, Workspace
from accounts.models import Account

from ..conditions import candidate_accounts
from ..models import Alert, Rule
from .evaluation import EvaluationResult, account_rules_evaluate, rules_evaluate
from .rules import rule_create, rule_update


def alerts_forecast(*, workspace_id: int, account_ids: list[int], now: datetime) -> int:
    """The alerts the after-scoring rule pass would deliver on these accounts now (cool-downs and dedupe applied;
    the muted ones are not counted). Writes what the pass writes: call it inside a transaction you roll back."""
    result = rules_evaluate(account_ids=account_ids, workspace_id=workspace_id, now=now)
    return len(result.fired)


@dataclass
class RuleForecast:
    accounts: int  # accounts on which the rule would fire now
    alerts: int  # alerts it would fire on them (a per-contact rule may fire more than one per account)


def rule_forecast(*, workspace: Workspace, data: dict[str, Any], rule: Rule | None = None) -> RuleForecast:
    """What saving these settings (a new rule, an edit, or turning a rule on) would fire at the rule's next
    evaluation, with the accounts as they are now: the rule is saved and evaluated on every account it could fire
    on, in a transaction that is rolled back. ValidationError as the services raise it for bad settings."""
    now = timezone.now()
    with transaction.atomic():
        try:
            if rule is None:
                candidate = rule_create(workspace=workspace, **data)
            else:
                candidate = rule_update(Rule.objects.get(pk=rule.pk), **data)
            if not candidate.is_active:
                return RuleForecast(accounts=0, alerts=0)
            result = EvaluationResult()
            ids = candidate_accounts(candidate, Account.objects.for_workspace(workspace), now).values_list(
                "id", flat=True
            )
            for account_id in sorted(set(ids)):
                account_rules_evaluate(account_id=account_id, rules=[candidate], now=now, result=result)
            accounts = Alert.objects.filter(pk__in=result.fired).values("account_id").distinct().count()
            return RuleForecast(accounts=accounts, alerts=len(result.fired))
        finally:
            transaction.set_rollback(True)


RULE_PREVIEW_JOB = "rule_preview"


def rule_forecast_later(*, workspace: Workspace, data: dict[str, Any], rule: Rule | None, by: User | None) -> Job:
    """The rule form's preview as a job: the dry run takes a second or more on thousands of accounts for some
    conditions, so on the real stack a worker runs it and the form polls the job; the result is
    ``{"accounts", "alerts"}`` or the job fails with the validation message. On the embedded default it runs now."""
    from abe.jobs import job_create

    from ..tasks import rule_preview_job_task

    stored = {k: (v.pk if isinstance(v, models.Model) else v) for k, v in data.items()}
    job = job_create(
        workspace=workspace,
        kind=RULE_PREVIEW_JOB,
        label=texts.msg(
            gettext_noop("Preview of the rule “%(name)s” (nothing is saved)"),
            name=data.get("name") or (rule.name if rule else ""),
        ),
        total=1,
        params={"data": stored, "rule": rule.pk if rule else None},
        by=by if by is not None and by.is_authenticated else None,
        task=rule_preview_job_task,
    )
    if job.inline:  # embedded default: the answer holds the result; the eager task on commit leaves it alone
        rule_preview_job_task(job.pk)
        job.refresh_from_db()
    return job


def rule_forecast_job_run(*, job: Job) -> RuleForecast:
    """Run a rule-preview job's forecast from its stored parameters (foreign keys stored as ids)."""
    data = dict(job.params.get("data") or {})
    if data.get("filter_owner") is not None:
        data["filter_owner"] = User.objects.filter(pk=data["filter_owner"]).first()
    rule_id = job.params.get("rule")
    rule = Rule.objects.for_workspace(job.workspace).filter(pk=rule_id).first() if rule_id else None
    if rule_id and rule is None:
        raise ValidationError(gettext("The rule no longer exists."))
    return rule_forecast(workspace=job.workspace, data=data, rule=rule)
