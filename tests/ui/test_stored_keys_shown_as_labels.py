"""Values stored as keys (a tier, a renewal's engagement trend) read as their labels in the reader's language on
the pages; they showed the keys capitalised ("Strategic", "Falling") on Spanish pages. The API keeps the keys."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import AccountFactory, ContactFactory, ContentAssetFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_the_content_list_names_an_assets_tiers_in_the_readers_language(admin_client, workspace):
    ContentAssetFactory(workspace=workspace, title="Board pack", tiers=["strategic", "priority"])

    english = admin_client.get("/content/").content.decode()
    spanish = admin_client.get("/content/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert '<span class="pill strategic">Strategic (1:1)</span>' in english
    assert '<span class="pill strategic">Estratégica (1:1)</span>' in spanish
    assert '<span class="pill priority">Prioritaria (1:pocos)</span>' in spanish


def test_the_committee_heatmap_names_each_accounts_tier_in_the_readers_language(admin_client, workspace):
    account = AccountFactory(workspace=workspace, tier="strategic")
    ContactFactory(account=account, buying_role="economic_buyer")

    spanish = admin_client.get("/content/committees/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert '<span class="pill strategic">Estratégica (1:1)</span>' in spanish
    assert ">Strategic<" not in spanish


def test_the_renewals_trend_reads_in_the_readers_language_and_the_api_keeps_its_key(admin_client, admin_api, workspace):
    account = AccountFactory(workspace=workspace, lifecycle="customer", engagement_momentum=-0.4)
    today = dt.date.today()
    OpportunityFactory(
        account=account,
        status="won",
        contract_end=today + dt.timedelta(days=20),
        close_date=today - dt.timedelta(days=10),
        created_date=today - dt.timedelta(days=40),
    )

    spanish = admin_client.get("/key-accounts/post-sale/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    api = admin_api.get("/api/v1/key-accounts/renewals/?within=30", HTTP_ACCEPT_LANGUAGE="es").json()

    assert 'class="down">A la baja (' in spanish and ">Falling" not in spanish
    assert api["results"][0]["trend"] == "falling"


def test_the_account_panels_renewal_reads_its_trend_and_a_single_day_in_the_readers_language(admin_client, workspace):
    account = AccountFactory(workspace=workspace, lifecycle="customer", engagement_momentum=0.5)
    today = dt.date.today()
    OpportunityFactory(
        account=account,
        name="Renewal 2027",
        status="won",
        contract_end=today + dt.timedelta(days=1),
        close_date=today - dt.timedelta(days=10),
        created_date=today - dt.timedelta(days=40),
    )
    url = f"/key-accounts/accounts/{account.pk}/panels/post-sale/"

    english = admin_client.get(url).content.decode()
    spanish = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Renewal in 1 day<" in english and "engagement rising" in english
    assert "Renovación en 1 día<" in spanish and "engagement al alza" in spanish


def test_the_pareto_page_and_the_gap_list_name_the_tier_in_the_readers_language(admin_client, workspace):
    account = AccountFactory(workspace=workspace, name="Big", tier="strategic")
    today = dt.date.today()
    OpportunityFactory(
        account=account,
        status="won",
        amount=100000,
        close_date=today - dt.timedelta(days=30),
        created_date=today - dt.timedelta(days=60),
    )

    pareto = admin_client.get("/key-accounts/pareto/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    gaps = admin_client.get("/content/committees/gaps/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert '<span class="pill strategic">Estratégica (1:1)</span>' in pareto and ">Strategic<" not in pareto
    assert "1 de 1 cuenta<" in pareto  # the top 20%'s count, in the singular ("1 de 1 cuentas" before)
    assert '<span class="pill strategic">Estratégica (1:1)</span>' in gaps and ">Strategic<" not in gaps
