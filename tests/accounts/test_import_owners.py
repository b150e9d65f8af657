"""An account's owner from an import: the member the owner cell names, by email, username or full name.

CRMs export the owner as the person's display name ("Account Owner" in a Salesforce report and in Zoho CRM,
"Company owner" in HubSpot, "Organization - Owner" in Pipedrive), which is how the portal's owner menus show a member
too. A name two members share names nobody: the owner is left blank with a warning, as for a name no member has.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.imports.presets import PRESETS, preset_mapping
from accounts.imports.services import import_file
from accounts.models import Account
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"
MAP = {"external_id": "id", "name": "company", "owner": "owner"}


def _member(workspace, username, first="", last="", email=None):
    user = UserFactory(username=username, first_name=first, last_name=last, email=email or f"{username}@example.com")
    MembershipFactory(user=user, workspace=workspace, role="sales")
    return user


def _import(workspace, *owners):
    lines = ["id,company,owner", *(f"A{i},Company {i},{owner}" for i, owner in enumerate(owners))]
    result, _ = import_file(workspace=workspace, kind="accounts", data=("\n".join(lines) + "\n").encode(), mapping=MAP)
    accounts = Account.objects.for_workspace(workspace).order_by("external_id")
    return result, [a.owner_id for a in accounts]


def test_the_owner_is_found_by_email_username_or_full_name(workspace):
    ana = _member(workspace, "aseller", "Ana", "Seller", email="ana@example.com")

    result, owners = _import(workspace, "ana@example.com", "ASELLER", "Ana Seller", "  ana   SELLER ")

    assert owners == [ana.pk] * 4
    assert result.warnings == []


def test_a_full_name_matches_without_its_accents_as_a_crm_may_have_typed_it(workspace):
    joao = _member(workspace, "jgalvao", "João", "Galvão")

    _, owners = _import(workspace, "Joao Galvao", "JOÃO GALVÃO")

    assert owners == [joao.pk, joao.pk]


def test_a_name_two_members_share_is_left_blank_with_its_reason(workspace):
    _member(workspace, "alex1", "Alex", "Pop")
    _member(workspace, "alex2", "Alex", "Pop")

    result, owners = _import(workspace, "Alex Pop", "alex2")

    assert owners[0] is None and owners[1] is not None
    assert [w["line"] for w in result.warnings] == [2]
    assert "Several members are named “Alex Pop”" in result.warnings[0]["reason"]


def test_a_name_no_member_has_is_left_blank_with_its_reason(workspace):
    _member(workspace, "aseller", "Ana", "Seller")
    outsider = UserFactory(username="bcloser", first_name="Ben", last_name="Closer")  # not a member of this workspace

    result, owners = _import(workspace, "Ben Closer")

    assert owners == [None] and outsider.pk
    assert "No member of this workspace with the email, username or name “Ben Closer”" in result.warnings[0]["reason"]


def test_a_username_or_email_wins_over_another_members_full_name(workspace):
    """A one-word full name may be another member's username: the username (or email) decides, as before."""
    sam = _member(workspace, "sam")
    _member(workspace, "samuel", "Sam", "")

    _, owners = _import(workspace, "sam")

    assert owners == [sam.pk]


@pytest.mark.parametrize(
    ("preset", "column"),
    [
        ("salesforce_report", "Account Owner"),
        ("hubspot", "Company owner"),
        ("pipedrive", "Organization - Owner"),
        ("zoho", "Account Owner"),
        ("dynamics", "Owner"),
    ],
)
def test_each_crms_owner_column_is_mapped_by_its_preset(preset, column):
    assert preset_mapping(PRESETS[preset], "accounts", ["Some Id", column, "Other"])["owner"] == column


def test_a_data_loader_owner_id_is_not_taken_for_a_member():
    """Data Loader's OWNERID is a Salesforce user id, which no member's email, username or name is."""
    assert "owner" not in preset_mapping(PRESETS["salesforce_dataloader"], "accounts", ["ID", "NAME", "OWNERID"])


@pytest.mark.parametrize(
    ("name", "preset"), [("pipedrive_organizations.csv", "pipedrive"), ("zoho_accounts.csv", "zoho")]
)
def test_a_crm_export_gives_each_account_the_member_it_names(workspace, name, preset):
    ana = _member(workspace, "aseller", "Ana", "Seller")

    result, used = import_file(workspace=workspace, kind="accounts", data=(FIXTURES / name).read_bytes())

    assert used == preset and result.rejected == 0
    owners = {a.name: a.owner_id for a in Account.objects.for_workspace(workspace)}
    named_ana = {n for n, o in owners.items() if o == ana.pk}
    assert len(named_ana) == 2  # each file gives two of its accounts to Ana Seller
    assert set(owners.values()) == {ana.pk, None}
    # Ben Closer is not a member here: his account has no owner, and the line says why.
    assert [w["reason"] for w in result.warnings] == [
        "No member of this workspace with the email, username or name “Ben Closer”: owner left blank"
    ]
