"""Writes on alerts: firing one (with its dedupe key and cool-down), its lifecycle, assignment and reading.

Lifecycle: open -> acknowledged -> resolved | dismissed, or snoozed until a date (then open again). Every
change writes an :class:`AlertTransition` with its time, and the first acknowledgement, resolution,
dismissal and snooze are also stamped on the alert, so response times are one subtraction away.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from abe.models import Membership, Role
from abe.texts import Msg, english, specs
from accounts.models import Account, AccountTeamMember, Contact

from ..models import (
    UNDELIVERED_STATUSES,
    Alert,
    AlertAction,
    AlertRecipient,
    AlertStatus,
    AlertTransition,
    EmailMode,
    NotificationPreference,
    Rule,
)
from .outbox import Outbox, alert_deliveries_create

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TRANSITIONS: dict[str, tuple[set[str], str]] = {
    AlertAction.ACKNOWLEDGE: ({AlertStatus.OPEN, AlertStatus.SNOOZED}, AlertStatus.ACKNOWLEDGED),
    AlertAction.RESOLVE: ({AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.SNOOZED}, AlertStatus.RESOLVED),
    AlertAction.DISMISS: ({AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.SNOOZED}, AlertStatus.DISMISSED),
    AlertAction.SNOOZE: ({AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED}, AlertStatus.SNOOZED),
    AlertAction.REOPEN: ({AlertStatus.RESOLVED, AlertStatus.DISMISSED, AlertStatus.SNOOZED}, AlertStatus.OPEN),
}
# What a person is told when an action does not apply to the alert's status ("A resolved alert cannot be snoozed.").
CANNOT: dict[str, StrOrPromise] = {
    AlertAction.ACKNOWLEDGE: gettext_lazy("A %(status)s alert cannot be acknowledged."),
    AlertAction.RESOLVE: gettext_lazy("A %(status)s alert cannot be resolved."),
    AlertAction.DISMISS: gettext_lazy("A %(status)s alert cannot be dismissed."),
    AlertAction.SNOOZE: gettext_lazy("A %(status)s alert cannot be snoozed."),
    AlertAction.REOPEN: gettext_lazy("A %(status)s alert cannot be reopened."),
}
STAMPS: dict[str, str] = {
    AlertAction.ACKNOWLEDGE: "acknowledged_at",
    AlertAction.RESOLVE: "resolved_at",
    AlertAction.DISMISS: "dismissed_at",
    AlertAction.SNOOZE: "snoozed_at",
}


def alert_recipients(*, rule: Rule, account: Account) -> list[Any]:
    """The account team this rule speaks to: the owner (if asked) and members in the chosen team roles.

    Only members of the workspace receive alerts. An account with nobody to tell goes to the admins, so a
    firing rule is never silent.
    """
    users: list[User] = []
    if rule.notify_owner and account.owner is not None:
        users.append(account.owner)
    if rule.notify_team_roles:
        team = AccountTeamMember.objects.filter(account=account, team_role__in=rule.notify_team_roles)
        users += [m.user for m in team.select_related("user").order_by("id")]
    member_ids = set(
        Membership.objects.filter(workspace_id=account.workspace_id, user_id__in=[u.pk for u in users]).values_list(
            "user_id", flat=True
        )
    )
    users = [u for u in users if u.pk in member_ids]
    if not users:
        users = [
            m.user
            for m in Membership.objects.filter(workspace_id=account.workspace_id, role=Role.ADMIN).select_related(
                "user"
            )
        ]
    return list({u.pk: u for u in users}.values())


def alert_fire(
    *,
    rule: Rule,
    account: Account,
    dedupe_key: str,
    title: str | Msg,
    message: str | Msg,
    recommended_action: str | Msg,
    facts: dict[str, Any],
    contact_ids: list[int],
    now: datetime,
    outbox: Outbox,
    hold_back: bool = False,
) -> Alert | None:
    """Create the alert for one crossing or source row, unless it exists. Call inside a transaction.

    Within the rule's cool-down for this account the alert is written as ``suppressed`` (no inbox, no
    email, no webhook), so the crossing is consumed instead of firing late. ``hold_back`` (a recompute after a
    configuration change) writes an alert that would have been delivered as ``held_back`` (also marked
    ``facts["held_back"]``), likewise undelivered: one summary notice speaks for them all.
    """
    if Alert.objects.filter(workspace_id=account.workspace_id, dedupe_key=dedupe_key).exists():
        return None
    if hold_back:
        facts = {**facts, "held_back": "configuration change"}
    cooling = (
        rule.cooldown_hours > 0
        and Alert.objects.filter(rule=rule, account=account, created_at__gte=now - timedelta(hours=rule.cooldown_hours))
        .exclude(status__in=UNDELIVERED_STATUSES)
        .exists()
    )
    status = AlertStatus.SUPPRESSED if cooling else AlertStatus.HELD_BACK if hold_back else AlertStatus.OPEN
    try:
        # A savepoint: a concurrent insert of the same key (replay racing the original) is a no-op here.
        with transaction.atomic():
            alert = Alert.objects.create(
                workspace_id=account.workspace_id,
                rule=rule,
                account=account,
                dedupe_key=dedupe_key,
                severity=rule.severity,
                title=english(title)[:255],
                message=english(message),
                recommended_action=english(recommended_action),
                texts=specs(title=title, message=message, recommended_action=recommended_action),
                facts=facts,
                created_at=now,
                status=status,
            )
    except IntegrityError:
        return None
    if contact_ids:
        alert.contacts.set(Contact.objects.filter(account=account, pk__in=contact_ids))
    if status == AlertStatus.OPEN:
        alert_deliveries_create(
            alert=alert, recipients=alert_recipients(rule=rule, account=account), now=now, outbox=outbox
        )
    return alert


@transaction.atomic
def alert_transition(
    *,
    alert: Alert,
    action: str,
    by: User | None,
    until: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Alert:
    """Move an alert along its lifecycle; ValidationError if the move is not allowed from its status."""
    now = now or timezone.now()
    if action not in TRANSITIONS:
        raise ValidationError({"action": gettext("Unknown action “%(action)s”.") % {"action": action}})
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    allowed_from, to_status = TRANSITIONS[action]
    if alert.status not in allowed_from:
        status = alert.get_status_display().lower()
        raise ValidationError({"action": str(CANNOT[action]) % {"status": status}})
    fields = ["status", "updated_at"]
    if action == AlertAction.SNOOZE:
        if until is None or until <= now:
            raise ValidationError({"until": gettext("Snooze until a moment in the future.")})
        alert.snoozed_until = until
        fields.append("snoozed_until")
    elif alert.snoozed_until is not None:
        alert.snoozed_until = None
        fields.append("snoozed_until")
    stamp = STAMPS.get(action)
    # The first acknowledgement is the response time; later ones (after a snooze) keep it.
    if stamp and (action != AlertAction.ACKNOWLEDGE or alert.acknowledged_at is None):
        setattr(alert, stamp, now)
        fields.append(stamp)
    from_status, alert.status = alert.status, to_status
    alert.save(update_fields=fields)
    actor = by if by is not None and by.is_authenticated else None
    AlertTransition.objects.create(
        workspace_id=alert.workspace_id,
        alert=alert,
        action=action,
        from_status=from_status,
        to_status=to_status,
        by=actor,
        note=note[:500],
        at=now,
    )
    if actor is not None:
        AlertRecipient.objects.filter(alert=alert, user=actor, read_at__isnull=True).update(read_at=now)
    return alert


@transaction.atomic
def alert_assign(*, alert: Alert, assignee: User | None, by: User | None) -> Alert:
    now = timezone.now()
    if assignee is not None and not Membership.objects.filter(workspace_id=alert.workspace_id, user=assignee).exists():
        raise ValidationError({"assignee": gettext("The assignee must be a member of this workspace.")})
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    alert.assignee = assignee
    alert.save(update_fields=["assignee", "updated_at"])
    AlertTransition.objects.create(
        workspace_id=alert.workspace_id,
        alert=alert,
        action=AlertAction.ASSIGN,
        from_status=alert.status,
        to_status=alert.status,
        by=by if by is not None and by.is_authenticated else None,
        assignee=assignee,
        at=now,
    )
    if assignee is not None:
        # The assignee sees it in their inbox even when they are not on the account team.
        AlertRecipient.objects.get_or_create(workspace_id=alert.workspace_id, alert=alert, user=assignee)
    return alert


def alert_mark_read(*, alert: Alert, user: User) -> None:
    AlertRecipient.objects.filter(alert=alert, user=user, read_at__isnull=True).update(read_at=timezone.now())


def alerts_wake_snoozed(*, now: datetime | None = None) -> int:
    """Snoozes that have run out: the alert is open (and unread) again. Safe to repeat."""
    now = now or timezone.now()
    woken = 0
    due = Alert.objects.filter(status=AlertStatus.SNOOZED, snoozed_until__lte=now).values_list("id", flat=True)
    for alert_id in list(due[:1000]):
        with transaction.atomic():
            alert = Alert.objects.select_for_update().filter(pk=alert_id, status=AlertStatus.SNOOZED).first()
            if alert is None or alert.snoozed_until is None or alert.snoozed_until > now:
                continue
            alert.status, alert.snoozed_until = AlertStatus.OPEN, None
            alert.save(update_fields=["status", "snoozed_until", "updated_at"])
            AlertTransition.objects.create(
                workspace_id=alert.workspace_id,
                alert=alert,
                action=AlertAction.WAKE,
                from_status=AlertStatus.SNOOZED,
                to_status=AlertStatus.OPEN,
                at=now,
            )
            AlertRecipient.objects.filter(alert=alert).update(read_at=None)
            woken += 1
    return woken


@transaction.atomic
def notification_preference_set(*, workspace_id: int, user: User, email_mode: str) -> None:
    if email_mode not in EmailMode.values:
        raise ValidationError(
            {"email_mode": gettext("Unknown email mode “%(email_mode)s”.") % {"email_mode": email_mode}}
        )
    NotificationPreference.objects.update_or_create(
        workspace_id=workspace_id, user=user, defaults={"email_mode": email_mode}
    )
