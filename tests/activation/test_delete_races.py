"""Deleting an account, or a contact, while a rule evaluation fires an alert on it (``abe.locks``): the delete
waits for the evaluation and removes the alert. Before, the delete collected the rows naming it before the
evaluation committed the alert, then failed at commit on their foreign keys (a server error for the person
deleting)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import Account, Contact
from accounts.services import account_delete, contact_delete
from activation.models import Alert
from activation.services import evaluation
from tests.factories import AccountFactory, ContactFactory, RuleFactory
from tests.threads import delete_after

from .conftest import score

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL only"),
]


def test_an_account_deleted_while_an_alert_fires_on_it_waits_for_it_and_is_deleted(workspace, account, monkeypatch):
    RuleFactory(workspace=workspace, params={"subject": "account", "threshold": 60})
    other = AccountFactory(workspace=workspace)
    score(account, 72.5)
    score(other, 80)
    # Once the account's alert is written, not yet committed.
    race = delete_after(
        monkeypatch,
        evaluation,
        "_evaluate_level",
        lambda: account_delete(Account.objects.get(pk=account.pk)),
        when=lambda rule, evaluated, *args, **kwargs: evaluated.pk == account.pk,
    )

    result = evaluation.rules_evaluate(account_ids=[account.pk, other.pk])
    thread = race.finish()

    assert race.waited, "the delete did not wait for the evaluation"
    assert len(result.fired) == 2
    assert not thread.is_alive()
    assert race.errors == []
    assert not Account.objects.filter(pk=account.pk).exists()
    assert list(Alert.objects.values_list("account_id", flat=True)) == [other.pk]


def test_a_contact_deleted_while_an_alert_fires_on_it_waits_for_it_and_is_deleted(workspace, account, monkeypatch):
    RuleFactory(workspace=workspace, params={"subject": "contact", "threshold": 30})
    hot = ContactFactory(account=account, engagement_score=31)
    # Once the alert naming the contact is written, not yet committed.
    race = delete_after(
        monkeypatch, evaluation, "_evaluate_level", lambda: contact_delete(Contact.objects.get(pk=hot.pk))
    )

    result = evaluation.rules_evaluate(account_ids=[account.pk])
    thread = race.finish()

    assert race.waited, "the delete did not wait for the evaluation"
    assert len(result.fired) == 1
    assert not thread.is_alive()
    assert race.errors == []
    assert not Contact.objects.filter(pk=hot.pk).exists()
    assert not Alert.objects.get().contacts.exists()
