"""Webhooks: signed deliveries verified by a receiver, retries with backoff, the log, auto-disable, Slack format."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from activation.models import Alert, AlertKind, DeliveryStatus, WebhookDelivery
from activation.services import outbox
from activation.services.evaluation import rules_evaluate
from activation.services.webhooks import webhook_test_send
from activation.tasks import webhook_delivery_send_task
from activation.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookSignatureError,
    webhook_signature,
    webhook_signature_verify,
)
from tests.factories import RuleFactory, WebhookSubscriptionFactory

from .conftest import score

pytestmark = pytest.mark.django_db


def fire_alert(workspace, account, subscription_url, **subscription):
    sub = WebhookSubscriptionFactory(workspace=workspace, url=subscription_url, **subscription)
    RuleFactory(workspace=workspace, params={"threshold": 1}, severity="high")
    score(account, 5)
    rules_evaluate(account_ids=[account.id])
    return sub, WebhookDelivery.objects.get(subscription=sub)


def test_delivery_is_signed_and_the_receiver_verifies_it(workspace, account, receiver, admin_user):
    sub, delivery = fire_alert(workspace, account, receiver.url)

    assert outbox.webhook_delivery_send(delivery_id=delivery.id) == "sent"

    request = receiver.requests[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    webhook_signature_verify(
        secret=sub.secret,
        body=request["body"],
        timestamp=headers[TIMESTAMP_HEADER.lower()],
        signature=headers[SIGNATURE_HEADER.lower()],
    )
    payload = json.loads(request["body"])
    assert payload["event"] == "alert.created"
    assert payload["alert"]["account"]["name"] == "Globex" and "threshold" in payload["alert"]["message"]
    assert headers["x-abe-delivery"] == str(delivery.id)
    with pytest.raises(WebhookSignatureError):
        webhook_signature_verify(
            secret="whsec_someone_else_entirely",
            body=request["body"],
            timestamp=headers[TIMESTAMP_HEADER.lower()],
            signature=headers[SIGNATURE_HEADER.lower()],
        )
    with pytest.raises(WebhookSignatureError):
        webhook_signature_verify(
            secret=sub.secret,
            body=request["body"] + b" ",
            timestamp=headers[TIMESTAMP_HEADER.lower()],
            signature=headers[SIGNATURE_HEADER.lower()],
        )


def test_receivers_reject_old_timestamps():
    body, secret = b'{"event":"alert.created"}', "whsec_0123456789abcdef"
    old = int(time.time()) - 3600
    signature = webhook_signature(secret=secret, timestamp=old, body=body)

    with pytest.raises(WebhookSignatureError, match="tolerance"):
        webhook_signature_verify(secret=secret, body=body, timestamp=str(old), signature=signature)
    webhook_signature_verify(secret=secret, body=body, timestamp=str(old), signature=signature, now=old + 10)


def test_temporary_failures_are_retried_with_exponential_backoff_until_success(workspace, account, receiver):
    receiver.script = [503, 502]
    _, delivery = fire_alert(workspace, account, receiver.url)
    before = timezone.now()

    with pytest.raises(outbox.TemporaryDeliveryError):
        outbox.webhook_delivery_send(delivery_id=delivery.id)
    delivery.refresh_from_db()
    first_wait = delivery.next_attempt_at - before
    with pytest.raises(outbox.TemporaryDeliveryError):
        outbox.webhook_delivery_send(delivery_id=delivery.id)
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - before
    result = outbox.webhook_delivery_send(delivery_id=delivery.id)

    delivery.refresh_from_db()
    assert result == "sent" and delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert timedelta(seconds=29) < first_wait < timedelta(seconds=35)
    assert timedelta(seconds=59) < second_wait < timedelta(seconds=65)
    assert [a.status_code for a in delivery.attempt_log.all()] == [503, 502, 200]
    assert outbox.webhook_delivery_send(delivery_id=delivery.id) == "skipped"
    assert len(receiver.requests) == 3


def test_the_celery_task_retries_on_its_own_and_declares_backoff(workspace, account, receiver):
    receiver.script = [500]
    _, delivery = fire_alert(workspace, account, receiver.url)

    webhook_delivery_send_task.apply(args=[delivery.id], throw=False)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]
    assert webhook_delivery_send_task.retry_backoff == 30 and webhook_delivery_send_task.acks_late
    assert outbox.backoff_seconds(1) == 30 and outbox.backoff_seconds(4) == 240 and outbox.backoff_seconds(20) == 3600


def test_client_errors_are_not_retried(workspace, account, receiver):
    receiver.script = [410]
    _, delivery = fire_alert(workspace, account, receiver.url)

    assert outbox.webhook_delivery_send(delivery_id=delivery.id) == "failed"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_status_code == 410


def test_network_errors_are_temporary(workspace, account):
    _, delivery = fire_alert(workspace, account, "http://127.0.0.1:9/closed-port")

    with pytest.raises(outbox.TemporaryDeliveryError):
        outbox.webhook_delivery_send(delivery_id=delivery.id)

    log = WebhookDelivery.objects.get(pk=delivery.id).attempt_log.get()
    assert log.status_code is None and log.error


@override_settings(ABE_WEBHOOK_DISABLE_AFTER=3)
def test_repeated_failures_turn_the_subscription_off_and_tell_the_admins(
    workspace, account, receiver, admin_user, django_capture_on_commit_callbacks
):
    receiver.script = [500, 500, 500]
    sub, delivery = fire_alert(workspace, account, receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            with pytest.raises(outbox.TemporaryDeliveryError):
                outbox.webhook_delivery_send(delivery_id=delivery.id)
            WebhookDelivery.objects.filter(pk=delivery.id).update(claimed_until=None)

    sub.refresh_from_db()
    assert not sub.is_active and sub.disabled_at and "3 failed attempts" in sub.disabled_reason
    notice = Alert.objects.get(kind=AlertKind.SYSTEM)
    assert list(notice.recipients.values_list("user__username", flat=True)) == ["admin1"]
    assert any("was turned off" in m.subject and m.to == [admin_user.email] for m in mail.outbox)
    assert outbox.webhook_delivery_send(delivery_id=delivery.id) == "failed"  # no more sends to a disabled hook


def test_slack_urls_get_a_slack_message(workspace, account, receiver):
    sub, delivery = fire_alert(workspace, account, receiver.url, format="slack")

    outbox.webhook_delivery_send(delivery_id=delivery.id)

    payload = json.loads(receiver.requests[0]["body"])
    assert payload["text"].startswith("Globex crossed engagement")
    assert payload["blocks"][0]["type"] == "section" and "What to do" in payload["blocks"][0]["text"]["text"]
    assert (
        WebhookSubscriptionFactory.build(url="https://hooks.slack.com/services/T/B/X", format="auto").effective_format
        == "slack"
    )


def test_send_test_is_signed_and_logged(workspace, receiver, django_capture_on_commit_callbacks):
    sub = WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        delivery = webhook_test_send(subscription=sub)

    delivery.refresh_from_db()
    assert (
        delivery.status == DeliveryStatus.SENT and json.loads(receiver.requests[0]["body"])["event"] == "webhook.test"
    )


def test_subscriptions_below_their_minimum_severity_get_nothing(workspace, account, receiver):
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, min_severity="critical")
    RuleFactory(workspace=workspace, params={"threshold": 1}, severity="high")
    score(account, 5)

    rules_evaluate(account_ids=[account.id])

    assert Alert.objects.count() == 1 and not WebhookDelivery.objects.exists()


def test_the_standalone_verifier_in_the_docs_accepts_a_real_delivery(workspace, account, receiver):
    docs = (Path(__file__).resolve().parents[2] / "docs" / "activation.md").read_text()
    sample = next(block for block in docs.split("```python")[1:] if "def verify_abe_webhook" in block)
    namespace: dict = {}
    exec(sample.split("```")[0], namespace)  # noqa: S102 - our own documentation sample
    verify = namespace["verify_abe_webhook"]
    sub, delivery = fire_alert(workspace, account, receiver.url)
    outbox.webhook_delivery_send(delivery_id=delivery.id)
    request = receiver.requests[0]

    verify(sub.secret, request["body"], request["headers"]["x-abe-timestamp"], request["headers"]["x-abe-signature"])
    with pytest.raises(ValueError, match="bad signature"):
        verify(
            "whsec_wrong_secret_000000",
            request["body"],
            request["headers"]["x-abe-timestamp"],
            request["headers"]["x-abe-signature"],
        )
