"""A contact's manager from a CRM's contacts file (Salesforce's ``REPORTSTOID``, a report's ``Reports To``, Zoho's
``Reporting To``, Dynamics 365's ``Manager``), so an imported workspace starts with its org charts drawn instead of
every contact reporting to nobody until someone edits them one by one.

The manager is found by CRM id, else by email, else by full name among the contacts of the same account, after
the last row (a manager may come later in the file, or in a later step of a long import). A manager of another
account, the contact themselves, a reporting loop, a name two contacts share or a manager not found leave it blank
with a warning; an empty cell never clears a stored manager.
"""

from __future__ import annotations

import pytest

from accounts.imports import services as imports
from accounts.imports.export import CONTACT_COLUMNS, contact_rows, csv_lines
from accounts.imports.services import import_file
from accounts.models import Contact, ImportJob, ImportStatus
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db
DATALOADER = '"ID","FIRSTNAME","LASTNAME","EMAIL","TITLE","ACCOUNTID","REPORTSTOID"\n'
REPORT = "Contact ID,First Name,Last Name,Email,Title,Account Name,Reports To\n"


@pytest.fixture
def accounts(workspace):
    return (
        AccountFactory(workspace=workspace, name="Acme", external_id="001A", domain="acme.example"),
        AccountFactory(workspace=workspace, name="Beta", external_id="001B", domain="beta.example"),
    )


def _managers(workspace):
    rows = Contact.objects.for_workspace(workspace).values_list("email", "reports_to__email")
    return {email: manager for email, manager in rows}


def test_a_data_loader_export_links_each_contact_to_its_manager_wherever_the_manager_is_in_the_file(
    workspace, accounts
):
    data = (
        DATALOADER
        + '"003A1","Ana","Ruiz","ana@acme.example","Analyst","001A","003A2"\n'  # her manager comes later
        + '"003A2","Ben","Ode","ben@acme.example","Director","001A","003A3"\n'
        + '"003A3","Caro","Lima","caro@acme.example","CFO","001A",""\n'
        + '"003B1","Dan","Pop","dan@beta.example","Buyer","001B","003A3"\n'  # a manager of another account
        + '"003B2","Eva","Sol","eva@beta.example","Buyer","001B","003ZZ"\n'  # no such contact
        + '"003B3","Fay","Ng","fay@beta.example","Buyer","001B","003B3"\n'  # themselves
    ).encode()

    result, preset = import_file(workspace=workspace, kind="contacts", data=data)

    assert preset == "salesforce_dataloader"
    assert (result.created, result.updated, result.rejected) == (6, 0, 0)
    assert _managers(workspace) == {
        "ana@acme.example": "ben@acme.example",
        "ben@acme.example": "caro@acme.example",
        "caro@acme.example": None,
        "dan@beta.example": None,
        "eva@beta.example": None,
        "fay@beta.example": None,
    }
    assert {w["line"]: w["reason"] for w in result.warnings} == {
        5: "The manager caro@acme.example is a contact of another account: reports-to left blank",
        6: "No contact with CRM id 003ZZ: reports-to left blank",
        7: "A contact cannot report to themselves: reports-to left blank",
    }

    again, _ = import_file(workspace=workspace, kind="contacts", data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)


def test_a_report_names_the_manager_within_the_contact_s_own_account(workspace, accounts):
    acme, beta = accounts
    ContactFactory(workspace=workspace, account=beta, first_name="Caro", last_name="Lima", email="caro@beta.example")
    data = (
        REPORT
        + "1,Caro,Lima,caro@acme.example,CFO,Acme,\n"
        + "2,Ben,Ode,ben@acme.example,Director,Acme,caro lima\n"  # the Caro of Acme (case ignored), not Beta's
        + "3,Ana,Ruiz,ana@acme.example,Analyst,Acme,ben@acme.example\n"  # by email
        + "4,Dan,Pop,dan@acme.example,Analyst,Acme,Zoe Nobody\n"
    ).encode()

    result, preset = import_file(workspace=workspace, kind="contacts", data=data)

    assert preset == "salesforce_report"
    managers = _managers(workspace)
    assert managers["ben@acme.example"] == "caro@acme.example"
    assert managers["ana@acme.example"] == "ben@acme.example"
    assert managers["dan@acme.example"] is None
    assert {w["line"]: w["reason"] for w in result.warnings} == {
        5: "No contact named “Zoe Nobody” in this account: reports-to left blank"
    }

    # Two contacts of the account with that name: not guessed.
    ContactFactory(workspace=workspace, account=acme, first_name="Caro", last_name="Lima", email="caro2@acme.example")
    twice, _ = import_file(
        workspace=workspace,
        kind="contacts",
        data=(REPORT + "4,Dan,Pop,dan@acme.example,Analyst,Acme,Caro Lima\n").encode(),
    )
    assert twice.warnings[0]["reason"] == "2 contacts of this account are named “Caro Lima”: reports-to left blank"
    assert _managers(workspace)["dan@acme.example"] is None


def test_a_loop_is_refused_and_an_empty_cell_keeps_the_stored_manager(workspace, accounts):
    first = (
        DATALOADER
        + '"1","Ana","Ruiz","ana@acme.example","","001A","2"\n'
        + '"2","Ben","Ode","ben@acme.example","","001A","3"\n'
        + '"3","Caro","Lima","caro@acme.example","","001A",""\n'
    ).encode()
    import_file(workspace=workspace, kind="contacts", data=first)

    # Caro to report to Ana would close Ana -> Ben -> Caro -> Ana.
    looped, _ = import_file(
        workspace=workspace,
        kind="contacts",
        data=(DATALOADER + '"3","Caro","Lima","caro@acme.example","","001A","1"\n').encode(),
    )
    assert looped.warnings[0]["reason"] == "This would make a reporting loop: reports-to left blank"
    assert looped.unchanged == 1 and _managers(workspace)["caro@acme.example"] is None

    # A blank cell leaves Ana's manager; a new one replaces it (the line counts as updated).
    blank, _ = import_file(
        workspace=workspace,
        kind="contacts",
        data=(DATALOADER + '"1","Ana","Ruiz","ana@acme.example","","001A",""\n').encode(),
    )
    assert blank.unchanged == 1 and _managers(workspace)["ana@acme.example"] == "ben@acme.example"
    moved, _ = import_file(
        workspace=workspace,
        kind="contacts",
        data=(DATALOADER + '"1","Ana","Ruiz","ana@acme.example","","001A","3"\n').encode(),
    )
    assert (moved.updated, moved.unchanged) == (1, 0) and _managers(workspace)[
        "ana@acme.example"
    ] == "caro@acme.example"


def test_a_contact_moved_to_another_account_leaves_managers_and_reports_of_the_old_one(workspace, accounts):
    acme, beta = accounts
    boss = ContactFactory(workspace=workspace, account=acme, email="boss@acme.example", external_id="9")
    ben = ContactFactory(workspace=workspace, account=acme, email="ben@acme.example", external_id="2", reports_to=boss)
    ana = ContactFactory(workspace=workspace, account=acme, email="ana@acme.example", external_id="1", reports_to=ben)

    result, _ = import_file(
        workspace=workspace,
        kind="contacts",
        data=(DATALOADER + '"2","Ben","Ode","ben@acme.example","","001B",""\n').encode(),
    )

    assert result.updated == 1
    ben.refresh_from_db()
    ana.refresh_from_db()
    assert (ben.account_id, ben.reports_to_id) == (beta.pk, None)  # his manager stayed at Acme
    assert ana.reports_to_id is None  # she stays at Acme, and her manager left it


def test_a_stepped_import_links_a_manager_named_in_an_earlier_step(workspace, accounts, settings, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 1)
    settings.ABE_TASK_STEP_SECONDS = 0  # one chunk per step
    data = (
        DATALOADER
        + '"1","Ana","Ruiz","ana@acme.example","","001A","3"\n'
        + '"2","Ben","Ode","ben@acme.example","","001A","3"\n'
        + '"3","Caro","Lima","caro@acme.example","","001A","4"\n'
        + '"4","Dan","Pop","dan@acme.example","","001A","1"\n'  # closes the loop: refused
    ).encode()
    mapping = {"external_id": "ID", "first_name": "FIRSTNAME", "last_name": "LASTNAME", "email": "EMAIL",
               "account_external_id": "ACCOUNTID", "reports_to_external_id": "REPORTSTOID"}  # fmt: skip
    job = imports.import_job_create(workspace=workspace, kind="contacts", filename="c.csv", data=data, mapping=mapping)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    from accounts.imports import tasks as import_tasks

    import_tasks.import_job_run_task.delay(job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.summary()["created"] == 4
    assert _managers(workspace) == {
        "ana@acme.example": "caro@acme.example",
        "ben@acme.example": "caro@acme.example",
        "caro@acme.example": "dan@acme.example",
        "dan@acme.example": None,
    }
    assert [(e["line"], e["reason"]) for e in job.errors] == [
        (5, "This would make a reporting loop: reports-to left blank")
    ]


def test_the_contacts_export_carries_the_managers_and_re_imports_unchanged(workspace, accounts):
    acme, _ = accounts
    boss = ContactFactory(
        workspace=workspace, account=acme, first_name="Caro", last_name="Lima", email="", external_id="B0"
    )
    ben = ContactFactory(workspace=workspace, account=acme, email="ben@acme.example", external_id="", reports_to=boss)
    ContactFactory(workspace=workspace, account=acme, email="ana@acme.example", external_id="A1", reports_to=ben)
    queryset = Contact.objects.for_workspace(workspace).order_by("id")
    rows = list(contact_rows(queryset))
    manager = CONTACT_COLUMNS.index("reports_to")
    assert [row[manager] for row in rows] == ["", "Caro Lima", "ben@acme.example"]

    text = "".join(csv_lines(CONTACT_COLUMNS, rows))
    result, preset = import_file(workspace=workspace, kind="contacts", data=text.encode())

    assert preset == "abe"
    assert (result.created, result.updated, result.unchanged, result.warned) == (0, 0, 3, 0)
