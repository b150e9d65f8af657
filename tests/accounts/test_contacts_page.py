"""The contacts page (``/accounts/contacts/``): every contact of the workspace across its accounts, the most engaged
first, searched and filtered by the account's tier and the committee seat, in pages, and exported as filtered."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from personas.models import Persona
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(workspace):
    strategic = AccountFactory(workspace=workspace, name="Initech", tier="strategic")
    standard = AccountFactory(workspace=workspace, name="Retail Co", tier="standard")
    leader = Persona.objects.create(workspace=workspace, name="Finance leader")
    ContactFactory(
        account=strategic,
        first_name="Ana",
        last_name="Ruiz",
        email="ana@initech.example",
        title="CFO",
        buying_role="economic_buyer",
        seniority="c_level",
        department="finance",
        persona=leader,
        engagement_score=80.0,
        last_engaged_at=datetime(2026, 11, 30, tzinfo=UTC),
    )
    ContactFactory(
        account=strategic,
        first_name="Ben",
        last_name="Ode",
        email="ben@initech.example",
        title="IT Manager",
        buying_role="technical_evaluator",
        seniority="manager",
        department="it",
        engagement_score=20.0,
    )
    ContactFactory(
        account=standard, first_name="Carla", last_name="Sol", email="carla@retail.example", engagement_score=50.0
    )
    ContactFactory(
        account=standard, first_name="Dan", last_name="Gone", email="dan@retail.example", left_at=date(2026, 1, 1)
    )
    return strategic


def _names(response) -> list[str]:
    body = response.content.decode()
    table = body[body.index('id="contacts"') :]
    return [name for name in ("Ana Ruiz", "Ben Ode", "Carla Sol", "Dan Gone") if name in table]


def _order(response) -> list[str]:
    body = response.content.decode()
    return sorted(_names(response), key=body.index)


def test_the_most_engaged_contacts_of_every_account_come_first(client, viewer_user, people):
    client.force_login(viewer_user)

    response = client.get("/accounts/contacts/")

    assert response.status_code == 200
    assert _order(response) == ["Ana Ruiz", "Carla Sol", "Ben Ode"]  # Dan left the company
    assert "Finance leader" in response.content.decode()
    assert 'href="/accounts/contacts/"' in client.get("/accounts/").content.decode()  # from the accounts list
    assert _order(client.get("/accounts/contacts/?sort=name")) == ["Ben Ode", "Ana Ruiz", "Carla Sol"]
    assert _order(client.get("/accounts/contacts/?sort=account")) == ["Ben Ode", "Ana Ruiz", "Carla Sol"]
    assert _names(client.get("/accounts/contacts/?left=on")) == ["Ana Ruiz", "Ben Ode", "Carla Sol", "Dan Gone"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("tier=strategic", ["Ana Ruiz", "Ben Ode"]),
        ("buying_role=technical_evaluator", ["Ben Ode"]),
        ("seniority=c_level", ["Ana Ruiz"]),
        ("department=it", ["Ben Ode"]),
        ("q=cfo", ["Ana Ruiz"]),
        ("q=retail.example", ["Carla Sol"]),
        ("tier=strategic&department=finance", ["Ana Ruiz"]),
    ],
)
def test_each_filter_keeps_its_contacts(client, viewer_user, people, query, names):
    client.force_login(viewer_user)

    assert _names(client.get(f"/accounts/contacts/?{query}")) == names


def test_the_persona_filter(client, viewer_user, people, workspace):
    client.force_login(viewer_user)
    leader = Persona.objects.for_workspace(workspace).get()

    assert _names(client.get(f"/accounts/contacts/?persona={leader.pk}")) == ["Ana Ruiz"]


@pytest.mark.parametrize("query", ["tier=bogus", "sort=zzz", "persona=999999", "buying_role=%00", "page=abc", "q=%00"])
def test_a_bad_value_is_ignored_and_named_never_an_error(client, viewer_user, people, query):
    client.force_login(viewer_user)

    response = client.get(f"/accounts/contacts/?{query}")

    assert response.status_code == 200
    assert _names(response) == ["Ana Ruiz", "Ben Ode", "Carla Sol"]
    if not query.startswith("q="):
        assert 'id="ignored-params"' in response.content.decode()


def test_no_match_and_no_contacts_say_so(client, viewer_user, workspace):
    client.force_login(viewer_user)

    assert "No contacts yet." in client.get("/accounts/contacts/").content.decode()
    assert "No contact matches these filters." in client.get("/accounts/contacts/?q=nobody").content.decode()


def test_page_two_holds_the_rest_and_the_queries_do_not_grow(client, viewer_user, people):
    client.force_login(viewer_user)
    client.get("/accounts/contacts/")
    with CaptureQueriesContext(connection) as few:
        client.get("/accounts/contacts/")
    for i in range(30):
        ContactFactory(account=people, first_name="Zed", last_name=f"Extra{i:02}", engagement_score=10.0 - i / 100)
    with CaptureQueriesContext(connection) as many:
        first = client.get("/accounts/contacts/").content.decode()
    second = client.get("/accounts/contacts/?page=2").content.decode()

    assert len(many) == len(few)
    assert "Extra21" in first and "Extra22" not in first  # 25 a page: Ana, Carla, Ben, then 22 of the 30
    assert "Extra22" in second and "Extra29" in second and "Ana Ruiz" not in second


def test_the_export_holds_the_filtered_contacts(client, viewer_user, people):
    client.force_login(viewer_user)

    page = client.get("/accounts/contacts/?tier=strategic").content.decode()
    response = client.get("/accounts/contacts/?tier=strategic&export=contacts")

    assert 'href="?tier=strategic&amp;export=contacts"' in page
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r["email"] for r in rows] == ["ben@initech.example", "ana@initech.example"]  # by account, then name


def test_the_tier_pills_read_without_their_audience_in_every_language(client, viewer_user, people):
    from abe.models import UserPreference

    UserPreference.objects.update_or_create(user=viewer_user, defaults={"language": "es"})
    client.force_login(viewer_user)

    for url in ("/accounts/contacts/", "/accounts/", "/accounts/tiers/?tier=standard"):
        body = client.get(url).content.decode()
        rows = body[body.index("<tbody") :]
        assert ">Estándar</span>" in rows and "(1:muchos)" not in rows, url
