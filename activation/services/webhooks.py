"""Writes on webhook subscriptions (admins only): create, update, turn on again, delete, send a test."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from abe.models import Workspace
from abe.outbound import UnsafeUrlError, url_check_public

from ..models import Severity, WebhookDelivery, WebhookFormat, WebhookSubscription
from ..webhooks import ping_payload
from .outbox import Outbox

SUBSCRIPTION_FIELDS = {"name", "url", "secret", "format", "min_severity", "is_active"}


def _clean(subscription: WebhookSubscription) -> None:
    errors: dict[str, str] = {}
    subscription.name = (subscription.name or "").strip()
    if not subscription.name:
        errors["name"] = gettext("Name the receiving system, e.g. “CRM tasks” or “#key-accounts Slack”.")
    try:
        # https only, and every address the host resolves to must be public (again at each delivery).
        url_check_public(subscription.url or "")
    except UnsafeUrlError as exc:
        errors["url"] = " ".join(exc.message_dict.get("url", exc.messages))
    if not subscription.secret:
        subscription.secret = "whsec_" + secrets.token_urlsafe(32)
    elif len(subscription.secret) < 16:
        errors["secret"] = gettext("Use at least 16 characters (leave empty to generate one).")
    if subscription.format not in WebhookFormat.values:
        errors["format"] = gettext("Unknown format “%(value)s”.") % {"value": subscription.format}
    if subscription.min_severity not in Severity.values:
        errors["min_severity"] = gettext("Unknown severity “%(value)s”.") % {"value": subscription.min_severity}
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
    if "secret" in data:
        current = WebhookSubscription.objects.get(pk=subscription.pk).secret
        if not data["secret"]:
            subscription.secret = current  # empty keeps the secret
        elif data["secret"] != current:
            _rotate(subscription, old=current, new=data["secret"])
    if subscription.is_active and not was_active:
        # Turned back on by hand: the failure streak starts again from zero.
        subscription.consecutive_failures, subscription.disabled_at, subscription.disabled_reason = 0, None, ""
    _clean(subscription)
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_delete(subscription: WebhookSubscription, *, by: User | None = None) -> None:
    subscription.delete()


SECRET_OVERLAP = timedelta(hours=24)


def _rotate(subscription: WebhookSubscription, *, old: str, new: str) -> None:
    subscription.secret = new
    subscription.previous_secret = old
    subscription.previous_secret_expires_at = timezone.now() + SECRET_OVERLAP


@transaction.atomic
def webhook_secret_rotate(
    subscription: WebhookSubscription, *, by: User | None = None
) -> tuple[WebhookSubscription, str]:
    """A new generated secret; the old one keeps signing (a second ``v1=``) for 24 hours. Returns the new secret,
    which is shown this once."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    new = "whsec_" + secrets.token_urlsafe(32)
    _rotate(subscription, old=subscription.secret, new=new)
    subscription.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return subscription, new


@transaction.atomic
def webhook_test_send(*, subscription: WebhookSubscription, by: User | None = None) -> WebhookDelivery:
    """Queue a signed ``webhook.test`` delivery to an active subscription (an inactive one is not contacted)."""
    if not subscription.is_active:
        raise ValidationError(
            {"is_active": gettext("Turn the subscription on first: tests go only to active subscriptions.")}
        )
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
