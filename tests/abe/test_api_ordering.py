"""``ordering`` on every list: the fields each list sorts by, and a 400 naming the field it does not know
(``abe.api.filters.StrictOrderingFilter``; DRF alone dropped an unknown field and answered 200 in the default order)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(workspace):
    account = AccountFactory(workspace=workspace)
    for last in ("Baker", "Adams", "Cole"):
        ContactFactory(account=account, last_name=last)


def _last_names(response):
    return [c["last_name"] for c in response.json()["results"]]


def test_a_listed_field_sorts_both_ways_and_an_empty_item_is_left_out(viewer_api, contacts):
    assert _last_names(viewer_api.get("/api/v1/contacts/?ordering=last_name")) == ["Adams", "Baker", "Cole"]
    assert _last_names(viewer_api.get("/api/v1/contacts/?ordering=-last_name")) == ["Cole", "Baker", "Adams"]
    assert _last_names(viewer_api.get("/api/v1/contacts/?ordering=-last_name,")) == ["Cole", "Baker", "Adams"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/contacts/?ordering=nonsense", "nonsense"),
        ("/api/v1/contacts/?ordering=last_name,-title", "-title"),  # a real column that is not listed
        ("/api/v1/contacts/?ordering=--last_name", "--last_name"),
        ("/api/v1/alerts/?ordering=account__name", "account__name"),
        ("/api/v1/tasks/?ordering=%C2%B2", "²"),
        ("/api/v1/accounts/?ordering=priority,nonsense", "nonsense"),
    ],
)
def test_a_field_the_list_does_not_sort_by_is_a_400_that_names_it_and_lists_the_fields(viewer_api, path, field):
    response = viewer_api.get(path)

    assert response.status_code == 400
    message = response.json()["ordering"][0]
    assert f"Unknown field to order by: {field}." in message
    valid = message.split("Use one of: ")[1]
    assert "created_at" in valid  # every one of these lists sorts by its creation time


def test_the_schema_lists_each_lists_fields_to_order_by(admin_api):
    schema = admin_api.get("/api/schema/?format=json").json()

    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/contacts/"]["get"]["parameters"]}
    description = parameters["ordering"]["description"]
    assert "`last_name`" in description and "`engagement_score`" in description and "400" in description


@pytest.fixture
def contacts_ordering_pattern(admin_api):
    schema = admin_api.get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/contacts/"]["get"]["parameters"]}
    return parameters["ordering"]["schema"]["pattern"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.lists(
        st.sampled_from(["last_name", "-email", "created_at", "title", "-", "--email", "", " ", "\t", "\u00a0", "x"]),
        max_size=4,
    ).map(lambda parts: ",".join(parts) if len(parts) % 2 else "".join(parts))
)
def test_the_schema_pattern_says_which_orderings_the_list_accepts(viewer_api, contacts_ordering_pattern, value):
    # The contract check (schemathesis) sends values the pattern allows and expects no 400, and values it does not
    # allow and expects one: the pattern and the filter must agree on every value.
    response = viewer_api.get("/api/v1/contacts/", {"ordering": value})

    matches = re.search(contacts_ordering_pattern, value) is not None
    assert response.status_code == (200 if matches else 400), (value, response.content[:200])
