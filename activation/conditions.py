"""The eight rule conditions, as reads over one account: what is true now, and the figures that say why.

Two shapes:
- a *level* condition (threshold, spike, committee breadth, engagement drop, missing role) answers
  "is it above the line now?" for the account, or for each contact; the evaluation keeps the state and
  fires on the way up only;
- an *occurrence* condition (role engaged, stage entered, trigger event) lists the source rows (events,
  stage changes) that match within the look-back window; each row fires at most once (its id is in the
  alert's dedupe key).

Nothing here writes. Messages name the events and figures, so whoever reads the alert knows why it fired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext, gettext_noop

from abe.labels import ChoiceLabels, english_label, stage_label
from abe.registry import MeasureReading, account_measure
from abe.texts import Msg, _shown, english, joined, label, msg, msg_plural, ngettext_noop, num
from abe.texts import stage as stage_param
from accounts.models import (
    TIER_LABELS,
    Account,
    Contact,
    Lifecycle,
    Opportunity,
    OpportunityContact,
    OpportunityStatus,
    Tier,
)
from content.selectors.committee import seat_of
from engagement.models import EngagementEvent, EventType, JourneyStageChange, TriggerKind
from personas.models import BuyingRole
from work.models import Task, TaskSource, TaskStatus

from .models import ConditionType, Rule, RuleState

EVENT_LABELS = ChoiceLabels(EventType)
ROLE_LABELS = ChoiceLabels(BuyingRole)
KIND_LABELS = ChoiceLabels(TriggerKind)


@dataclass
class Level:
    """A level condition's reading for the account (``contact`` None) or one contact."""

    active: bool
    value: float | None
    title: str | Msg
    message: str | Msg
    contact: Contact | None = None
    contact_ids: list[int] = field(default_factory=list)
    facts: dict = field(default_factory=dict)


@dataclass
class Occurrence:
    """One source row that matches an occurrence condition; ``source`` is unique per row (``e12``, ``s7``)."""

    source: str
    title: str | Msg
    message: str | Msg
    contact_ids: list[int] = field(default_factory=list)
    facts: dict = field(default_factory=dict)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _person_msg(contact: Contact | None, role_key: str | None = None) -> Msg | str:
    """The contact's name with their buying role (or ``role_key``: the one they hold on a deal) in brackets, the
    role in the reader's language."""
    if contact is None:
        return msg(gettext_noop("Someone at the account"))
    name = contact.full_name or contact.email
    role = english_label(ROLE_LABELS, contact.buying_role if role_key is None else role_key)
    return msg(gettext_noop("%(name)s (%(role)s)"), name=name, role=label(role)) if role else name


def _person(contact: Contact | None) -> str:
    return english(_person_msg(contact))


def _tier(account: Account) -> dict:
    return label(english_label(TIER_LABELS, account.tier, account.tier))


def _event_fact(event: EngagementEvent) -> dict:
    return {
        "id": event.id,
        "type": event.type,
        "type_label": EVENT_LABELS.get(event.type, event.type),
        "when": _when(event.occurred_at),
        "contact_id": event.contact_id,
        "contact": _person(event.contact) if event.contact_id else None,
        "occurred_at": event.occurred_at.isoformat(),
        "source": event.source,
        "kind": (event.metadata or {}).get("kind"),
    }


def _event_msg(event: EngagementEvent) -> Msg:
    who: Any = _person_msg(event.contact) if event.contact_id else label(gettext_noop("Account-level"))
    return msg(
        gettext_noop("%(who)s: %(event)s on %(when)s"),
        who=who,
        event=label(english_label(EVENT_LABELS, event.type, event.type), lower=True),
        when=_when(event.occurred_at),
    )


def _recent_events(account: Account, now: datetime, days: int = 7, limit: int = 5) -> list[EngagementEvent]:
    return list(
        EngagementEvent.objects.filter(
            account=account, occurred_at__gte=now - timedelta(days=days), occurred_at__lte=now
        )
        .select_related("contact")
        .order_by("-occurred_at", "-id")[:limit]
    )


def weekly_ratio(account: Account) -> float | None:
    """This week's engagement as a multiple of the usual week (the 4 weeks before).

    Engagement stores momentum as the relative change, ``(recent - baseline) / baseline`` (0.5 = +50%), so the
    multiple is ``momentum + 1``; None while there is no baseline.
    """
    return None if account.engagement_momentum is None else account.engagement_momentum + 1


def _momentum_msg(account: Account) -> Msg:
    if account.engagement_momentum is None:
        return msg(gettext_noop("no momentum baseline yet"))
    return msg(
        gettext_noop("momentum %(momentum)s (%(multiple)s× the usual week, against the 4 weeks before)"),
        momentum=f"{account.engagement_momentum:+.0%}",
        multiple=num(weekly_ratio(account), 1),
    )


def _recent_msg(events: list[EngagementEvent]) -> Msg | str:
    if not events:
        return ""
    return msg(gettext_noop(" Latest interactions: %(lines)s."), lines=joined([_event_msg(e) for e in events]))


def score_threshold(rule: Rule, account: Account, now: datetime) -> list[Level]:
    threshold = float(rule.params["threshold"])
    if rule.params.get("subject", "account") == "account":
        score = account.engagement_score
        events = _recent_events(account, now)
        message = msg(
            gettext_noop(
                "%(account)s's engagement score is %(score)s, at or above the threshold of %(threshold)s "
                "(%(momentum)s).%(recent)s"
            ),
            account=account.name,
            score=num(score, 1),
            threshold=num(threshold, None),
            momentum=_momentum_msg(account),
            recent=_recent_msg(events),
        )
        return [
            Level(
                active=score >= threshold,
                value=score,
                title=msg(
                    gettext_noop("%(account)s crossed engagement %(threshold)s"),
                    account=account.name,
                    threshold=num(threshold, None),
                ),
                message=message,
                contact_ids=sorted({e.contact_id for e in events if e.contact_id}),
                facts={
                    "score": round(score, 2),
                    "threshold": threshold,
                    "momentum": account.engagement_momentum,
                    "events": [_event_fact(e) for e in events],
                },
            )
        ]
    levels = []
    for contact in Contact.objects.filter(account=account, engagement_score__gte=threshold).order_by("id"):
        events = list(
            EngagementEvent.objects.filter(contact=contact, occurred_at__lte=now)
            .select_related("contact")
            .order_by("-occurred_at", "-id")[:5]
        )
        levels.append(
            Level(
                active=True,
                value=contact.engagement_score,
                contact=contact,
                contact_ids=[contact.id],
                title=msg(
                    gettext_noop("%(person)s at %(account)s crossed engagement %(threshold)s"),
                    person=contact.full_name or contact.email,
                    account=account.name,
                    threshold=num(threshold, None),
                ),
                message=msg(
                    gettext_noop(
                        "%(person)s reached an engagement score of %(score)s, at or above the threshold of "
                        "%(threshold)s.%(recent)s"
                    ),
                    person=_person(contact),
                    score=num(contact.engagement_score, 1),
                    threshold=num(threshold, None),
                    recent=_recent_msg(events),
                ),
                facts={
                    "score": round(contact.engagement_score, 2),
                    "threshold": threshold,
                    "events": [_event_fact(e) for e in events],
                },
            )
        )
    return levels


def spike(rule: Rule, account: Account, now: datetime) -> list[Level]:
    ratio = float(rule.params["ratio"])
    min_score = float(rule.params.get("min_score") or 0)
    multiple = weekly_ratio(account)
    active = multiple is not None and multiple >= ratio and account.engagement_score >= min_score
    events = _recent_events(account, now) if active else []
    return [
        Level(
            active=active,
            value=multiple,
            title=msg(
                gettext_noop("Engagement spike at %(account)s: %(multiple)s× the usual week"),
                account=account.name,
                multiple=num(multiple or 0, 1),
            ),
            message=msg(
                gettext_noop(
                    "Engagement at %(account)s over the last 7 days is %(multiple)s× the weekly average of the 4 "
                    "weeks before (the rule fires at %(ratio)s×); engagement score %(score)s.%(recent)s"
                ),
                account=account.name,
                multiple=num(multiple or 0, 1),
                ratio=num(ratio, None),
                score=num(account.engagement_score, 1),
                recent=_recent_msg(events),
            ),
            contact_ids=sorted({e.contact_id for e in events if e.contact_id}),
            facts={
                "momentum": account.engagement_momentum,
                "weekly_ratio": multiple,
                "ratio": ratio,
                "score": round(account.engagement_score, 2),
                "events": [_event_fact(e) for e in events],
            },
        )
    ]


def committee_breadth(rule: Rule, account: Account, now: datetime) -> list[Level]:
    members, days = int(rule.params["members"]), int(rule.params["days"])
    engaged = list(
        Contact.objects.filter(account=account, last_engaged_at__gte=now - timedelta(days=days)).order_by(
            "-engagement_score", "id"
        )
    )
    names = ", ".join(_person(c) for c in engaged[:8]) + ("…" if len(engaged) > 8 else "")
    roles = sorted({ROLE_LABELS.get(c.buying_role, "") for c in engaged if c.buying_role})
    return [
        Level(
            active=len(engaged) >= members,
            value=float(len(engaged)),
            title=msg_plural(
                ngettext_noop(
                    "%(count)s committee member engaged at %(account)s",
                    "%(count)s committee members engaged at %(account)s",
                ),
                len(engaged),
                account=account.name,
            ),
            message=msg(
                gettext_noop(
                    "%(count)s distinct members of %(account)s's buying committee engaged in the last %(days)s days "
                    "(the rule fires at %(members)s): %(names)s. Roles covered: %(roles)s."
                ),
                count=len(engaged),
                account=account.name,
                days=days,
                members=members,
                names=names,
                roles=joined([label(r) for r in roles], ", ") if roles else label(gettext_noop("none mapped")),
            ),
            contact_ids=[c.id for c in engaged],
            facts={"engaged": len(engaged), "members": members, "days": days, "roles": roles},
        )
    ]


def role_engaged(rule: Rule, account: Account, now: datetime) -> list[Occurrence]:
    role, event_type = rule.params["buying_role"], rule.params.get("event_type") or ""
    days = int(rule.params.get("days") or 2)
    events = EngagementEvent.objects.filter(
        account=account, contact__buying_role=role, occurred_at__gte=now - timedelta(days=days), occurred_at__lte=now
    ).select_related("contact")
    if event_type:
        events = events.filter(type=event_type)
    role_msgid = english_label(ROLE_LABELS, role, role)
    what_msgid = english_label(EVENT_LABELS, event_type, event_type)
    occurrences = []
    for event in events.order_by("occurred_at", "id"):
        occurrences.append(
            Occurrence(
                source=f"e{event.id}",
                title=msg(
                    gettext_noop("%(role)s at %(account)s: %(event)s"),
                    role=label(role_msgid),
                    account=account.name,
                    event=label(english_label(EVENT_LABELS, event.type, event.type), lower=True),
                ),
                message=msg(
                    gettext_noop(
                        "%(line)s (source %(source)s). The rule watches for a %(what)s by a %(role)s; account "
                        "engagement score %(score)s, %(momentum)s."
                    )
                    if event_type
                    else gettext_noop(
                        "%(line)s (source %(source)s). The rule watches for any interaction by a %(role)s; account "
                        "engagement score %(score)s, %(momentum)s."
                    ),
                    line=_event_msg(event),
                    source=event.source,
                    what=label(what_msgid, lower=True),
                    role=label(role_msgid, lower=True),
                    score=num(account.engagement_score, 1),
                    momentum=_momentum_msg(account),
                ),
                contact_ids=[event.contact_id] if event.contact_id is not None else [],
                facts={"event": _event_fact(event), "buying_role": role, "score": round(account.engagement_score, 2)},
            )
        )
    return occurrences


def stage_entered(rule: Rule, account: Account, now: datetime) -> list[Occurrence]:
    stage, days = rule.params["stage"], int(rule.params.get("days") or 7)
    changes = JourneyStageChange.objects.filter(
        account=account, to_stage=stage, changed_at__gte=now - timedelta(days=days), changed_at__lte=now
    ).order_by("changed_at", "id")
    occurrences = []
    for change in changes:
        events = _recent_events(account, change.changed_at + timedelta(seconds=1), days=14, limit=5)
        occurrences.append(
            Occurrence(
                source=f"s{change.id}",
                title=msg(
                    gettext_noop("%(account)s entered the %(stage)s stage"),
                    account=account.name,
                    stage=stage_param(stage),
                ),
                message=msg(
                    gettext_noop(
                        "%(account)s moved from %(from)s to %(to)s on %(when)s; engagement score %(score)s, "
                        "%(momentum)s.%(recent)s"
                    ),
                    account=account.name,
                    **{"from": stage_param(change.from_stage)},
                    to=stage_param(stage),
                    when=_when(change.changed_at),
                    score=num(account.engagement_score, 1),
                    momentum=_momentum_msg(account),
                    recent=_recent_msg(events),
                ),
                contact_ids=sorted({e.contact_id for e in events if e.contact_id}),
                facts={
                    "from_stage": change.from_stage,
                    "to_stage": stage,
                    "changed_at": change.changed_at.isoformat(),
                    "events": [_event_fact(e) for e in events],
                },
            )
        )
    return occurrences


def trigger_event(rule: Rule, account: Account, now: datetime) -> list[Occurrence]:
    kinds = list(rule.params.get("kinds") or [])
    days = int(rule.params.get("days") or 7)
    events = EngagementEvent.objects.filter(
        account=account, type=EventType.TRIGGER_EVENT, occurred_at__gte=now - timedelta(days=days), occurred_at__lte=now
    ).select_related("contact")
    if kinds:
        events = events.filter(metadata__kind__in=kinds)
    occurrences = []
    for event in events.order_by("occurred_at", "id"):
        metadata = event.metadata or {}
        kind = KIND_LABELS.get(str(metadata.get("kind")), metadata.get("kind") or "Trigger event")
        detail = metadata.get("title") or metadata.get("summary") or metadata.get("description") or ""
        occurrences.append(
            Occurrence(
                source=f"e{event.id}",
                title=msg(gettext_noop("%(kind)s at %(account)s"), kind=label(kind), account=account.name),
                message=msg(
                    gettext_noop(
                        "%(kind)s reported for %(account)s on %(when)s (source %(source)s)%(detail)s. Engagement "
                        "score %(score)s, %(momentum)s."
                    ),
                    kind=label(kind),
                    account=account.name,
                    when=_when(event.occurred_at),
                    source=event.source,
                    detail=f": {detail}" if detail else "",
                    score=num(account.engagement_score, 1),
                    momentum=_momentum_msg(account),
                ),
                contact_ids=[event.contact_id] if event.contact_id else [],
                facts={"event": _event_fact(event), "metadata": metadata},
            )
        )
    return occurrences


def engagement_drop(rule: Rule, account: Account, now: datetime) -> list[Level]:
    percent, days = float(rule.params["percent"]), int(rule.params["days"])
    min_events = int(rule.params.get("min_events") or 3)
    window = timedelta(days=days)
    events = EngagementEvent.objects.filter(account=account, occurred_at__lte=now)
    recent = events.filter(occurred_at__gt=now - window).count()
    previous = events.filter(occurred_at__gt=now - 2 * window, occurred_at__lte=now - window).count()
    drop = (1 - recent / previous) * 100 if previous else 0.0
    # Churn risk is about customers: a prospect going quiet is a different conversation.
    active = account.lifecycle == Lifecycle.CUSTOMER and previous >= min_events and drop >= percent
    return [
        Level(
            active=active,
            value=drop,
            title=msg(
                gettext_noop("Engagement at %(account)s fell %(drop)s%% in %(days)s days"),
                account=account.name,
                drop=num(drop, 0),
                days=days,
            ),
            message=msg(
                gettext_noop(
                    "Churn risk: %(account)s had %(previous)s interactions in the %(days)s days before and %(recent)s "
                    "in the last %(days)s days, a drop of %(drop)s%% (the rule fires at %(percent)s%%). Engagement "
                    "score now %(score)s."
                ),
                account=account.name,
                previous=previous,
                recent=recent,
                days=days,
                drop=num(drop, 0),
                percent=num(percent, None),
                score=num(account.engagement_score, 1),
            ),
            facts={"previous": previous, "recent": recent, "drop_percent": round(drop, 1), "days": days},
        )
    ]


def missing_role(rule: Rule, account: Account, now: datetime) -> list[Level]:
    role, days = rule.params.get("buying_role") or BuyingRole.ECONOMIC_BUYER, int(rule.params["days"])
    role_msgid = english_label(ROLE_LABELS, role, role)
    age_days = (now - account.created_at).days
    mapped = list(Contact.objects.filter(account=account, buying_role=role).order_by("id"))
    since = now - timedelta(days=days)
    engaged = [c for c in mapped if c.last_engaged_at and c.last_engaged_at >= since]
    mapped_text: Msg
    if mapped:
        who = joined(
            [
                msg(
                    gettext_noop("%(name)s (last engaged %(date)s)"),
                    name=c.full_name or c.email,
                    date=f"{c.last_engaged_at:%Y-%m-%d}",
                )
                if c.last_engaged_at
                else msg(gettext_noop("%(name)s (never engaged)"), name=c.full_name or c.email)
                for c in mapped
            ]
        )
        mapped_text = msg(gettext_noop("%(count)s mapped: %(who)s"), count=num(len(mapped)), who=who)
    else:
        mapped_text = msg(
            gettext_noop("no %(role)s is mapped in the buying committee"), role=label(role_msgid, lower=True)
        )
    # Without a tier filter the rule watches strategic accounts, the 1:1 ones where a missing role hurts most.
    in_scope = account.tier in (rule.filter_tiers or [Tier.STRATEGIC])
    return [
        Level(
            active=in_scope and age_days >= days and not engaged,
            value=float(len(engaged)),
            title=msg(
                gettext_noop("No engaged %(role)s at %(account)s"),
                role=label(role_msgid, lower=True),
                account=account.name,
            ),
            message=msg(
                gettext_noop(
                    "%(account)s (%(tier)s) has been a target account for %(age)s days and no %(role)s has engaged "
                    "in the last %(days)s days (%(mapped)s)."
                ),
                account=account.name,
                tier=_tier(account),
                age=num(age_days),
                role=label(role_msgid, lower=True),
                days=num(days),
                mapped=mapped_text,
            ),
            contact_ids=[c.id for c in mapped],
            facts={"age_days": age_days, "days": days, "mapped": len(mapped), "engaged": len(engaged), "role": role},
        )
    ]


def _closing(now: datetime, days: int) -> Q:
    """An open deal due to close within ``days``, or overdue by at most ``days`` (a deal left open in the CRM long
    after its date is stale data, not a deal about to close; one without a close date is not "closing")."""
    today, window = now.date(), timedelta(days=days)
    return Q(status=OpportunityStatus.OPEN, close_date__gte=today - window, close_date__lte=today + window)


def deal_missing_role(rule: Rule, account: Account, now: datetime) -> list[Level]:
    """An open deal closing within ``days`` (or overdue by at most ``days``) with nobody on it in ``buying_role``.

    A person's seat on a deal is the role the deal gives them, else their own buying role
    (``content.selectors.committee.seat_of``, as the committee panel and the won/lost review read it). The message
    names each such deal, who is on it, and the account's contacts who hold the role but are not on the deal.
    """
    role, days = rule.params.get("buying_role") or BuyingRole.ECONOMIC_BUYER, int(rule.params["days"])
    role_msgid = english_label(ROLE_LABELS, role, role)
    deals = list(Opportunity.objects.filter(_closing(now, days), account=account).order_by("close_date", "id"))
    room: dict[int, list[tuple[Contact, str]]] = {deal.pk: [] for deal in deals}
    for seat in OpportunityContact.objects.filter(opportunity_id__in=list(room)).select_related("contact"):
        room[seat.opportunity_id].append((seat.contact, seat_of(seat.contact, seat.role).role))
    # Someone marked as having left the company holds no seat any more, whatever the deal says.
    missing = [deal for deal in deals if not any(h == role and c.left_at is None for c, h in room[deal.pk])]
    title = msg(
        gettext_noop("No %(role)s on an open deal at %(account)s"),
        account=account.name,
        role=label(role_msgid, lower=True),
    )
    if not missing:  # nothing to say: the texts and the role's holders are only read when the alert fires
        return [Level(active=False, value=0.0, title=title, message="")]
    on_them = {c.pk for deal in missing for c, _ in room[deal.pk]}
    holders = [
        c
        for c in Contact.objects.filter(account=account, buying_role=role, left_at__isnull=True).order_by("id")
        if c.pk not in on_them
    ]
    today = now.date()
    deal_texts = []
    for deal in missing:
        close = cast(Any, deal.close_date)
        when = (
            msg_plural(
                ngettext_noop("closes on %(date)s, in %(count)s day", "closes on %(date)s, in %(count)s days"),
                (close - today).days,
                date=f"{close:%Y-%m-%d}",
            )
            if close >= today
            else msg(gettext_noop("was due to close on %(date)s"), date=f"{close:%Y-%m-%d}")
        )
        people = [
            msg(gettext_noop("%(person)s, who left"), person=_person_msg(c, held))
            if c.left_at
            else _person_msg(c, held)
            for c, held in room[deal.pk]
        ]
        who = (
            msg(gettext_noop("on it: %(people)s"), people=joined(people))
            if people
            else msg(gettext_noop("nobody on it yet"))
        )
        deal_texts.append(msg(gettext_noop("%(deal)s (%(when)s; %(who)s)"), deal=deal.name, when=when, who=who))
    if holders:
        at_account = msg(
            gettext_noop("At the account with that role, on none of these deals: %(who)s."),
            who=joined([c.full_name or c.email for c in holders]),
        )
    else:
        at_account = msg(gettext_noop("No %(role)s is mapped at the account."), role=label(role_msgid, lower=True))
    return [
        Level(
            active=True,
            value=float(len(missing)),
            title=title,
            message=msg_plural(
                ngettext_noop(
                    "%(count)s open deal at %(account)s closes within %(days)s days with no %(role)s on it: "
                    "%(deals)s. %(holders)s",
                    "%(count)s open deals at %(account)s close within %(days)s days with no %(role)s on them: "
                    "%(deals)s. %(holders)s",
                ),
                len(missing),
                account=account.name,
                days=num(days),
                role=label(role_msgid, lower=True),
                deals=joined(deal_texts),
                holders=at_account,
            ),
            contact_ids=[c.pk for c in holders],
            facts={
                "role": role,
                "days": days,
                "deals": [
                    {
                        "id": deal.pk,
                        "name": deal.name,
                        "close_date": cast(Any, deal.close_date).isoformat(),
                        "people": len(room[deal.pk]),
                    }
                    for deal in missing
                ],
            },
        )
    ]


KEY_ROLES = (BuyingRole.CHAMPION, BuyingRole.DECISION_MAKER, BuyingRole.ECONOMIC_BUYER)
KEY_TIERS = (Tier.STRATEGIC, Tier.PRIORITY)


def key_contact_quiet(rule: Rule, account: Account, now: datetime) -> list[Level]:
    """A champion, decision maker or economic buyer who engaged before and has been silent for ``days``, or who has
    been marked as having left the company (``Contact.left_at``): either way the relationship is changing."""
    days = int(rule.params["days"])
    since = now - timedelta(days=days)
    in_scope = account.tier in (rule.filter_tiers or KEY_TIERS)
    levels = []
    for contact in Contact.objects.filter(account=account, buying_role__in=KEY_ROLES).order_by("id"):
        quiet = contact.last_engaged_at is not None and contact.last_engaged_at < since
        if contact.left_at is not None:
            levels.append(
                Level(
                    active=in_scope,
                    value=float((now.date() - contact.left_at).days),
                    contact=contact,
                    contact_ids=[contact.id],
                    title=msg(
                        gettext_noop("%(person)s has left %(account)s"),
                        person=_person_msg(contact),
                        account=account.name,
                    ),
                    message=msg(
                        gettext_noop(
                            "%(person)s (%(role)s) left %(account)s on %(date)s (%(tier)s): find and meet their "
                            "successor. Account %(momentum)s."
                        ),
                        person=contact.full_name or contact.email,
                        role=label(english_label(ROLE_LABELS, contact.buying_role, contact.buying_role)),
                        account=account.name,
                        date=f"{contact.left_at:%Y-%m-%d}",
                        tier=_tier(account),
                        momentum=_momentum_msg(account),
                    ),
                    facts={"left_at": contact.left_at.isoformat(), "buying_role": contact.buying_role},
                )
            )
            continue
        levels.append(
            Level(
                active=in_scope and quiet,
                value=float((now - contact.last_engaged_at).days) if contact.last_engaged_at else None,
                contact=contact,
                contact_ids=[contact.id],
                title=msg(
                    gettext_noop("%(person)s at %(account)s has gone quiet"),
                    person=_person_msg(contact),
                    account=account.name,
                ),
                message=msg(
                    gettext_noop(
                        "%(person)s last engaged on %(date)s (the rule fires after %(days)s days of silence) at "
                        "%(account)s (%(tier)s): a key relationship may be changing. Account %(momentum)s."
                    )
                    if contact.last_engaged_at
                    else gettext_noop(
                        "%(person)s never engaged (the rule fires after %(days)s days of silence) at %(account)s "
                        "(%(tier)s): a key relationship may be changing. Account %(momentum)s."
                    ),
                    person=_person_msg(contact),
                    date=f"{contact.last_engaged_at:%Y-%m-%d}" if contact.last_engaged_at else "",
                    days=num(days),
                    account=account.name,
                    tier=_tier(account),
                    momentum=_momentum_msg(account),
                ),
                facts={
                    "days": days,
                    "last_engaged_at": contact.last_engaged_at.isoformat() if contact.last_engaged_at else None,
                    "buying_role": contact.buying_role,
                },
            )
        )
    return levels


def _renewal(account: Account, now: datetime, days: int) -> Opportunity | None:
    today = now.date()
    return (
        Opportunity.objects.filter(
            account=account,
            status=OpportunityStatus.WON,
            contract_end__gte=today,
            contract_end__lte=today + timedelta(days=days),
        )
        .order_by("contract_end", "id")
        .first()
    )


def renewal_risk(rule: Rule, account: Account, now: datetime) -> list[Level]:
    """A contract ending within ``days`` while engagement falls by ``percent`` % or more (momentum)."""
    days, percent = int(rule.params["days"]), float(rule.params["percent"])
    renewal = _renewal(account, now, days)
    momentum = account.engagement_momentum
    falling = momentum is not None and momentum <= -percent / 100
    ends = renewal.contract_end if renewal else None
    return [
        Level(
            active=renewal is not None and falling,
            value=momentum,
            title=msg(gettext_noop("Renewal at %(account)s with falling engagement"), account=account.name),
            message=msg(
                gettext_noop(
                    "%(contract)s at %(account)s ends on %(ends)s (%(left)s days; the rule looks %(days)s days ahead) "
                    "and engagement is falling: %(momentum)s (the rule fires at -%(percent)s%%)."
                ),
                contract=renewal.name if renewal else msg(gettext_noop("A contract")),
                account=account.name,
                ends=str(ends or "—"),
                left=num((ends - now.date()).days) if ends else "—",
                days=num(days),
                momentum=_momentum_msg(account),
                percent=num(percent, None),
            ),
            facts={
                "opportunity": renewal.pk if renewal else None,
                "contract_end": ends.isoformat() if ends else None,
                "momentum": momentum,
                "percent": percent,
                "days": days,
            },
        )
    ]


def missed_check_ins(rule: Rule, account: Account, now: datetime) -> list[Level]:
    """Post-sale check-ins (tasks from key accounts) still open ``days`` after their due date."""
    missed_at_least, grace = int(rule.params["missed"]), int(rule.params.get("days") or 7)
    overdue = Task.objects.filter(
        account=account,
        source=TaskSource.CHECK_IN,
        status=TaskStatus.OPEN,
        due_date__lt=now.date() - timedelta(days=grace),
    ).order_by("due_date", "id")
    count = overdue.count()
    late = list(overdue[:5])
    listed = joined(
        [msg(gettext_noop("%(task)s (due %(date)s)"), task=t.title, date=f"{t.due_date:%Y-%m-%d}") for t in late]
    )
    return [
        Level(
            active=count >= missed_at_least,
            value=float(count),
            title=msg_plural(
                ngettext_noop("%(count)s missed check-in at %(account)s", "%(count)s missed check-ins at %(account)s"),
                count,
                account=account.name,
            ),
            message=msg_plural(
                ngettext_noop(
                    "%(count)s post-sale check-in at %(account)s is still open more than %(grace)s days after its due "
                    "date (the rule fires at %(at_least)s): %(listed)s.",
                    "%(count)s post-sale check-ins at %(account)s are still open more than %(grace)s days after their "
                    "due date (the rule fires at %(at_least)s): %(listed)s.",
                ),
                count,
                account=account.name,
                grace=num(grace),
                at_least=num(missed_at_least),
                listed=listed if late else msg(gettext_noop("none")),
            ),
            facts={"missed": count, "grace_days": grace, "tasks": [t.id for t in late]},
        )
    ]


def _health_window(rule: Rule, now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(days=int(rule.params["days"])), now


def _moved_components(before: MeasureReading, after: MeasureReading) -> list[Msg]:
    """The receipt lines whose points changed between two readings, biggest fall first (component names and
    reasons shown in the reader's language when the reading kept their keys)."""
    old = {str(row[0]): float(row[1]) for row in before.explanation if len(row) >= 2}
    lines = []
    for i, row in enumerate(after.explanation):
        if len(row) < 2 or str(row[0]) not in old or old[str(row[0])] == float(row[1]):
            continue
        why: Any = ""
        if len(row) >= 4 and row[3]:
            spec = after.whys[i] if i < len(after.whys) else None
            reason = {"msg": spec} if spec else str(row[3])
            why = msg(gettext_noop(" (%(reason)s)"), reason=reason)
        line = msg(
            gettext_noop("%(component)s %(before)s → %(after)s%(why)s"),
            component=label(str(row[0])),
            before=num(old[str(row[0])], None),
            after=num(float(row[1]), None),
            why=why,
        )
        lines.append((float(row[1]) - old[str(row[0])], line))
    return [line for _, line in sorted(lines, key=lambda item: item[0])]


def health_drop(rule: Rule, account: Account, now: datetime) -> list[Level]:
    """The health score (computed by key accounts, read through ``abe.registry``) fell by ``points`` or more within
    ``days``: the latest reading against the highest reading before it in the window."""
    points, days = float(rule.params["points"]), int(rule.params["days"])
    measure = account_measure("health")
    if measure is None:  # key accounts not installed: there is no health score to watch
        return []
    since, until = _health_window(rule, now)
    readings = measure.history(account.id, since, until)
    if len(readings) < 2:
        return [
            Level(
                active=False,
                value=None,
                title=msg(gettext_noop("Health score of %(account)s"), account=account.name),
                message=msg(
                    gettext_noop("Fewer than two health readings for %(account)s in the last %(days)s days."),
                    account=account.name,
                    days=num(days),
                ),
            )
        ]
    latest = readings[-1]
    # The highest earlier reading; on a tie the most recent one, so the fall is dated as late as it really is.
    peak = max(readings[:-1], key=lambda r: (r.value, r.at))
    drop = peak.value - latest.value
    moved = _moved_components(peak, latest)
    return [
        Level(
            active=drop >= points,
            value=round(drop, 1),
            title=msg(
                gettext_noop("Health score of %(account)s fell %(drop)s points"),
                account=account.name,
                drop=num(drop, 1),
            ),
            message=msg(
                gettext_noop(
                    "%(account)s's health score fell from %(from_score)s on %(from_date)s to %(to_score)s on "
                    "%(to_date)s, a drop of %(drop)s points (the rule fires at a drop of %(points)s points within "
                    "%(days)s days).%(moved)s"
                ),
                account=account.name,
                from_score=num(peak.value, 1),
                from_date=f"{peak.at:%Y-%m-%d}",
                to_score=num(latest.value, 1),
                to_date=f"{latest.at:%Y-%m-%d}",
                drop=num(drop, 1),
                points=num(points, None),
                days=num(days),
                moved=msg(gettext_noop(" What moved: %(lines)s."), lines=joined(list(moved))) if moved else "",
            ),
            facts={
                "points": points,
                "days": days,
                "drop": round(drop, 1),
                "from_score": peak.value,
                "from_at": peak.at.isoformat(),
                "to_score": latest.value,
                "to_at": latest.at.isoformat(),
                "explanation": latest.explanation,
            },
        )
    ]


LEVEL_CONDITIONS: dict[str, Callable[[Rule, Account, datetime], list[Level]]] = {
    ConditionType.SCORE_THRESHOLD: score_threshold,
    ConditionType.SPIKE: spike,
    ConditionType.COMMITTEE_BREADTH: committee_breadth,
    ConditionType.ENGAGEMENT_DROP: engagement_drop,
    ConditionType.MISSING_ROLE: missing_role,
    ConditionType.DEAL_MISSING_ROLE: deal_missing_role,
    ConditionType.KEY_CONTACT_QUIET: key_contact_quiet,
    ConditionType.RENEWAL_RISK: renewal_risk,
    ConditionType.MISSED_CHECK_INS: missed_check_ins,
    ConditionType.HEALTH_DROP: health_drop,
}
OCCURRENCE_CONDITIONS: dict[str, Callable[[Rule, Account, datetime], list[Occurrence]]] = {
    ConditionType.ROLE_ENGAGED: role_engaged,
    ConditionType.STAGE_ENTERED: stage_entered,
    ConditionType.TRIGGER_EVENT: trigger_event,
}

# Marked for translation: an alert keeps the key and shows the action in its reader's language.
DEFAULT_ACTIONS: dict[str, str] = {
    ConditionType.SCORE_THRESHOLD: gettext_noop(
        "Call the most engaged contact this week; propose a meeting on what they read."
    ),
    ConditionType.SPIKE: gettext_noop(
        "Find out what drove the spike (see the latest interactions) and reach out while it is warm."
    ),
    ConditionType.COMMITTEE_BREADTH: gettext_noop(
        "The committee is forming: map the missing roles and propose a joint session."
    ),
    ConditionType.ROLE_ENGAGED: gettext_noop(
        "Contact this person within 24 hours with content that matches what they looked at."
    ),
    ConditionType.STAGE_ENTERED: gettext_noop(
        "Review the account plan for the new stage and agree the next step with marketing."
    ),
    ConditionType.TRIGGER_EVENT: gettext_noop(
        "Congratulate or acknowledge the news and connect it to the value you bring."
    ),
    ConditionType.ENGAGEMENT_DROP: gettext_noop(
        "Book an executive check-in and review open support issues: this customer cools."
    ),
    ConditionType.MISSING_ROLE: gettext_noop(
        "Identify the missing person and get an introduction through your champion."
    ),
    ConditionType.DEAL_MISSING_ROLE: gettext_noop(
        "Ask your champion to bring the missing person into the deal before it closes, and add them to it."
    ),
    ConditionType.KEY_CONTACT_QUIET: gettext_noop(
        "Reach out personally; if they moved on, find and meet their successor now."
    ),
    ConditionType.RENEWAL_RISK: gettext_noop(
        "Book an executive check-in before the renewal talk; review value delivered so far."
    ),
    ConditionType.MISSED_CHECK_INS: gettext_noop(
        "Reschedule the missed check-ins with the sponsor and record their outcomes."
    ),
    ConditionType.HEALTH_DROP: gettext_noop(
        "Read what moved in the health score and book a call with the sponsor this week."
    ),
}


def condition_summary(rule: Rule) -> str:
    """The condition in one line of plain words, for lists (in the reader's language, numbers in their format)."""
    p = rule.params or {}
    kind = rule.condition_type

    def g(key: str) -> str:  # a number as few decimals as it needs, like ``:g``
        value = p.get(key)
        return str(value) if not isinstance(value, int | float) else str(_shown(num(value, None)))

    days = p.get("days")
    if kind == ConditionType.SCORE_THRESHOLD:
        if p.get("subject") == "contact":
            return gettext("Any contact score reaches %(threshold)s") % {"threshold": g("threshold")}
        return gettext("Account score reaches %(threshold)s") % {"threshold": g("threshold")}
    if kind == ConditionType.SPIKE:
        text = gettext("Momentum ≥ %(ratio)s× the usual week") % {"ratio": g("ratio")}
        if p.get("min_score"):
            text += gettext(", score ≥ %(score)s") % {"score": g("min_score")}
        return text
    if kind == ConditionType.COMMITTEE_BREADTH:
        return gettext("%(members)s+ committee members engaged within %(days)s days") % {
            "members": p.get("members"),
            "days": days,
        }
    if kind == ConditionType.ROLE_ENGAGED:
        what = (
            EVENT_LABELS.get(str(p.get("event_type")), gettext("any interaction")).lower()
            if p.get("event_type")
            else gettext("any interaction")
        )
        role = str(p.get("buying_role"))
        return gettext("%(role)s: %(what)s (last %(days)s days)") % {
            "role": ROLE_LABELS.get(role, role),
            "what": what,
            "days": days,
        }
    if kind == ConditionType.STAGE_ENTERED:
        return gettext("Enters the %(stage)s stage") % {"stage": stage_label(p.get("stage"))}
    if kind == ConditionType.TRIGGER_EVENT:
        kinds = ", ".join(KIND_LABELS.get(k, k) for k in p.get("kinds") or []) or gettext("Any trigger event")
        return gettext("%(kinds)s (last %(days)s days)") % {"kinds": kinds, "days": days}
    if kind == ConditionType.ENGAGEMENT_DROP:
        return gettext("Interactions drop %(percent)s%% over %(days)s days (customers)") % {
            "percent": g("percent"),
            "days": days,
        }
    if kind == ConditionType.MISSING_ROLE:
        role = str(p.get("buying_role"))
        return gettext("No engaged %(role)s after %(days)s days") % {
            "role": ROLE_LABELS.get(role, role).lower(),
            "days": days,
        }
    if kind == ConditionType.DEAL_MISSING_ROLE:
        role = str(p.get("buying_role"))
        return gettext("Open deal closing within %(days)s days with no %(role)s on it") % {
            "role": ROLE_LABELS.get(role, role).lower(),
            "days": days,
        }
    if kind == ConditionType.KEY_CONTACT_QUIET:
        return gettext("Champion, decision maker or economic buyer silent for %(days)s days or left (key accounts)") % {
            "days": days
        }
    if kind == ConditionType.RENEWAL_RISK:
        return gettext("Renewal within %(days)s days and engagement down %(percent)s%% or more") % {
            "days": days,
            "percent": g("percent"),
        }
    if kind == ConditionType.MISSED_CHECK_INS:
        return gettext("%(missed)s+ check-ins open %(days)s days past due") % {"missed": p.get("missed"), "days": days}
    if kind == ConditionType.HEALTH_DROP:
        return gettext("Health score drops %(points)s+ points within %(days)s days") % {
            "points": g("points"),
            "days": days,
        }
    return rule.get_condition_type_display()


def rule_scope(rule: Rule) -> Q:
    """The accounts a rule watches, by its filters (workspace, tier, lifecycle, owner), as a query condition."""
    scope = Q(workspace_id=rule.workspace_id)
    if rule.filter_tiers:
        scope &= Q(tier__in=rule.filter_tiers)
    if rule.filter_lifecycles:
        scope &= Q(lifecycle__in=rule.filter_lifecycles)
    if rule.filter_owner_id:
        scope &= Q(owner_id=rule.filter_owner_id)
    return scope


def candidate_accounts(rule: Rule, accounts: QuerySet[Account], now: datetime) -> QuerySet[Account]:
    """The accounts among ``accounts`` on which evaluating ``rule`` could change anything, in one query.

    A superset, never a subset: an occurrence condition needs a qualifying row in its window; a level condition
    needs its value possibly above the line, or a state still active that may have to re-arm. Evaluation skips
    the rest, so a pass over thousands of accounts only opens a transaction where something can happen.
    """
    qs = accounts.filter(rule_scope(rule))
    params = rule.params or {}
    kind = rule.condition_type
    if kind in OCCURRENCE_CONDITIONS:
        days = int(params.get("days") or (2 if kind == ConditionType.ROLE_ENGAGED else 7))
        since = now - timedelta(days=days)
        rows: QuerySet[Any]
        if kind == ConditionType.STAGE_ENTERED:
            rows = JourneyStageChange.objects.filter(to_stage=params.get("stage"), changed_at__gte=since)
        else:
            events = EngagementEvent.objects.filter(occurred_at__gte=since, occurred_at__lte=now)
            if kind == ConditionType.TRIGGER_EVENT:
                events = events.filter(type=EventType.TRIGGER_EVENT)
                if params.get("kinds"):
                    events = events.filter(metadata__kind__in=list(params["kinds"]))
            else:
                events = events.filter(contact__buying_role=params.get("buying_role"))
                if params.get("event_type"):
                    events = events.filter(type=params["event_type"])
            rows = events
        return qs.filter(pk__in=cast(Any, rows.filter(workspace_id=rule.workspace_id).values("account_id")))
    possible, exact = Q(), False  # exact: ``possible`` is precisely "the condition is active"
    if kind == ConditionType.SCORE_THRESHOLD:
        threshold = float(params["threshold"])
        if params.get("subject", "account") == "account":
            possible, exact = Q(engagement_score__gte=threshold), True
        else:
            possible = Q(pk__in=Contact.objects.filter(engagement_score__gte=threshold).values("account_id"))
    elif kind == ConditionType.SPIKE:
        min_score = float(params.get("min_score") or 0)
        possible = Q(engagement_momentum__gte=float(params["ratio"]) - 1, engagement_score__gte=min_score)
        exact = True
    elif kind == ConditionType.COMMITTEE_BREADTH:
        since = now - timedelta(days=int(params["days"]))
        engaged = (
            Contact.objects.filter(workspace_id=rule.workspace_id, last_engaged_at__gte=since)
            .values("account_id")
            .annotate(n=Count("id"))
            .filter(n__gte=int(params["members"]))
        )
        possible, exact = Q(pk__in=engaged.values("account_id")), True
    elif kind == ConditionType.ENGAGEMENT_DROP:
        # Customers with at least ``min_events`` interactions in the window before the last, and a drop of at
        # least ``percent`` since (a hair of slack keeps float rounding on the side of evaluating).
        window = timedelta(days=int(params["days"]))
        kept = 1 - float(params["percent"]) / 100
        dropping = (
            EngagementEvent.objects.filter(
                workspace_id=rule.workspace_id, occurred_at__gt=now - 2 * window, occurred_at__lte=now
            )
            .values("account_id")
            .annotate(
                before=Count("id", filter=Q(occurred_at__lte=now - window)),
                recent=Count("id", filter=Q(occurred_at__gt=now - window)),
            )
            .filter(before__gte=int(params.get("min_events") or 3), recent__lte=F("before") * kept + 1e-6)
        )
        possible = Q(lifecycle=Lifecycle.CUSTOMER, pk__in=dropping.values("account_id"))
    elif kind == ConditionType.MISSING_ROLE:
        possible = Q(
            tier__in=rule.filter_tiers or [Tier.STRATEGIC], created_at__lte=now - timedelta(days=int(params["days"]))
        )
    elif kind == ConditionType.DEAL_MISSING_ROLE:
        closing = Opportunity.objects.filter(_closing(now, int(params["days"])), workspace_id=rule.workspace_id)
        possible = Q(pk__in=closing.values("account_id"))
    elif kind == ConditionType.KEY_CONTACT_QUIET:
        quiet = Contact.objects.filter(
            Q(last_engaged_at__lt=now - timedelta(days=int(params["days"]))) | Q(left_at__isnull=False),
            workspace_id=rule.workspace_id,
            buying_role__in=KEY_ROLES,
        )
        possible = Q(tier__in=rule.filter_tiers or KEY_TIERS, pk__in=quiet.values("account_id"))
    elif kind == ConditionType.RENEWAL_RISK:
        renewals = Opportunity.objects.filter(
            workspace_id=rule.workspace_id,
            status=OpportunityStatus.WON,
            contract_end__gte=now.date(),
            contract_end__lte=now.date() + timedelta(days=int(params["days"])),
        )
        possible = Q(engagement_momentum__lte=-float(params["percent"]) / 100, pk__in=renewals.values("account_id"))
    elif kind == ConditionType.MISSED_CHECK_INS:
        late = Task.objects.filter(
            workspace_id=rule.workspace_id,
            source=TaskSource.CHECK_IN,
            status=TaskStatus.OPEN,
            due_date__lt=now.date() - timedelta(days=int(params.get("days") or 7)),
        )
        possible = Q(pk__in=late.values("account_id"))
    elif kind == ConditionType.HEALTH_DROP:
        measure = account_measure("health")
        since, until = _health_window(rule, now)
        possible = (
            Q(pk__in=measure.accounts_with_readings(rule.workspace_id, since, until)) if measure else Q(pk__in=[])
        )
    active_state = Q(pk__in=RuleState.objects.filter(rule=rule, active=True).values("account_id"))
    if exact:  # only where the state must change: a new crossing, or a fall back below the line
        return qs.filter((possible & ~active_state) | (~possible & active_state))
    return qs.filter(possible | active_state)
