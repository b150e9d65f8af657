"""Why a tier moved, or is proposed to move, reads in the reader's language on the pages; the API keeps the
English ``reason`` it always had (the reasons are stored as message keys beside it)."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.models import Account, ProposalStatus, Tier, TierChange, TierProposal
from accounts.prospecting import services
from tests.factories import AccountFactory

from .test_services_prospecting import SOFTWARE_ICP

pytestmark = pytest.mark.django_db

RETAIL_ICP = [{"key": "retail", "weight": 1, "bands": [{"label": "Retail", "when": {"industry": ["Retail"]}}]}]


@pytest.fixture
def moved(workspace, admin_user, sales_user, django_capture_on_commit_callbacks):
    """A rescore queued by a settings change (a job) moves a tier; a pinned account gets a proposal instead."""
    services.prospecting_settings_update(workspace=workspace, rescore=False, strategic_capacity=1, priority_capacity=1)
    software = AccountFactory(workspace=workspace, industry="Software", employees=900)
    retail = [AccountFactory(workspace=workspace, industry="Retail", employees=10) for _ in range(2)]
    services.icp_save(workspace=workspace, criteria=SOFTWARE_ICP, by=admin_user, rescore=False)
    services.prospecting_rescore(workspace=workspace)  # software strategic, one retail priority, one standard
    before = dict(Account.objects.filter(pk__in=[a.pk for a in retail]).values_list("pk", "tier"))
    pinned = Account.objects.get(pk=software.pk)
    services.tier_override(account=pinned, tier=Tier.STRATEGIC, reason="Sponsor", by=sales_user)
    services.icp_save(workspace=workspace, criteria=RETAIL_ICP, by=admin_user, rescore=False)
    with django_capture_on_commit_callbacks(execute=True):  # rescore_later: a job, its reason a message key
        services.prospecting_settings_update(workspace=workspace, strategic_capacity=1, priority_capacity=2)
    after = dict(Account.objects.filter(pk__in=[a.pk for a in retail]).values_list("pk", "tier"))
    (moved_by_the_job,) = [a for a in retail if after[a.pk] != before[a.pk]]
    return software, moved_by_the_job


def test_an_automatic_move_and_a_proposal_keep_english_and_read_spanish(moved):
    software, retail = moved
    change = TierChange.objects.filter(account_id=retail.pk, source="automatic").latest("id")
    assert (change.old_tier, change.new_tier) == (Tier.STANDARD, Tier.PRIORITY)
    proposal = TierProposal.objects.get(account_id=software.pk, status=ProposalStatus.PENDING)
    # the English the API returns, as before
    assert change.reason.startswith("Automatic tiering (priority ") and change.reason.endswith(
        " after: settings changed"
    )
    assert proposal.reason.startswith("Pinned to Strategic (1:1); by priority ")
    # the same reasons in Spanish, the job's reason included
    with translation.override("es"):
        assert change.shown_reason.startswith("Asignación automática de nivel (prioridad ")
        assert change.shown_reason.endswith(" tras: ajustes cambiados")
        assert proposal.shown_reason.startswith("Fijada en Estratégica (1:1); por su prioridad ")
    # accepting the proposal copies its reason to the history, both ways
    services.tier_proposal_decide(proposal=proposal, accept=True, by=None)
    accepted = TierChange.objects.get(account_id=software.pk, source="proposal")
    assert (accepted.reason, accepted.texts) == (proposal.reason, proposal.texts)


def test_the_pages_show_the_reasons_in_spanish_and_the_api_in_english(moved, admin_user, client, admin_api):
    software, retail = moved
    client.force_login(admin_user)
    proposals = client.get("/accounts/tiers/proposals/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Fijada en Estratégica (1:1); por su prioridad" in proposals
    panel = client.get(f"/accounts/{retail.pk}/panels/tier/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Asignación automática de nivel (prioridad" in panel and "tras: ajustes cambiados" in panel
    api = admin_api.get("/api/v1/tier-proposals/", HTTP_ACCEPT_LANGUAGE="es").json()["results"]
    assert api[0]["reason"].startswith("Pinned to Strategic (1:1); by priority ")


def test_unpinning_without_a_reason_reads_in_the_readers_language(workspace, sales_user):
    account = AccountFactory(workspace=workspace)
    services.tier_override(account=account, tier=Tier.STRATEGIC, reason="Board sponsor", by=sales_user)
    services.tier_unpin(account=account, by=sales_user)
    services.tier_override(account=account, tier=Tier.PRIORITY, reason="Budget cut", by=sales_user)
    services.tier_unpin(account=account, by=sales_user, reason="Let the model decide")
    with translation.override("es"):
        shown = [c.shown_reason for c in account.tier_changes.order_by("id")]
    assert shown == [
        "Board sponsor",
        "Desfijada: la asignación automática de nivel vuelve a decidir",
        "Budget cut",
        "Let the model decide",  # what a person typed reads as typed
    ]


def test_an_automatic_reason_reads_each_priority_as_a_whole_number_and_an_unknown_one_as_a_dash():
    import numpy as np

    from accounts.prospecting.services import _automatic_reason, _whole

    assert [_automatic_reason(_whole(np.float64(p)), "").english() for p in (86.6, 87.4, np.nan)] == [
        "Automatic tiering (priority 87)",
        "Automatic tiering (priority 87)",
        "Automatic tiering (priority —)",
    ]


def test_a_proposal_for_an_account_without_a_priority_is_stored(workspace):
    # A NaN priority went into the reason's JSON as NaN, which PostgreSQL refuses: the settings page that queued
    # the rescore answered 500 (found by the Spanish browser journey).
    import json

    from abe import texts

    spec = texts.msg(services.PROPOSAL_REASONS["pinned"], current="a", proposed="b", priority=texts.num(float("nan")))
    account = AccountFactory(workspace=workspace)
    proposal = TierProposal.objects.create(
        workspace=workspace,
        account=account,
        current_tier=Tier.STRATEGIC,
        proposed_tier=Tier.STANDARD,
        reason=spec.english(),
        texts={"reason": spec.spec()},
    )
    proposal.refresh_from_db()
    json.dumps(proposal.texts, allow_nan=False)
    assert proposal.reason == "Pinned to a; by priority — it would be b."
