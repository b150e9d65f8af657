"""A contact's buying role, seniority and department from a CRM's contacts file, so an imported workspace starts with
its buying committees mapped (the coverage heatmap, the gaps, the persona multipliers of the scores) instead of
every contact blank until someone edits them one by one.

Each cell is read, case, accents and punctuation ignored, as the portal's value, its label in any of the portal's
languages, or the word a CRM or data vendor exports it under (accounts/imports/committee.py); anything else is
left blank with a warning that lists what is accepted, and an empty cell never clears a stored value.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from abe import texts as tx
from accounts.imports.committee import CHOICES, committee_value
from accounts.imports.parsing import CellError
from accounts.imports.presets import preset_detect, preset_mapping
from accounts.imports.services import import_file
from accounts.models import Contact
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
HUBSPOT = "Record ID,First Name,Last Name,Email,Job Title,Company Domain Name,Buying Role,Seniority,Department\n"


@pytest.fixture
def account(workspace):
    return AccountFactory(workspace=workspace, domain="acme.example")


def _roles(workspace):
    rows = Contact.objects.for_workspace(workspace).values_list("external_id", "buying_role", "seniority", "department")
    return {ext: (role, seniority, department) for ext, role, seniority, department in rows}


def test_a_hubspot_contacts_export_maps_its_buying_committee(workspace, account):
    data = (
        HUBSPOT
        + "1,Ana,Ruiz,ana@acme.example,CFO,acme.example,Budget Holder,C-Suite,Finance\n"
        + "2,Ben,Ode,ben@acme.example,VP Sales,acme.example,Decision Maker,VP,Sales\n"
        + "3,Caro,Lima,caro@acme.example,Head of IT,acme.example,Decisor,head,Information Technology\n"
        + "4,Dan,Pop,dan@acme.example,Analyst,acme.example,Other,Intern,Legal\n"
        + "5,Eva,Sol,eva@acme.example,Engineer,acme.example,,,\n"
    ).encode()

    result, preset = import_file(workspace=workspace, kind="contacts", data=data)

    assert preset == "hubspot"
    assert (result.created, result.rejected) == (5, 0)
    assert _roles(workspace) == {
        "1": ("economic_buyer", "c_level", "finance"),
        "2": ("decision_maker", "vp", "sales"),
        "3": ("decision_maker", "director", "it"),  # the Spanish label of a role
        "4": ("", "", ""),  # not guessed
        "5": ("", "", ""),
    }
    # One warning per line, naming each cell it left blank and what the portal accepts.
    assert [w["line"] for w in result.warnings] == [5]
    warning = result.warnings[0]["reason"]
    assert "Buying role “Other” is not one the portal knows (Decision maker, Economic buyer" in warning
    assert "Seniority “Intern”" in warning and "Department “Legal”" in warning


def test_an_empty_cell_keeps_the_stored_role_and_a_new_value_replaces_it(workspace, account):
    first = HUBSPOT + "1,Ana,Ruiz,ana@acme.example,CFO,acme.example,Champion,Director,Marketing\n"
    import_file(workspace=workspace, kind="contacts", data=first.encode())

    again, _ = import_file(
        workspace=workspace,
        kind="contacts",
        data=(HUBSPOT + "1,Ana,Ruiz,ana@acme.example,CFO,acme.example,,,\n").encode(),
    )
    assert again.unchanged == 1 and _roles(workspace)["1"] == ("champion", "director", "marketing")

    moved, _ = import_file(
        workspace=workspace,
        kind="contacts",
        data=(HUBSPOT + "1,Ana,Ruiz,ana@acme.example,CFO,acme.example,Blocker,,\n").encode(),
    )
    assert moved.updated == 1 and _roles(workspace)["1"] == ("blocker", "director", "marketing")


@pytest.mark.parametrize(
    ("field", "cell", "value"),
    [
        ("buying_role", "economic buyer", "economic_buyer"),
        ("buying_role", "Technical Buyer", "technical_evaluator"),
        ("buying_role", "Business User", "end_user"),
        ("buying_role", "Decident", "decision_maker"),  # the Romanian label
        ("buying_role", "technical_evaluator", "technical_evaluator"),  # the portal's own value (its export)
        ("seniority", "CXO", "c_level"),
        ("seniority", "Vice-President", "vp"),
        ("seniority", "Colaborador individual", "individual"),
        ("department", "Revenue Operations", "sales_ops"),
        ("department", "PURCHASING", "procurement"),
        ("department", "Finanças", "finance"),
    ],
)
def test_each_vocabulary_names_its_value(field, cell, value):
    assert committee_value(field, cell) == value


def test_an_unknown_value_is_refused_with_what_is_accepted_in_the_readers_language():
    with pytest.raises(CellError) as refused:
        committee_value("seniority", "Intern")

    with translation.override("es"):
        shown = str(refused.value.text)
    assert shown.startswith("Nivel jerárquico «Intern» no es un valor que el portal conozca")
    assert "Alta dirección (C-level)" in shown
    assert isinstance(refused.value.text, tx.Msg)


def test_every_crm_preset_reads_the_committee_columns():
    header = ["Record Id", "First Name", "Email", "Account Name.id", "Buying Role", "Seniority", "Department"]

    mapping = preset_mapping(preset_detect("contacts", header), "contacts", header)

    assert (mapping["buying_role"], mapping["seniority"], mapping["department"]) == (
        "Buying Role",
        "Seniority",
        "Department",
    )


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("Marketing Operations", "marketing"),
        ("IT Infrastructure", "it"),
        ("Finance & Accounting", "finance"),
        ("Global Sales Operations", "sales_ops"),  # the longest name, not also sales and operations
        ("Sales & Marketing", None),  # two departments: not guessed
        ("Legal", None),
    ],
)
def test_a_free_text_department_is_read_when_it_names_one(cell, value):
    """Salesforce's and Dynamics' Department is free text: the one department it names as whole words."""
    if value is None:
        with pytest.raises(CellError):
            committee_value("department", cell)
    else:
        assert committee_value("department", cell) == value


def test_a_seniority_or_role_is_never_read_from_within_a_longer_text():
    with pytest.raises(CellError):
        committee_value("seniority", "Senior Manager")
    with pytest.raises(CellError):
        committee_value("buying_role", "Influencer and champion")


@given(field=st.sampled_from(["buying_role", "seniority", "department"]), cell=st.text(max_size=60))
@hypothesis_settings(max_examples=300, deadline=None)
def test_any_cell_gives_a_value_of_the_field_or_a_clear_refusal(field, cell):
    try:
        value = committee_value(field, cell)
    except CellError as refused:
        assert "is not one the portal knows" in str(refused)
    else:
        assert value == "" or value in CHOICES[field].values
        assert value or not cell.strip()


def test_the_import_report_lists_the_cells_left_blank(
    client, marketing_user, workspace, django_capture_on_commit_callbacks
):
    """The report said "imported with a warning (a cell left blank)" whatever the warnings were (three cells, or a
    contact linked by its email's domain): it now points to the list, which says what each one is."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import ImportJob

    AccountFactory(workspace=workspace, domain="acme.example")
    data = HUBSPOT + "1,Ana,Ruiz,ana@acme.example,CFO,acme.example,Other,Intern,Legal\n"
    client.force_login(marketing_user)
    uploaded = client.post(
        "/accounts/import/", {"kind": "contacts", "file": SimpleUploadedFile("contacts.csv", data.encode())}
    )
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(uploaded.url, {"preset": job.preset, **{f"map_{k}": v for k, v in job.mapping.items()}})

    report = client.get(uploaded.url).content.decode()

    assert "1 row imported with warnings (listed below)." in report and "a cell left blank" not in report
    assert "Buying role “Other” is not one the portal knows" in report and "Department “Legal”" in report


def test_a_persona_column_names_the_workspaces_persona(workspace, account):
    from personas.models import Persona

    finance = Persona.objects.create(workspace=workspace, name="Finance leader")
    header = "Record ID,Email,Company Domain Name,Persona\n"
    data = header + "1,a@acme.example,acme.example,FINANCE Leader\n" + "2,b@acme.example,acme.example,Marketing Mary\n"

    result, preset = import_file(workspace=workspace, kind="contacts", data=data.encode())

    assert preset == "hubspot" and (result.created, result.rejected) == (2, 0)
    personas = dict(Contact.objects.for_workspace(workspace).values_list("external_id", "persona_id"))
    assert personas == {"1": finance.pk, "2": None}
    assert [w["line"] for w in result.warnings] == [3]
    assert "No persona named “Marketing Mary” in this workspace" in result.warnings[0]["reason"]
