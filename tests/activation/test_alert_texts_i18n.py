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


def _level(condition_type, account, params, now=None):
    from django.utils import timezone

    from activation.conditions import LEVEL_CONDITIONS

    rule = RuleFactory(workspace=account.workspace, condition_type=condition_type, params=params)
    return LEVEL_CONDITIONS[condition_type](rule, account, now or timezone.now())


def test_the_missing_role_reason_is_a_message_key_shown_in_the_readers_language(account):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Account
    from tests.factories import ContactFactory

    Account.objects.filter(pk=account.pk).update(created_at=timezone.now() - timedelta(days=40))
    account.refresh_from_db()
    ContactFactory(account=account, first_name="Ana", last_name="Ruiz", buying_role="economic_buyer")
    (level,) = _level("missing_role", account, {"buying_role": "economic_buyer", "days": 30})

    assert level.active
    assert level.message.english() == (
        "Globex (Strategic (1:1)) has been a target account for 40 days and no economic buyer has engaged in the "
        "last 30 days (1 mapped: Ana Ruiz (never engaged))."
    )
    with translation.override("es"):
        assert str(level.message) == (
            "Globex (Estratégica (1:1)) es una cuenta objetivo desde hace 40 días y ningún comprador económico ha "
            "interactuado en los últimos 30 días (1 identificados: Ana Ruiz (nunca ha interactuado))."
        )
        assert str(level.title) == "Ningún comprador económico con engagement en Globex"


def test_a_contact_who_left_reads_with_the_role_in_the_readers_language(account):
    import datetime as dt

    from tests.factories import ContactFactory

    ContactFactory(
        account=account, first_name="Bo", last_name="Lind", buying_role="decision_maker", left_at=dt.date(2026, 11, 2)
    )
    (level,) = _level("key_contact_quiet", account, {"days": 30})

    assert level.title.english() == "Bo Lind (Decision maker) has left Globex"
    assert level.message.english().startswith("Bo Lind (Decision maker) left Globex on 2026-11-02 (Strategic (1:1)): ")
    with translation.override("es"):
        assert str(level.title) == "Bo Lind (Decisor) ha dejado Globex"
        assert str(level.message).startswith("Bo Lind (Decisor) dejó Globex el 2026-11-02 (Estratégica (1:1)): ")
    with translation.override("ro"):
        assert str(level.title) == "Bo Lind (Decident) a plecat de la Globex"


def test_missed_check_ins_and_the_configuration_notice_read_in_spanish(account):
    import datetime as dt

    from abe.texts import render
    from work.models import Task, TaskSource, TaskStatus

    Task.objects.create(
        workspace=account.workspace,
        account=account,
        title="QBR",
        source=TaskSource.CHECK_IN,
        status=TaskStatus.OPEN,
        due_date=dt.date.today() - dt.timedelta(days=30),
    )
    (level,) = _level("missed_check_ins", account, {"missed": 1, "days": 7})
    assert level.message.english() == (
        "1 post-sale check-in at Globex is still open more than 7 days after its due date (the rule fires at 1): "
        f"QBR (due {dt.date.today() - dt.timedelta(days=30):%Y-%m-%d})."
    )
    with translation.override("es"):
        assert str(level.message).startswith("1 seguimiento posventa en Globex sigue abierto más de 7 días")

    from activation.services.config_changes import config_change_notice_create

    notice = config_change_notice_create(
        workspace_id=account.workspace_id,
        change={"key": "v2", "label": "Engagement scoring settings", "moves": [[account.pk, "engaged", "mqa"]]},
        held_back=2,
    )
    assert notice.message.startswith("Engagement scoring settings changed: 1 account changed journey stage (Engaged")
    assert "would have sent 2 alerts about them" in notice.message
    with translation.override("es"):
        shown = render(notice.texts["message"], notice.message)
        assert "cambio de etapa del journey en 1 cuenta (Con engagement → " in shown and "2 alertas" in shown


def test_rule_summaries_read_in_the_readers_language(workspace):
    from activation.conditions import condition_summary

    stage = RuleFactory(workspace=workspace, condition_type="stage_entered", params={"stage": "engaged", "days": 7})
    drop = RuleFactory(workspace=workspace, condition_type="engagement_drop", params={"percent": 37.5, "days": 14})
    assert condition_summary(drop) == "Interactions drop 37.5% over 14 days (customers)"
    with translation.override("es"):
        assert condition_summary(stage) == "Entra en la etapa Con engagement"
        assert condition_summary(drop) == "Las interacciones caen un 37,5% en 14 días (clientes)"


def test_the_default_recommended_action_reads_in_the_readers_language(fired):
    """A rule without its own action gets the condition's default: it was stored as English text only."""
    assert fired.recommended_action.startswith("Call the most engaged contact this week")  # the API's words
    with translation.override("es"):
        assert fired.recommended_action_text.startswith("Llama esta semana al contacto con más engagement")


def test_a_rules_own_action_reads_as_typed(workspace, account):
    RuleFactory(workspace=workspace, params={"threshold": 1.5}, recommended_action="Llamar hoy")
    score(account, 5)
    rules_evaluate(account_ids=[account.id])
    with translation.override("pt"):
        assert Alert.objects.get().recommended_action_text == "Llamar hoy"


def test_the_alert_history_names_an_assignment_and_the_statuses_in_the_readers_language(client, kam, fired):
    """The history stored "Assigned to <username>" as English text, and showed the statuses by their keys
    ("open → acknowledged") in every language."""
    from activation.services.alerts import alert_assign, alert_transition

    alert_transition(alert=fired, action="acknowledge", by=kam)
    alert_assign(alert=fired, assignee=kam, by=kam)
    alert_assign(alert=fired, assignee=None, by=kam)
    UserPreference.objects.create(user=kam, language="es")
    client.force_login(kam)

    detail = client.get(reverse("activation:detail", args=[fired.pk])).content.decode()
    api = client.get(f"/api/v1/alerts/{fired.pk}/").json()

    assert "Reconocer: Abierta → Reconocida" in detail and "open → acknowledged" not in detail
    assert f"Asignada a {kam.get_full_name() or kam.username}" in detail
    assert "Sin asignar" in detail and "Assigned to" not in detail
    assert [(t["action"], t["assignee"], t["note"]) for t in api["transitions"][1:]] == [
        ("assign", kam.username, ""),
        ("assign", None, ""),
    ]


def test_the_migration_turns_the_english_assignment_notes_into_references(fired, kam):
    """Earlier versions wrote "Assigned to <username>" and "Unassigned" as notes; a note naming a user who no
    longer exists stays as it was, and a person's own note is not touched."""
    import importlib

    from django.apps import apps

    from activation.models import AlertTransition

    migration = importlib.import_module("activation.migrations.0010_alert_transition_assignee")
    at = fired.created_at

    def row(action, note):
        return AlertTransition.objects.create(
            workspace_id=fired.workspace_id,
            alert=fired,
            action=action,
            from_status="open",
            to_status="open",
            note=note,
            at=at,
        )

    named = row("assign", f"Assigned to {kam.username}")
    unassigned = row("assign", "Unassigned")
    gone = row("assign", "Assigned to someone-deleted")
    typed = row("snooze", f"Assigned to {kam.username}")

    migration.notes_to_assignees(apps, None)

    got = {t.pk: (t.assignee_id, t.note) for t in AlertTransition.objects.filter(alert=fired)}
    assert got[named.pk] == (kam.pk, "")
    assert got[unassigned.pk] == (None, "")
    assert got[gone.pk] == (None, "Assigned to someone-deleted")
    assert got[typed.pk] == (None, f"Assigned to {kam.username}")
