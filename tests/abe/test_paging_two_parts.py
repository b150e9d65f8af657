"""Ascending sorts on a nullable column with one index (``abe.paging.AscendingInTwoParts``): the accounts with a
value, then those without, each read as one range of ``(workspace, column DESC NULLS LAST, id DESC)`` backwards.
Every page must hold exactly the rows of the plain ``ORDER BY column ASC NULLS LAST, id``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from abe.paging import AscendingInTwoParts, bounded_page, ordered_rows
from accounts.filters import ACCOUNT_SORTS
from accounts.models import Account
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

NULLABLE_SORTS = {
    "priority": "priority",
    "fit": "fit_score",
    "win": "win_probability",
    "employees": "employees",
    "revenue": "annual_revenue",
    "momentum": "engagement_momentum",
}


@pytest.fixture
def accounts(workspace):
    """40 accounts; every nullable sort column unknown on every fourth, with ties (values repeat every 9)."""
    for i in range(40):
        value = None if i % 4 == 0 else (i * 7) % 9
        AccountFactory(
            workspace=workspace,
            name=f"Account {i:02d}",
            priority=value,
            fit_score=value,
            win_probability=None if value is None else value / 10,
            employees=value,
            annual_revenue=value,
            engagement_momentum=value,
        )
    return Account.objects.for_workspace(workspace)


def _plain(accounts, column):
    return list(accounts.order_by(F(column).asc(nulls_last=True), "id").values_list("pk", flat=True))


@pytest.mark.parametrize("sort", sorted(NULLABLE_SORTS))
def test_every_page_of_an_ascending_sort_holds_the_rows_of_the_plain_query(accounts, sort):
    queryset = accounts.order_by(*ACCOUNT_SORTS[sort])
    assert isinstance(queryset.query.order_by[0], AscendingInTwoParts)

    pages = [bounded_page(queryset, number=n, per_page=7) for n in range(1, 7)]

    assert [a.pk for p in pages for a in p.object_list] == _plain(accounts, NULLABLE_SORTS[sort])
    assert [p.has_next for p in pages] == [True] * 5 + [False]


@pytest.mark.parametrize("start, stop", [(0, 5), (25, 32), (29, 31), (30, 33), (31, 40), (35, 50), (45, 50), (0, 0)])
def test_any_slice_crossing_into_the_unknown_values_is_the_plain_slice(accounts, start, stop):
    # 30 accounts have a value, 10 have none: the slices start and end on both sides of that boundary.
    queryset = accounts.order_by(*ACCOUNT_SORTS["priority"])

    rows = ordered_rows(queryset, start, stop)

    assert [a.pk for a in rows] == _plain(accounts, "priority")[start:stop]


def test_a_first_page_among_known_values_costs_the_usual_two_queries(accounts):
    queryset = accounts.order_by(*ACCOUNT_SORTS["employees"])

    with CaptureQueriesContext(connection) as ctx:
        page = bounded_page(queryset, number=1, per_page=25)

    assert len(page.object_list) == 25
    assert len(ctx.captured_queries) == 2  # the bounded count, then the page


def test_other_orderings_are_read_as_one_query(accounts):
    queryset = accounts.order_by(*ACCOUNT_SORTS["-priority"])

    with CaptureQueriesContext(connection) as ctx:
        rows = ordered_rows(queryset, 28, 40)

    assert [a.pk for a in rows] == list(queryset.values_list("pk", flat=True))[28:40]
    assert len(ctx.captured_queries) == 1


def _sorts_in_plans(queries) -> list[str]:
    """The plans of the account queries among ``queries`` that sort rows (with sorting priced out, so a plan
    sorts only when no index gives the order)."""
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or "ORDER BY" not in sql or 'FROM "accounts_account"' not in sql:
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            if "Sort" in plan:
                plans.append(plan)
    return plans


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize("sort", sorted(NULLABLE_SORTS))
def test_both_directions_of_a_nullable_sort_read_its_one_index_without_sorting(admin_client, accounts, sort):
    for key in (sort, "-" + sort):
        with CaptureQueriesContext(connection) as ctx:
            for number in (1, 5):  # among the known values, then across into the unknown ones
                response = admin_client.get(f"/accounts/?sort={key}&per_page=25&page={number}")
                assert response.status_code == 200

        assert _sorts_in_plans(ctx.captured_queries) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_the_api_pages_an_ascending_nullable_sort_in_two_parts(admin_api, accounts):
    with CaptureQueriesContext(connection) as ctx:
        first = admin_api.get("/api/v1/accounts/?sort=priority&page_size=25")
        second = admin_api.get("/api/v1/accounts/?sort=priority&page_size=25&page=2")

    assert [a["id"] for a in first.json()["results"] + second.json()["results"]] == _plain(accounts, "priority")
    assert _sorts_in_plans(ctx.captured_queries) == []
