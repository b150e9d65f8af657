"""Contacts, personas, team members and opportunities through the API: validation and bounded queries."""

import pytest

from tests.factories import (
    AccountFactory,
    AccountTeamMemberFactory,
    ContactFactory,
    ContentAssetFactory,
    OpportunityContactFactory,
    OpportunityFactory,
    PersonaFactory,
)

pytestmark = pytest.mark.django_db


def test_contact_email_is_normalised_and_unique_per_workspace(marketing_api, workspace, other_workspace):
    account = AccountFactory(workspace=workspace)
    ContactFactory(account=AccountFactory(workspace=other_workspace), email="dana@globex.com")

    first = marketing_api.post("/api/v1/contacts/", {"account": account.pk, "email": "Dana@Globex.com"}, format="json")
    again = marketing_api.post("/api/v1/contacts/", {"account": account.pk, "email": "dana@globex.com"}, format="json")

    assert first.status_code == 201 and first.json()["email"] == "dana@globex.com"
    assert again.status_code == 400 and "email" in again.json()


def test_contact_needs_a_name_or_email_and_valid_choices(marketing_api, workspace):
    account = AccountFactory(workspace=workspace)

    response = marketing_api.post(
        "/api/v1/contacts/", {"account": account.pk, "buying_role": "king", "email": "not-an-email"}, format="json"
    )
    nameless = marketing_api.post("/api/v1/contacts/", {"account": account.pk}, format="json")

    assert response.status_code == 400 and {"buying_role", "email"} <= set(response.json())
    assert nameless.status_code == 400 and "last_name" in nameless.json()


def test_opportunity_close_date_cannot_precede_creation(marketing_api, workspace):
    account = AccountFactory(workspace=workspace)

    response = marketing_api.post(
        "/api/v1/opportunities/",
        {
            "account": account.pk,
            "name": "Deal",
            "created_date": "2026-05-01",
            "close_date": "2026-04-01",
            "amount": "-5",
        },
        format="json",
    )

    assert response.status_code == 400
    assert {"close_date", "amount"} <= set(response.json())


def test_team_member_must_be_a_workspace_member_and_unique(admin_api, admin_user, other_admin, workspace):
    account = AccountFactory(workspace=workspace)
    payload = {"account": account.pk, "user": admin_user.pk, "team_role": "sdr"}

    created = admin_api.post("/api/v1/account-team-members/", payload, format="json")
    duplicate = admin_api.post("/api/v1/account-team-members/", payload, format="json")
    stranger = admin_api.post(
        "/api/v1/account-team-members/", {**payload, "user": other_admin.pk, "team_role": "sdr"}, format="json"
    )

    assert created.status_code == 201
    assert duplicate.status_code == 400 and "user" in duplicate.json()
    assert stranger.status_code == 400 and "user" in stranger.json()


def test_persona_channels_are_validated_and_names_unique(marketing_api):
    ok = marketing_api.post(
        "/api/v1/personas/", {"name": "CFO", "preferred_channels": ["email", "events"]}, format="json"
    )
    bad = marketing_api.post("/api/v1/personas/", {"name": "CIO", "preferred_channels": ["pigeon"]}, format="json")
    dup = marketing_api.post("/api/v1/personas/", {"name": "cfo"}, format="json")

    assert ok.status_code == 201 and ok.json()["preferred_channels"] == ["email", "events"]
    assert bad.status_code == 400 and "preferred_channels" in bad.json()
    assert dup.status_code == 400 and "name" in dup.json()


def test_malformed_json_is_a_400(marketing_api):
    response = marketing_api.generic("POST", "/api/v1/accounts/", "{not json", content_type="application/json")

    assert response.status_code == 400


LISTS = {
    "contacts": lambda ws: ContactFactory(account=AccountFactory(workspace=ws), persona=PersonaFactory(workspace=ws)),
    "personas": lambda ws: (
        ContactFactory(account=AccountFactory(workspace=ws), persona=PersonaFactory(workspace=ws)).persona
    ),
    "account-team-members": lambda ws: AccountTeamMemberFactory(account=AccountFactory(workspace=ws)),
    "opportunities": lambda ws: OpportunityFactory(account=AccountFactory(workspace=ws)),
    "opportunity-contacts": lambda ws: OpportunityContactFactory(
        opportunity=OpportunityFactory(account=AccountFactory(workspace=ws))
    ),
    "content-assets": lambda ws: ContentAssetFactory(workspace=ws).personas.add(PersonaFactory(workspace=ws)),
}


@pytest.mark.parametrize("endpoint", LISTS)
def test_list_endpoints_have_bounded_queries(endpoint, viewer_api, workspace, django_assert_max_num_queries):
    for _ in range(25):
        LISTS[endpoint](workspace)

    with django_assert_max_num_queries(8):
        response = viewer_api.get(f"/api/v1/{endpoint}/?page_size=25")

    assert response.status_code == 200 and len(response.json()["results"]) == 25


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200 and b"/api/v1/accounts/" in schema.content
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()
