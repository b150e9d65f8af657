"""The outbox: delivery rows written with their alert, sent by workers after commit, swept if never sent.

Guarantees (see ``docs/activation.md``):
- deliveries are created inside the caller's transaction, so a rolled-back change sends nothing;
- the Celery tasks are published only after commit; if the broker is down the publish error is logged and
  the rows wait for :func:`deliveries_due` (the beat sweep), so nothing is lost;
- a worker *claims* a delivery with a short lease before sending (an atomic UPDATE), so two workers never
  send the same row at once, and a delivery with ``sent_at`` is never sent again. A worker killed after the
  receiver answered but before the row was marked sent causes one repeat: webhook receivers dedupe on the
  ``X-ABE-Delivery`` header;
- temporary failures (network errors, timeouts, 408/425/429 and 5xx) are retried with exponential backoff;
  other 4xx answers fail at once. A subscription that keeps failing is turned off and the admins are told.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_noop, ngettext, pgettext

from abe.l10n import email_locale, recipient_locale, recipients_locales
from abe.models import Membership, Role, Workspace
from abe.outbound import OutboundError, UnsafeUrlError, outbound_request
from abe.tasks import enqueue_on_commit
from abe.texts import Msg, english, msg, specs

from ..models import (
    SEVERITY_RANK,
    Alert,
    AlertKind,
    AlertRecipient,
    DeliveryStatus,
    EmailDelivery,
    EmailKind,
    EmailMode,
    NotificationPreference,
    Severity,
    WebhookAttempt,
    WebhookDelivery,
    WebhookFormat,
    WebhookSubscription,
)
from ..webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    alert_payload,
    alert_url,
    slack_payload,
    webhook_body,
    webhook_signature_header,
)

logger = logging.getLogger(__name__)

User = get_user_model()


def lease() -> timedelta:
    """How long a worker holds a delivery it is sending, and how long the sweep leaves a new row to the task
    published at commit. Longer than the task's time limit, so a live worker never loses its claim."""
    return timedelta(seconds=settings.ABE_DELIVERY_LEASE_SECONDS)


TEMPORARY_HTTP = {408, 425, 429}


class TemporaryDeliveryError(Exception):
    """The delivery failed in a way that may pass (network, timeout, 5xx): retry with backoff."""


def backoff_seconds(attempts: int) -> int:
    """Wait before attempt ``attempts + 1``: 30 s, 60 s, 120 s... capped at one hour."""
    return int(min(30 * 2 ** max(attempts - 1, 0), 3600))


class Outbox:
    """Deliveries created in the current transaction, to publish once it commits."""

    def __init__(self) -> None:
        self.email_ids: list[int] = []
        self.webhook_ids: list[int] = []

    def publish_on_commit(self) -> None:
        """One send task per delivery once the transaction commits; a failed publish is logged (the tasks are
        ``publish_failure_swept``): the rows are committed, and the beat sweep publishes them again."""
        from ..tasks import email_delivery_send_task, webhook_delivery_send_task

        for task, ids in ((email_delivery_send_task, self.email_ids), (webhook_delivery_send_task, self.webhook_ids)):
            for delivery_id in ids:
                enqueue_on_commit(task, delivery_id)


def deliveries_publish(*, email_ids: Iterable[int], webhook_ids: Iterable[int]) -> None:
    """Publish one send task per delivery (each has its own retries). Broker errors are logged, not raised:
    the rows are committed, and the beat sweep publishes them again."""
    from ..tasks import email_delivery_send_task, webhook_delivery_send_task

    for task, ids in ((email_delivery_send_task, email_ids), (webhook_delivery_send_task, webhook_ids)):
        for delivery_id in ids:
            try:
                task.delay(delivery_id)
            except Exception:  # the broker is down: the sweep will find the row
                logger.warning("Could not publish %s(%s); the outbox sweep will retry", task.name, delivery_id)


def _workspace_admins(workspace_id: int) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(workspace_id=workspace_id, role=Role.ADMIN)
        .select_related("user")
        .order_by("user_id")
    ]


def _email_modes(workspace_id: int, user_ids: list[int]) -> dict[int, str]:
    prefs = NotificationPreference.objects.filter(workspace_id=workspace_id, user_id__in=user_ids)
    return {p.user_id: p.email_mode for p in prefs}


def alert_email_render(alert: Alert) -> tuple[str, str]:
    subject = (
        pgettext("email subject", "[ABE] %(severity)s: %(title)s")
        % {"severity": alert.get_severity_display(), "title": alert.title_text}
    )[:255]
    body = render_to_string("activation/email/alert.txt", {"alert": alert, "url": alert_url(alert.id)})
    return subject, body


def alert_deliveries_create(*, alert: Alert, recipients: list[Any], now: datetime, outbox: Outbox) -> None:
    """Inbox rows, instant emails and webhook deliveries for a new alert, in the caller's transaction."""
    recipients = list({u.pk: u for u in recipients}.values())
    AlertRecipient.objects.bulk_create(
        [AlertRecipient(workspace_id=alert.workspace_id, alert=alert, user=u) for u in recipients],
        ignore_conflicts=True,
    )
    modes = _email_modes(alert.workspace_id, [u.pk for u in recipients])
    emailed = [
        u
        for u in recipients
        if u.email
        and modes.get(u.pk, EmailMode.INSTANT) != EmailMode.OFF
        and not (modes.get(u.pk, EmailMode.INSTANT) == EmailMode.DIGEST and alert.kind == AlertKind.RULE)
    ]
    # Each recipient reads the email in their language and time zone; one rendering per distinct pair.
    workspace = Workspace.objects.get(pk=alert.workspace_id) if emailed else None
    locales = recipients_locales(emailed, workspace)
    rendered: dict[tuple[str, str], tuple[str, str]] = {}
    for user in emailed:
        language, tz = locales[user.pk]
        key = (language, str(tz))
        if key not in rendered:
            with email_locale(language, tz, workspace.currency if workspace else None):
                rendered[key] = alert_email_render(alert)
        subject, body = rendered[key]
        email = EmailDelivery.objects.create(
            workspace_id=alert.workspace_id,
            alert=alert,
            user=user,
            kind=EmailKind.ALERT,
            to=user.email,
            subject=subject,
            body=body,
            idempotency_key=f"alert:{alert.id}:user:{user.pk}",
            next_attempt_at=now + lease(),
            created_at=now,
        )
        outbox.email_ids.append(email.id)
    if alert.kind != AlertKind.RULE:
        return
    rank = SEVERITY_RANK[Severity(alert.severity)]
    payload = None
    for subscription in WebhookSubscription.objects.filter(workspace_id=alert.workspace_id, is_active=True):
        if SEVERITY_RANK[Severity(subscription.min_severity)] > rank:
            continue
        payload = payload or alert_payload(alert)
        delivery = WebhookDelivery.objects.create(
            workspace_id=alert.workspace_id,
            subscription=subscription,
            alert=alert,
            event="alert.created",
            payload=payload,
            idempotency_key=f"alert:{alert.id}:sub:{subscription.id}",
            next_attempt_at=now + lease(),
            created_at=now,
        )
        outbox.webhook_ids.append(delivery.id)


def system_notice_create(
    *,
    workspace_id: int,
    dedupe_key: str,
    title: str | Msg,
    message: str | Msg,
    action: str | Msg,
    now: datetime,
    outbox: Outbox,
) -> Alert | None:
    """An in-app (and email) notice to the workspace admins, e.g. "a webhook was turned off"."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                workspace_id=workspace_id,
                kind=AlertKind.SYSTEM,
                dedupe_key=dedupe_key,
                severity=Severity.HIGH,
                title=english(title),
                message=english(message),
                recommended_action=english(action),
                texts=specs(title=title, message=message, recommended_action=action),
                created_at=now,
            )
    except IntegrityError:
        return None
    alert_deliveries_create(alert=alert, recipients=_workspace_admins(workspace_id), now=now, outbox=outbox)
    return alert


_Delivery = TypeVar("_Delivery", EmailDelivery, WebhookDelivery)


def _claim(model: type[_Delivery], delivery_id: int, now: datetime) -> _Delivery | None:
    """Take the delivery for one attempt, or None if it is sent, failed, or being sent by another worker."""
    claimed = (
        model._default_manager.filter(pk=delivery_id, status=DeliveryStatus.PENDING, sent_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + lease(), attempts=F("attempts") + 1)
    )
    return model._default_manager.get(pk=delivery_id) if claimed else None


def _after_failure(delivery: EmailDelivery | WebhookDelivery, *, error: str, temporary: bool, now: datetime) -> bool:
    """Record a failed attempt; True when it will be retried."""
    retry = temporary and delivery.attempts < settings.ABE_DELIVERY_MAX_ATTEMPTS
    delivery.last_error = error[:2000]
    delivery.claimed_until = None
    if retry:
        delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
    else:
        delivery.status = DeliveryStatus.FAILED
    delivery.save(update_fields=["last_error", "claimed_until", "next_attempt_at", "status"])
    return retry


def email_delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one email delivery: ``sent``, ``skipped`` (already sent or taken), ``failed``; raises on a retry."""
    now = now or timezone.now()
    delivery = _claim(EmailDelivery, delivery_id, now)
    if delivery is None:
        return "skipped"
    try:
        send_mail(delivery.subject, delivery.body, settings.DEFAULT_FROM_EMAIL, [delivery.to], fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        permanent = isinstance(exc, smtplib.SMTPRecipientsRefused)
        if _after_failure(delivery, error=f"{type(exc).__name__}: {exc}", temporary=not permanent, now=now):
            raise TemporaryDeliveryError(str(exc)) from exc
        return "failed"
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return "sent"


def webhook_request_body(delivery: WebhookDelivery) -> bytes:
    payload = delivery.payload
    if delivery.subscription.effective_format == WebhookFormat.SLACK:
        payload = slack_payload(payload)
    return webhook_body(payload)


def webhook_post(*, subscription: WebhookSubscription, delivery: WebhookDelivery) -> tuple[int | None, str, int]:
    """POST the signed body; (status code or None, error text, duration in ms). Never raises for HTTP trouble.

    Through ``abe.outbound``: the URL is checked again (https, every resolved address public), the connection
    goes to the checked address and redirects are not followed. A refused address is reported without any
    detail of what (if anything) answers there.
    """
    body = webhook_request_body(delivery)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ABE-Portal-Webhooks/1.0",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: webhook_signature_header(
            secrets=subscription.signing_secrets(), timestamp=timestamp, delivery_id=delivery.id, body=body
        ),
        DELIVERY_HEADER: str(delivery.id),
        EVENT_HEADER: delivery.event,
    }
    started = time.monotonic()
    code, error = None, ""
    try:
        response = outbound_request(
            "POST", subscription.url, body=body, headers=headers, timeout=settings.ABE_WEBHOOK_TIMEOUT, max_bytes=4096
        )
        code = response.status
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except UnsafeUrlError:
        raise
    except OutboundError as exc:
        error = str(exc)[:300]
    return code, error, int((time.monotonic() - started) * 1000)


def webhook_delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one webhook delivery and log the attempt: ``sent``, ``skipped``, ``failed``; raises on a retry."""
    now = now or timezone.now()
    delivery = _claim(WebhookDelivery, delivery_id, now)
    if delivery is None:
        return "skipped"
    subscription = delivery.subscription
    if not subscription.is_active:  # tests included: "Send test" is for active subscriptions only
        _after_failure(delivery, error="The subscription is turned off.", temporary=False, now=now)
        return "failed"
    try:
        code, error, duration = webhook_post(subscription=subscription, delivery=delivery)
    except UnsafeUrlError:
        # Permanent: the address is (now) private or does not resolve; nothing was sent, nothing is revealed.
        refused = "Refused: the URL no longer resolves to a public https address."
        WebhookAttempt.objects.create(
            workspace_id=delivery.workspace_id, delivery=delivery, attempted_at=timezone.now(), error=refused
        )
        _subscription_failure(subscription_id=subscription.pk, error=refused, now=timezone.now())
        _after_failure(delivery, error=refused, temporary=False, now=timezone.now())
        return "failed"
    attempted_at = timezone.now()
    WebhookAttempt.objects.create(
        workspace_id=delivery.workspace_id,
        delivery=delivery,
        attempted_at=attempted_at,
        status_code=code,
        error=error[:500],
        duration_ms=duration,
    )
    delivery.last_status_code = code
    delivery.save(update_fields=["last_status_code"])
    if code is not None and 200 <= code < 300:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT, sent_at=attempted_at, claimed_until=None, last_error=""
        )
        WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
        return "sent"
    temporary = code is None or code >= 500 or code in TEMPORARY_HTTP
    _subscription_failure(subscription_id=subscription.pk, error=error or f"HTTP {code}", now=attempted_at)
    if _after_failure(delivery, error=error or f"HTTP {code}", temporary=temporary, now=attempted_at):
        raise TemporaryDeliveryError(error or f"HTTP {code}")
    return "failed"


@transaction.atomic
def _subscription_failure(*, subscription_id: int, error: str, now: datetime) -> None:
    """Count a failed attempt; at the limit turn the subscription off and tell the admins (inbox and email)."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
    subscription.consecutive_failures += 1
    fields = ["consecutive_failures", "updated_at"]
    outbox = Outbox()
    if subscription.is_active and subscription.consecutive_failures >= settings.ABE_WEBHOOK_DISABLE_AFTER:
        subscription.is_active = False
        subscription.disabled_at = now
        subscription.disabled_reason = f"{subscription.consecutive_failures} failed attempts in a row; last: {error}"[
            :255
        ]
        fields += ["is_active", "disabled_at", "disabled_reason"]
        system_notice_create(
            workspace_id=subscription.workspace_id,
            dedupe_key=f"webhook-off:{subscription.pk}:{now.isoformat()}",
            title=msg(gettext_noop("Webhook “%(name)s” was turned off"), name=subscription.name),
            message=msg(
                gettext_noop(
                    "Deliveries to %(url)s failed %(failures)s times in a row (last error: %(error)s). No more alerts "
                    "are sent to it until it is turned back on."
                ),
                url=subscription.url,
                failures=subscription.consecutive_failures,
                error=error,
            ),
            action=msg(
                gettext_noop("Check the receiving endpoint, then turn the subscription back on and send a test.")
            ),
            now=now,
            outbox=outbox,
        )
    subscription.save(update_fields=fields)
    outbox.publish_on_commit()


def deliveries_due(*, now: datetime, limit: int = 500) -> tuple[list[int], list[int]]:
    """Pending deliveries whose time has come and that no worker holds: what the sweep publishes again."""
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    emails = list(EmailDelivery.objects.filter(due).order_by("next_attempt_at").values_list("id", flat=True)[:limit])
    hooks = list(WebhookDelivery.objects.filter(due).order_by("next_attempt_at").values_list("id", flat=True)[:limit])
    return emails, hooks


def digests_send(*, now: datetime | None = None) -> int:
    """Write (and publish) one digest email per user who chose the daily digest, once a day after the hour."""
    now = now or timezone.now()
    if now.hour < settings.ABE_DIGEST_HOUR_UTC:
        return 0
    today_digest = now.replace(hour=settings.ABE_DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
    due = NotificationPreference.objects.filter(email_mode=EmailMode.DIGEST).filter(
        Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=today_digest)
    )
    written = 0
    for pref_id in due.values_list("id", flat=True):
        written += _digest_for(pref_id=pref_id, now=now, today_digest=today_digest)
    return written


@transaction.atomic
def _digest_for(*, pref_id: int, now: datetime, today_digest: datetime) -> int:
    pref = NotificationPreference.objects.select_for_update().select_related("user").get(pk=pref_id)
    if pref.last_digest_at and pref.last_digest_at >= today_digest:
        return 0  # another worker did it
    since = pref.last_digest_at or now - timedelta(days=1)
    alerts = list(
        Alert.objects.filter(
            workspace_id=pref.workspace_id, recipients__user=pref.user, created_at__gt=since, created_at__lte=now
        )
        .exclude(status__in=["suppressed", "held_back"])
        .select_related("account")
        .order_by("-created_at")
    )
    pref.last_digest_at = now
    pref.save(update_fields=["last_digest_at"])
    if not alerts or not pref.user.email:
        return 0
    workspace = Workspace.objects.get(pk=pref.workspace_id)
    with recipient_locale(pref.user, workspace):
        body = render_to_string(
            "activation/email/digest.txt",
            {"alerts": alerts, "user": pref.user, "since": since, "site": settings.ABE_SITE_URL},
        )
        subject = ngettext(
            "[ABE] Your daily digest: %(count)d new alert", "[ABE] Your daily digest: %(count)d new alerts", len(alerts)
        ) % {"count": len(alerts)}
    email = EmailDelivery.objects.create(
        workspace_id=pref.workspace_id,
        user=pref.user,
        kind=EmailKind.DIGEST,
        to=pref.user.email,
        subject=subject,
        body=body,
        idempotency_key=f"digest:{pref.user_id}:{now.date().isoformat()}",
        next_attempt_at=now + lease(),
        created_at=now,
    )
    outbox = Outbox()
    outbox.email_ids.append(email.id)
    outbox.publish_on_commit()
    return 1
