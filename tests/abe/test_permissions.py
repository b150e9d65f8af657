"""Role rules: viewers read; sales edit the accounts they own or team; marketing and admins edit all."""

import pytest

from abe.models import Membership, Role
from accounts.models import Account
from tests.factories import AccountFactory, AccountTeamMemberFactory, PersonaFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_viewer_reads_but_cannot_write(viewer_api, workspace):
    account = AccountFactory(workspace=workspace)

    assert viewer_api.get(f"/api/v1/accounts/{account.pk}/").status_code == 200
    assert viewer_api.patch(f"/api/v1/accounts/{account.pk}/", {"name": "X"}, format="json").status_code == 403
    assert viewer_api.post("/api/v1/accounts/", {"name": "New"}, format="json").status_code == 403
    assert viewer_api.delete(f"/api/v1/accounts/{account.pk}/").status_code == 403


def test_sales_edits_owned_and_team_accounts_only(sales_api, sales_user, workspace):
    owned = AccountFactory(workspace=workspace, owner=sales_user)
    teamed = AccountFactory(workspace=workspace)
    AccountTeamMemberFactory(account=teamed, user=sales_user)
    foreign = AccountFactory(workspace=workspace)

    for account, expected in ((owned, 200), (teamed, 200), (foreign, 403)):
        response = sales_api.patch(f"/api/v1/accounts/{account.pk}/", {"industry": "Retail"}, format="json")
        assert response.status_code == expected, (account.name, response.json())
    assert Account.objects.get(pk=foreign.pk).industry == "Software"


def test_sales_cannot_add_contacts_to_someone_elses_account(sales_api, sales_user, workspace):
    mine = AccountFactory(workspace=workspace, owner=sales_user)
    foreign = AccountFactory(workspace=workspace)

    ok = sales_api.post("/api/v1/contacts/", {"account": mine.pk, "email": "a@x.com"}, format="json")
    denied = sales_api.post("/api/v1/contacts/", {"account": foreign.pk, "email": "b@x.com"}, format="json")

    assert ok.status_code == 201 and denied.status_code == 403


def test_marketing_edits_everything_including_personas(marketing_api, workspace):
    account = AccountFactory(workspace=workspace)

    assert marketing_api.patch(f"/api/v1/accounts/{account.pk}/", {"city": "Lyon"}, format="json").status_code == 200
    assert marketing_api.post("/api/v1/personas/", {"name": "CFO"}, format="json").status_code == 201


def test_sales_cannot_edit_personas(sales_api, workspace):
    persona = PersonaFactory(workspace=workspace)

    assert sales_api.post("/api/v1/personas/", {"name": "CFO"}, format="json").status_code == 403
    assert sales_api.patch(f"/api/v1/personas/{persona.pk}/", {"goals": "x"}, format="json").status_code == 403


def test_only_admins_manage_members(client, admin_user, marketing_user, workspace):
    membership = Membership.objects.get(user=marketing_user, workspace=workspace)
    client.force_login(marketing_user)
    assert client.post("/settings/members/", {"membership": membership.pk, "role": "admin"}).status_code == 403

    client.force_login(admin_user)
    client.post("/settings/members/", {"membership": membership.pk, "role": "sales"})

    assert Membership.objects.get(user=marketing_user, workspace=workspace).role == Role.SALES


def test_last_admin_cannot_be_removed(admin_client, admin_user, workspace):
    membership = Membership.objects.get(user=admin_user, workspace=workspace)

    admin_client.post(f"/settings/members/{membership.pk}/remove/")

    assert Membership.objects.filter(pk=membership.pk).exists()


def test_viewer_pages_hide_edit_actions_and_refuse_edits(client, viewer_user, workspace):
    account = AccountFactory(workspace=workspace)
    client.force_login(viewer_user)

    detail = client.get(f"/accounts/{account.pk}/").content.decode()

    assert f"/accounts/{account.pk}/edit/" not in detail
    assert client.get(f"/accounts/{account.pk}/edit/").status_code == 403
    assert client.post(f"/accounts/{account.pk}/delete/").status_code == 403
    assert Account.objects.filter(pk=account.pk).exists()


def test_user_without_workspace_gets_a_clear_403(client):
    client.force_login(UserFactory(username="loner"))

    response = client.get("/accounts/")

    assert response.status_code == 403
    assert "not a member of any workspace" in response.content.decode()
