"""A contact's seniority and department guessed from their job title, when the import maps the title to
``committee_from_title`` (a choice: no preset maps it). Salesforce, Pipedrive and Zoho keep no seniority, so without
it a migrated workspace's committees have no levels until someone edits each contact.

A guess fills only what is blank in the line and in the portal: a seniority or department column's own value, or
one stored (set by hand or by an earlier import), always wins.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.imports.presets import PRESETS, preset_mapping
from accounts.imports.services import import_file
from accounts.imports.titles import department_from_title, seniority_from_title
from accounts.models import Contact
from personas.models import Department, Seniority
from tests.factories import AccountFactory, ContactFactory

REPORT = "Contact ID,First Name,Last Name,Email,Title,Account Name,Seniority\n"
MAPPING = {"committee_from_title": "Title"}


@pytest.mark.parametrize(
    ("title", "seniority", "department"),
    [
        ("CEO", "c_level", "executive"),
        ("Co-Founder & CEO", "c_level", "executive"),
        ("Chief Financial Officer", "c_level", "finance"),
        ("CTO", "c_level", "it"),
        ("Consejero Delegado", "c_level", "executive"),
        ("Diretor Geral", "c_level", "executive"),
        ("Managing Director", "c_level", "executive"),
        ("Senior Vice President, Marketing", "vp", "marketing"),  # a vice president is not a president
        ("VP Sales", "vp", "sales"),
        ("Head of IT", "director", "it"),
        ("Director Comercial", "director", "sales"),
        ("Director Financiero", "director", "finance"),
        ("Gerente de Compras", "manager", "procurement"),
        ("Șef Departament Vânzări", "manager", "sales"),
        ("Manager Resurse Umane", "manager", "hr"),
        ("Analista de Marketing", "individual", "marketing"),
        ("Account Executive", "individual", ""),  # not the executive department
        ("Executive Assistant to the CEO", "individual", ""),  # not the CEO, nor the CEO's department
        ("Sales & Marketing Director", "director", ""),  # two departments: not guessed
        ("Chief Engineer", "", ""),
        ("Partner", "", ""),
        ("", "", ""),
    ],
)
def test_a_title_gives_the_level_and_department_it_states(title, seniority, department):
    assert (seniority_from_title(title), department_from_title(title)) == (seniority, department)


@given(st.text(max_size=60))
def test_any_title_gives_a_seniority_and_a_department_of_the_portal_or_nothing(title):
    assert seniority_from_title(title) in {"", *Seniority.values}
    assert department_from_title(title) in {"", *Department.values}


@pytest.mark.django_db
def test_an_import_that_maps_the_title_fills_the_blank_levels_and_departments(workspace):
    account = AccountFactory(workspace=workspace, name="Acme", domain="acme.example")
    ContactFactory(workspace=workspace, account=account, email="kept@acme.example", seniority="vp", department="")
    data = (
        REPORT
        + "1,Ana,Ruiz,ana@acme.example,Chief Financial Officer,Acme,\n"
        + "2,Ben,Ode,ben@acme.example,Sales Manager,Acme,Director\n"  # the file's own seniority wins
        + "3,Eva,Sol,kept@acme.example,CTO,Acme,\n"  # the stored VP stays; the blank department is filled
        + "4,Dan,Pop,dan@acme.example,Partner,Acme,\n"  # says nothing
    ).encode()

    result, preset = import_file(
        workspace=workspace, kind="contacts", data=data, preset="salesforce_report", mapping=MAPPING
    )

    assert preset == "salesforce_report" and result.rejected == 0 and result.warned == 0
    levels = dict(Contact.objects.for_workspace(workspace).values_list("email", "seniority"))
    departments = dict(Contact.objects.for_workspace(workspace).values_list("email", "department"))
    assert levels == {
        "ana@acme.example": "c_level",
        "ben@acme.example": "director",
        "kept@acme.example": "vp",
        "dan@acme.example": "",
    }
    assert departments == {
        "ana@acme.example": "finance",
        "ben@acme.example": "sales",
        "kept@acme.example": "it",
        "dan@acme.example": "",
    }

    # The same file again: nothing to change.
    again, _ = import_file(workspace=workspace, kind="contacts", data=data, preset="salesforce_report", mapping=MAPPING)
    assert (again.updated, again.unchanged) == (0, 4)


@pytest.mark.django_db
def test_without_the_choice_nothing_is_guessed(workspace):
    AccountFactory(workspace=workspace, name="Acme", domain="acme.example")
    data = (REPORT + "1,Ana,Ruiz,ana@acme.example,Chief Financial Officer,Acme,\n").encode()

    import_file(workspace=workspace, kind="contacts", data=data)

    assert Contact.objects.for_workspace(workspace).values_list("seniority", "department").get() == ("", "")
    headers = REPORT.strip().split(",")
    for preset in PRESETS.values():  # no preset makes the choice for the user
        assert "committee_from_title" not in preset_mapping(preset, "contacts", headers)
