"""Saved views and column choices come from a versioned cache (accounts.selectors.list_settings) that every
change drops after its commit: a saved, shared or deleted view and a column choice show at once, for the person
who made them and for everyone a shared view concerns; a copy read before a change is never served after it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import selectors

pytestmark = pytest.mark.django_db


def _save(client, name, *, shared=False, listing="accounts"):
    data = {"name": name, "list": listing, "query": "industry=Retail"}
    if shared:
        data["shared"] = "on"
    assert client.post(reverse("accounts:saved_view_save"), data).status_code == 302


@pytest.mark.parametrize("url", ["/accounts/", "/accounts/tiers/"])
def test_a_second_list_request_reads_neither_the_views_nor_the_columns(
    url, admin_client, workspace, django_capture_on_commit_callbacks
):
    def settings_reads():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        sql = [q["sql"] for q in captured.captured_queries]
        return [q for q in sql if '"accounts_savedview"' in q or '"accounts_columnchoice"' in q], len(sql)

    settings_reads()  # the workspace's other cached reads (stats, ICP) stored
    with django_capture_on_commit_callbacks(execute=True):
        selectors.list_settings_invalidate(workspace=workspace)
    first, first_count = settings_reads()
    second, second_count = settings_reads()

    assert len(first) == 2 and second == []
    assert second_count == first_count - 2


def test_saved_shared_and_deleted_views_show_at_once(
    client, admin_user, sales_user, workspace, django_capture_on_commit_callbacks
):
    client.force_login(sales_user)
    assert ">Team retail" not in client.get("/accounts/").content.decode()  # cached for sales
    client.force_login(admin_user)
    assert ">Team retail" not in client.get("/accounts/").content.decode()  # and for the admin

    with django_capture_on_commit_callbacks(execute=True):
        _save(client, "Team retail", shared=True)
    assert ">Team retail" in client.get("/accounts/").content.decode()
    client.force_login(sales_user)
    assert ">Team retail" in client.get("/accounts/").content.decode()  # a shared view shows to everyone at once

    client.force_login(admin_user)
    view = selectors.saved_view_list(workspace=workspace, user=admin_user).get(name="Team retail")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:saved_view_delete", args=[view.pk]))
    assert ">Team retail" not in client.get("/accounts/").content.decode()
    client.force_login(sales_user)
    assert ">Team retail" not in client.get("/accounts/").content.decode()


def test_a_column_choice_shows_at_once(admin_client, django_capture_on_commit_callbacks):
    assert 'data-hidden=""' in admin_client.get("/accounts/tiers/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post("/accounts/columns/tier_board/", {"hidden": "industry,country"}).status_code == 204

    assert 'data-hidden="industry,country"' in admin_client.get("/accounts/tiers/").content.decode()


def test_a_copy_read_before_a_change_is_not_served_after_it(
    admin_client, admin_user, workspace, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    admin_client.get("/accounts/")
    version_key = selectors._list_settings_version_key(workspace)
    data_key = f"{version_key[: -len(':version')]}:{admin_user.pk}:accounts"
    stale = cache.get(data_key)
    assert stale is not None and stale[1][0] == []
    with django_capture_on_commit_callbacks(execute=True):
        _save(admin_client, "Fresh")
    cache.set(data_key, stale, 300)  # a reader that read the database before that commit stores its copy now

    assert ">Fresh" in admin_client.get("/accounts/").content.decode()
