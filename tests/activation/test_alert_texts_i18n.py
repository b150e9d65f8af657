"""Alerts are written once, in English, by background jobs, and read in each reader's language (issue 16): the
title is stored as a message key with its parameters beside the English text (kept for the API)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from abe import l10n
from abe.l10n import recipient_locale
from abe.models import UserPreference
from abe.texts import label, msg, msg_plural, ngettext_noop, num, render
from activation.models import Alert
from activation.services.evaluation import rules_evaluate
from activation.services.outbox import alert_email_render
from tests.factories import RuleFactory

from .conftest import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def fired(workspace, account):
    RuleFactory(workspace=workspace, name="Hot account", params={"threshold": 1.5}, severity="high")
    score(account, 5)
    rules_evaluate(account_ids=[account.id])
    return Alert.objects.get()


def test_an_alert_keeps_its_english_title_and_stores_the_key_and_parameters(fired):
    assert fired.title == "Globex crossed engagement 1.5"
    assert fired.texts["title"] == {
        "key": "%(account)s crossed engagement %(threshold)s",
        "params": {"account": "Globex", "threshold": {"num": 1.5, "digits": None}},
    }
    assert fired.message.startswith("Globex's engagement score is 5.0, at or above the threshold of 1.5 (")
    with translation.override("es"):
        assert fired.title_text == "Globex superó el engagement de 1,5"
        assert fired.message_text.startswith(
            "La puntuación de engagement de Globex es 5,0, igual o superior al umbral de 1,5 ("
        )
    with translation.override("ro"):
        assert fired.title_text == "Globex a depășit pragul de implicare de 1,5"


def test_pages_and_emails_show_the_title_in_the_readers_language_and_the_api_in_english(client, kam, fired):
    UserPreference.objects.create(user=kam, language="es", time_zone="America/Sao_Paulo")
    client.force_login(kam)

    inbox = client.get(reverse("activation:inbox")).content.decode()
    detail = client.get(reverse("activation:detail", args=[fired.pk])).content.decode()
    api = client.get(f"/api/v1/alerts/{fired.pk}/", HTTP_ACCEPT_LANGUAGE="es").json()

    assert "Globex superó el engagement de 1,5" in inbox and "crossed engagement" not in inbox
    assert "Globex superó el engagement de 1,5" in detail
    assert " -03\n" in detail and " UTC\n" not in detail  # the time in the reader's zone, labelled as such
    assert api["title"] == "Globex crossed engagement 1.5"
    with recipient_locale(kam, fired.workspace):
        subject, _ = alert_email_render(fired)
    assert "Globex superó el engagement de 1,5" in subject


def test_rendering_falls_back_to_the_stored_english_text():
    assert render(None, "Old alert") == "Old alert"
    assert render({"key": "%(missing)s crossed", "params": {}}, "Stored") == "Stored"
    plural = msg_plural(
        ngettext_noop("%(count)s missed check-in at %(account)s", "%(count)s missed check-ins at %(account)s"),
        3,
        account="Acme",
    )
    assert plural.english() == "3 missed check-ins at Acme"
    with translation.override("ro"):
        assert str(plural) == "3 verificări ratate la Acme"
        assert str(msg("%(kind)s at %(account)s", kind=label("Trigger event"), account="Acme")).endswith(" la Acme")
    with translation.override("es"):
        assert render(msg("x %(n)s", n=num(1234.5, 1)).spec(), "") == f"x {l10n.number(1234.5, 1)}"
        assert l10n.number(1234.5, 1).endswith("234,5")
