import pytest
from django.db import connection

from accounts.models import Account
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_create_account_normalises_domain_and_returns_it(marketing_api, workspace):
    response = marketing_api.post(
        "/api/v1/accounts/", {"name": "Globex", "domain": "https://WWW.Globex.com/about"}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["domain"] == "globex.com"
    assert Account.objects.for_workspace(workspace).get().domain == "globex.com"


def test_duplicate_domain_is_a_field_error_not_a_500(marketing_api, workspace):
    AccountFactory(workspace=workspace, domain="globex.com")

    response = marketing_api.post("/api/v1/accounts/", {"name": "Globex 2", "domain": "globex.com"}, format="json")

    assert response.status_code == 400
    assert "domain" in response.json()


def test_bad_input_gives_field_level_errors(marketing_api):
    response = marketing_api.post(
        "/api/v1/accounts/", {"name": "", "employees": "many", "lifecycle": "zombie"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) >= {"name", "employees", "lifecycle"}


def test_list_filters_searches_orders_and_paginates(viewer_api, workspace):
    AccountFactory(workspace=workspace, name="Alpha", industry="Software", employees=10)
    AccountFactory(workspace=workspace, name="Beta", industry="Retail", employees=900)
    AccountFactory(workspace=workspace, name="Gamma", industry="Software", employees=300)

    filtered = viewer_api.get("/api/v1/accounts/?industry=Software&ordering=-employees").json()
    searched = viewer_api.get("/api/v1/accounts/?search=bet").json()
    paged = viewer_api.get("/api/v1/accounts/?page_size=2").json()

    assert [a["name"] for a in filtered["results"]] == ["Gamma", "Alpha"]
    assert [a["name"] for a in searched["results"]] == ["Beta"]
    assert paged["count"] == 3 and len(paged["results"]) == 2 and paged["next"]


def test_list_query_count_does_not_grow_with_rows(viewer_api, workspace, django_assert_max_num_queries):
    for _ in range(30):
        ContactFactory(account=AccountFactory(workspace=workspace))

    with django_assert_max_num_queries(8):
        response = viewer_api.get("/api/v1/accounts/?page_size=30")

    assert response.status_code == 200 and len(response.json()["results"]) == 30


def test_ordering_by_one_field_sorts_as_its_sort_key_through_the_ranking_copy(viewer_api, workspace):
    # given accounts with and without a priority
    for name, priority in (("Low", 10.0), ("High", 90.0), ("Unknown", None), ("Mid", 50.0)):
        AccountFactory(workspace=workspace, name=name, priority=priority)
    # when the API is ordered by priority, both ways
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        down = viewer_api.get("/api/v1/accounts/?ordering=-priority").json()["results"]
    up = viewer_api.get("/api/v1/accounts/?ordering=priority").json()["results"]
    # then it is the board's sort by priority: unknown last both ways, read from the ranking copy (its index)
    assert [a["name"] for a in down] == ["High", "Mid", "Low", "Unknown"]
    assert [a["name"] for a in up] == ["Low", "Mid", "High", "Unknown"]
    listing = [sql for sql in statements if "ORDER BY" in sql and "accounts_account" in sql]
    assert listing and all("accounts_accountrank" in sql for sql in listing)
    # and the same as ``sort=``; an ordering by several fields is still DRF's; an unknown field is a 400
    assert [a["name"] for a in viewer_api.get("/api/v1/accounts/?sort=-priority").json()["results"]] == [
        a["name"] for a in down
    ]
    several = viewer_api.get("/api/v1/accounts/?ordering=-name,priority").json()["results"]
    assert [a["name"] for a in several] == ["Unknown", "Mid", "Low", "High"]
    bogus = viewer_api.get("/api/v1/accounts/?ordering=nonsense")
    assert bogus.status_code == 400
    assert "nonsense" in bogus.json()["ordering"][0] and "win_probability" in bogus.json()["ordering"][0]
