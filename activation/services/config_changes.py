"""What a configuration change does to the inboxes: one summary notice instead of one alert per account.

A recompute caused by a configuration change (engagement scoring settings, journey stages and thresholds)
records every stage change, and the rule crossings it causes are consumed as held-back alerts (see
``alert_fire(hold_back=True)``); the admins and the owners of the moved accounts get this one notice, with the
moves by stage and a link to the affected accounts. The person who saved the change may ask for per-account
alerts instead.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from abe.models import Membership, Role
from abe.texts import ACCOUNTS, ALERTS, english, joined, msg, msg_plural, ngettext_noop, num, specs
from abe.texts import label as text_label
from accounts.models import Account

from ..models import Alert, AlertKind, Severity
from .outbox import Outbox, alert_deliveries_create
from .rules import journey_stage_names


def affected_accounts_url(*, key: str) -> str:
    """The accounts list filtered to exactly the accounts the recompute of configuration change ``key`` moved
    between stages (its stage changes are tagged with the key; later moves are not)."""
    return f"{reverse('accounts:list')}?{urlencode({'config_change': key, 'sort': 'stage'})}"


def config_change_notice_create(
    *, workspace_id: int, change: dict[str, Any], held_back: int, now: datetime | None = None
) -> Alert | None:
    """The one notice for a configuration change (None when it moved nothing and held nothing back, or when it
    was already sent: the key of the change is its dedupe key, so a repeated recompute task sends nothing)."""
    now = now or timezone.now()
    moves = [(int(pk), str(old), str(new)) for pk, old, new in change.get("moves") or []]
    if not moves and not held_back:
        return None
    key = f"config_change:{change.get('key') or change.get('at')}"
    if Alert.objects.filter(workspace_id=workspace_id, dedupe_key=key).exists():
        return None
    names = journey_stage_names(workspace=workspace_id)
    by_move = Counter((old, new) for _, old, new in moves)
    # Stage names as configured: a default stage's stored (English) name is a msgid, shown translated; a name
    # typed by an admin is not in the catalogue and is shown as typed.
    lines = [
        msg(
            gettext_noop("%(from)s → %(to)s: %(count)s"),
            **{
                "from": text_label(names.get(old, old or gettext_noop("No stage"))),
                "to": text_label(names.get(new, new)),
                "count": num(n),
            },
        )
        for (old, new), n in sorted(by_move.items(), key=lambda item: -item[1])
    ]
    label = str(change.get("label") or gettext_noop("The configuration"))
    message = msg(
        gettext_noop(
            "%(what)s changed: %(accounts)s changed journey stage (%(lines)s). The rules would have sent %(alerts)s "
            "about them; they were held back so that a settings change does not flood the inboxes, and this notice "
            "speaks for them."
        ),
        what=text_label(label),
        accounts=msg_plural(ACCOUNTS, len(moves)),
        lines=joined(lines) if lines else msg(gettext_noop("none")),
        alerts=msg_plural(ALERTS, held_back),
    )
    at = str(change.get("at") or now.isoformat())
    url = affected_accounts_url(key=str(change.get("key") or ""))
    owner_ids = set(Account.objects.filter(pk__in=[pk for pk, _, _ in moves]).values_list("owner_id", flat=True))
    members = Membership.objects.filter(workspace_id=workspace_id).select_related("user").order_by("user_id")
    recipients = [m.user for m in members if m.role == Role.ADMIN or m.user_id in owner_ids]
    title = msg_plural(
        ngettext_noop(
            "%(what)s changed: %(count)s account changed journey stage",
            "%(what)s changed: %(count)s accounts changed journey stage",
        ),
        len(moves),
        what=text_label(label),
    )
    outbox = Outbox()
    with transaction.atomic():
        alert = Alert.objects.create(
            workspace_id=workspace_id,
            kind=AlertKind.SYSTEM,
            dedupe_key=key,
            severity=Severity.MEDIUM,
            title=english(title),
            message=english(message),
            recommended_action="Review the affected accounts; follow up on the ones your plays should reach.",
            texts=specs(title=title, message=message),
            facts={
                "config_change": change.get("key", ""),
                "by": change.get("by"),
                "at": at,
                "moved": len(moves),
                "moves": [
                    {"from": names.get(old, old), "to": names.get(new, new), "accounts": n}
                    for (old, new), n in by_move.items()
                ],
                "held_back": held_back,
                "accounts_url": url,
            },
            created_at=now,
        )
        alert_deliveries_create(alert=alert, recipients=recipients, now=now, outbox=outbox)
        outbox.publish_on_commit()
    return alert
