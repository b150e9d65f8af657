"""Webhook payloads and signatures: what we send, how it is signed, and how a receiver verifies it.

Each request carries ``X-ABE-Timestamp`` (Unix seconds), ``X-ABE-Delivery`` (the delivery id, the same on
every retry) and ``X-ABE-Signature: v1=<hex>[,v1=<hex>]``, where each ``<hex>`` is HMAC-SHA256 of
``f"{timestamp}.{delivery_id}.{body}"`` keyed with one active secret of the subscription (two during the
overlap after a rotation). The delivery id is signed, so a captured request cannot be replayed under another
id to slip past the receiver's deduplication. A receiver recomputes the HMAC over the raw body, compares in
constant time against any ``v1=`` value, and rejects timestamps older than a few minutes (replays).
:func:`webhook_signature_verify` is that receiver, usable as is; ``docs/activation.md`` shows it standalone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from django.conf import settings

TIMESTAMP_HEADER = "X-ABE-Timestamp"
SIGNATURE_HEADER = "X-ABE-Signature"
DELIVERY_HEADER = "X-ABE-Delivery"
EVENT_HEADER = "X-ABE-Event"
DEFAULT_TOLERANCE_SECONDS = 300

SEVERITY_EMOJI = {
    "low": ":information_source:",
    "medium": ":large_blue_circle:",
    "high": ":warning:",
    "critical": ":rotating_light:",
}


class WebhookSignatureError(Exception):
    """The request is not signed by the secret we hold, or it is too old to trust."""


def webhook_body(payload: dict) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys in a stable order."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=str).encode()


def webhook_signature(*, secret: str, timestamp: int | str, delivery_id: int | str, body: bytes) -> str:
    signed = f"{timestamp}.{delivery_id}.".encode() + body
    return f"v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def webhook_signature_header(*, secrets: list[str], timestamp: int | str, delivery_id: int | str, body: bytes) -> str:
    """One ``v1=`` per active secret (the current one first)."""
    return ",".join(
        webhook_signature(secret=s, timestamp=timestamp, delivery_id=delivery_id, body=body) for s in secrets
    )


def webhook_signature_verify(
    *,
    secret: str,
    body: bytes,
    timestamp: str,
    delivery_id: str,
    signature: str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Raise :class:`WebhookSignatureError` unless ``signature`` signs ``timestamp.delivery_id.body`` recently.

    ``signature`` is the header value; several comma-separated ``v1=`` values are accepted (secret rotation).
    """
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        raise WebhookSignatureError("missing or malformed timestamp") from None
    if not str(delivery_id or "").strip():
        raise WebhookSignatureError("missing delivery id")
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        raise WebhookSignatureError(f"timestamp outside the {tolerance}s tolerance (replay?)")
    expected = webhook_signature(secret=secret, timestamp=sent_at, delivery_id=delivery_id, body=body)
    candidates = [part.strip() for part in (signature or "").split(",") if part.strip().startswith("v1=")]
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise WebhookSignatureError("signature does not match")


def alert_url(alert_id: int) -> str:
    return f"{settings.ABE_SITE_URL}/alerts/{alert_id}/"


def alert_payload(alert: Any) -> dict:
    """The JSON payload of ``alert.created`` (the default format)."""
    account = alert.account
    rule = alert.rule
    return {
        "event": "alert.created",
        "alert": {
            "id": alert.id,
            "kind": alert.kind,
            "severity": alert.severity,
            "title": alert.title,
            "message": alert.message,
            "recommended_action": alert.recommended_action,
            "facts": alert.facts,
            "created_at": alert.created_at.isoformat(),
            "url": alert_url(alert.id),
            "rule": {"id": rule.id, "name": rule.name, "condition_type": rule.condition_type} if rule else None,
            "account": (
                {
                    "id": account.id,
                    "name": account.name,
                    "domain": account.domain,
                    "tier": account.tier,
                    "lifecycle": account.lifecycle,
                    "owner": account.owner.username if account.owner_id else None,
                    "engagement_score": account.engagement_score,
                }
                if account
                else None
            ),
            "contacts": [
                {"id": c.id, "name": c.full_name, "email": c.email, "buying_role": c.buying_role}
                for c in alert.contacts.all()
            ],
        },
    }


def ping_payload(subscription: Any) -> dict:
    return {
        "event": "webhook.test",
        "subscription": {"id": subscription.id, "name": subscription.name},
        "message": "Test delivery from the ABE Portal: if you can read this, the subscription works.",
    }


def slack_payload(payload: dict) -> dict:
    """A Slack incoming-webhook message (``text`` plus blocks) for the same event."""
    if payload.get("event") != "alert.created":
        return {"text": payload.get("message") or "ABE Portal notification"}
    alert = payload["alert"]
    emoji = SEVERITY_EMOJI.get(alert["severity"], "")
    headline = f"{emoji} *{alert['title']}* ({alert['severity']})"
    lines = [headline, alert["message"]]
    if alert.get("recommended_action"):
        lines.append(f"*What to do:* {alert['recommended_action']}")
    text = "\n".join(lines)
    return {
        "text": f"{alert['title']} ({alert['severity']})",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}},
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Open alert"}, "url": alert["url"]}
                ],
            },
        ],
    }
