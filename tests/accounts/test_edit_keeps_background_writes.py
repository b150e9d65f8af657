"""Editing an account or a contact writes the fields the person edited, nothing else: a whole-row save wrote back
every other column as it was read at the start of the request, undoing a scoring pass, a rescore or a bulk change
that committed in the meantime (engagement score and stage, tier, last engagement)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts import services
from accounts.models import Account, Contact
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

SCORED_AT = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def test_an_account_edit_keeps_the_scores_a_pass_wrote_during_the_request(admin_client, workspace, monkeypatch):
    account = AccountFactory(workspace=workspace, name="Old name", engagement_score=10.0, tier="standard")
    real = services._clean_account

    def a_pass_commits_meanwhile(obj):  # after the page read the account, before it saves
        Account.objects.filter(pk=obj.pk).update(
            engagement_score=77.0, journey_stage="mqa", tier="strategic", tier_locked=True
        )
        real(obj)

    monkeypatch.setattr(services, "_clean_account", a_pass_commits_meanwhile)

    response = admin_client.post(f"/accounts/{account.pk}/edit/", {"name": "New name", "lifecycle": "customer"})

    account.refresh_from_db()
    assert response.status_code == 302
    assert (account.name, account.lifecycle) == ("New name", "customer")
    assert (account.engagement_score, account.journey_stage, account.tier, account.tier_locked) == (
        77.0,
        "mqa",
        "strategic",
        True,
    )


def test_a_contact_edit_through_the_api_keeps_the_score_a_pass_wrote_during_the_request(
    admin_api, workspace, monkeypatch
):
    contact = ContactFactory(workspace=workspace, account=AccountFactory(workspace=workspace), title="Analyst")
    real = services._clean_contact

    def a_pass_commits_meanwhile(obj):
        Contact.objects.filter(pk=obj.pk).update(engagement_score=42.5, last_engaged_at=SCORED_AT)
        real(obj)

    monkeypatch.setattr(services, "_clean_contact", a_pass_commits_meanwhile)

    response = admin_api.patch(f"/api/v1/contacts/{contact.pk}/", {"title": "VP Finance"}, format="json")

    contact.refresh_from_db()
    assert response.status_code == 200, response.content
    assert contact.title == "VP Finance"
    assert (contact.engagement_score, contact.last_engaged_at) == (42.5, SCORED_AT)


def test_an_edit_still_stamps_updated_at(workspace):
    account = AccountFactory(workspace=workspace)
    before = Account.objects.get(pk=account.pk).updated_at

    services.account_update(Account.objects.get(pk=account.pk), name="Renamed")

    assert Account.objects.get(pk=account.pk).updated_at > before
