"""Saved views: name the current filters, sort and columns of the accounts list or the tier board; private or
shared; own URL; shown beside the list; other apps resolve one into accounts with ``saved_view_accounts``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import SavedView
from accounts.selectors import saved_view_accounts
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_save_open_and_resolve_a_view(admin_client, admin_user, workspace):
    for i in range(3):
        AccountFactory(workspace=workspace, name=f"Harbor {i}", industry="Retail", employees=i)
    AccountFactory(workspace=workspace, name="Quay", industry="Retail")

    saved = admin_client.post(
        reverse("accounts:saved_view_save"),
        {
            "name": "Retail harbors",
            "list": "tier_board",
            "query": "q=harbor&industry=Retail&sort=-employees&page=3",
            "hidden_columns": "industry,country",
            "shared": "on",
        },
    )
    view = SavedView.objects.get()
    opened = admin_client.get(reverse("accounts:saved_view", args=[view.pk]), follow=True)

    assert saved.status_code == 302 and view.query == "q=harbor&industry=Retail&sort=-employees"
    assert view.hidden_columns == ["industry", "country"] and view.shared
    assert [a.name for a in opened.context["page_obj"]] == ["Harbor 2", "Harbor 1", "Harbor 0"]
    html = opened.content.decode()
    assert "Retail harbors" in html and 'id="current-view-columns"' in html
    names = [a.name for a in saved_view_accounts(workspace=workspace, user=admin_user, view=view.pk)]
    assert names == ["Harbor 2", "Harbor 1", "Harbor 0"]


def test_private_views_stay_private_and_shared_ones_show_to_everyone(client, admin_user, sales_user, workspace):
    private = SavedView.objects.create(workspace=workspace, owner=admin_user, name="Mine", list_name="accounts")
    shared = SavedView.objects.create(
        workspace=workspace, owner=admin_user, name="Team", list_name="accounts", shared=True, query="owner=me"
    )
    AccountFactory(workspace=workspace, name="Sales account", owner=sales_user)
    AccountFactory(workspace=workspace, name="Admin account", owner=admin_user)
    client.force_login(sales_user)

    page = client.get(reverse("accounts:list")).content.decode()

    assert ">Team" in page and ">Mine<" not in page
    assert client.get(reverse("accounts:saved_view", args=[private.pk])).status_code == 404
    assert client.post(reverse("accounts:saved_view_delete", args=[shared.pk])).status_code == 302
    assert SavedView.objects.filter(pk=shared.pk).exists()  # only its owner deletes it
    with pytest.raises(SavedView.DoesNotExist):
        saved_view_accounts(workspace=workspace, user=sales_user, view=private)
    # "my accounts" in a shared view means the reader's
    assert [a.name for a in saved_view_accounts(workspace=workspace, user=sales_user, view=shared)] == ["Sales account"]


def test_a_view_needs_a_name(admin_client):
    response = admin_client.post(
        reverse("accounts:saved_view_save"), {"name": " ", "list": "accounts", "query": ""}, follow=True
    )

    assert "Name the view." in [str(m) for m in response.context["messages"]]
    assert not SavedView.objects.exists()


def test_column_choice_is_saved_per_user_on_the_server(client, admin_user, sales_user, workspace):
    from accounts.models import ColumnChoice

    client.force_login(admin_user)
    saved = client.post("/accounts/columns/tier_board/", {"hidden": "industry,country"})
    assert saved.status_code == 204
    assert 'data-hidden="industry,country"' in client.get("/accounts/tiers/").content.decode()
    client.force_login(sales_user)  # another person keeps every column
    assert 'data-hidden=""' in client.get("/accounts/tiers/").content.decode()
    assert ColumnChoice.objects.get(user=admin_user).hidden_columns == ["industry", "country"]


def test_bad_column_choices_are_a_400(client, viewer_user):
    client.force_login(viewer_user)
    assert client.post("/accounts/columns/tier_board/", {"hidden": "salary"}).status_code == 400
    assert client.post("/accounts/columns/nowhere/", {"hidden": ""}).status_code == 400
    every = ",".join(["tier", "stage", "engagement", "momentum", "owner", "priority", "fit", "grade", "win"])
    every += ",employees,revenue,lifecycle,industry,country"
    assert client.post("/accounts/columns/tier_board/", {"hidden": every}).status_code == 400
    assert client.post("/accounts/columns/tier_board/", {"hidden": "industry"}).status_code == 204  # viewers too


def test_opening_a_saved_view_applies_its_columns(client, admin_user, workspace):
    from accounts.models import ColumnChoice
    from accounts.services import saved_view_save

    view = saved_view_save(
        workspace=workspace, owner=admin_user, name="Lean", list_name="tier_board", query="", hidden_columns=["win"]
    )
    client.force_login(admin_user)
    client.get(f"/accounts/views/{view.pk}/")

    assert ColumnChoice.objects.get(user=admin_user, list_name="tier_board").hidden_columns == ["win"]
