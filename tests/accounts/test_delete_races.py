"""Deleting an account while a rescore or a bulk pin writes its tier history (``abe.locks``): the delete waits for
it and removes what it wrote. Before, the delete collected the account's rows before the rescore committed the new
tier change, then failed at commit on its foreign key (a server error for the person deleting)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.models import Account, TierChange
from accounts.prospecting import services
from accounts.services import account_delete
from tests.factories import AccountFactory
from tests.threads import delete_after, in_thread

from .test_services_prospecting import SOFTWARE_ICP, _small_capacity

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL only"),
]


def test_an_account_deleted_while_a_rescore_moves_its_tier_waits_for_it_and_is_deleted(
    workspace, admin_user, monkeypatch
):
    _small_capacity(workspace)
    top = AccountFactory(workspace=workspace, industry="Software", employees=900)
    other = AccountFactory(workspace=workspace, industry="Software", employees=50)
    services.icp_save(workspace=workspace, criteria=SOFTWARE_ICP, by=admin_user, rescore=False)
    # After the accounts' new scores are written, before their tier changes are.
    race = delete_after(monkeypatch, services, "rows_update", lambda: account_delete(Account.objects.get(pk=top.pk)))

    services.prospecting_rescore(workspace=workspace, by=admin_user)
    thread = race.finish()

    assert race.waited, "the delete did not wait for the rescore"
    assert not thread.is_alive()
    assert race.errors == []
    assert not Account.objects.filter(pk=top.pk).exists()
    assert not TierChange.objects.filter(account_id=top.pk).exists()
    assert TierChange.objects.filter(account_id=other.pk).exists()  # the rescore committed for the other


_PREVIEW: dict[str, object] = {}


def _forecast_then_delete(*, workspace_id, account_ids, now):
    """The preview's alert forecast (activation's), starting the delete the second time: after the preview has
    moved the accounts' tiers (the rows locked)."""
    from activation.services.forecast import alerts_forecast

    calls = _PREVIEW.setdefault("calls", [])
    calls.append(1)
    if len(calls) == 2:
        _PREVIEW["thread"] = thread = in_thread(_PREVIEW["delete"], _PREVIEW["errors"])
        thread.join(0.5)  # the delete is waiting by now
    return alerts_forecast(workspace_id=workspace_id, account_ids=account_ids, now=now)


def test_an_account_deleted_during_a_tier_preview_waits_for_it_without_a_deadlock(workspace, monkeypatch):
    # The preview moves the accounts' tiers (locking them), runs the real rule pass and rolls back. It takes the
    # lock before the move: taken by the rule pass only (after), it queued behind a delete that waited for those
    # accounts (a deadlock).
    from tests.factories import RuleFactory

    gone, kept = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    RuleFactory(workspace=workspace, params={"subject": "account", "threshold": 0.0})
    errors: list[BaseException] = []
    _PREVIEW.clear()
    _PREVIEW.update(delete=lambda: account_delete(Account.objects.get(pk=gone.pk)), errors=errors)
    monkeypatch.setattr(services, "alert_forecasts", lambda: [f"{__name__}._forecast_then_delete"])

    services.tier_moves_alerts_forecast(workspace=workspace, moves={gone.pk: "strategic", kept.pk: "strategic"})
    thread = _PREVIEW["thread"]
    assert isinstance(thread, threading.Thread)
    thread.join(30)

    assert errors == [] and not thread.is_alive()
    assert not Account.objects.filter(pk=gone.pk).exists()


def test_an_account_deleted_while_a_bulk_pin_moves_it_waits_for_it_and_is_deleted(workspace, admin_user, monkeypatch):
    gone, kept = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    # The tier changes are written, not yet committed.
    race = delete_after(
        monkeypatch, services, "_tiers_changed", lambda: account_delete(Account.objects.get(pk=gone.pk)), wait=1.0
    )

    moved = services.accounts_bulk_tier(
        workspace=workspace, account_ids=[gone.pk, kept.pk], tier="strategic", reason="Board decision", by=admin_user
    )
    thread = race.finish()

    assert moved == 2
    assert race.errors == [] and not thread.is_alive()
    assert not Account.objects.filter(pk=gone.pk).exists()
    assert list(TierChange.objects.values_list("account_id", flat=True)) == [kept.pk]


@pytest.mark.parametrize("action", ["pin", "unpin", "accept proposal", "propose"])
def test_an_account_deleted_while_one_person_moves_its_tier_waits_for_it_and_is_deleted(
    workspace, admin_user, monkeypatch, action
):
    # The single-account writers of tier history: the pin panel, unpinning, deciding a proposal, proposing.
    gone = AccountFactory(workspace=workspace, tier="standard", tier_locked=action == "unpin")
    proposal = None
    if action == "accept proposal":
        proposal = services.tier_proposal_create(account=gone, proposed_tier="strategic", reason="Fits", by=None)
    # The tier change (or proposal) is written, not yet committed.
    manager = TierChange.objects if action != "propose" else services.TierProposal.objects
    race = delete_after(
        monkeypatch, manager, "create", lambda: account_delete(Account.objects.get(pk=gone.pk)), wait=1.0
    )

    if action == "pin":
        services.tier_override(account=gone, tier="strategic", reason="Board decision", by=admin_user)
    elif action == "unpin":
        services.tier_unpin(account=gone, by=admin_user)
    elif action == "accept proposal":
        services.tier_proposal_decide(proposal=proposal, accept=True, by=admin_user)
    else:
        services.tier_proposal_create(account=gone, proposed_tier="strategic", reason="Fits", by=admin_user)
    thread = race.finish()

    assert race.errors == [] and not thread.is_alive()
    assert not Account.objects.filter(pk=gone.pk).exists()
    assert not TierChange.objects.exists() and not services.TierProposal.objects.exists()


def test_pinning_an_account_deleted_after_the_page_read_it_answers_404_not_500(
    workspace, client, admin_user, monkeypatch
):
    gone = AccountFactory(workspace=workspace)
    real = services.tier_override

    def deleted_first(**kwargs):
        thread = in_thread(lambda: account_delete(Account.objects.get(pk=gone.pk)), errors := [])
        thread.join(20)
        assert not errors
        return real(**kwargs)

    monkeypatch.setattr(services, "tier_override", deleted_first)
    client.force_login(admin_user)

    response = client.post(
        f"/accounts/{gone.pk}/panels/tier/", {"tier": "strategic", "reason": "Board decision"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 404
