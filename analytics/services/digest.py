"""The weekly programme digest: headline figures of the last 7 days and their change, to those who opted in.

Only admins and marketing may opt in. Safe to repeat: a subscription sent less than 6 days ago is skipped, and
``last_sent_at`` is written in the same transaction as the send is decided.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from abe.l10n import currency_override, user_language
from abe.labels import signed_percent
from abe.models import Membership, Role, Workspace

from .. import kpis
from ..models import DigestSubscription
from ..selectors.filters import KpiFilters
from ..selectors.kpis import kpi_summary

DIGEST_ROLES = (Role.ADMIN, Role.MARKETING)
RESEND_AFTER = timedelta(days=6)


@transaction.atomic
def digest_subscription_set(*, workspace: Workspace, user: Any, subscribed: bool) -> bool:
    role = Membership.objects.filter(workspace=workspace, user=user).values_list("role", flat=True).first()
    if subscribed and role not in DIGEST_ROLES:
        raise ValidationError({"subscribed": _("The weekly digest is for admins and marketing.")})
    if subscribed:
        DigestSubscription.objects.get_or_create(workspace=workspace, user=user)
    else:
        DigestSubscription.objects.filter(workspace=workspace, user=user).delete()
    return subscribed


def _line(label: str, now: float | None, before: float | None, fmt: Any) -> str:
    change = kpis.change(now, before)
    suffix = "" if change is None else " " + _("(%(change)s on the week before)") % {"change": signed_percent(change)}
    return f"- {_(label)}: {fmt(now)}{suffix}"


def digest_body(*, workspace: Workspace, now: datetime) -> tuple[str, str]:
    from ..selectors.dashboards import money, num, pct

    end = now.date() - timedelta(days=1)
    filters = KpiFilters(start=end - timedelta(days=6), end=end)
    cur = kpi_summary(workspace=workspace, filters=filters)
    prev = kpi_summary(workspace=workspace, filters=filters.previous())
    t, pt = "target", "target"
    lines = [
        _("Programme digest for %(name)s, %(start)s – %(end)s")
        % {"name": workspace.name, "start": date_format(filters.start), "end": date_format(filters.end)},
        "",
        _("Target accounts (strategic + priority):"),
        _line(
            gettext_noop("Engaged accounts"),
            cur["coverage"][t]["engaged_accounts"],
            prev["coverage"][pt]["engaged_accounts"],
            num,
        ),
        _line(gettext_noop("MQA entries"), cur["mqas"][t]["entries"], prev["mqas"][pt]["entries"], num),
        _line(
            gettext_noop("Opportunities created"),
            cur["pipeline"][t]["opportunities_created"],
            prev["pipeline"][pt]["opportunities_created"],
            num,
        ),
        _line(
            gettext_noop("Pipeline created"),
            cur["pipeline"][t]["pipeline_created"],
            prev["pipeline"][pt]["pipeline_created"],
            money,
        ),
        _line(gettext_noop("Revenue won"), cur["pipeline"][t]["won_amount"], prev["pipeline"][pt]["won_amount"], money),
        "",
        _("All accounts:"),
        _line(
            gettext_noop("Revenue won"),
            cur["pipeline"]["all"]["won_amount"],
            prev["pipeline"]["all"]["won_amount"],
            money,
        ),
        _line(gettext_noop("Win rate"), cur["win_rate"]["all"]["value"], prev["win_rate"]["all"]["value"], pct)
        + " "
        + _("on %(n)s closed deals") % {"n": cur["win_rate"]["all"]["n"]},
        _line(
            gettext_noop("Alerts raised"),
            cur["alert_response"]["all"]["raised"],
            prev["alert_response"]["all"]["raised"],
            num,
        ),
        "",
        _("Dashboards: /analytics/ · Stop this email: the digest switch on the analytics page."),
    ]
    return _("[ABE] Weekly programme digest: %(name)s") % {"name": workspace.name}, "\n".join(lines)


def digests_send(*, workspace: Workspace, now: datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    # Each recipient gets the digest in their language and the workspace's currency; one rendering per language.
    rendered: dict[str, tuple[str, str]] = {}
    for subscription in DigestSubscription.objects.for_workspace(workspace).select_related("user"):
        with transaction.atomic():
            row = DigestSubscription.objects.select_for_update().get(pk=subscription.pk)
            if row.last_sent_at and now - row.last_sent_at < RESEND_AFTER:
                continue
            still_allowed = Membership.objects.filter(
                workspace=workspace, user=row.user, role__in=DIGEST_ROLES
            ).exists()
            if not still_allowed or not row.user.email:
                continue
            language = user_language(row.user, workspace)
            if language not in rendered:
                with translation.override(language), currency_override(workspace.currency):
                    rendered[language] = digest_body(workspace=workspace, now=now)
            subject, body = rendered[language]
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [row.user.email], fail_silently=False)
            row.last_sent_at = now
            row.save(update_fields=["last_sent_at"])
            sent += 1
    return sent
