"""Writes on webhook subscriptions (admins only): create, update, turn on again, delete, send a test."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from abe.models import Workspace

from ..models import Severity, WebhookDelivery, WebhookFormat, WebhookSubscription
from ..webhooks import ping_payload
from .outbox import Outbox

SUBSCRIPTION_FIELDS = {"name", "url", "secret", "format", "min_severity", "is_active"}


def _clean(subscription: WebhookSubscription) -> None:
    errors: dict[str, str] = {}
    subscription.name = (subscription.name or "").strip()
    if not subscription.name:
        errors["name"] = "Name the receiving system, e.g. “CRM tasks” or “#key-accounts Slack”."
    try:
        URLValidator(schemes=["http", "https"])(subscription.url or "")
    except ValidationError:
        errors["url"] = "Enter a full http(s) URL."
    if not subscription.secret:
        subscription.secret = "whsec_" + secrets.token_urlsafe(32)
    elif len(subscription.secret) < 16:
        errors["secret"] = "Use at least 16 characters (leave empty to generate one)."
    if subscription.format not in WebhookFormat.values:
        errors["format"] = f"Unknown format “{subscription.format}”."
    if subscription.min_severity not in Severity.values:
        errors["min_severity"] = f"Unknown severity “{subscription.min_severity}”."
    if errors:
        raise ValidationError(errors)


def _check_fields(data: dict[str, Any]) -> None:
    extra = set(data) - SUBSCRIPTION_FIELDS
    if extra:
        raise ValidationError({f: "Unknown field." for f in extra})


@transaction.atomic
def webhook_subscription_create(*, workspace: Workspace, by: User | None = None, **data: Any) -> WebhookSubscription:
    _check_fields(data)
    subscription = WebhookSubscription(
        workspace=workspace, created_by=by if by is not None and by.is_authenticated else None, **data
    )
    _clean(subscription)
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_update(
    subscription: WebhookSubscription, *, by: User | None = None, **data: Any
) -> WebhookSubscription:
    _check_fields(data)
    was_active = subscription.is_active
    for name, value in data.items():
        setattr(subscription, name, value)
    if "secret" in data and not data["secret"]:
        subscription.secret = WebhookSubscription.objects.get(pk=subscription.pk).secret  # empty keeps the secret
    if subscription.is_active and not was_active:
        # Turned back on by hand: the failure streak starts again from zero.
        subscription.consecutive_failures, subscription.disabled_at, subscription.disabled_reason = 0, None, ""
    _clean(subscription)
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_delete(subscription: WebhookSubscription, *, by: User | None = None) -> None:
    subscription.delete()


@transaction.atomic
def webhook_test_send(*, subscription: WebhookSubscription, by: User | None = None) -> WebhookDelivery:
    """Queue a signed ``webhook.test`` delivery (sent even while the subscription is off, to check it first)."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        workspace_id=subscription.workspace_id,
        subscription=subscription,
        event="webhook.test",
        payload=ping_payload(subscription),
        idempotency_key=f"test:{subscription.pk}:{uuid.uuid4().hex}",
        next_attempt_at=now,
        created_at=now,
    )
    outbox = Outbox()
    outbox.webhook_ids.append(delivery.id)
    outbox.publish_on_commit()
    return delivery
