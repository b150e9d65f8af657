import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Tier
from analytics.models import SpendEntry
from analytics.services.rollups import facts_rebuild
from tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

PAGES = ["", "journey/", "funnel/", "response/", "content/", "impact/", "economics/"]


@pytest.fixture
def some_data(workspace, sales_user):
    today = dt.date.today()
    for tier in (Tier.STRATEGIC, Tier.STANDARD):
        account = AccountFactory(workspace=workspace, tier=tier, owner=sales_user, industry="Software")
        OpportunityFactory(
            account=account,
            created_date=today - dt.timedelta(days=40),
            close_date=today,
            status="won",
            amount=Decimal(42_000),
        )
    facts_rebuild(workspace=workspace)


@pytest.mark.parametrize("path", PAGES)
def test_every_dashboard_renders_with_filters_and_exports_csv(
    client, viewer_user, some_data, path, django_assert_max_num_queries
):
    client.force_login(viewer_user)

    with django_assert_max_num_queries(45):
        page = client.get(f"/analytics/{path}", {"days": 90, "tier": "strategic"})
    csv = client.get(f"/analytics/{path}", {"days": 90, "format": "csv"})
    partial = client.get(f"/analytics/{path}", {"days": 30}, HTTP_HX_REQUEST="true")

    assert page.status_code == 200
    assert b"analytics-filters" in page.content
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert b"Period" in csv.content
    assert partial.status_code == 200 and b"<html" not in partial.content


def test_overview_shows_the_figures_and_bad_filters_are_explained(client, viewer_user, some_data):
    client.force_login(viewer_user)

    page = client.get("/analytics/", {"from": "nope", "tier": "gold"})

    assert page.status_code == 200
    assert b"A date as YYYY-MM-DD." in page.content
    assert b"$42,000" in page.content


def test_empty_workspace_pages_say_there_is_no_data(client, viewer_user):
    client.force_login(viewer_user)

    page = client.get("/analytics/journey/")

    assert page.status_code == 200
    assert b"No data in this period." in page.content


def test_marketing_adds_and_deletes_spend_viewer_cannot(client, marketing_user, viewer_user, workspace):
    client.force_login(marketing_user)
    today = dt.date.today()

    bad = client.post(
        "/analytics/economics/",
        {
            "form": "spend",
            "period_start": today,
            "period_end": today - dt.timedelta(days=1),
            "category": "events",
            "amount": "10",
        },
    )  # noqa: E501
    ok = client.post(
        "/analytics/economics/",
        {"form": "spend", "period_start": today, "period_end": today, "category": "events", "amount": "1000"},
    )  # noqa: E501

    assert bad.status_code == 200 and b"The period must end on or after its start." in bad.content
    assert ok.status_code == 302
    entry = SpendEntry.objects.for_workspace(workspace).get()
    client.force_login(viewer_user)
    assert client.post(f"/analytics/economics/spend/{entry.pk}/delete/").status_code == 403
    client.force_login(marketing_user)
    assert client.post(f"/analytics/economics/spend/{entry.pk}/delete/").status_code == 302
    assert not SpendEntry.objects.exists()


def test_economics_settings_validate(client, admin_user, workspace):
    client.force_login(admin_user)

    bad = client.post(
        "/analytics/economics/",
        {
            "form": "settings",
            "gross_margin": "7",
            "annual_churn": "0.1",
            "sla_strategic": 4,
            "sla_priority": 24,
            "sla_standard": 72,
        },
    )  # noqa: E501
    ok = client.post(
        "/analytics/economics/",
        {
            "form": "settings",
            "gross_margin": "0.7",
            "annual_churn": "0.1",
            "sla_strategic": 2,
            "sla_priority": 24,
            "sla_standard": 72,
        },
    )  # noqa: E501

    assert bad.status_code == 200
    assert ok.status_code == 302
    from analytics.selectors.kpis import analytics_settings

    assert analytics_settings(workspace=workspace).sla_hours("strategic") == 2.0


@pytest.fixture
def two_groups(workspace, sales_user, marketing_user):
    """Big (employees 5,000) strategic accounts won 100k, small ones won 7k; a saved view selects the big ones."""
    from accounts.models import SavedView
    from engagement.content_hooks import touch_log

    today = dt.date.today()
    for employees, amount in ((5000, 100_000), (50, 7_000)):
        account = AccountFactory(workspace=workspace, tier=Tier.STRATEGIC, owner=sales_user, employees=employees)
        OpportunityFactory(
            account=account,
            created_date=today - dt.timedelta(days=40),
            close_date=today,
            status="won",
            amount=Decimal(amount),
        )
    # One outbound touch, on the small account (top of funnel).
    touch_log(
        workspace=workspace,
        account=account,
        contact=None,
        channel="email",
        occurred_at=dt.datetime.now(dt.UTC),
        external_id="small",
        metadata={},
    )
    facts_rebuild(workspace=workspace)
    big = SavedView.objects.create(
        workspace=workspace, owner=marketing_user, name="Big ones", list_name="accounts", query="employees_min=1000"
    )
    private = SavedView.objects.create(
        workspace=workspace, owner=sales_user, name="Mine", list_name="accounts", query="employees_max=100"
    )
    return big, private


@pytest.mark.parametrize("path", PAGES)
def test_every_dashboard_takes_a_saved_view(client, marketing_user, two_groups, path):
    big, _ = two_groups
    client.force_login(marketing_user)

    everything = client.get(f"/analytics/{path}", {"days": 90, "format": "csv"}).content.decode()
    narrowed = client.get(f"/analytics/{path}", {"days": 90, "view": big.pk, "format": "csv"}).content.decode()
    page = client.get(f"/analytics/{path}", {"days": 90, "view": big.pk})

    assert page.status_code == 200
    assert "Big ones" in page.content.decode()
    assert narrowed != everything
    assert "Saved view,Big ones" in narrowed
    if path == "":  # revenue won
        assert "$107,000" in everything and "$107,000" not in narrowed
    if path == "economics/":  # ACV: (100k + 7k) / 2 against the big account's 100k
        assert "$53,500" in everything and "$53,500" not in narrowed
    if path in ("", "economics/"):
        assert "$100,000" in narrowed


def test_summary_api_takes_a_saved_view_and_refuses_one_it_cannot_open(marketing_api, two_groups):
    big, private = two_groups

    narrowed = marketing_api.get("/api/v1/analytics/summary/", {"view": big.pk})
    refused = marketing_api.get("/api/v1/analytics/summary/", {"view": private.pk})  # another user's private view
    junk = marketing_api.get("/api/v1/analytics/summary/", {"view": "x"})

    assert narrowed.status_code == 200
    assert narrowed.json()["pipeline"]["target"]["won_amount"] == 100000.0
    assert narrowed.json()["coverage"]["target"]["accounts"] == 1
    assert refused.status_code == 400 and "view" in refused.json()
    assert junk.status_code == 400


def test_content_performance_sums_the_rollup_by_persona_and_stage(client, viewer_user, workspace):
    from django.utils import timezone

    from content.models import AssetPerformance
    from tests.factories import ContentAssetFactory, PersonaFactory

    cfo = PersonaFactory(workspace=workspace, name="CFO")
    a1, a2 = ContentAssetFactory(workspace=workspace, title="ROI guide"), ContentAssetFactory(workspace=workspace)
    now = timezone.now()
    for asset, persona, stage, reached, moved, pipeline in (
        (a1, 0, "", 10, 4, 50_000),
        (a2, 0, "", 6, 0, 0),
        (a1, cfo.pk, "", 3, 2, 20_000),
        (a2, cfo.pk, "", 1, 0, 0),
        (a1, 0, "aware", 8, 4, 50_000),
        (a2, 0, "aware", 2, 0, 0),
        (a1, 0, "engaged", 2, 0, 0),
    ):
        AssetPerformance.objects.create(
            workspace=workspace,
            asset=asset,
            persona_key=persona,
            stage=stage,
            accounts_reached=reached,
            contacts_reached=reached,
            engagements=reached * 2,
            accounts_moved=moved,
            pipeline_influenced=pipeline,
            computed_at=now,
        )
    client.force_login(viewer_user)

    csv = client.get("/analytics/content/", {"format": "csv"}).content.decode()

    assert 'CFO,4,4,8,2,50.0%,"$20,000"' in csv  # 3 + 1 reaches, 2 moved
    assert 'Aware,10,10,20,4,40.0%,"$50,000"' in csv  # 8 + 2 reaches in the aware stage
    assert "Engaged,2,2,4,0,0.0%,$0" in csv
    assert "ROI guide,10,10,20,4,40.0%" in csv  # top assets: reached >= 5, most moved first
    # the page says what "moved" means where no stage is later (a customer's move is a new opportunity)
    page = client.get("/analytics/content/").content.decode()
    assert "at the top stage, where none is later, a new opportunity was created on it in that window" in page


def test_team_table_has_one_row_for_accounts_without_an_owner(client, viewer_user, workspace):
    account = AccountFactory(workspace=workspace, owner=None)
    OpportunityFactory(account=account, created_date=dt.date.today(), amount=Decimal(1000))
    facts_rebuild(workspace=workspace)
    client.force_login(viewer_user)

    csv = client.get("/analytics/response/", {"format": "csv"}).content.decode()

    team = csv.split("\r\nTeam\r\n", 1)[1]
    assert team.count("No owner") == 1
    assert "No owner,1,0,0,0,1," in team  # one account, one opportunity created


def test_the_overview_tables_read_in_the_users_language(client, viewer_user, some_data):
    from abe.models import UserPreference

    UserPreference.objects.create(user=viewer_user, language="es")
    client.force_login(viewer_user)

    page = client.get("/analytics/").content.decode()

    assert "Engagement por nivel" in page and "Cobertura del comité por rol requerido" in page
    assert "Valor medio del contrato" in page and "Cuentas objetivo con engagement" in page
    assert "Engagement by tier" not in page and "Average contract value" not in page


def test_economics_names_the_ltv_cac_band_in_words(client, viewer_user, workspace, some_data):
    """The band column reads "In the band" (and the like), not the API's key (``on_track``), in the page and
    its CSV export."""
    today = dt.date.today()
    SpendEntry.objects.create(
        workspace=workspace,
        period_start=today - dt.timedelta(days=30),
        period_end=today,
        category="events",
        amount=Decimal(10_000),
    )
    facts_rebuild(workspace=workspace)
    client.force_login(viewer_user)

    page = client.get("/analytics/economics/").content.decode()
    csv = client.get("/analytics/economics/", {"format": "csv"}).content.decode()

    for body in (page, csv):
        assert "on_track" not in body and ",above" not in body and ">above<" not in body
        assert "Above the band" in body or "In the band" in body or "Below the band" in body
