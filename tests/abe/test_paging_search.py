"""The searched pager (``abe.paging.searched_page``): a page of a "contains" search read from the first rows of
the list in its sort order, stopping after the page, with a bounded count; the full query only for a term too
rare for the window. Every page must hold exactly the rows of the plain query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from abe.paging import bounded_page, searched_page
from accounts.filters import ACCOUNT_SORTS
from accounts.models import Account
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(workspace):
    """90 accounts: every third is a "Harbor", employees = position (so each sort is checkable), a few unknown."""
    for i in range(90):
        name = f"Harbor {i:02d}" if i % 3 == 0 else f"Other {i:02d}"
        AccountFactory(workspace=workspace, name=name, employees=None if i % 7 == 0 else i, city="Lyon")
    return Account.objects.for_workspace(workspace)


def _plain(base, search, sort):
    return list(base.filter(search).order_by(*ACCOUNT_SORTS[sort]).values_list("pk", flat=True))


@pytest.mark.parametrize("sort", ["name", "-name", "employees", "-employees", "-priority"])
@pytest.mark.parametrize("window", [5, 12, 40, 2000])
def test_every_page_holds_the_rows_of_the_plain_query(accounts, sort, window):
    search = Q(name__icontains="harbor")
    expected = _plain(accounts, search, sort)
    queryset = accounts.filter(search).order_by(*ACCOUNT_SORTS[sort])

    pages = [
        searched_page(queryset, base=accounts, search=search, number=n, per_page=7, window=window) for n in range(1, 6)
    ]

    assert [a.pk for p in pages for a in p.object_list] == expected
    assert [p.has_next for p in pages] == [True, True, True, True, False]


def test_a_frequent_term_reads_a_window_and_says_the_total_is_at_least(accounts):
    search = Q(name__icontains="harbor")  # every third account: 30 rows by employees hold a page of 7 and one more
    queryset = accounts.filter(search).order_by(*ACCOUNT_SORTS["employees"])

    with CaptureQueriesContext(connection) as ctx:
        page = searched_page(queryset, base=accounts, search=search, number=1, per_page=7, window=30)

    assert [a.pk for a in page] == _plain(accounts, search, "employees")[:7]
    assert page.total_capped and 7 < page.total < 30  # a lower bound ("N+"), not the 30 a full count gives
    assert len(ctx.captured_queries) == 3
    assert all("LIMIT 31" in q["sql"] for q in ctx.captured_queries[:2])  # never past the window


def test_a_list_the_window_holds_whole_has_an_exact_total(accounts):
    search = Q(name__icontains="harbor")
    queryset = accounts.filter(search).order_by(*ACCOUNT_SORTS["name"])

    page = searched_page(queryset, base=accounts, search=search, number=2, per_page=7, window=100)

    assert (page.total, page.total_capped, page.num_pages) == (30, False, 5)


def test_a_rare_term_falls_back_to_the_full_query_with_an_exact_total(accounts):
    search = Q(name__icontains="harbor 8")  # Harbor 81, 84, 87: far down the name order, past a 10-row window
    queryset = accounts.filter(search).order_by(*ACCOUNT_SORTS["name"])

    page = searched_page(queryset, base=accounts, search=search, number=1, per_page=7, window=10)

    assert [a.name for a in page] == ["Harbor 81", "Harbor 84", "Harbor 87"]
    assert (page.total, page.total_capped, page.has_next) == (3, False, False)


def test_no_match_is_an_empty_first_page(accounts):
    search = Q(name__icontains="nowhere")
    queryset = accounts.filter(search).order_by(*ACCOUNT_SORTS["name"])

    for window in (10, 1000):
        page = searched_page(queryset, base=accounts, search=search, number=3, per_page=7, window=window)
        assert (list(page), page.total, page.number) == ([], 0, 1)


@pytest.mark.parametrize("window", [10, 1000])
def test_a_page_past_the_end_of_a_search_shows_the_last_page(accounts, window):
    search = Q(name__icontains="harbor")
    queryset = accounts.filter(search).order_by(*ACCOUNT_SORTS["name"])

    page = searched_page(queryset, base=accounts, search=search, number=99, per_page=7, window=window)

    assert page.number == 5
    assert [a.name for a in page] == ["Harbor 84", "Harbor 87"]


def test_above_the_cap_the_total_is_the_cap_with_a_plus(accounts):
    search = Q(city__icontains="lyo")  # all 90
    queryset = accounts.filter(search).order_by(*ACCOUNT_SORTS["name"])

    page = searched_page(queryset, base=accounts, search=search, number=1, per_page=7, cap=20)

    assert (page.total, page.total_capped, page.num_pages) == (20, True, None)


def test_a_short_list_past_its_end_costs_two_queries(accounts):
    queryset = accounts.filter(name__startswith="Harbor").order_by("name", "id")

    with CaptureQueriesContext(connection) as ctx:
        page = bounded_page(queryset, number=9, per_page=7)

    assert page.number == 5 and [a.name for a in page] == ["Harbor 84", "Harbor 87"]
    assert len(ctx.captured_queries) == 2  # the bounded count first, then the last page


def test_the_accounts_list_search_pages_through_the_window(admin_client, accounts, monkeypatch):
    monkeypatch.setattr("abe.paging.SEARCH_WINDOW", 80)  # of 90: the first 80 by name hold all 30 Harbors

    first = admin_client.get("/accounts/?q=harbor&sort=name&per_page=25")
    second = admin_client.get("/accounts/?q=harbor&sort=name&page=2")

    assert [a.name for a in first.context["page_obj"]] == [f"Harbor {i:02d}" for i in range(0, 75, 3)]
    assert [a.name for a in second.context["page_obj"]] == [f"Harbor {i:02d}" for i in range(75, 90, 3)]
    assert "1–25 of 30+" in first.content.decode()  # at least 30: the window did not read the whole list
