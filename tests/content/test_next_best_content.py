"""Next-best content: the ranking on a hand-worked example, the fit rules, and the account API."""

from __future__ import annotations

import pytest

from content.models import AssetPerformance
from content.ranking import AssetFacts, posterior, rank_for_contact
from content.selectors.nbc import next_best_content
from content.services.settings import content_settings_save
from engagement.models import EngagementEvent
from tests.factories import AccountFactory, ContactFactory, ContentAssetFactory, PersonaFactory


def _asset(i, effort="low", personas=(), tiers=(), stage="engagement"):
    return AssetFacts(id=i, title=f"A{i}", stage=stage, effort=effort, personas=frozenset(personas), tiers=tiers)


def _rank(assets, perf, **overrides):
    """The hand-worked example's contact: persona 7 (CFO), priority tier, engaged, medium effort allowed."""
    return rank_for_contact(
        **{
            "assets": assets,
            "persona": 7,
            "persona_name": "CFO",
            "tier": "priority",
            "journey_stage": "engaged",
            "journey_stage_name": "Engaged",
            "content_stage": "engagement",
            "allowed_effort": "medium",
            "consumed": set(),
            "perf": perf,
            "prior_rate": 0.2,
            "prior_weight": 5,
            **overrides,
        }
    )


def test_hand_worked_ranking_with_a_prior():
    # Workspace average 20%, prior worth 5 accounts.
    # A1: 3 of 5 reached moved at this persona+stage -> (3 + 1) / (5 + 5) = 0.40
    # A2: 1 of 1 moved (stage level)                  -> (1 + 1) / (1 + 5) = 0.333
    # A3: new, never measured                          -> (0 + 1) / (0 + 5) = 0.20
    # A4: 0 of 20 moved overall                        -> (0 + 1) / (20 + 5) = 0.04
    perf = {(1, 7, "engaged"): (5, 3), (2, 0, "engaged"): (1, 1), (4, 0, ""): (20, 0)}
    assets = [_asset(4), _asset(3), _asset(2), _asset(1)]

    ranked = _rank(assets, perf, limit=4)

    assert [(s.asset.id, s.score) for s in ranked] == [(1, 0.4), (2, 0.3333), (3, 0.2), (4, 0.04)]
    assert ranked[0].reason.startswith("Moved 3 of 5 CFO at Engaged to a later stage")
    assert ranked[2].reason.startswith("New for this audience: ranked at the workspace average (20%)")
    assert posterior(3, 5, prior_rate=0.2, prior_weight=5) == pytest.approx(0.4)
    assert ranked[0].reason.endswith("; for every persona, low effort fits the Priority (1:few) tier.")


def test_the_reason_reads_in_the_readers_language():
    """The reason and the effort were English (and the tier its key) whatever the reader's language."""
    from django.utils import translation

    perf = {(1, 7, "engaged"): (5, 3)}
    with translation.override("es"):
        ranked = _rank([_asset(1, personas=(7,)), _asset(2)], perf, journey_stage_name="Con engagement")
        assert ranked[0].reason.startswith("Hizo avanzar de etapa a 3 de 5 CFO en Con engagement")
        assert ranked[0].effort_label == "baja"
        assert ranked[1].reason.startswith("Nuevo para esta audiencia: se ordena con la media")
        assert "para toda buyer persona" in ranked[1].reason


def test_fit_rules_stage_persona_tier_effort_and_consumed():
    assets = [
        _asset(1),  # fits
        _asset(2, stage="activation"),  # wrong stage
        _asset(3, personas={99}),  # another persona
        _asset(4, tiers=("strategic",)),  # another tier
        _asset(5, effort="high"),  # too much effort for priority (medium)
        _asset(6),  # already consumed
        _asset(7, personas={7}, effort="medium"),  # fits
    ]

    ranked = rank_for_contact(
        assets=assets,
        persona=7,
        persona_name="CFO",
        tier="priority",
        journey_stage="engaged",
        journey_stage_name="Engaged",
        content_stage="engagement",
        allowed_effort="medium",
        consumed={6},
        perf={},
        prior_rate=0.2,
        prior_weight=5,
        limit=10,
    )

    # equal scores: lower effort first
    assert [s.asset.id for s in ranked] == [1, 7]


@pytest.mark.django_db
def test_account_next_best_excludes_consumed_and_do_not_contact(workspace, viewer_api, django_assert_max_num_queries):
    persona = PersonaFactory(workspace=workspace, name="Finance leader")
    account = AccountFactory(workspace=workspace, tier="standard", journey_stage="engaged")
    buyer = ContactFactory(account=account, buying_role="economic_buyer", persona=persona)
    ContactFactory(account=account, buying_role="champion", do_not_contact=True)
    good = ContentAssetFactory(workspace=workspace, title="ROI one-pager", stage="engagement", effort="low")
    seen = ContentAssetFactory(workspace=workspace, title="Seen already", stage="engagement", effort="low")
    ContentAssetFactory(workspace=workspace, title="Workshop", stage="engagement", effort="high")  # standard: low only
    proven = ContentAssetFactory(workspace=workspace, title="Proven case", stage="engagement", effort="low")
    proven.personas.set([persona])
    AssetPerformance.objects.create(
        workspace=workspace,
        asset=proven,
        persona_key=persona.pk,
        stage="engaged",
        accounts_reached=10,
        accounts_moved=6,
        computed_at="2026-01-01T00:00Z",
    )
    EngagementEvent.objects.create(
        workspace=workspace,
        account=account,
        contact=buyer,
        type="content_download",
        content_asset=seen,
        occurred_at="2026-01-02T00:00Z",
        source="t",
        external_id="1",
    )

    with django_assert_max_num_queries(12):
        response = viewer_api.get(f"/api/v1/accounts/{account.pk}/next-best-content/")

    assert response.status_code == 200
    rows = response.json()
    assert [(r["asset"], r["contact"]) for r in rows] == [(proven.pk, buyer.pk), (good.pk, buyer.pk)]
    assert {"asset", "contact", "reason"} <= set(rows[0])
    assert "Moved 6 of 10 Finance leader at Engaged" in rows[0]["reason"]


@pytest.mark.django_db
def test_at_the_top_stage_the_reason_names_the_new_opportunities_it_measured(workspace, viewer_api):
    # given a customer (the top stage), two post-sale assets measured there: one followed by a new deal at 4 of 10
    # reached customers, one at none of 2; and a third measured only overall
    account = AccountFactory(workspace=workspace, tier="standard", journey_stage="customer")
    contact = ContactFactory(account=account)
    review = ContentAssetFactory(workspace=workspace, title="Quarterly review", stage="post_sale", effort="low")
    webinar = ContentAssetFactory(workspace=workspace, title="Webinar", stage="post_sale", effort="low")
    summit = ContentAssetFactory(workspace=workspace, title="Summit", stage="post_sale", effort="low")
    for asset, stage, reached, moved in ((review, "customer", 10, 4), (webinar, "customer", 2, 0), (summit, "", 20, 6)):
        AssetPerformance.objects.create(
            workspace=workspace,
            asset=asset,
            stage=stage,
            accounts_reached=reached,
            accounts_moved=moved,
            computed_at="2026-01-01T00:00Z",
        )

    suggestions = next_best_content(account=account).contacts[0].suggestions

    # then the best measured asset leads, and its reason says what was measured (it said "Moved 4 of 10 accounts
    # at Customer to a later stage", a stage that does not exist); the overall figure keeps its wording
    reasons = {s.asset.title: s.reason for s in suggestions}
    assert [s.asset.title for s in suggestions][0] == "Quarterly review"
    assert reasons["Quarterly review"].startswith("A new opportunity at 4 of 10 accounts at Customer after it;")
    assert reasons["Summit"].startswith("Moved 6 of 20 accounts overall to a later stage;")
    response = viewer_api.get(f"/api/v1/accounts/{account.pk}/next-best-content/")
    assert response.json()[0]["reason"] == reasons["Quarterly review"] and response.json()[0]["contact"] == contact.pk


@pytest.mark.django_db
def test_effort_allowed_per_tier_is_configurable(workspace):
    account = AccountFactory(workspace=workspace, tier="standard", journey_stage="aware")
    contact = ContactFactory(account=account)
    ContentAssetFactory(workspace=workspace, title="Report", stage="prospecting", effort="medium")

    before = next_best_content(account=account).contacts[0].suggestions
    content_settings_save(workspace=workspace, effort_by_tier={"standard": "medium"})
    after = next_best_content(account=account, contact_id=contact.pk).contacts[0].suggestions

    assert before == [] and [s.asset.title for s in after] == ["Report"]


@pytest.mark.django_db
def test_contact_page_and_account_panel_render(client, workspace, sales_user):
    account = AccountFactory(workspace=workspace, journey_stage="aware")
    contact = ContactFactory(account=account, first_name="Ana")
    ContentAssetFactory(workspace=workspace, title="Benchmark report", stage="prospecting", effort="low")
    client.force_login(sales_user)

    panel = client.get(f"/content/accounts/{account.pk}/next-best/")
    page = client.get(f"/content/contacts/{contact.pk}/next-best/")

    assert "Benchmark report" in panel.content.decode() and "Benchmark report" in page.content.decode()


@pytest.mark.django_db
def test_the_panels_name_the_content_stage_and_effort_as_people_read_them(client, workspace, sales_user):
    """The panel showed the stage's key ("Post_sale content · up to low effort") for a customer account."""
    account = AccountFactory(workspace=workspace, journey_stage="customer")
    contact = ContactFactory(account=account, first_name="Ana")
    client.force_login(sales_user)

    panel = client.get(f"/content/accounts/{account.pk}/next-best/").content.decode()
    page = client.get(f"/content/contacts/{contact.pk}/next-best/").content.decode()

    assert "After the sale content · up to low effort for this tier" in panel
    assert "After the sale content, up to low effort" in page
    assert "Post_sale" not in panel + page and "post_sale" not in panel + page
