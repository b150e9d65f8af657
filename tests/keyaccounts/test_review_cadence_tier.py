"""A plan's review cadence follows its account's tier: when the tier changes (pin, bulk move, accepted proposal,
automatic tiering), the next review is re-dated to the new tier's cadence and the plan's history says so."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Account, ProposalStatus, Tier, TierProposal
from accounts.prospecting import services as prospecting
from keyaccounts.models import AccountPlan, AccountPlanChange
from keyaccounts.services.plans import account_plan_create, account_plan_review
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _plan(workspace, account, *, reviewed_days_ago: int | None = None) -> AccountPlan:
    plan = account_plan_create(workspace=workspace, account=account, goals="Grow the analytics footprint")
    if reviewed_days_ago is not None:
        account_plan_review(plan=plan, note="QBR")
        AccountPlan.objects.filter(pk=plan.pk).update(
            last_reviewed_at=timezone.now() - dt.timedelta(days=reviewed_days_ago)
        )
    plan.refresh_from_db()
    return plan


def test_pinning_an_account_to_strategic_brings_its_review_forward_with_an_audit_entry(
    admin_api, admin_user, workspace
):
    # Given a priority account whose plan was last reviewed 20 days ago (next review in 71 days, quarterly)
    account = AccountFactory(workspace=workspace, tier=Tier.PRIORITY)
    plan = _plan(workspace, account, reviewed_days_ago=20)
    reviewed = timezone.localdate(plan.last_reviewed_at)
    AccountPlan.objects.filter(pk=plan.pk).update(next_review_due=reviewed + dt.timedelta(days=91))

    # When an admin pins it to strategic through the API
    response = admin_api.post(
        f"/api/v1/accounts/{account.pk}/tier/", {"tier": "strategic", "reason": "Board sponsor"}, format="json"
    )

    # Then the plan's next review falls due after the strategic cadence (monthly), counted from the last review
    assert response.status_code == 200, response.json()
    listed = admin_api.get(f"/api/v1/account-plans/?account={account.pk}").json()["results"][0]
    assert listed["next_review_due"] == (reviewed + dt.timedelta(days=30)).isoformat()
    change = AccountPlanChange.objects.filter(plan=plan).exclude(field__in=["created", "reviewed"]).get()
    assert change.field == "next review: tier Priority → Strategic"
    assert (change.old, change.new) == (
        (reviewed + dt.timedelta(days=91)).isoformat(),
        f"{reviewed + dt.timedelta(days=30)} (every 30 days)",
    )
    assert change.by == admin_user


def test_a_bulk_move_and_an_accepted_proposal_re_date_reviews_and_a_no_op_logs_nothing(
    workspace, admin_user, sales_user
):
    moved = AccountFactory(workspace=workspace, tier=Tier.STRATEGIC)
    kept = AccountFactory(workspace=workspace, tier=Tier.PRIORITY)
    moved_plan, kept_plan = _plan(workspace, moved), _plan(workspace, kept)
    created = timezone.localdate(moved_plan.created_at)
    assert moved_plan.next_review_due == created + dt.timedelta(days=30)

    prospecting.accounts_bulk_tier(
        workspace=workspace, account_ids=[moved.pk, kept.pk], tier=Tier.PRIORITY, reason="Re-plan", by=admin_user
    )

    moved_plan.refresh_from_db()
    kept_plan.refresh_from_db()
    assert moved_plan.next_review_due == created + dt.timedelta(days=91)
    assert kept_plan.next_review_due == timezone.localdate(kept_plan.created_at) + dt.timedelta(days=91)
    assert not AccountPlanChange.objects.filter(plan=kept_plan, field__startswith="next review").exists()

    proposal = TierProposal.objects.create(
        workspace=workspace,
        account=moved,
        current_tier=Tier.PRIORITY,
        proposed_tier=Tier.STANDARD,
        reason="Lower priority",
        priority=10,
    )
    prospecting.tier_proposal_decide(proposal=proposal, accept=True, by=sales_user)

    moved_plan.refresh_from_db()
    assert moved_plan.next_review_due == created + dt.timedelta(days=182)
    fields = list(
        AccountPlanChange.objects.filter(plan=moved_plan, field__startswith="next review")
        .order_by("id")
        .values_list("field", "by__username")
    )
    assert fields == [
        ("next review: tier Strategic → Priority", admin_user.username),
        ("next review: tier Priority → Standard", sales_user.username),
    ]
    assert TierProposal.objects.get(pk=proposal.pk).status == ProposalStatus.ACCEPTED


def test_automatic_tiering_re_dates_the_review_of_an_account_it_promotes(workspace, admin_user):
    prospecting.prospecting_settings_update(
        workspace=workspace, rescore=False, strategic_capacity=1, priority_capacity=1
    )
    top = AccountFactory(workspace=workspace, industry="Software", employees=900)  # standard until tiered
    AccountFactory(workspace=workspace, industry="Retail", employees=10)
    plan = _plan(workspace, top)
    assert plan.next_review_due == timezone.localdate(plan.created_at) + dt.timedelta(days=182)
    prospecting.icp_save(
        workspace=workspace,
        by=admin_user,
        rescore=False,
        criteria=[{"key": "sw", "weight": 1, "bands": [{"label": "Software", "when": {"industry": ["Software"]}}]}],
    )

    prospecting.prospecting_rescore(workspace=workspace, by=admin_user)

    plan.refresh_from_db()
    assert Account.objects.get(pk=top.pk).tier == Tier.STRATEGIC
    assert plan.next_review_due == timezone.localdate(plan.created_at) + dt.timedelta(days=30)
    assert AccountPlanChange.objects.filter(plan=plan, field="next review: tier Standard → Strategic").exists()


def test_editing_a_plan_keeps_a_review_date_a_tier_move_set_during_the_request(workspace, monkeypatch):
    """The edit writes what the person changed: a whole-row save wrote back the review date read at the start of
    the request, undoing a tier move's re-dating committed meanwhile."""
    from keyaccounts.services import plans

    account = AccountFactory(workspace=workspace, tier=Tier.PRIORITY)
    plan = _plan(workspace, account, reviewed_days_ago=20)
    moved = timezone.localdate() + dt.timedelta(days=10)
    real = plans._clean_text

    def a_tier_move_commits_meanwhile(data, errors):
        AccountPlan.objects.filter(pk=plan.pk).update(next_review_due=moved)
        real(data, errors)

    monkeypatch.setattr(plans, "_clean_text", a_tier_move_commits_meanwhile)

    plans.account_plan_update(plan, goals="Grow the analytics and AI footprint")

    plan.refresh_from_db()
    assert plan.goals == "Grow the analytics and AI footprint" and plan.next_review_due == moved
