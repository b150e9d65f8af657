"""A contact's email from its file's two email columns (``email``, else ``other_email`` when that is empty), and its
name from ``full_name`` when the first and last name are both empty.

CRMs export more than one address per person (Pipedrive's work, home and other; Zoho's Email and Secondary Email;
HubSpot's additional addresses): a person whose first address is empty comes in with the second, so their events
find them by email. The second column only ever fills an empty first one, and a bad second cell warns and is left
out, where a bad first one rejects the line.
"""

from __future__ import annotations

import pytest

from accounts.imports.presets import PRESETS, preset_mapping
from accounts.imports.services import import_file
from accounts.models import Contact
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
MAP = {
    "external_id": "id",
    "account_external_id": "account",
    "first_name": "name",
    "email": "work",
    "other_email": "home",
}


@pytest.fixture
def account(workspace):
    return AccountFactory(workspace=workspace, external_id="ACC-1", domain="acme.example")


def _import(workspace, *lines):
    data = ("\n".join(["id,account,name,work,home", *lines]) + "\n").encode()
    result, _ = import_file(workspace=workspace, kind="contacts", data=data, mapping=MAP)
    return result, dict(Contact.objects.for_workspace(workspace).values_list("external_id", "email"))


def test_the_other_email_fills_only_an_empty_first_one(workspace, account):
    result, emails = _import(
        workspace,
        "C1,ACC-1,Ana,ana@acme.example,ana@home.example",
        "C2,ACC-1,Ben,,ben@home.example",
        "C3,ACC-1,Chen,,",
        "C4,ACC-1,Carla,,  Carla@Home.example; c2@home.example",
    )

    assert (result.created, result.rejected, result.warnings) == (4, 0, [])
    assert emails == {
        "C1": "ana@acme.example",
        "C2": "ben@home.example",
        "C3": "",
        "C4": "carla@home.example",
    }


def test_a_bad_other_email_warns_and_a_bad_first_one_rejects(workspace, account):
    result, emails = _import(workspace, "C1,ACC-1,Ana,,not an address", "C2,ACC-1,Ben,also not,ben@home.example")

    assert (result.created, result.rejected) == (1, 1)
    assert emails == {"C1": ""}
    assert [w["line"] for w in result.warnings] == [2] and "left blank" in result.warnings[0]["reason"]
    assert [e["line"] for e in result.errors] == [3]


def test_the_other_email_finds_the_contact_that_has_it_and_a_reimport_changes_nothing(workspace, account):
    kept = Contact.objects.create(workspace=workspace, account=account, email="ben@home.example", first_name="Ben")

    first, emails = _import(workspace, "C2,ACC-1,Ben,,ben@home.example")
    again, _ = _import(workspace, "C2,ACC-1,Ben,,ben@home.example")

    assert (first.created, first.updated) == (0, 1) and emails == {"C2": "ben@home.example"}
    assert Contact.objects.get(pk=kept.pk).external_id == "C2"
    assert (again.updated, again.unchanged) == (0, 1)


@pytest.mark.parametrize(
    ("preset", "headers", "email", "other"),
    [
        ("pipedrive", ["Person - ID", "Person - Email - Work", "Person - Email - Home"], "Person - Email - Work",
         "Person - Email - Home"),
        ("zoho", ["Record Id", "Email", "Secondary Email"], "Email", "Secondary Email"),
        ("hubspot", ["Record ID", "Email", "Additional email addresses"], "Email", "Additional email addresses"),
    ],
)  # fmt: skip
def test_each_crms_second_email_column_is_mapped_by_its_preset(preset, headers, email, other):
    mapping = preset_mapping(PRESETS[preset], "contacts", headers)

    assert (mapping["email"], mapping["other_email"]) == (email, other)


def test_a_full_name_names_a_contact_whose_first_and_last_name_are_empty(workspace, account):
    data = (
        "id,account,first,last,full,work\n"
        "C1,ACC-1,,,Yvonne McKay,yvonne@acme.example\n"
        "C2,ACC-1,Ana,Ortega,Someone Else,ana@acme.example\n"
        "C3,ACC-1,,,Madonna,madonna@acme.example\n"
        "C4,ACC-1,,,Dr. María José García,maria@acme.example\n"
    ).encode()
    mapping = {"external_id": "id", "account_external_id": "account", "first_name": "first", "last_name": "last",
               "full_name": "full", "email": "work"}  # fmt: skip

    result, _ = import_file(workspace=workspace, kind="contacts", data=data, mapping=mapping)
    again, _ = import_file(workspace=workspace, kind="contacts", data=data, mapping=mapping)

    assert (result.created, result.rejected, again.unchanged) == (4, 0, 4)
    names = {c.external_id: (c.first_name, c.last_name) for c in Contact.objects.for_workspace(workspace)}
    assert names == {
        "C1": ("Yvonne", "McKay"),
        "C2": ("Ana", "Ortega"),
        "C3": ("Madonna", ""),
        "C4": ("Dr.", "María José García"),
    }


def test_a_full_name_never_clears_a_stored_last_name(workspace, account):
    Contact.objects.create(workspace=workspace, account=account, external_id="C3", first_name="M", last_name="Ciccone")
    data = b"id,account,full\nC3,ACC-1,Madonna\n"

    result, _ = import_file(
        workspace=workspace,
        kind="contacts",
        data=data,
        mapping={"external_id": "id", "account_external_id": "account", "full_name": "full"},
    )

    assert result.updated == 1
    stored = Contact.objects.filter(external_id="C3").values_list("first_name", "last_name").get()
    assert stored == ("Madonna", "Ciccone")
