"""The accounts list exports the contacts of the accounts its filters keep ("Export contacts"): the buying committees
of a tier, an industry or a saved view, for a campaign in another tool. The neutral file is the contacts import's own
format (it re-imports as is); in another language the headers and the buying roles read in it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from abe.models import UserPreference
from accounts.imports.export import CONTACT_COLUMNS
from accounts.imports.services import import_file
from personas.models import Persona
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    delimiter = ";" if ";" in body.splitlines()[0] else ","
    return list(csv.reader(io.StringIO(body), delimiter=delimiter))


@pytest.fixture
def committees(workspace):
    software = AccountFactory(workspace=workspace, name="Initech", industry="Software", external_id="A-1")
    retail = AccountFactory(workspace=workspace, name="Retail Co", industry="Retail")
    ContactFactory(
        account=software,
        first_name="Ana",
        last_name="Ruiz",
        email="ana@initech.example",
        title="CFO",
        buying_role="economic_buyer",
        seniority="c_level",
        department="finance",
        engagement_score=12.3456789,
        persona=Persona.objects.create(workspace=workspace, name="Finance leader"),
        last_engaged_at=datetime(2026, 11, 30, 9, 15, 0, 123456, tzinfo=UTC),
    )
    ContactFactory(account=software, first_name="Ben", last_name="Ode", email="ben@initech.example", buying_role="")
    ContactFactory(account=retail, email="carla@retail.example")
    return software


def test_the_contacts_of_the_filtered_accounts_with_their_committee(
    client, viewer_user, workspace, committees, django_assert_max_num_queries
):
    client.force_login(viewer_user)

    with django_assert_max_num_queries(12):
        response = client.get("/accounts/?industry=Software&export=contacts")
        rows = _rows(response)

    assert response["Content-Disposition"] == 'attachment; filename="contacts.csv"'
    assert rows[0] == CONTACT_COLUMNS
    by_email = {r[3]: dict(zip(CONTACT_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert set(by_email) == {"ana@initech.example", "ben@initech.example"}  # not the retail account's
    ana = by_email["ana@initech.example"]
    assert (ana["engagement_score"], ana["last_engaged_at"]) == ("12.35", "2026-11-30T09:15:00+00:00")
    assert ana["persona"] == "Finance leader"
    assert (ana["account_external_id"], ana["account_name"], ana["buying_role"], ana["seniority"]) == (
        "A-1",
        "Initech",
        "economic_buyer",
        "c_level",
    )


def test_a_formula_in_a_cell_is_neutralised(client, viewer_user, workspace, committees):
    ContactFactory(account=committees, email="evil@initech.example", title='=HYPERLINK("http://x")')
    client.force_login(viewer_user)

    rows = _rows(client.get("/accounts/?export=contacts"))

    assert next(r for r in rows if r[3] == "evil@initech.example")[4] == '\'=HYPERLINK("http://x")'


def test_the_query_count_does_not_grow_with_the_contacts(client, viewer_user, workspace, committees):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(viewer_user)
    _rows(client.get("/accounts/?export=contacts"))
    with CaptureQueriesContext(connection) as few:
        _rows(client.get("/accounts/?export=contacts"))
    for i in range(30):
        ContactFactory(account=committees, email=f"more{i}@initech.example")
    with CaptureQueriesContext(connection) as many:
        rows = _rows(client.get("/accounts/?export=contacts"))

    assert len(rows) == 1 + 33 and len(many) == len(few)


def test_the_neutral_file_re_imports_unchanged(client, viewer_user, workspace, committees):
    client.force_login(viewer_user)
    body = b"".join(client.get("/accounts/?export=contacts").streaming_content)

    result, preset = import_file(workspace=workspace, kind="contacts", data=body)

    assert preset == "abe"
    assert (result.created, result.updated, result.rejected, result.unchanged) == (0, 0, 0, 3)


def test_in_spanish_the_headers_and_roles_read_in_spanish(client, viewer_user, workspace, committees):
    UserPreference.objects.update_or_create(user=viewer_user, defaults={"language": "es"})
    client.force_login(viewer_user)

    page = client.get("/accounts/?industry=Software").content.decode()
    rows = _rows(client.get("/accounts/?industry=Software&export=contacts"))

    assert "Exportar contactos" in page and "export=contacts" in page
    assert rows[0][:4] == ["Id en el CRM", "Nombre", "Apellidos", "Email"]
    ana = next(r for r in rows if r[3] == "ana@initech.example")
    assert (ana[9], ana[10], ana[11]) == ("Comprador económico", "Alta dirección (C-level)", "Finanzas")


def test_the_tier_board_exports_the_contacts_of_its_filtered_accounts(client, viewer_user, workspace, committees):
    committees.tier = "strategic"
    committees.save(update_fields=["tier"])
    client.force_login(viewer_user)

    board = client.get("/accounts/tiers/").content.decode()
    rows = _rows(client.get("/accounts/tiers/?tier=strategic&export=contacts"))

    assert 'id="export-contacts"' in board
    assert {r[3] for r in rows[1:]} == {"ana@initech.example", "ben@initech.example"}
