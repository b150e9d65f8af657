"""Another workspace's objects are invisible: absent from lists, 404 on detail, update and delete."""

import pytest

from abe.models import Role
from tests.factories import (
    AccountFactory,
    AccountTeamMemberFactory,
    ContactFactory,
    ContentAssetFactory,
    MembershipFactory,
    OpportunityContactFactory,
    OpportunityFactory,
    PersonaFactory,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "accounts": lambda ws: AccountFactory(workspace=ws),
    "contacts": lambda ws: ContactFactory(account=AccountFactory(workspace=ws)),
    "personas": lambda ws: PersonaFactory(workspace=ws),
    "account-team-members": lambda ws: AccountTeamMemberFactory(account=AccountFactory(workspace=ws)),
    "opportunities": lambda ws: OpportunityFactory(account=AccountFactory(workspace=ws)),
    "opportunity-contacts": lambda ws: OpportunityContactFactory(
        opportunity=OpportunityFactory(account=AccountFactory(workspace=ws))
    ),
    "content-assets": lambda ws: ContentAssetFactory(workspace=ws),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_other_workspace_objects_are_404_and_absent(endpoint, admin_api, workspace, other_workspace):
    mine = ENDPOINTS[endpoint](workspace)
    theirs = ENDPOINTS[endpoint](other_workspace)
    url = f"/api/v1/{endpoint}/"

    listed = {row["id"] for row in admin_api.get(url).json()["results"]}

    assert mine.pk in listed and theirs.pk not in listed
    assert admin_api.get(f"{url}{theirs.pk}/").status_code == 404
    assert admin_api.patch(f"{url}{theirs.pk}/", {}, format="json").status_code == 404
    assert admin_api.delete(f"{url}{theirs.pk}/").status_code == 404
    assert type(theirs).objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_api_key_of_another_workspace_sees_nothing(endpoint, key_client, workspace, other_workspace):
    mine = ENDPOINTS[endpoint](workspace)

    response = key_client("read", ws=other_workspace).get(f"/api/v1/{endpoint}/{mine.pk}/")

    assert response.status_code == 404


def test_cannot_link_to_another_workspaces_account(admin_api, other_workspace):
    theirs = AccountFactory(workspace=other_workspace)

    contact = admin_api.post("/api/v1/contacts/", {"account": theirs.pk, "email": "x@y.com"}, format="json")
    opp = admin_api.post(
        "/api/v1/opportunities/", {"account": theirs.pk, "name": "D", "created_date": "2026-01-01"}, format="json"
    )

    assert contact.status_code == 400 and "account" in contact.json()
    assert opp.status_code == 400 and "account" in opp.json()


def test_cannot_assign_a_non_member_as_owner(admin_api, other_admin):
    response = admin_api.post("/api/v1/accounts/", {"name": "X", "owner": other_admin.pk}, format="json")

    assert response.status_code == 400 and "owner" in response.json()


PAGES = [
    lambda a, c, p: f"/accounts/{a.pk}/",
    lambda a, c, p: f"/accounts/{a.pk}/edit/",
    lambda a, c, p: f"/accounts/{a.pk}/delete/",
    lambda a, c, p: f"/accounts/{a.pk}/contacts/{c.pk}/edit/",
    lambda a, c, p: f"/accounts/{a.pk}/contacts/new/",
    lambda a, c, p: f"/accounts/{a.pk}/opportunities/new/",
    lambda a, c, p: f"/personas/{p.pk}/edit/",
]


@pytest.mark.parametrize("make_url", PAGES)
def test_pages_of_another_workspace_are_404(make_url, admin_client, other_workspace):
    account = AccountFactory(workspace=other_workspace)
    contact = ContactFactory(account=account)
    persona = PersonaFactory(workspace=other_workspace)

    assert admin_client.get(make_url(account, contact, persona)).status_code == 404


def test_lists_show_only_the_current_workspace(admin_client, workspace, other_workspace):
    AccountFactory(workspace=workspace, name="Visible Corp")
    AccountFactory(workspace=other_workspace, name="Hidden Corp")
    PersonaFactory(workspace=other_workspace, name="Hidden Persona")

    accounts = admin_client.get("/accounts/").content.decode()
    personas = admin_client.get("/personas/").content.decode()

    assert "Visible Corp" in accounts and "Hidden Corp" not in accounts
    assert "Hidden Persona" not in personas


def test_switching_workspace_changes_what_is_shown(admin_client, admin_user, workspace, other_workspace):
    MembershipFactory(user=admin_user, workspace=other_workspace, role=Role.VIEWER)
    AccountFactory(workspace=other_workspace, name="Other Corp")

    admin_client.post("/workspace/switch/", {"workspace": other_workspace.pk})

    assert "Other Corp" in admin_client.get("/accounts/").content.decode()


def test_switching_to_a_workspace_you_are_not_in_is_404(admin_client, other_workspace):
    assert admin_client.post("/workspace/switch/", {"workspace": other_workspace.pk}).status_code == 404
