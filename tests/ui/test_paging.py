"""The shared pager: page 2 of a filtered, sorted list holds exactly the expected rows on every paginated list,
its links keep every filter and the sort, never start with ``??``, and the chosen page size sticks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ImportJob
from activation.models import Alert, AlertRecipient
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _links(html: str) -> list[str]:
    """The links of the pager (previous, next, page sizes)."""
    pager = html[html.index('<nav class="pager"') :]
    pager = pager[: pager.index("</nav>")]
    return re.findall(r'(?:href|hx-get)="([^"]*)"', pager)


def _accounts(workspace, n: int = 60, **fields):
    """``n`` accounts named "Harbor NN" with employees = NN (so the sort is checkable) plus noise."""
    made = [
        AccountFactory(workspace=workspace, name=f"Harbor {i:02d}", employees=i, industry="Software", **fields)
        for i in range(n)
    ]
    for i in range(15):
        AccountFactory(workspace=workspace, name=f"Other {i:02d}", employees=1000 + i, industry="Software", **fields)
    return made


def test_accounts_page_2_of_a_search_sorted_by_employees(admin_client, workspace):
    _accounts(workspace)

    response = admin_client.get("/accounts/?q=harbor&sort=-employees&page=2")

    html = response.content.decode()
    names = [a.name for a in response.context["page_obj"]]
    assert names == [f"Harbor {i:02d}" for i in range(34, 9, -1)]
    assert "26–50 of 60" in html
    assert "??" not in html
    assert len(_links(html)) >= 2
    for link in _links(html):
        assert link.startswith("?") and "q=harbor" in link and "sort=-employees" in link


def test_accounts_page_size_is_chosen_and_remembered(admin_client, workspace):
    _accounts(workspace)

    first = admin_client.get("/accounts/?q=harbor&sort=employees&per_page=50")
    later = admin_client.get("/accounts/?q=harbor&sort=employees&page=2")

    assert len(first.context["page_obj"]) == 50
    assert [a.name for a in later.context["page_obj"]] == [f"Harbor {i:02d}" for i in range(50, 60)]


def test_accounts_htmx_page_swaps_the_table_and_keeps_the_sort_field(admin_client, workspace):
    _accounts(workspace)

    response = admin_client.get("/accounts/?q=harbor&sort=-employees&page=2", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html and 'hx-target="#account-results"' in html and 'hx-push-url="true"' in html
    assert 'id="id_sort" value="-employees" hx-swap-oob="true"' in html


def test_tier_board_page_2_of_a_filtered_sorted_board(admin_client, workspace):
    _accounts(workspace, tier="priority")
    AccountFactory(workspace=workspace, name="Harbor strategic", employees=5, tier="strategic")

    response = admin_client.get("/accounts/tiers/?q=harbor&tier=priority&sort=employees&per_page=25&page=2")

    html = response.content.decode()
    assert [a.name for a in response.context["page_obj"]] == [f"Harbor {i:02d}" for i in range(25, 50)]
    assert "26–50 of 60" in html and "??" not in html
    assert len(_links(html)) >= 2
    for link in _links(html):
        assert "q=harbor" in link and "tier=priority" in link and "sort=employees" in link


def _alert(workspace, user, n: int, severity: str, title: str) -> Alert:
    alert = Alert.objects.create(
        workspace=workspace,
        dedupe_key=f"k{n}",
        severity=severity,
        title=title,
        message="why",
        created_at=timezone.now() - timedelta(minutes=n),
    )
    AlertRecipient.objects.create(workspace=workspace, alert=alert, user=user)
    return alert


def test_alert_inbox_page_2_of_a_search(admin_client, admin_user, workspace):
    for n in range(40):
        _alert(workspace, admin_user, n, "medium", f"Harbor alert {n:02d}")
    for n in range(40, 50):
        _alert(workspace, admin_user, n, "medium", f"Other alert {n:02d}")

    response = admin_client.get(reverse("activation:inbox") + "?q=harbor&severity=medium&page=2")

    html = response.content.decode()
    assert [a.title for a in response.context["page_obj"]] == [f"Harbor alert {n:02d}" for n in range(25, 40)]
    assert "26–40 of 40" in html and "??" not in html
    assert len(_links(html)) >= 2
    for link in _links(html):
        assert "q=harbor" in link and "severity=medium" in link


def test_import_list_pages(admin_client, admin_user, workspace):
    for n in range(30):
        ImportJob.objects.create(
            workspace=workspace, kind="accounts", filename=f"file-{n:02d}.csv", created_by=admin_user
        )

    response = admin_client.get(reverse("accounts:import") + "?page=2")

    assert len(response.context["page_obj"]) == 5
    assert "26–30 of 30" in response.content.decode()


def test_import_report_pages_its_rejected_rows(admin_client, admin_user, workspace):
    job = ImportJob.objects.create(
        workspace=workspace,
        kind="accounts",
        filename="f.csv",
        created_by=admin_user,
        status="done",
        rejected=120,
        errors=[{"line": n, "reason": f"bad {n}"} for n in range(2, 122)],
    )

    admin_user.first_name, admin_user.last_name = "Ada", "Admin"
    admin_user.save()
    response = admin_client.get(reverse("accounts:import_detail", args=[job.pk]) + "?page=2")

    html = response.content.decode()
    assert [e["line"] for e in response.context["page_obj"]] == list(range(52, 102))
    assert 'hx-select="#import-report"' in html and "51–100 of 120" in html
    # the uploader by name, as on every other page (it showed the username)
    assert "by Ada Admin</div>" in html


class _SqlLog:
    """Every statement run while inside (through an execute wrapper, whatever the request signals do)."""

    def __enter__(self):
        from django.db import connection

        self.sql: list[str] = []
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def _count_queries(sql: list[str]) -> list[str]:
    return [q for q in sql if q.lstrip().upper().startswith("SELECT COUNT(")]


def test_a_long_list_counts_at_most_the_cap_and_says_so(admin_client, workspace, monkeypatch):
    """Above ``COUNT_CAP`` matching rows the pager says "N+" and has no page count: the count query stops at the
    cap (``LIMIT cap + 1``) instead of reading every matching row, and "Next" still works."""
    monkeypatch.setattr("abe.paging.COUNT_CAP", 50)
    _accounts(workspace)  # 60 Harbor + 15 others

    with _SqlLog() as log:
        response = admin_client.get("/accounts/?industry=Software&sort=employees&employees_max=999")
    page3 = admin_client.get("/accounts/?industry=Software&sort=employees&employees_max=999&page=3")

    html = response.content.decode()
    assert "1–25 of 50+" in html and "Page 1 of" not in html and 'rel="next"' in html
    counts = _count_queries(log.sql)
    assert len(counts) == 1 and "LIMIT 51" in counts[0]
    assert [a.name for a in page3.context["page_obj"]] == [f"Harbor {i:02d}" for i in range(50, 60)]
    assert "51–60 of 60" in page3.content.decode() and 'rel="next"' not in page3.content.decode()


def test_a_page_past_the_end_shows_the_last_page(admin_client, workspace):
    _accounts(workspace)

    response = admin_client.get("/accounts/?q=harbor&sort=employees&page=99")

    assert [a.name for a in response.context["page_obj"]] == [f"Harbor {i:02d}" for i in range(50, 60)]
    assert "51–60 of 60" in response.content.decode()


def test_accounts_list_and_board_read_the_same_number_of_queries_at_any_size(admin_client, workspace):
    def queries(url: str) -> int:
        admin_client.get(url)  # the cached workspace stats, the session
        with _SqlLog() as log:
            assert admin_client.get(url).status_code == 200
        return len(log.sql)

    urls = ["/accounts/?sort=-employees", "/accounts/?industry=Software&page=2", "/accounts/tiers/?grade=A&page=2"]
    _accounts(workspace, fit_grade="A")
    small = [queries(url) for url in urls]
    _accounts(workspace, fit_grade="A")
    _accounts(workspace, fit_grade="A")

    assert [queries(url) for url in urls] == small


def _pager_count(html: str) -> str:
    pager = html[html.index('<nav class="pager"') :]
    return pager[pager.index('<span class="pager-count">') + 26 : pager.index("</span>")]


@pytest.mark.parametrize("page", ["tasks", "products", "post_sale", "pareto"])
def test_every_list_with_the_shared_pager_takes_the_page_sizes_it_offers(admin_client, workspace, page):
    """The pager offers 25 · 50 · 100 a page on every list; these pages cut fixed pages and ignored the choice."""
    import datetime as dt

    from tests.factories import OpportunityFactory, ProductFactory
    from work.services import task_create

    today = timezone.localdate()
    account = AccountFactory(workspace=workspace, lifecycle="customer")
    if page == "tasks":
        for i in range(60):
            task_create(workspace=workspace, title=f"Call {i:02d}", account=account)
        url = "/tasks/?scope=all"
    elif page == "products":
        for i in range(60):
            ProductFactory(workspace=workspace, name=f"Product {i:02d}")
        url = "/key-accounts/products/"
    elif page == "post_sale":
        for i in range(60):
            OpportunityFactory(
                account=account,
                status="won",
                contract_end=today + dt.timedelta(days=1 + i),
                close_date=today - dt.timedelta(days=10),
                created_date=today - dt.timedelta(days=40),
            )
        url = "/key-accounts/post-sale/"
    else:
        for i in range(60):
            OpportunityFactory(
                account=AccountFactory(workspace=workspace),
                amount=1000 + i,
                status="won",
                close_date=today - dt.timedelta(days=30),
                created_date=today - dt.timedelta(days=60),
            )
        url = "/key-accounts/pareto/"
    joiner = "&" if "?" in url else "?"

    sizes = {n: _pager_count(admin_client.get(f"{url}{joiner}per_page={n}").content.decode()) for n in (25, 100)}
    remembered = _pager_count(admin_client.get(f"{url}{joiner}page=2").content.decode())

    assert sizes == {25: "1–25 of 60", 100: "1–60 of 60"}
    assert remembered == "1–60 of 60"  # the size chosen last is kept; 60 rows fit on page 1, so page 2 shows it
