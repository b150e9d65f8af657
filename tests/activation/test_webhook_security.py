"""Webhook security: SSRF checks at save and at delivery, tests only when active, secrets shown once, rotation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from activation.models import DeliveryStatus, WebhookSubscription
from activation.services import outbox
from activation.services.webhooks import (
    webhook_secret_rotate,
    webhook_subscription_create,
    webhook_subscription_update,
    webhook_test_send,
)
from activation.webhooks import WebhookSignatureError, webhook_signature_verify
from tests.factories import WebhookSubscriptionFactory

from .test_services_webhooks import fire_alert

pytestmark = pytest.mark.django_db

PRIVATE_TARGETS = [
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.1/hook",
    "https://[::1]/hook",
    "https://localhost:5432/",
    "https://127.0.0.1/hook",
    "https://metadata.google.internal/computeMetadata/v1/",
    "http://example.com/hook",  # not https
]


@pytest.mark.parametrize("url", PRIVATE_TARGETS)
def test_private_loopback_and_metadata_urls_are_refused_at_save_time(workspace, monkeypatch, url):
    monkeypatch.delenv("ABE_ALLOW_PRIVATE_URLS", raising=False)

    with pytest.raises(ValidationError) as caught:
        webhook_subscription_create(workspace=workspace, name="x", url=url)

    assert "url" in caught.value.message_dict
    assert not WebhookSubscription.objects.exists()


def test_an_inactive_private_subscription_cannot_be_activated(workspace, monkeypatch):
    sub = WebhookSubscriptionFactory(workspace=workspace, url="http://127.0.0.1:9/hook", is_active=False)
    monkeypatch.delenv("ABE_ALLOW_PRIVATE_URLS", raising=False)

    with pytest.raises(ValidationError):
        webhook_subscription_update(sub, is_active=True)


def test_the_api_refuses_a_metadata_url(admin_api, monkeypatch):
    monkeypatch.delenv("ABE_ALLOW_PRIVATE_URLS", raising=False)

    response = admin_api.post(
        "/api/v1/webhook-subscriptions/", {"name": "x", "url": "https://169.254.169.254/"}, format="json"
    )

    assert response.status_code == 400 and "url" in response.json()


def test_each_delivery_checks_the_address_again_and_reveals_nothing(workspace, account, receiver, monkeypatch):
    _, delivery = fire_alert(workspace, account, receiver.url)  # saved while private URLs were allowed
    monkeypatch.delenv("ABE_ALLOW_PRIVATE_URLS", raising=False)

    assert outbox.webhook_delivery_send(delivery_id=delivery.id) == "failed"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_status_code is None
    assert receiver.requests == []  # nothing was sent to the internal address
    assert delivery.attempt_log.get().error.startswith("Refused")


def test_send_test_only_on_active_subscriptions(workspace, admin_api, receiver):
    sub = WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, is_active=False)

    with pytest.raises(ValidationError):
        webhook_test_send(subscription=sub)
    response = admin_api.post(f"/api/v1/webhook-subscriptions/{sub.pk}/test/")

    assert response.status_code == 400
    assert receiver.requests == []


def test_the_secret_is_shown_once_then_masked(admin_api):
    created = admin_api.post(
        "/api/v1/webhook-subscriptions/", {"name": "CRM", "url": "http://127.0.0.1:9/hook"}, format="json"
    )
    sub_id = created.json()["id"]

    read = admin_api.get(f"/api/v1/webhook-subscriptions/{sub_id}/").json()
    listed = admin_api.get("/api/v1/webhook-subscriptions/").json()["results"][0]

    secret = WebhookSubscription.objects.get(pk=sub_id).secret
    assert created.json()["secret"] == secret
    assert "secret" not in read and "secret" not in listed
    assert read["secret_masked"].startswith(secret[:6]) and secret not in str(read)


def test_the_secret_is_shown_once_on_the_page(admin_client, workspace):
    sub = WebhookSubscriptionFactory(workspace=workspace, url="http://127.0.0.1:9/hook")

    first = admin_client.post(f"/alerts/webhooks/{sub.pk}/rotate-secret/", follow=True)
    again = admin_client.get(f"/alerts/webhooks/{sub.pk}/")

    sub.refresh_from_db()
    assert sub.secret in first.content.decode()
    assert sub.secret not in again.content.decode() and sub.secret_masked in again.content.decode()


def test_rotation_signs_with_both_secrets_during_the_overlap(workspace, account, receiver):
    sub, delivery = fire_alert(workspace, account, receiver.url)
    old = sub.secret

    sub, new = webhook_secret_rotate(sub)
    outbox.webhook_delivery_send(delivery_id=delivery.id)

    request = receiver.requests[0]
    headers = request["headers"]
    assert headers["x-abe-signature"].count("v1=") == 2
    for secret in (old, new):
        webhook_signature_verify(
            secret=secret,
            body=request["body"],
            timestamp=headers["x-abe-timestamp"],
            delivery_id=headers["x-abe-delivery"],
            signature=headers["x-abe-signature"],
        )
    assert sub.signing_secrets() == [new, old]


def test_after_the_overlap_only_the_new_secret_signs(workspace, account, receiver):
    from datetime import timedelta

    from django.utils import timezone

    sub, delivery = fire_alert(workspace, account, receiver.url)
    old = sub.secret
    sub, new = webhook_secret_rotate(sub)
    WebhookSubscription.objects.filter(pk=sub.pk).update(previous_secret_expires_at=timezone.now() - timedelta(1))

    outbox.webhook_delivery_send(delivery_id=delivery.id)

    headers = receiver.requests[0]["headers"]
    assert headers["x-abe-signature"].count("v1=") == 1
    with pytest.raises(WebhookSignatureError):
        webhook_signature_verify(
            secret=old,
            body=receiver.requests[0]["body"],
            timestamp=headers["x-abe-timestamp"],
            delivery_id=headers["x-abe-delivery"],
            signature=headers["x-abe-signature"],
        )
