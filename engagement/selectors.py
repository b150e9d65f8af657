"""Reads of the engagement app: an account's timeline, trend and score receipt. Every selector is scoped.

Pages read the stored components and snapshots; only the timeline touches the event table, through the
``(account, occurred_at)`` index and a page of at most 50 rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Min, QuerySet
from django.utils import timezone

from abe.models import Workspace
from accounts.models import Account, Contact
from personas.models import BuyingRole

from .models import (
    AccountEngagement,
    AccountScoreSnapshot,
    EngagementConfig,
    EngagementDay,
    EngagementEvent,
    EventImport,
    EventType,
    PendingBatch,
    ScoreComponent,
)
from .rules import ScoringRules

TIMELINE_PAGE = 50


def account_for_engagement(*, workspace: Workspace, pk: int) -> Account:
    return Account.objects.for_workspace(workspace).get(pk=pk)


def account_timeline(
    *,
    account: Account,
    contact_id: int | None = None,
    event_type: str = "",
    before: tuple[datetime, int] | None = None,
    limit: int = TIMELINE_PAGE,
) -> list[EngagementEvent]:
    """The account's latest events, newest first; ``before`` = (occurred_at, id) of the last row shown."""
    qs: QuerySet[EngagementEvent] = (
        EngagementEvent.objects.for_workspace(account.workspace_id)
        .filter(account=account)
        .select_related("contact", "content_asset")
        .order_by("-occurred_at", "-id")
    )
    if contact_id:
        qs = qs.filter(contact_id=contact_id)
    if event_type:
        qs = qs.filter(type=event_type)
    if before is not None:
        at, pk = before
        qs = qs.filter(occurred_at__lte=at).exclude(occurred_at=at, id__gte=pk)
    return list(qs[:limit])


def account_engaged_contacts(*, account: Account) -> QuerySet[Contact]:
    return account.contacts.order_by("-engagement_score", "last_name").only(
        "pk", "account_id", "first_name", "last_name", "email", "engagement_score"
    )


def account_first_event_day(*, account: Account) -> date | None:
    """The first day the account had any event (from the day counts, through their key's index)."""
    first: date | None = EngagementDay.objects.filter(account=account).aggregate(first=Min("day"))["first"]
    return first


def account_trend(*, account: Account, days: int = 180) -> list[AccountScoreSnapshot]:
    since = timezone.now().date() - timedelta(days=days)
    return list(
        AccountScoreSnapshot.objects.for_workspace(account.workspace_id)
        .filter(account=account, day__gte=since)
        .order_by("day")
        .only("day", "score", "momentum", "stage")
    )


@dataclass
class ReceiptLine:
    label: str
    points: float
    events: int = 0
    detail: str = ""
    share: float = 0.0
    contact: Contact | None = None
    types: dict[str, float] = field(default_factory=dict)


@dataclass
class Receipt:
    at: datetime
    total: float
    people_points: float
    breadth: int
    roles: list[str]
    breadth_multiplier: float
    by_contact: list[ReceiptLine]
    by_type: list[ReceiptLine]
    account_level: list[ReceiptLine]
    stage_names: dict[str, str]
    role_labels: list[str] = field(default_factory=list)


def account_receipt(*, account: Account, at: datetime | None = None, rules: ScoringRules | None = None) -> Receipt:
    """Why the account scores what it scores: its points by contact and by event type, breadth included.

    Evaluated at the time of the last scoring pass by default, so the total is the score shown on the page.
    """
    state = AccountEngagement.objects.filter(account=account).first()
    at = at or (state.scored_at if state else timezone.now())
    rules = rules or ScoringRules.from_config(
        EngagementConfig.objects.get_or_create(workspace_id=account.workspace_id)[0]
    )
    components = list(
        ScoreComponent.objects.for_workspace(account.workspace_id)
        .filter(account=account)
        .values_list("contact_id", "type", "log_sum", "events")
    )
    people = {c.pk: c for c in account.contacts.all()}
    missing = {c for c, _, _, _ in components if c and c not in people}
    people.update(Contact.objects.in_bulk(missing))
    labels = {key: str(label) for key, label in EventType.choices}
    per_contact: dict[int, ReceiptLine] = {}
    per_type: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    account_level: list[ReceiptLine] = []
    for contact_id, event_type, log_sum, events in components:
        points = rules.points(event_type, log_sum, at) if log_sum is not None else 0.0
        if contact_id is None:
            account_level.append(ReceiptLine(labels.get(event_type, event_type), points, events))
            continue
        contact = people[contact_id]
        multiplier = rules.contact_multiplier(contact.buying_role, contact.seniority)
        line = per_contact.get(contact_id)
        if line is None:
            line = per_contact[contact_id] = ReceiptLine(
                str(contact), 0.0, 0, f"× {multiplier:.2f} ({_role_label(contact)})", contact=contact
            )
        line.points += points * multiplier
        line.events += events
        line.types[labels.get(event_type, event_type)] = line.types.get(labels.get(event_type, event_type), 0) + (
            points * multiplier
        )
        per_type[event_type][0] += points * multiplier
        per_type[event_type][1] += events
    breadth = state.breadth if state else 0
    multiplier = rules.breadth_multiplier(breadth)
    people_points = sum(line.points for line in per_contact.values())
    total = multiplier * people_points + sum(line.points for line in account_level)
    by_contact = sorted(per_contact.values(), key=lambda line: -line.points)
    by_type = sorted(
        (ReceiptLine(labels.get(t, t), p * multiplier, int(n)) for t, (p, n) in per_type.items()),
        key=lambda line: -line.points,
    )
    for line in by_contact:
        line.share = line.points * multiplier / total if total else 0.0
        line.types = dict(sorted(line.types.items(), key=lambda kv: -kv[1])[:3])
    for line in [*by_type, *account_level]:
        line.share = line.points / total if total else 0.0
    for type_line in by_type:
        type_line.events = int(type_line.events)
    account_level.sort(key=lambda line: -line.points)
    return Receipt(
        at=at,
        total=total,
        people_points=people_points,
        breadth=breadth,
        roles=state.roles if state else [],
        breadth_multiplier=multiplier,
        by_contact=by_contact,
        by_type=by_type,
        account_level=account_level,
        stage_names=rules.stage_names(),
        role_labels=[dict(BuyingRole.choices).get(r, r) for r in (state.roles if state else [])],
    )


def _role_label(contact: Contact) -> str:
    parts = [contact.get_buying_role_display() if contact.buying_role else "no role"]
    if contact.seniority:
        parts.append(contact.get_seniority_display())
    return ", ".join(parts)


@dataclass
class ScoringHealth:
    """What an admin needs to know about the scoring backlog of a workspace."""

    pending: int
    oldest_pending_at: datetime | None
    retrying: int
    quarantined: list[PendingBatch]


def scoring_health(*, workspace: Workspace) -> ScoringHealth:
    batches = PendingBatch.objects.for_workspace(workspace)
    waiting = batches.filter(quarantined_at__isnull=True)
    return ScoringHealth(
        pending=waiting.count(),
        oldest_pending_at=waiting.aggregate(oldest=Min("created_at"))["oldest"],
        retrying=waiting.filter(attempts__gt=0).count(),
        quarantined=list(
            batches.filter(quarantined_at__isnull=False)
            .order_by("-quarantined_at")
            .only("pk", "created_at", "attempts", "last_error", "quarantined_at")[:50]
        ),
    )


def event_import_list(*, workspace: Workspace) -> QuerySet[EventImport]:
    return EventImport.objects.for_workspace(workspace).select_related("created_by").defer("rejected")
