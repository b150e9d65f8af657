"""How many alerts a change would set off, before it is saved (reads only; nothing is written).

``rule_forecast``: how many accounts a new, edited or re-activated rule would fire on with the accounts as they
are now (the rule form's preview and ``POST /api/v1/activation-rules/preview/``).

``alerts_forecast`` is registered with ``abe.registry.alert_forecast_register``: the engagement settings preview
calls it with the stage moves and the scores a candidate configuration would give. It counts, per active rule and
within the rule's filters, the crossings the recompute would cause: entering the rule's stage, or rising over a
score or momentum line that is not already crossed. Cool-downs are not applied, so it is an upper bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from abe.models import Workspace
from accounts.models import Account

from ..conditions import LEVEL_CONDITIONS, OCCURRENCE_CONDITIONS, candidate_accounts, rule_scope
from ..models import Alert, ConditionType, Rule, RuleState
from .evaluation import rule_applies
from .rules import _check_fields, _clean_rule


def alerts_forecast(
    *, workspace_id: int, moves: dict[int, tuple[str, str]], scores: dict[int, tuple[float, float]]
) -> int:
    rules = list(
        Rule.objects.for_workspace(workspace_id)
        .filter(is_active=True)
        .filter(
            Q(condition_type__in=[ConditionType.STAGE_ENTERED, ConditionType.SPIKE])
            | Q(condition_type=ConditionType.SCORE_THRESHOLD, params__subject="account")
        )
    )
    total = 0
    for rule in rules:
        params = rule.params or {}
        if rule.condition_type == ConditionType.STAGE_ENTERED:
            ids = [pk for pk, (_, new) in moves.items() if new == params.get("stage")]
        else:
            if rule.condition_type == ConditionType.SCORE_THRESHOLD:
                threshold = float(params.get("threshold") or 0)
                ids = [pk for pk, (score, _) in scores.items() if score >= threshold]
            else:
                ratio, min_score = float(params.get("ratio") or 1), float(params.get("min_score") or 0)
                ids = [pk for pk, (score, mom) in scores.items() if mom >= ratio - 1 and score >= min_score]
            crossed = set(
                RuleState.objects.filter(rule=rule, active=True, contact__isnull=True).values_list(
                    "account_id", flat=True
                )
            )
            ids = [pk for pk in ids if pk not in crossed]
        if ids:
            total += Account.objects.filter(rule_scope(rule), pk__in=ids).count()
    return total


@dataclass
class RuleForecast:
    accounts: int  # accounts on which the rule would fire now
    alerts: int  # alerts it would fire on them (a per-contact rule may fire more than one per account)


def rule_forecast(*, workspace: Workspace, data: dict[str, Any], rule: Rule | None = None) -> RuleForecast:
    """What saving these settings (a new rule, an edit, or turning a rule on) would fire on the accounts as they
    are now: the crossings not already alerted. ValidationError as the services raise it for bad settings."""
    _check_fields(data)
    candidate = Rule(workspace=workspace)
    if rule is not None:
        candidate = Rule.objects.get(pk=rule.pk)
    for name, value in data.items():
        setattr(candidate, name, value)
    _clean_rule(candidate)
    if not candidate.is_active:
        return RuleForecast(accounts=0, alerts=0)
    if candidate.pk is None:
        # Never saved: a pk no row has lets the condition queries ask for "this rule's states" (there are none).
        candidate.pk = 0
    same_condition = rule is not None and (rule.condition_type, rule.params) == (
        candidate.condition_type,
        candidate.params,
    )
    active = (
        set(RuleState.objects.filter(rule=rule, active=True).values_list("account_id", "contact_id"))
        if same_condition
        else set()
    )
    now = timezone.now()
    accounts = candidate_accounts(candidate, Account.objects.for_workspace(workspace), now).select_related("owner")
    fired_accounts, alerts = 0, 0
    for account in accounts:
        if not rule_applies(candidate, account):
            continue
        if candidate.condition_type in LEVEL_CONDITIONS:
            levels = LEVEL_CONDITIONS[candidate.condition_type](candidate, account, now)
            hits = [
                lv for lv in levels if lv.active and (account.pk, lv.contact.id if lv.contact else None) not in active
            ]
            n = len(hits)
        else:
            occurrences = OCCURRENCE_CONDITIONS[candidate.condition_type](candidate, account, now)
            keys = {f"r{rule.pk}:a{account.pk}:{o.source}" for o in occurrences} if rule is not None else set()
            done = set(
                Alert.objects.filter(workspace_id=workspace.pk, dedupe_key__in=keys).values_list(
                    "dedupe_key", flat=True
                )
            )
            n = len(occurrences) - len(done)
        if n:
            fired_accounts += 1
            alerts += n
    return RuleForecast(accounts=fired_accounts, alerts=alerts)
