"""Rule evaluation: after each scoring pass (for the accounts it touched) and on a schedule (time-based rules).

Each account is evaluated in its own transaction that first locks the account row (lock order: account,
then its rule states), so two workers evaluating the same account take turns and never both see a
crossing. Rule states, alerts and their deliveries are written in that one transaction: a worker killed
mid-task leaves nothing behind, and the retry finds the same crossing and fires it once. Replayed events
change no score and add no event row, so they find every state already "above the line" and every source
row already alerted (the dedupe key), and fire nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from abe import locks
from abe.texts import Msg, msg
from accounts.models import Account

from ..conditions import DEFAULT_ACTIONS, LEVEL_CONDITIONS, OCCURRENCE_CONDITIONS, candidate_accounts, rule_scope
from ..models import Alert, AlertStatus, Rule, RuleState
from .alerts import alert_fire
from .outbox import Outbox

logger = logging.getLogger(__name__)


@dataclass
class EvaluationResult:
    accounts: int = 0
    fired: list[int] = field(default_factory=list)
    suppressed: list[int] = field(default_factory=list)  # muted by the rule's cool-down
    held_back: list[int] = field(default_factory=list)  # would have fired; held back by a configuration change

    def add(self, alert: Alert | None) -> None:
        if alert is None:
            return
        if alert.status == AlertStatus.HELD_BACK:
            self.held_back.append(alert.id)
        elif alert.status == AlertStatus.SUPPRESSED:
            self.suppressed.append(alert.id)
        else:
            self.fired.append(alert.id)


def rule_applies(rule: Rule, account: Account) -> bool:
    """The rule's filters: tier, lifecycle, owner (empty means any)."""
    if rule.filter_tiers and account.tier not in rule.filter_tiers:
        return False
    if rule.filter_lifecycles and account.lifecycle not in rule.filter_lifecycles:
        return False
    return not (rule.filter_owner_id and account.owner_id != rule.filter_owner_id)


def _action(rule: Rule) -> str | Msg:
    """The rule's own action as typed; else the condition's default, kept as a message key (read translated)."""
    if rule.recommended_action:
        return rule.recommended_action
    default = DEFAULT_ACTIONS.get(rule.condition_type, "")
    return msg(default) if default else ""


def _evaluate_level(
    rule: Rule, account: Account, now: datetime, outbox: Outbox, result: EvaluationResult, hold_back: bool = False
) -> None:
    levels = LEVEL_CONDITIONS[rule.condition_type](rule, account, now)
    states = {s.contact_id: s for s in RuleState.objects.select_for_update().filter(rule=rule, account=account)}
    seen: set[int | None] = set()
    for level in levels:
        contact_id = level.contact.id if level.contact else None
        seen.add(contact_id)
        state = states.get(contact_id)
        if not level.active:
            if state is not None and state.active:  # fell back below the line: re-arm
                state.active, state.last_value, state.changed_at = False, level.value, now
                state.save(update_fields=["active", "last_value", "changed_at"])
            continue
        if state is not None and state.active:
            continue  # still above the line: this crossing has fired already
        if state is None:
            state = RuleState(workspace_id=account.workspace_id, rule=rule, account=account, contact_id=contact_id)
        state.active, state.last_value, state.changed_at = True, level.value, now
        state.crossings += 1
        state.save()
        result.add(
            alert_fire(
                rule=rule,
                account=account,
                now=now,
                outbox=outbox,
                title=level.title,
                message=level.message,
                recommended_action=_action(rule),
                facts=level.facts,
                contact_ids=level.contact_ids,
                dedupe_key=f"r{rule.id}:a{account.id}:c{contact_id or 0}:x{state.crossings}",
                hold_back=hold_back,
            )
        )
    # Subjects the condition no longer reports (a contact whose score fell) are below the line: re-arm.
    for contact_id, state in states.items():
        if contact_id not in seen and state.active:
            state.active, state.changed_at = False, now
            state.save(update_fields=["active", "changed_at"])


def _evaluate_occurrences(
    rule: Rule, account: Account, now: datetime, outbox: Outbox, result: EvaluationResult, hold_back: bool = False
) -> None:
    occurrences = OCCURRENCE_CONDITIONS[rule.condition_type](rule, account, now)
    if not occurrences:
        return
    keys = {o.source: f"r{rule.id}:a{account.id}:{o.source}" for o in occurrences}
    done = set(
        Alert.objects.filter(workspace_id=account.workspace_id, dedupe_key__in=keys.values()).values_list(
            "dedupe_key", flat=True
        )
    )
    for occurrence in occurrences:
        if keys[occurrence.source] in done:
            continue
        result.add(
            alert_fire(
                rule=rule,
                account=account,
                now=now,
                outbox=outbox,
                title=occurrence.title,
                message=occurrence.message,
                recommended_action=_action(rule),
                facts=occurrence.facts,
                contact_ids=occurrence.contact_ids,
                dedupe_key=keys[occurrence.source],
                hold_back=hold_back,
            )
        )


def account_rules_evaluate(
    *,
    account_id: int,
    rules: list[Rule],
    now: datetime,
    result: EvaluationResult | None = None,
    hold_back: bool = False,
) -> EvaluationResult:
    """Evaluate ``rules`` on one account in one transaction; deliveries are published after commit."""
    result = result or EvaluationResult()
    outbox = Outbox()
    with transaction.atomic():
        # Before the account: deleting it waits for this evaluation and then deletes the alerts it writes, or goes
        # first and the account is not found (``abe.locks``). The rules are those of the account's workspace.
        for workspace_id in sorted({rule.workspace_id for rule in rules}):
            locks.account_references(workspace_id, shared=True)
        account = Account.objects.select_for_update(of=("self",)).select_related("owner").filter(pk=account_id).first()
        if account is None:
            return result
        result.accounts += 1
        for rule in rules:
            if rule.workspace_id != account.workspace_id or not rule_applies(rule, account):
                continue
            if rule.condition_type in LEVEL_CONDITIONS:
                _evaluate_level(rule, account, now, outbox, result, hold_back)
            else:
                _evaluate_occurrences(rule, account, now, outbox, result, hold_back)
        outbox.publish_on_commit()
    return result


def active_rules(
    *, workspace_ids: Iterable[int], condition_types: Iterable[str] | None = None
) -> dict[int, list[Rule]]:
    rules = Rule.objects.filter(workspace_id__in=set(workspace_ids), is_active=True).order_by("id")
    if condition_types is not None:
        rules = rules.filter(condition_type__in=list(condition_types))
    by_workspace: dict[int, list[Rule]] = defaultdict(list)
    for rule in rules:
        by_workspace[rule.workspace_id].append(rule)
    return by_workspace


def rules_evaluate(
    *,
    account_ids: Iterable[int],
    now: datetime | None = None,
    condition_types: Iterable[str] | None = None,
    workspace_id: int | None = None,
    hold_back: bool = False,
) -> EvaluationResult:
    """Evaluate every active rule (or those of ``condition_types``) on the given accounts (of ``workspace_id``
    only, when given: the after-scoring hook names its workspace). Safe to repeat.

    ``hold_back``: record the crossings (rule states, ``held_back`` alerts) without telling anyone, for a recompute
    caused by a configuration change; the caller sends one summary notice instead."""
    now = now or timezone.now()
    accounts = Account.objects.all() if workspace_id is None else Account.objects.for_workspace(workspace_id)
    workspace_of = dict(accounts.filter(pk__in=set(account_ids)).values_list("id", "workspace_id"))
    ids = sorted(workspace_of)
    rules = active_rules(workspace_ids=workspace_of.values(), condition_types=condition_types)
    # One query per rule finds the accounts where it could fire or re-arm; the others are not even locked.
    rules_for: dict[int, list[Rule]] = defaultdict(list)
    for workspace_rules in rules.values():
        for rule in workspace_rules:
            for account_id in candidate_accounts(rule, Account.objects.filter(pk__in=ids), now).values_list(
                "id", flat=True
            ):
                rules_for[account_id].append(rule)
    result = EvaluationResult()
    for account_id in ids:
        if rules_for.get(account_id):
            account_rules_evaluate(
                account_id=account_id, rules=rules_for[account_id], now=now, result=result, hold_back=hold_back
            )
    return result


def time_based_account_ids(*, condition_types: Iterable[str]) -> list[int]:
    """Accounts that some active time-based rule applies to (by its filters), for the scheduled pass."""
    scope = Q(pk__in=[])
    for rule in Rule.objects.filter(is_active=True, condition_type__in=list(condition_types)):
        scope |= rule_scope(rule)
    return list(Account.objects.filter(scope).order_by("id").values_list("id", flat=True))
