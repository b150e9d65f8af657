"""The accounts pages: list with htmx filters, sorting and pagination; the account page; forms."""

import pytest

from accounts.models import Account
from tests.factories import AccountFactory, AccountTeamMemberFactory, ContactFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_list_filters_sorts_and_answers_htmx_with_a_partial(admin_client, workspace):
    AccountFactory(workspace=workspace, name="Alpha", industry="Software", employees=10)
    AccountFactory(workspace=workspace, name="Beta", industry="Retail", employees=900)
    AccountFactory(workspace=workspace, name="Gamma", industry="Software", employees=300)

    full = admin_client.get("/accounts/?industry=Software&sort=-employees")
    partial = admin_client.get("/accounts/?industry=Software&sort=-employees", HTTP_HX_REQUEST="true")

    names = [a.name for a in full.context["page_obj"]]
    assert names == ["Gamma", "Alpha"]
    assert b"<html" in full.content and b"<html" not in partial.content
    assert b"Gamma" in partial.content and b"Beta" not in partial.content


def test_list_paginates_with_constant_queries(admin_client, workspace, django_assert_max_num_queries, admin_user):
    for i in range(60):
        AccountFactory(workspace=workspace, name=f"Acc {i:03d}", owner=admin_user)

    with django_assert_max_num_queries(14):
        page2 = admin_client.get("/accounts/?page=2")

    assert [a.name for a in page2.context["page_obj"]][0] == "Acc 025"
    assert "26–50 of 60" in page2.content.decode()


def test_my_accounts_filter(admin_client, admin_user, workspace):
    AccountFactory(workspace=workspace, name="Mine", owner=admin_user)
    AccountFactory(workspace=workspace, name="Not mine")

    response = admin_client.get("/accounts/?owner=me")

    assert [a.name for a in response.context["page_obj"]] == ["Mine"]


def test_empty_states_say_what_to_do(admin_client, workspace):
    empty = admin_client.get("/accounts/").content.decode()
    AccountFactory(workspace=workspace)
    no_match = admin_client.get("/accounts/?q=zzzz").content.decode()

    assert "No accounts yet" in empty
    assert "No accounts match these filters" in no_match


def test_account_page_shows_committee_team_and_opportunities(
    admin_client, workspace, admin_user, django_assert_max_num_queries
):
    account = AccountFactory(workspace=workspace, name="Initech", technologies=["Salesforce"])
    for i in range(8):
        ContactFactory(account=account, first_name=f"P{i}", buying_role="champion")
    AccountTeamMemberFactory(account=account, user=admin_user, team_role="sdr")
    OpportunityFactory(account=account, name="Initech expansion", status="won", amount=120000)

    with django_assert_max_num_queries(14):
        html = admin_client.get(f"/accounts/{account.pk}/").content.decode()

    for text in ("Initech", "Salesforce", "Champion", "Sales development rep", "Initech expansion", "Won"):
        assert text in html


def test_create_form_shows_validation_messages(admin_client, workspace):
    AccountFactory(workspace=workspace, domain="taken.com")

    response = admin_client.post("/accounts/new/", {"name": "", "domain": "taken.com", "country": "USA"})

    form = response.context["form"]
    assert response.status_code == 200
    assert "name" in form.errors and "country" in form.errors
    assert not Account.objects.filter(name="").exists()


def test_service_errors_land_on_the_form_field(admin_client, workspace):
    AccountFactory(workspace=workspace, domain="taken.com")

    response = admin_client.post(
        "/accounts/new/", {"name": "Dup", "domain": "https://www.taken.com", "lifecycle": "prospect"}
    )

    assert "Another account already uses the domain taken.com" in response.context["form"].errors["domain"][0]


def test_edit_saves_and_redirects_to_the_account(admin_client, workspace):
    account = AccountFactory(workspace=workspace, name="Old name")

    response = admin_client.post(
        f"/accounts/{account.pk}/edit/",
        {"name": "New name", "lifecycle": "customer", "technologies": "Snowflake, Slack", "country": "de"},
    )

    account.refresh_from_db()
    assert response.status_code == 302 and response.url == f"/accounts/{account.pk}/"
    assert (account.name, account.lifecycle, account.country) == ("New name", "customer", "DE")
    assert account.technologies == ["Slack", "Snowflake"]


def test_delete_asks_for_confirmation_first(admin_client, workspace):
    account = AccountFactory(workspace=workspace)

    confirm = admin_client.get(f"/accounts/{account.pk}/delete/")
    assert "cannot be undone" in confirm.content.decode()
    assert Account.objects.filter(pk=account.pk).exists()

    admin_client.post(f"/accounts/{account.pk}/delete/")
    assert not Account.objects.filter(pk=account.pk).exists()


def test_add_contact_and_team_member_from_the_account_page(admin_client, admin_user, workspace):
    account = AccountFactory(workspace=workspace)

    admin_client.post(
        f"/accounts/{account.pk}/contacts/new/",
        {"first_name": "Dana", "last_name": "Scully", "email": "DANA@Initech.com", "buying_role": "decision_maker"},
    )
    admin_client.post(f"/accounts/{account.pk}/team/new/", {"user": admin_user.pk, "team_role": "account_executive"})

    contact = account.contacts.get()
    assert contact.email == "dana@initech.com" and contact.buying_role == "decision_maker"
    assert account.team_members.get().user == admin_user


def test_pages_render_for_every_section(admin_client, workspace):
    for url in ("/personas/", "/personas/new/", "/content/", "/content/new/", "/analytics/", "/settings/"):
        assert admin_client.get(url).status_code == 200, url


def test_login_required(client):
    response = client.get("/accounts/")

    assert response.status_code == 302 and response.url.startswith("/login/")


def test_list_shows_engagement_with_the_one_number_format(admin_client, workspace):
    """Issue 11 item 8: thousands separators everywhere; the list printed 1614.4 where the tier board said 1,614.4."""
    AccountFactory(workspace=workspace, name="Busy", engagement_score=1614.44)

    page = admin_client.get("/accounts/").content.decode()
    board = admin_client.get("/accounts/tiers/").content.decode()

    assert "1,614.4" in page and "1614.4" not in page
    assert "1,614.4" in board
