"""Demo activation: ten sensible rules, an inactive local webhook, and a first evaluation over the demo accounts.

Runs after the engagement step and works whatever scores exist: thresholds follow the demo's own score
distribution, and when the engagement step left no recent buying signal on the key-account managers'
accounts, a few plausible ones are recorded (a decision maker on the pricing page, a funding round) so the
inboxes of ``sales``, ``ana.ae`` and ``ben.ae`` show alerts with their reasons. Demo users get the daily digest
rather than instant emails, so loading the demo prints no mail.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from abe.demo import DemoContext
from accounts.models import Account, Contact, TeamRole
from engagement.models import EngagementEvent, EventType, TriggerKind
from personas.models import BuyingRole

from .models import (
    Alert,
    AlertStatus,
    ConditionType,
    EmailMode,
    NotificationPreference,
    Rule,
    Severity,
    WebhookSubscription,
)
from .services.evaluation import rules_evaluate
from .services.rules import rule_create

KAMS = ("sales", "ana.ae", "ben.ae")
# The 1:1 and 1:few accounts, where an alert gets personal attention; standard accounts are left to automation.
KEY_TIERS = ["strategic", "priority"]


def _threshold(ws) -> float:
    """About the 90th percentile of positive account scores (so a tenth of engaged accounts are "hot"), or 50."""
    scores = sorted(
        Account.objects.for_workspace(ws).filter(engagement_score__gt=0).values_list("engagement_score", flat=True)
    )
    if len(scores) < 10:
        return 50.0
    return float(round(scores[int(len(scores) * 0.9)], 0)) or 50.0


def _rules(ctx: DemoContext) -> list:
    ws, by = ctx.workspace, ctx.users["marketing"]
    threshold = _threshold(ws)
    specs: list[dict[str, Any]] = [
        dict(
            name="Decision maker on the pricing page",
            condition_type=ConditionType.ROLE_ENGAGED,
            params={"buying_role": BuyingRole.DECISION_MAKER, "event_type": EventType.PRICING_PAGE_VISIT, "days": 7},
            severity=Severity.HIGH,
            cooldown_hours=48,
            filter_tiers=KEY_TIERS,
            notify_team_roles=[TeamRole.SDR],
            recommended_action="Call the decision maker within 24 hours; offer a tailored ROI case and a pricing walk-through.",
        ),
        dict(
            name="Account entered MQA",
            condition_type=ConditionType.STAGE_ENTERED,
            params={"stage": "mqa", "days": 14},
            severity=Severity.MEDIUM,
            cooldown_hours=24,
            notify_team_roles=[TeamRole.MARKETING_SPECIALIST],
            recommended_action="Agree the hand-off with marketing today and book a discovery call with the champion.",
        ),
        dict(
            name="Hot account",
            condition_type=ConditionType.SCORE_THRESHOLD,
            params={"subject": "account", "threshold": threshold},
            severity=Severity.MEDIUM,
            cooldown_hours=72,
            filter_tiers=["strategic", "priority"],
        ),
        dict(
            name="Engagement spike",
            condition_type=ConditionType.SPIKE,
            params={"ratio": 3.0, "min_score": 1},
            severity=Severity.HIGH,
            cooldown_hours=72,
            filter_tiers=KEY_TIERS,
        ),
        dict(
            name="Buying committee forming",
            condition_type=ConditionType.COMMITTEE_BREADTH,
            params={"members": 5, "days": 14},
            severity=Severity.MEDIUM,
            cooldown_hours=168,
            filter_tiers=KEY_TIERS,
            notify_team_roles=[TeamRole.SDR],
        ),
        dict(
            name="Funding or leadership change",
            condition_type=ConditionType.TRIGGER_EVENT,
            params={
                "kinds": [
                    TriggerKind.FUNDING,
                    TriggerKind.EXECUTIVE_CHANGE,
                    TriggerKind.EXECUTIVE_HIRE,
                    TriggerKind.ACQUISITION,
                ],
                "days": 14,
            },
            severity=Severity.HIGH,
            cooldown_hours=24,
        ),
        dict(
            name="Customer going quiet",
            condition_type=ConditionType.ENGAGEMENT_DROP,
            params={"percent": 60, "days": 30, "min_events": 4},
            severity=Severity.CRITICAL,
            cooldown_hours=168,
            # Critical on the key accounts alone: on every customer the demo's sales home opened on ~80 of them, one
            # rule's alerts hiding every other (~100 of the demo's ~930 customers drop by 60% in a month).
            filter_tiers=KEY_TIERS,
            filter_lifecycles=["customer"],
        ),
        dict(
            name="No engaged economic buyer",
            condition_type=ConditionType.MISSING_ROLE,
            params={"buying_role": BuyingRole.ECONOMIC_BUYER, "days": 30},
            severity=Severity.MEDIUM,
            cooldown_hours=720,
            filter_tiers=["strategic"],
        ),
        dict(
            # The won/lost review's lesson before the close: a key account's deal closing within a month with nobody
            # on it who holds the budget (the demo's open deals have their first people on them).
            name="Closing deal without its economic buyer",
            condition_type=ConditionType.DEAL_MISSING_ROLE,
            params={"buying_role": BuyingRole.ECONOMIC_BUYER, "days": 30},
            severity=Severity.HIGH,
            cooldown_hours=168,
            filter_tiers=KEY_TIERS,
        ),
        dict(
            # Key-account warning sign: the health score (computed daily by key accounts) falls fast.
            name="Key-account health falling",
            condition_type=ConditionType.HEALTH_DROP,
            params={"points": 15, "days": 30},
            severity=Severity.HIGH,
            cooldown_hours=168,
            filter_tiers=KEY_TIERS,
            filter_lifecycles=["customer"],
        ),
    ]
    if ctx.language == "es":  # named and advised in Spanish before they fire, so their alerts read Spanish too
        for spec in specs:
            spec["name"] = SPANISH_RULES.get(spec["name"], spec["name"])
            action = spec.get("recommended_action")
            if action:
                spec["recommended_action"] = SPANISH_ACTIONS.get(action, action)
    return [rule_create(workspace=ws, by=by, **spec) for spec in specs]


def _signals(ctx: DemoContext) -> int:
    """Record a few buying signals on the KAMs' key accounts when the engagement step left none recent."""
    ws, rng, now = ctx.workspace, ctx.rng, ctx.now
    # One read of the last six days' buying signals: (type, account owner, buying role) triples.
    recent = set(
        EngagementEvent.objects.for_workspace(ws)
        .filter(
            occurred_at__gte=now - timedelta(days=6),
            type__in=[EventType.PRICING_PAGE_VISIT, EventType.TRIGGER_EVENT],
        )
        .values_list("type", "account__owner_id", "contact__buying_role")
    )
    created = 0
    for username in KAMS:
        owner = ctx.users[username]
        owned = Account.objects.for_workspace(ws).filter(owner=owner)
        key = owned.filter(tier__in=["strategic", "priority"])
        accounts = key if key.exists() else owned  # before tiering has run, every account is "standard"
        if (EventType.PRICING_PAGE_VISIT, owner.id, BuyingRole.DECISION_MAKER) not in recent:
            dms = list(
                Contact.objects.filter(account__in=accounts, buying_role=BuyingRole.DECISION_MAKER).order_by("id")[:50]
            )
            for contact in rng.sample(dms, min(2, len(dms))):
                EngagementEvent.objects.create(
                    workspace=ws,
                    account_id=contact.account_id,
                    contact=contact,
                    type=EventType.PRICING_PAGE_VISIT,
                    channel="web",
                    occurred_at=now - timedelta(hours=rng.randint(2, 40)),
                    source="demo-activation",
                    external_id=f"demo-act-pricing-{contact.id}",
                    metadata={"url": "/pricing"},
                )
                created += 1
        if not any(kind == EventType.TRIGGER_EVENT and owner_id == owner.id for kind, owner_id, _ in recent):
            picks = list(accounts.order_by("id")[:40])
            for account in rng.sample(picks, min(1, len(picks))):
                EngagementEvent.objects.create(
                    workspace=ws,
                    account=account,
                    type=EventType.TRIGGER_EVENT,
                    channel="third_party",
                    occurred_at=now - timedelta(days=rng.randint(1, 5)),
                    source="demo-activation",
                    external_id=f"demo-act-trigger-{account.id}",
                    metadata={
                        "kind": TriggerKind.FUNDING,
                        "title": f"{account.name} raises a Series C to expand in Europe",
                    },
                )
                created += 1
    return created


def build(ctx: DemoContext) -> str:
    ws = ctx.workspace
    for user in ctx.users.values():
        NotificationPreference.objects.update_or_create(
            workspace=ws, user=user, defaults={"email_mode": EmailMode.DIGEST}
        )
    rules = _rules(ctx)
    # Written directly, off: a loopback URL passes the save-time check only with ABE_ALLOW_PRIVATE_URLS=1, and every
    # delivery is checked again, so turning it on (or sending to it) needs that setting too.
    WebhookSubscription.objects.create(
        workspace=ws,
        created_by=ctx.users["admin"],
        name="Local receiver (example)",
        url="http://127.0.0.1:8765/abe-webhook",
        secret="whsec_" + secrets.token_urlsafe(32),
        is_active=False,
        min_severity=Severity.HIGH,
    )
    signals = _signals(ctx)
    ids = list(Account.objects.for_workspace(ws).exclude(owner=None).values_list("id", flat=True))
    result = rules_evaluate(account_ids=ids, now=ctx.now)
    inboxes = {
        username: Alert.objects.for_workspace(ws)
        .filter(recipients__user=ctx.users[username], status=AlertStatus.OPEN)
        .count()
        for username in KAMS
    }
    in_boxes = ", ".join(f"{u} {n}" for u, n in inboxes.items())
    return f"{len(rules)} rules, {signals} demo signals, {len(result.fired)} alerts ({in_boxes}), 1 webhook (off)"


# ``load_demo --language es``: the activators' names and recommended actions in Spanish.
SPANISH_RULES = {
    "Decision maker on the pricing page": "Decisor en la página de precios",
    "Account entered MQA": "La cuenta entró en MQA",
    "Hot account": "Cuenta caliente",
    "Engagement spike": "Pico de engagement",
    "Buying committee forming": "Se forma el comité de compra",
    "Funding or leadership change": "Financiación o cambio de dirección",
    "Customer going quiet": "Cliente que se enfría",
    "No engaged economic buyer": "Sin comprador económico con engagement",
    "Closing deal without its economic buyer": "Oportunidad a punto de cerrar sin su comprador económico",
    "Key-account health falling": "Cae la salud de la cuenta clave",
}
SPANISH_ACTIONS = {
    "Call the decision maker within 24 hours; offer a tailored ROI case and a pricing walk-through.": (
        "Llama al decisor en menos de 24 horas; ofrece un caso de ROI a medida y un repaso de precios."
    ),
    "Agree the hand-off with marketing today and book a discovery call with the champion.": (
        "Acuerda hoy el traspaso con marketing y agenda una llamada de descubrimiento con el champion."
    ),
}


def translate(ctx: DemoContext) -> str:
    """Run by ``load_demo --language es`` after every app's build."""
    if ctx.language != "es":
        return "rules in English"
    # Named and advised in Spanish when they were made (``_rules``), before they fired.
    spanish = set(SPANISH_RULES.values())
    renamed = Rule.objects.for_workspace(ctx.workspace).filter(name__in=spanish).count()
    return f"{renamed} rules in Spanish"
