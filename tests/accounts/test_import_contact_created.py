"""A contact's creation date in the CRM (Zoho's Created Time, Salesforce's CREATEDDATE, HubSpot's Create Date,
Pipedrive's Add time, Dynamics 365's Created On) becomes when the portal counts them as known. The won/lost
analysis counts a contact on a deal only if they were known before it closed, so without the date every contact of
a migrated workspace (created on import day) was missing from every deal closed before the migration, and the
analysis of the last 50 won and lost deals showed nobody in any seat.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from accounts.imports.services import import_file
from accounts.models import Contact
from content.selectors.analysis import won_lost_analysis
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "thirdparty"


def _zoho(workspace, kind: str, name: str):
    return import_file(workspace=workspace, kind=kind, data=(FIXTURES / f"zoho_{name}.csv").read_bytes())


def test_a_migrated_crm_s_contacts_sit_on_the_deals_that_closed_before_the_migration(workspace):
    _zoho(workspace, "accounts", "accounts")
    contacts, preset = _zoho(workspace, "contacts", "contacts")
    _zoho(workspace, "opportunities", "deals")

    assert preset == "zoho" and contacts.created == 3  # two lines of the file name no account we have
    ingrid = Contact.objects.for_workspace(workspace).get(email="ingrid.hansen@hansenberg.no")
    assert ingrid.created_at == datetime(2024, 9, 10, tzinfo=UTC)  # the file's Created Time (its day)
    analysis = won_lost_analysis(workspace=workspace)
    finance = next(r for r in analysis.roles if r.requirement.department == "finance")
    # Hansen & Berg's deal was lost on 2026-06-30; its CFO was in the CRM since 2024.
    assert (analysis.won, analysis.lost) == (1, 1) and finance.lost_present == 1.0


def test_the_earlier_date_wins_and_a_re_import_changes_nothing(workspace):
    account = AccountFactory(workspace=workspace, name="Acme", domain="acme.example")
    ContactFactory(workspace=workspace, account=account, email="old@acme.example")  # created now, by hand
    header = "Contact ID,First Name,Last Name,Email,Account Name,Created Date\n"
    data = (
        header + "1,Ana,Ruiz,old@acme.example,Acme,2023-05-04\n2,Ben,Ode,new@acme.example,Acme,2025-01-02\n"
    ).encode()

    first, _ = import_file(workspace=workspace, kind="contacts", data=data)
    again, _ = import_file(workspace=workspace, kind="contacts", data=data)
    later, _ = import_file(
        workspace=workspace,
        kind="contacts",
        data=(
            header
            + "1,Ana,Ruiz,old@acme.example,Acme,2026-01-01\n"
            + "3,Eva,Sol,eva@acme.example,Acme,2999-01-01\n"
            + "4,Dan,Pop,dan@acme.example,Acme,0001-01-01\n"  # a placeholder, not a date
        ).encode(),
    )

    created = dict(Contact.objects.for_workspace(workspace).values_list("email", "created_at"))
    assert created["old@acme.example"] == datetime(2023, 5, 4, tzinfo=UTC)
    assert created["new@acme.example"] == datetime(2025, 1, 2, tzinfo=UTC)
    assert created["eva@acme.example"].year == datetime.now(UTC).year  # a date to come says nothing
    assert created["dan@acme.example"].year == datetime.now(UTC).year  # nor one before 1900
    assert (first.created, first.updated) == (1, 1)
    assert (again.updated, again.unchanged) == (0, 2)
    assert (later.created, later.updated, later.unchanged) == (2, 0, 1)  # a later date does not move it


def test_the_contacts_export_carries_the_creation_day_into_another_workspace(workspace, client, viewer_user):
    from tests.factories import WorkspaceFactory

    account = AccountFactory(workspace=workspace, name="Acme", domain="acme.example", external_id="A-1")
    ana = ContactFactory(workspace=workspace, account=account, email="ana@acme.example")
    Contact.objects.filter(pk=ana.pk).update(created_at=datetime(2021, 3, 4, 15, tzinfo=UTC))  # known since 2021
    other = WorkspaceFactory(name="Other", slug="other")
    AccountFactory(workspace=other, name="Acme", domain="acme.example", external_id="A-1")
    client.force_login(viewer_user)
    body = b"".join(client.get("/accounts/?export=contacts").streaming_content)

    again, _ = import_file(workspace=workspace, kind="contacts", data=body)
    moved, preset = import_file(workspace=other, kind="contacts", data=body)

    assert (again.unchanged, again.updated) == (1, 0)  # the same workspace: nothing to change
    assert preset == "abe" and moved.created == 1
    assert Contact.objects.for_workspace(other).get().created_at == datetime(2021, 3, 4, tzinfo=UTC)
