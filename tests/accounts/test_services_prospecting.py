"""Rescoring, tiering within capacity, pins, proposals and the predictive model (services)."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Account, PredictiveModel, ProposalStatus, Tier, TierChange, TierProposal
from accounts.prospecting import services
from tests.factories import AccountFactory, OpportunityFactory, closed_deal_history

pytestmark = pytest.mark.django_db

SOFTWARE_ICP = [
    {
        "key": "industry",
        "label": "Industry",
        "weight": 70,
        "bands": [
            {"label": "Software", "points": 1.0, "when": {"industry": ["Software"]}},
            {"label": "Retail", "points": 0.3, "when": {"industry": ["Retail"]}},
        ],
    },
    {
        "key": "size",
        "label": "Size",
        "weight": 30,
        "bands": [{"label": "200+", "points": 1.0, "when": {"employees": {"min": 200}}}],
    },
]


def _small_capacity(workspace, strategic=1, priority=2):
    services.prospecting_settings_update(
        workspace=workspace, rescore=False, strategic_capacity=strategic, priority_capacity=priority
    )


def test_rescore_scores_explains_and_fills_tiers_within_capacity(workspace, admin_user):
    _small_capacity(workspace)
    top = AccountFactory(workspace=workspace, industry="Software", employees=900)
    mids = [AccountFactory(workspace=workspace, industry="Software", employees=50) for _ in range(3)]
    low = AccountFactory(workspace=workspace, industry="Retail", employees=10)
    services.icp_save(workspace=workspace, criteria=SOFTWARE_ICP, by=admin_user, rescore=False)

    summary = services.prospecting_rescore(workspace=workspace, by=admin_user)

    top.refresh_from_db()
    low.refresh_from_db()
    assert (top.fit_score, top.fit_grade, top.tier, top.priority) == (100.0, "A", Tier.STRATEGIC, 100.0)
    assert top.fit_explanation == [["industry", "Software", 70.0], ["size", "200+", 30.0]]
    assert (low.fit_score, low.fit_grade, low.tier) == (21.0, "F", Tier.STANDARD)
    assert summary["tiers"] == {"strategic": 1, "priority": 2, "standard": 2}
    assert Account.objects.filter(pk__in=[m.pk for m in mids], tier=Tier.PRIORITY).count() == 2
    assert TierChange.objects.filter(account=top).get().source == "automatic"


def test_saving_the_icp_keeps_versions_and_rescores_after_commit(
    workspace, admin_user, django_capture_on_commit_callbacks
):
    account = AccountFactory(workspace=workspace, industry="Retail", employees=10)
    services.icp_save(workspace=workspace, criteria=SOFTWARE_ICP, by=admin_user, rescore=False)
    changed = [dict(c) for c in SOFTWARE_ICP]
    changed[0] = {**changed[0], "bands": [{"label": "Retail", "points": 1.0, "when": {"industry": ["Retail"]}}]}

    with django_capture_on_commit_callbacks(execute=True):
        v2 = services.icp_save(workspace=workspace, criteria=changed, by=admin_user, note="Retail is core now")

    account.refresh_from_db()
    assert (v2.number, v2.is_active) == (2, True)
    assert workspace and account.fit_score == 70.0 and account.fit_icp_version == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.icp_activate(version=v2.__class__.objects.get(workspace=workspace, number=1), by=admin_user)
    account.refresh_from_db()
    assert account.fit_score == 21.0 and account.fit_icp_version == 1


def test_pinned_and_high_tier_accounts_get_proposals_instead_of_silent_moves(workspace, admin_user, sales_user):
    _small_capacity(workspace, strategic=1, priority=1)
    a = AccountFactory(workspace=workspace, industry="Software", employees=900)
    b = AccountFactory(workspace=workspace, industry="Software", employees=50)
    c = AccountFactory(workspace=workspace, industry="Retail", employees=10)
    services.icp_save(workspace=workspace, criteria=SOFTWARE_ICP, by=admin_user, rescore=False)
    services.prospecting_rescore(workspace=workspace)
    services.tier_override(
        account=Account.objects.get(pk=c.pk), tier=Tier.STRATEGIC, reason="Board sponsor", by=sales_user
    )
    # Now Retail becomes the best fit: a rescore would demote a (strategic) and move the pinned c.
    services.icp_save(
        workspace=workspace,
        by=admin_user,
        rescore=False,
        criteria=[{"key": "retail", "weight": 1, "bands": [{"label": "Retail", "when": {"industry": ["Retail"]}}]}],
    )

    summary = services.prospecting_rescore(workspace=workspace)

    tiers = dict(Account.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("pk", "tier"))
    assert tiers == {a.pk: Tier.STRATEGIC, b.pk: Tier.PRIORITY, c.pk: Tier.STRATEGIC}  # nothing moved silently
    proposals = {p.account_id: p for p in TierProposal.objects.filter(status=ProposalStatus.PENDING)}
    assert set(proposals) == {a.pk, b.pk} and summary["proposals"] == 2
    # c keeps the strategic slot it is pinned to, so a would drop to priority and b to standard.
    assert (proposals[a.pk].proposed_tier, proposals[b.pk].proposed_tier) == (Tier.PRIORITY, Tier.STANDARD)

    services.tier_proposal_decide(proposal=proposals[a.pk], accept=True, by=admin_user)
    services.tier_proposal_decide(proposal=proposals[b.pk], accept=False, by=admin_user)
    services.prospecting_rescore(workspace=workspace)

    assert Account.objects.get(pk=a.pk).tier == Tier.PRIORITY
    assert TierChange.objects.filter(account_id=a.pk, source="proposal").exists()
    assert not TierProposal.objects.filter(account_id=b.pk, status=ProposalStatus.PENDING).exists()  # not re-offered


def test_pin_needs_a_reason_and_keeps_history(workspace, sales_user):
    account = AccountFactory(workspace=workspace)

    with pytest.raises(ValidationError):
        services.tier_override(account=account, tier=Tier.STRATEGIC, reason="  ", by=sales_user)
    services.tier_override(account=account, tier=Tier.STRATEGIC, reason="Board-level sponsor", by=sales_user)
    services.tier_unpin(account=account, by=sales_user)

    account.refresh_from_db()
    assert (account.tier, account.tier_locked) == (Tier.STRATEGIC, False)
    assert list(account.tier_changes.order_by("id").values_list("source", "reason", "by__username")) == [
        ("manual", "Board-level sponsor", "sales1"),
        ("unpin", "Unpinned: automatic tiering decides again", "sales1"),
    ]


def test_training_refuses_with_a_clear_message_under_30_won_or_lost(workspace):
    for i in range(40):
        OpportunityFactory(
            account=AccountFactory(workspace=workspace),
            status="won" if i < 35 else "lost",
            close_date="2026-01-01",
            created_date="2025-12-01",
        )

    with pytest.raises(ValidationError) as exc:
        services.model_train(workspace=workspace)

    assert "35 won and 5 lost" in exc.value.messages[0] and "at least 30" in exc.value.messages[0]
    assert not PredictiveModel.objects.exists()


def test_training_backtests_against_baselines_and_scores_every_account(workspace, admin_user):
    closed_deal_history(workspace)
    services.icp_save(workspace=workspace, criteria=SOFTWARE_ICP, by=admin_user, rescore=False)
    services.prospecting_rescore(workspace=workspace)

    model = services.model_train(workspace=workspace, by=admin_user, rescore=False)
    services.prospecting_rescore(workspace=workspace)

    metrics = model.metrics
    assert model.is_active and model.n_test == 30 and model.n_won + model.n_lost == 120
    assert set(metrics) >= {"model", "base_rate", "fit_score"}
    assert metrics["model"]["roc_auc"] > 0.6 and metrics["base_rate"]["roc_auc"] == 0.5
    assert 0 <= metrics["model"]["brier"] <= 0.25
    account = Account.objects.filter(workspace=workspace, technologies=["Salesforce"], industry="Software").first()
    assert 0 < account.win_probability < 1 and account.win_drivers
    assert any("Salesforce" in label or "Software" in label for label, _ in account.win_drivers)


def test_activating_an_older_model_is_a_revert(workspace, admin_user):
    closed_deal_history(workspace)
    first = services.model_train(workspace=workspace, by=admin_user, rescore=False)
    second = services.model_train(workspace=workspace, by=admin_user, activate=True, rescore=False)

    services.model_activate(model=first, by=admin_user, rescore=False)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_active, second.is_active) == (True, False)


def test_a_proposal_for_an_account_without_a_priority_stores_none_and_the_api_answers(workspace, admin_user, admin_api):
    """A pinned account with no priority (no ICP, no model) is proposed back to standard; its proposal's priority
    was NaN, which PostgreSQL stores and JSON cannot say: the proposals API answered 500 (found by schemathesis)."""
    from accounts.models import TierProposal
    from accounts.prospecting import services as prospecting

    account = AccountFactory(workspace=workspace, tier="standard")
    prospecting.tier_override(account=account, tier="strategic", reason="Board sponsor", by=admin_user)

    prospecting.prospecting_rescore(workspace=workspace)

    proposal = TierProposal.objects.get(account=account)
    assert proposal.proposed_tier == "standard" and proposal.priority is None
    response = admin_api.get("/api/v1/tier-proposals/")
    assert response.status_code == 200 and response.json()["results"][0]["priority"] is None
    assert admin_api.get("/accounts/tiers/proposals/").status_code == 200  # the page too


def test_the_migration_turns_a_stored_nan_priority_into_unknown(workspace):
    from importlib import import_module

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot store a NaN")
    proposal = TierProposal.objects.create(
        workspace=workspace,
        account=AccountFactory(workspace=workspace),
        current_tier="strategic",
        proposed_tier="standard",
        reason="x",
        priority=float("nan"),
    )
    migration = import_module("accounts.migrations.0026_tierproposal_priority_nan_to_null")

    with connection.schema_editor() as editor:
        migration.nan_to_null(None, editor)

    proposal.refresh_from_db()
    assert proposal.priority is None
