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
