"""A list exported in the reader's language (Spanish, Portuguese, Romanian: translated headers, the language's
decimal comma, ``;`` between cells, roles and yes/no in words) is recognised as the portal's own format when it is
imported again, so a user who exports the strategic tier, corrects it in a spreadsheet and uploads it back gets every
column mapped, not "Format not recognised: map the columns by hand". Nothing else than what they changed changes.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from abe.models import UserPreference
from accounts.imports.parsing import boolean
from accounts.imports.services import import_file
from personas.models import Persona
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategic(workspace, marketing_user):
    acme = AccountFactory(
        workspace=workspace,
        name="Acme Ibérica",
        external_id="A-1",
        domain="acme.example",
        industry="Manufacturing",
        country="ES",
        region="Madrid",
        city="Madrid",
        employees=1250,
        annual_revenue=Decimal("12500000.50"),
        ownership_type="private",
        number_of_offices=3,
        founded_year=1987,
        technologies=["SAP", "Salesforce"],  # as the portal stores them (sorted)
        lifecycle="customer",
        owner=marketing_user,
        tier="strategic",
    )
    AccountFactory(workspace=workspace, name="Beta", domain="beta.example", tier="strategic")
    boss = ContactFactory(
        account=acme,
        first_name="Ana",
        last_name="Ruiz",
        email="ana@acme.example",
        title="CFO",
        buying_role="economic_buyer",
        seniority="c_level",
        department="finance",
        do_not_contact=True,
        persona=Persona.objects.create(workspace=workspace, name="Finance leader"),
        engagement_score=12.3456,
    )
    ContactFactory(account=acme, first_name="Ben", last_name="Ode", email="ben@acme.example", reports_to=boss)
    return acme


@pytest.mark.parametrize("language", ["es", "pt", "ro"])
@pytest.mark.parametrize(("export", "kind", "lines"), [("csv", "accounts", 2), ("contacts", "contacts", 2)])
def test_a_list_exported_in_the_reader_s_language_re_imports_unchanged(
    client, marketing_user, workspace, strategic, language, export, kind, lines
):
    UserPreference.objects.update_or_create(user=marketing_user, defaults={"language": language})
    client.force_login(marketing_user)
    body = b"".join(client.get(f"/accounts/?tier=strategic&export={export}").streaming_content)
    assert b";" in body.splitlines()[0] and b"external_id" not in body.splitlines()[0]  # the local format

    result, preset = import_file(workspace=workspace, kind=kind, data=body)

    assert preset == "abe", body.decode("utf-8-sig").splitlines()[0]
    assert (result.created, result.updated, result.rejected, result.warned) == (0, 0, 0, 0), result.problems
    assert result.unchanged == lines


def test_an_edit_made_in_the_spreadsheet_comes_back(client, marketing_user, workspace, strategic):
    UserPreference.objects.update_or_create(user=marketing_user, defaults={"language": "es"})
    client.force_login(marketing_user)
    text = b"".join(client.get("/accounts/?tier=strategic&export=contacts").streaming_content).decode("utf-8-sig")
    edited = text.replace(";Sí;Comprador económico;", ";No;Decisor;")  # Ana may be contacted, and decides

    result, _ = import_file(workspace=workspace, kind="contacts", data=edited.encode())

    assert (result.updated, result.unchanged) == (1, 1)
    ana = strategic.contacts.get(email="ana@acme.example")
    assert (ana.do_not_contact, ana.buying_role, ana.reports_to_id) == (False, "decision_maker", None)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("Sí", True),
        ("si", True),
        ("Sim", True),
        ("Da", True),
        ("No", False),
        ("Não", False),
        ("nao", False),
        ("Nu", False),
    ],
)
def test_yes_and_no_read_in_the_portal_s_languages(cell, value):
    assert boolean(cell, "Do not contact") is value
