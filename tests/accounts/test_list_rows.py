"""The accounts page and the accounts API read their rows without joining each account's parent (they show only
its id), and without a query per row (``accounts.selectors.account_rows``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _page_queries(captured) -> list[str]:
    return [
        q["sql"] for q in captured.captured_queries if 'FROM "accounts_account"' in q["sql"] and "LIMIT" in q["sql"]
    ]


def _children(workspace, parent, n):
    return [AccountFactory(workspace=workspace, name=f"Child {parent.name} {i}", parent=parent) for i in range(n)]


@pytest.mark.parametrize("url", ["/api/v1/accounts/?page_size=100", "/accounts/?per_page=100"])
def test_rows_do_not_join_the_parent_or_read_it_per_row(url, admin_client, admin_api, workspace):
    client = admin_api if url.startswith("/api/") else admin_client
    first = AccountFactory(workspace=workspace, name="First parent")
    _children(workspace, first, 2)
    client.get(url)  # the workspace's cached stats (filter menus) are read once, then cached
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    second = AccountFactory(workspace=workspace, name="Second parent")
    _children(workspace, second, 6)

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    pages = _page_queries(many)
    assert pages and not any('JOIN "accounts_account"' in sql for sql in pages)
    if url.startswith("/api/"):
        parents = sorted(a["parent"] for a in response.json()["results"] if a["parent"])
        assert parents == [first.pk] * 2 + [second.pk] * 6
    else:
        assert "Child Second parent 5" in response.content.decode()


def test_the_api_gives_owners_by_id_without_joining_them_and_its_export_names_them(
    admin_api, workspace, admin_user, sales_user
):
    for i in range(3):
        AccountFactory(workspace=workspace, name=f"Owned {i}", owner=sales_user if i else admin_user)
    AccountFactory(workspace=workspace, name="Nobody's")

    with CaptureQueriesContext(connection) as listed:
        response = admin_api.get("/api/v1/accounts/?page_size=100&ordering=name")
    with CaptureQueriesContext(connection) as exported:
        export = admin_api.get("/api/v1/accounts/export/?ordering=name")

    owners = {a["name"]: a["owner"] for a in response.json()["results"]}
    assert owners == {"Nobody's": None, "Owned 0": admin_user.pk, "Owned 1": sales_user.pk, "Owned 2": sales_user.pk}
    assert not any('"auth_user"' in sql for sql in _page_queries(listed))
    csv = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert sales_user.username in csv or sales_user.get_full_name() in csv
    assert not [q for q in exported.captured_queries if 'FROM "auth_user"' in q["sql"] and "LIMIT 21" in q["sql"]]
