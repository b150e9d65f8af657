"""The outbox: deliveries are written with the alert, published after commit, swept when the broker was down,
and never sent for a rolled-back change; alert lifecycle, snoozes and the daily digest."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from activation.models import (
    Alert,
    AlertRecipient,
    AlertStatus,
    DeliveryStatus,
    EmailDelivery,
    EmailMode,
    NotificationPreference,
    WebhookDelivery,
)
from activation.services import outbox
from activation.services.alerts import alert_assign, alert_transition, alerts_wake_snoozed
from activation.services.evaluation import rules_evaluate
from activation.tasks import deliveries_sweep_task, email_delivery_send_task, webhook_delivery_send_task
from tests.factories import RuleFactory, WebhookSubscriptionFactory

from .conftest import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def firing(workspace, account):
    RuleFactory(workspace=workspace, params={"threshold": 1}, notify_team_roles=["sdr"])
    score(account, 5)
    return account


def test_deliveries_are_published_only_after_commit(firing, receiver, workspace, django_capture_on_commit_callbacks):
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rules_evaluate(account_ids=[firing.id])
        assert EmailDelivery.objects.count() == 2 and WebhookDelivery.objects.count() == 1
        assert mail.outbox == [] and receiver.requests == []
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 2 and len(receiver.requests) == 1
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_rolled_back_change_sends_nothing(firing, receiver, workspace, django_capture_on_commit_callbacks):
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            rules_evaluate(account_ids=[firing.id])
            raise RuntimeError("the scoring pass failed after evaluation")

    assert not Alert.objects.exists() and not EmailDelivery.objects.exists() and not WebhookDelivery.objects.exists()
    assert mail.outbox == [] and receiver.requests == []


def test_broker_down_loses_nothing_the_sweep_sends_later(
    firing, receiver, workspace, django_capture_on_commit_callbacks
):
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url)
    with (
        mock.patch.object(email_delivery_send_task, "delay", side_effect=BrokerDown("redis down")),
        mock.patch.object(webhook_delivery_send_task, "delay", side_effect=BrokerDown("redis down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        rules_evaluate(account_ids=[firing.id])
    assert Alert.objects.count() == 1 and mail.outbox == [] and receiver.requests == []
    assert outbox.deliveries_due(now=timezone.now()) == ([], [])  # not yet: the publish may still be in flight

    with mock.patch("activation.tasks.timezone.now", return_value=timezone.now() + timedelta(minutes=2)):
        swept = deliveries_sweep_task()

    assert swept == {"emails": 2, "webhooks": 1}
    assert len(mail.outbox) == 2 and len(receiver.requests) == 1
    assert deliveries_sweep_task() == {"emails": 0, "webhooks": 0}


def test_a_sent_delivery_is_never_sent_twice(firing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rules_evaluate(account_ids=[firing.id])
    delivery = EmailDelivery.objects.first()

    results = [outbox.email_delivery_send(delivery_id=delivery.id) for _ in range(3)]

    assert results == ["skipped"] * 3 and len(mail.outbox) == 2


def test_a_claimed_delivery_is_not_taken_by_a_second_worker(firing):
    rules_evaluate(account_ids=[firing.id])
    delivery = EmailDelivery.objects.first()
    EmailDelivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now() + timedelta(seconds=60))

    assert outbox.email_delivery_send(delivery_id=delivery.id) == "skipped"
    assert outbox.email_delivery_send(delivery_id=delivery.id, now=timezone.now() + timedelta(minutes=2)) == "sent"


def test_lifecycle_timestamps_every_transition(firing, kam):
    rules_evaluate(account_ids=[firing.id])
    alert = Alert.objects.get()

    alert_transition(alert=alert, action="acknowledge", by=kam)
    alert_transition(alert=alert, action="snooze", by=kam, until=timezone.now() + timedelta(days=2))
    alert_transition(alert=alert, action="resolve", by=kam, note="Meeting booked")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.created_at <= alert.acknowledged_at <= alert.snoozed_at <= alert.resolved_at
    assert [(t.action, t.to_status) for t in alert.transitions.all()] == [
        ("acknowledge", "acknowledged"),
        ("snooze", "snoozed"),
        ("resolve", "resolved"),
    ]
    assert AlertRecipient.objects.get(alert=alert, user=kam).read_at is not None
    with pytest.raises(ValidationError):
        alert_transition(alert=alert, action="acknowledge", by=kam)


def test_snooze_needs_a_future_date_and_wakes_up_unread(firing, kam):
    rules_evaluate(account_ids=[firing.id])
    alert = Alert.objects.get()
    with pytest.raises(ValidationError):
        alert_transition(alert=alert, action="snooze", by=kam, until=timezone.now() - timedelta(hours=1))
    alert_transition(alert=alert, action="snooze", by=kam, until=timezone.now() + timedelta(hours=1))

    assert alerts_wake_snoozed() == 0
    woken = alerts_wake_snoozed(now=timezone.now() + timedelta(hours=2))

    alert.refresh_from_db()
    assert woken == 1 and alert.status == AlertStatus.OPEN and alert.snoozed_until is None
    assert AlertRecipient.objects.get(alert=alert, user=kam).read_at is None
    assert alert.transitions.last().action == "wake"


def test_assigning_puts_the_alert_in_the_assignees_inbox(firing, kam, marketing_user):
    rules_evaluate(account_ids=[firing.id])
    alert = Alert.objects.get()

    alert_assign(alert=alert, assignee=marketing_user, by=kam)

    alert.refresh_from_db()
    assert alert.assignee == marketing_user
    assert AlertRecipient.objects.filter(alert=alert, user=marketing_user).exists()


def test_digest_users_get_one_email_a_day_instead_of_instant_ones(
    workspace, firing, kam, sdr, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(workspace=workspace, user=kam, email_mode=EmailMode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        rules_evaluate(account_ids=[firing.id])
    assert [m.to for m in mail.outbox] == [["sdr@example.com"]]
    digest_time = timezone.now() + timedelta(hours=2)
    if digest_time.hour == 0:  # keep an hour before the digest hour on the next day
        digest_time += timedelta(hours=1)
    next_day_too_early = (digest_time + timedelta(days=1)).replace(minute=0) - timedelta(minutes=1)

    with override_settings(ABE_DIGEST_HOUR_UTC=digest_time.hour), django_capture_on_commit_callbacks(execute=True):
        first = outbox.digests_send(now=digest_time)
        second = outbox.digests_send(now=digest_time + timedelta(minutes=30))
        early = outbox.digests_send(now=next_day_too_early)

    assert (first, second, early) == (1, 0, 0)
    digest = mail.outbox[-1]
    assert digest.to == ["kam@example.com"] and "daily digest: 1 new alert" in digest.subject
    assert "Globex crossed engagement" in digest.body
