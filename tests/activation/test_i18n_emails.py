"""Alert emails and digests go out in each recipient's language (issue 16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from abe.models import UserPreference
from activation.models import EmailMode, NotificationPreference
from activation.services import outbox
from activation.services.evaluation import rules_evaluate
from tests.factories import RuleFactory

from .conftest import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def firing(workspace, account):
    RuleFactory(workspace=workspace, params={"threshold": 1}, notify_team_roles=["sdr"])
    score(account, 5)
    return account


def test_each_recipient_reads_the_alert_email_in_their_language(
    workspace, firing, kam, sdr, django_capture_on_commit_callbacks
):
    UserPreference.objects.create(user=kam, language="es")
    workspace.language = "ro"  # sdr has no preference of their own: the workspace default
    workspace.save()

    with django_capture_on_commit_callbacks(execute=True):
        rules_evaluate(account_ids=[firing.id])

    by_to = {m.to[0]: m for m in mail.outbox}
    assert "Gravedad:" in by_to["kam@example.com"].body and "Qué hacer" not in by_to["sdr@example.com"].body
    assert "Severitate:" in by_to["sdr@example.com"].body
    assert "Severity" not in by_to["kam@example.com"].body + by_to["sdr@example.com"].body


def test_the_daily_digest_is_in_the_recipients_language_and_time_zone(
    workspace, firing, kam, django_capture_on_commit_callbacks
):
    UserPreference.objects.create(user=kam, language="pt", time_zone="America/Sao_Paulo")
    NotificationPreference.objects.create(workspace=workspace, user=kam, email_mode=EmailMode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        rules_evaluate(account_ids=[firing.id])
    digest_time = timezone.now() + timedelta(hours=2)
    if digest_time.hour == 0:
        digest_time += timedelta(hours=1)

    with override_settings(ABE_DIGEST_HOUR_UTC=digest_time.hour), django_capture_on_commit_callbacks(execute=True):
        outbox.digests_send(now=digest_time)

    digest = mail.outbox[-1]
    assert digest.to == ["kam@example.com"]
    assert "O seu resumo diário: 1 novo alerta" in digest.subject
    assert "America/Sao_Paulo" in digest.body and "Olá" in digest.body
