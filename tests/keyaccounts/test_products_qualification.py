import datetime as dt

import pytest

from keyaccounts.models import BantItem
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_product_catalogue_api_is_edited_by_marketing_and_admins(workspace, marketing_api, sales_api):
    created = marketing_api.post(
        "/api/v1/products/", {"name": "Analytics Cloud", "family": "Analytics", "list_price": "24000.00"}, format="json"
    )
    duplicate = marketing_api.post("/api/v1/products/", {"name": "Analytics Cloud"}, format="json")
    negative = marketing_api.post("/api/v1/products/", {"name": "Cheap", "list_price": "-1"}, format="json")
    by_sales = sales_api.post("/api/v1/products/", {"name": "Other"}, format="json")

    assert created.status_code == 201 and created.json()["family"] == "Analytics"
    assert duplicate.status_code == 400 and "name" in duplicate.json()
    assert negative.status_code == 400 and "list_price" in negative.json()
    assert by_sales.status_code == 403
    assert sales_api.get("/api/v1/products/").json()["count"] == 1


def test_opportunities_carry_product_margin_and_contract(workspace, other_workspace, admin_api):
    account = AccountFactory(workspace=workspace)
    product = ProductFactory(workspace=workspace)
    foreign = ProductFactory(workspace=other_workspace)
    base = {
        "account": account.pk,
        "name": "Renewal 2027",
        "amount": "100000",
        "created_date": "2026-01-01",
        "type": "renewal",
    }

    ok = admin_api.post(
        "/api/v1/opportunities/",
        {
            **base,
            "product": product.pk,
            "gross_margin_pct": "35",
            "contract_start": "2026-02-01",
            "contract_end": "2027-01-31",
        },
        format="json",
    )
    backwards = admin_api.post(
        "/api/v1/opportunities/", {**base, "contract_start": "2026-02-01", "contract_end": "2026-01-01"}, format="json"
    )
    bad_pct = admin_api.post("/api/v1/opportunities/", {**base, "gross_margin_pct": "150"}, format="json")
    too_much = admin_api.post("/api/v1/opportunities/", {**base, "gross_margin": "200000"}, format="json")
    other_product = admin_api.post("/api/v1/opportunities/", {**base, "product": foreign.pk}, format="json")

    assert ok.status_code == 201, ok.content
    body = ok.json()
    assert (body["product_name"], body["margin_amount"], body["contract_end"]) == (
        product.name,
        "35000.00",
        "2027-01-31",
    )
    assert backwards.status_code == 400 and "contract_end" in backwards.json()
    assert bad_pct.status_code == 400 and "gross_margin_pct" in bad_pct.json()
    assert too_much.status_code == 400 and "gross_margin" in too_much.json()
    assert other_product.status_code == 400 and "product" in other_product.json()
    assert {"new_business", "up_sell", "cross_sell", "renewal"} <= {
        c[0] for c in __import__("accounts.models", fromlist=["OpportunityType"]).OpportunityType.choices
    }


def test_bant_is_recorded_per_criterion_and_filterable(workspace, admin_api, django_assert_max_num_queries):
    account = AccountFactory(workspace=workspace)
    cfo = ContactFactory(account=account, buying_role="economic_buyer")
    qualified, partly, untouched = (OpportunityFactory(account=account) for _ in range(3))
    for criterion in ("budget", "authority", "need", "timeline"):
        response = admin_api.post(
            "/api/v1/bant-items/",
            {
                "opportunity": qualified.pk,
                "criterion": criterion,
                "status": "confirmed",
                "evidence": f"{criterion} confirmed in the call",
                "contact": cfo.pk,
                "checked_on": "2026-11-30",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    admin_api.post(
        "/api/v1/bant-items/",
        {
            "opportunity": partly.pk,
            "criterion": "need",
            "status": "confirmed",
            "evidence": "Pain named by the champion",
        },
        format="json",
    )
    replaced = admin_api.post(
        "/api/v1/bant-items/",
        {"opportunity": partly.pk, "criterion": "need", "status": "partial", "evidence": "Only one team"},
        format="json",
    )
    no_evidence = admin_api.post(
        "/api/v1/bant-items/",
        {"opportunity": untouched.pk, "criterion": "budget", "status": "confirmed"},
        format="json",
    )

    with django_assert_max_num_queries(6):
        only_qualified = admin_api.get("/api/v1/qualification/?qualification=qualified").json()
    unqualified = admin_api.get("/api/v1/qualification/?qualification=unqualified").json()

    assert replaced.status_code == 201
    assert BantItem.objects.get(opportunity=partly).status == "partial"
    assert no_evidence.status_code == 400 and "evidence" in no_evidence.json()
    assert [o["id"] for o in only_qualified["results"]] == [qualified.pk]
    assert only_qualified["results"][0]["qualification"] == "qualified"
    assert {o["id"] for o in unqualified["results"]} == {untouched.pk, partly.pk}


def test_opportunity_page_shows_bant_and_pre_bant_checks(workspace, admin_client):
    from accounts.models import IcpVersion

    IcpVersion.objects.create(
        workspace=workspace,
        number=1,
        is_active=True,
        criteria=[
            {
                "key": "geo",
                "label": "Territory",
                "weight": 50,
                "bands": [{"label": "US", "points": 1, "when": {"country": ["US"]}}],
            },
            {
                "key": "ind",
                "label": "Industry",
                "weight": 50,
                "bands": [{"label": "Software", "points": 1, "when": {"industry": ["Software"]}}],
            },
        ],
    )
    account = AccountFactory(workspace=workspace, fit_explanation=[["geo", "US", 1.0], ["ind", None, 0.0]])
    opportunity = OpportunityFactory(account=account)

    page = admin_client.get(f"/key-accounts/opportunities/{opportunity.pk}/")
    saved = admin_client.post(
        f"/key-accounts/opportunities/{opportunity.pk}/",
        {"criterion": "budget", "status": "confirmed", "evidence": "Approved", "checked_on": dt.date.today()},
    )
    invalid = admin_client.post(
        f"/key-accounts/opportunities/{opportunity.pk}/", {"criterion": "budget", "status": "confirmed"}
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "Territory: US" in html and "No band of Industry matches." in html and "No contacts yet" in html
    assert saved.status_code == 302
    assert invalid.status_code == 400 and "Say what confirms it" in invalid.content.decode()


def test_the_bant_saved_message_names_the_criterion_in_the_readers_language(workspace, admin_client):
    # It read "Budget saved." (the key, title-cased) on a Spanish page.
    opportunity = OpportunityFactory(account=AccountFactory(workspace=workspace))
    url = f"/key-accounts/opportunities/{opportunity.pk}/"
    data = {"criterion": "budget", "status": "confirmed", "evidence": "Approved", "checked_on": dt.date.today()}

    page = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="es", follow=True).content.decode()

    assert "Presupuesto guardado." in page


def test_the_qualification_verdicts_read_in_the_readers_language(workspace, admin_client):
    """The qualification page's filter and an opportunity's verdict ("Not qualified yet") were English in every
    language."""
    account = AccountFactory(workspace=workspace)
    opportunity = OpportunityFactory(workspace=workspace, account=account, status="open")

    listing = admin_client.get("/key-accounts/qualification/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    page = admin_client.get(
        f"/key-accounts/opportunities/{opportunity.pk}/", HTTP_ACCEPT_LANGUAGE="pt"
    ).content.decode()

    assert '<option value="partly">Cualificada en parte</option>' in listing
    assert '<option value="disqualified">Un criterio no cumplido</option>' in listing
    assert '<strong id="qualification">Ainda não qualificada</strong>' in page
    assert "Partly qualified" not in listing and "Not qualified yet" not in page


def test_the_qualification_page_names_a_verdict_it_does_not_offer(workspace, admin_client):
    """``?qualification=bogus`` listed every open opportunity under "All" without a word, and its empty state said
    "with this qualification"."""
    account = AccountFactory(workspace=workspace)
    OpportunityFactory(workspace=workspace, account=account, status="open", name="Renewal of the core")

    bogus = admin_client.get("/key-accounts/qualification/?qualification=bogus").content.decode()
    known = admin_client.get("/key-accounts/qualification/?qualification=qualified").content.decode()

    assert "Renewal of the core" in bogus and "qualification=bogus" in bogus and 'id="ignored-params"' in bogus
    assert "Renewal of the core" not in known and 'id="ignored-params"' not in known
    assert "with this qualification" in known
