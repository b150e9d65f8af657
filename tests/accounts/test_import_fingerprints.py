"""Re-imports and ``Account.import_digest`` (docs/import.md, "Re-importing the same file").

A line whose digest (its raw mapped cells and how they are read) equals the digest stored on the account it last
wrote is counted unchanged without being parsed. Every other write of an imported field clears the digest (a
PostgreSQL trigger), so the next re-import of the old line takes the full path and restores the file's value. The
results, counts and messages are those of the full path, which these tests run with the digests switched off.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from accounts.imports import services as imports
from accounts.imports.services import AccountUpserter, import_file, import_job_create, import_job_step
from accounts.models import ACCOUNT_EDITABLE_FIELDS, Account, ImportJob, ImportStatus
from accounts.prospecting.services import accounts_bulk_apply
from accounts.services import account_update
from tests.accounts.test_import_thirdparty import ACCOUNT_MAP
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = [
    pytest.mark.django_db,
    # SQLite (the embedded default) has no trigger to clear a digest, so an import never stores or trusts one there
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: the digest trigger"),
]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

HEADER = "crm,company,site,sector,country,staff,revenue,owner,parent"
LINES = [
    "A1,Acme,acme.com,Retail,US,100,2.5,owner@example.com,",
    "B1,Beta,beta.com,Media,DE,200,1.25,,",
    "C1,Gamma,gamma.com,Energy,FR,300,,,",
    ",Delta Name Only,,Software,GB,40,,,",
]
MAP = {
    "external_id": "crm",
    "name": "company",
    "domain": "site",
    "industry": "sector",
    "country": "country",
    "employees": "staff",
    "annual_revenue": "revenue",
    "owner": "owner",
    "parent_external_id": "parent",
}
IMPORTED = [f for f in AccountUpserter.fields if f != "import_digest"]


def _data(lines: list[str]) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


@pytest.fixture
def owner(workspace):
    user = UserFactory(username="owner", email="owner@example.com")
    MembershipFactory(user=user, workspace=workspace, role="sales")
    return user


@pytest.fixture
def parsed(monkeypatch):
    """The number of lines parsed cell by cell (the full path) since the fixture was taken."""
    calls = {"n": 0}
    clean = imports._clean

    def counting(*args, **kwargs):
        calls["n"] += 1
        return clean(*args, **kwargs)

    monkeypatch.setattr(imports, "_clean", counting)
    return calls


def _import(workspace, lines=LINES, **kwargs):
    return import_file(workspace=workspace, kind="accounts", data=_data(lines), mapping=MAP, **kwargs)[0]


def _versions(workspace) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM accounts_account WHERE workspace_id = %s", [workspace.pk])
        return dict(cursor.fetchall())


def _digest(account: Account) -> bytes | None:
    value = Account.objects.filter(pk=account.pk).values_list("import_digest", flat=True).get()
    return None if value is None else bytes(value)


def test_an_unchanged_reimport_is_decided_by_digest_and_writes_nothing(workspace, owner, parsed):
    first = _import(workspace)
    before = _versions(workspace)
    parsed["n"] = 0

    second = _import(workspace)

    assert first.created == 4 and first.problems == []
    assert second.summary() == {**first.summary(), "created": 0, "unchanged": 4}
    assert parsed["n"] == 0  # not one line parsed
    assert _versions(workspace) == before  # not one row written
    assert all(len(bytes(d)) == 16 for d in Account.objects.values_list("import_digest", flat=True))


def test_the_trigger_covers_exactly_the_importers_fields():
    """Adding a field to the account import without adding it to the trigger (a new migration) fails here."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'accounts_account_import_digest_clear'"
        )
        (definition,) = cursor.fetchone()
    columns = {Account._meta.get_field(f).column for f in IMPORTED}
    update_of = re.search(r"BEFORE UPDATE OF (.+?) ON ", definition).group(1)
    compared_old = re.findall(r"old\.(\w+)", definition, re.IGNORECASE)
    compared_new = re.findall(r"new\.(\w+)", definition, re.IGNORECASE)
    assert {c.strip() for c in update_of.split(",")} == columns
    assert set(compared_old) == set(compared_new) == columns | {"import_digest"}


@pytest.mark.parametrize("how", ["form", "api", "service", "orm_update", "orm_save"])
def test_an_edit_of_an_imported_field_clears_the_digest_and_the_old_line_restores_it(
    how, workspace, owner, admin_user, parsed, client
):
    _import(workspace)
    acme = Account.objects.get(workspace=workspace, external_id="A1")
    assert _digest(acme) is not None

    if how == "form":
        client.force_login(admin_user)
        form = {f: getattr(acme, f) for f in ACCOUNT_EDITABLE_FIELDS if getattr(acme, f) not in (None, [])}
        form.update(owner=owner.pk, industry="Banking")
        form.pop("parent", None)
        response = client.post(f"/accounts/{acme.pk}/edit/", form)
        assert response.status_code == 302, response.context["form"].errors
    elif how == "api":
        client.force_login(admin_user)
        response = client.patch(
            f"/api/v1/accounts/{acme.pk}/", {"industry": "Banking"}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
    elif how == "service":
        account_update(acme, industry="Banking")
    elif how == "orm_update":
        Account.objects.filter(pk=acme.pk).update(industry="Banking")
    else:
        acme.industry = "Banking"
        acme.save()
    assert Account.objects.get(pk=acme.pk).industry == "Banking"
    assert _digest(acme) is None
    parsed["n"] = 0

    again = _import(workspace)

    assert (again.updated, again.unchanged) == (1, 3)
    assert parsed["n"] == 1  # the edited account's line, and only it
    assert Account.objects.get(pk=acme.pk).industry == "Retail"
    assert _digest(acme) is not None  # written by the line again: the next re-import skips it


def test_a_bulk_owner_change_clears_the_digest_and_the_file_owner_comes_back(workspace, owner, admin_user, parsed):
    _import(workspace)
    acme = Account.objects.get(workspace=workspace, external_id="A1")

    accounts_bulk_apply(workspace=workspace, account_ids=[acme.pk], action="owner", by=admin_user, role="admin",
                        owner=admin_user)  # fmt: skip

    assert _digest(acme) is None
    again = _import(workspace)
    assert again.updated == 1 and Account.objects.get(pk=acme.pk).owner == owner


def test_writes_of_fields_the_import_does_not_own_keep_the_digest(workspace, owner, admin_user):
    _import(workspace)
    acme = Account.objects.get(workspace=workspace, external_id="A1")
    digest = _digest(acme)

    Account.objects.filter(pk=acme.pk).update(fit_score=88.0, priority=0.5, engagement_score=12.0)
    accounts_bulk_apply(workspace=workspace, account_ids=[acme.pk], action="tier", by=admin_user, role="admin",
                        tier="strategic", reason="Q3")  # fmt: skip
    Account.objects.filter(pk=acme.pk).update(industry="Retail")  # the same value: nothing changed

    assert _digest(acme) == digest


def test_another_mapping_or_reading_of_the_same_file_is_not_skipped(workspace, owner, parsed):
    _import(workspace)
    parsed["n"] = 0

    scaled = _import(workspace, scales={"annual_revenue": "1000000"})

    assert parsed["n"] == 4 and (scaled.updated, scaled.unchanged) == (2, 2)
    acme = Account.objects.get(workspace=workspace, external_id="A1")
    assert acme.annual_revenue == Decimal("2500000.00")
    parsed["n"] = 0

    fewer = import_file(workspace=workspace, kind="accounts", data=_data(LINES), mapping={**MAP, "industry": "country"})

    assert parsed["n"] == 4 and fewer[0].updated == 4  # industry now read from another column


def test_a_line_that_changed_one_cell_is_updated_the_others_are_skipped(workspace, owner, parsed):
    _import(workspace)
    parsed["n"] = 0
    lines = [*LINES]
    lines[1] = lines[1].replace("Media", "Publishing")

    again = _import(workspace, lines)

    assert (again.updated, again.unchanged, parsed["n"]) == (1, 3, 1)
    assert Account.objects.get(workspace=workspace, external_id="B1").industry == "Publishing"


def test_a_name_that_became_ambiguous_is_rejected_as_on_the_full_path(workspace, owner, parsed):
    _import(workspace)
    Account.objects.create(workspace=workspace, name="Delta name-only")  # the same normalised name

    again = _import(workspace)

    assert again.rejected == 1 and again.unchanged == 3
    assert again.errors[0]["reason"].startswith("The name “Delta Name Only” matches 2 accounts")


def test_a_member_who_left_makes_the_owner_line_read_again(workspace, owner, parsed):
    _import(workspace)
    owner.memberships.all().delete()
    parsed["n"] = 0

    again = _import(workspace)

    assert parsed["n"] == 1 and again.warned == 1 and again.unchanged == 4
    assert "No member of this workspace" in again.warnings[0]["reason"]


def test_lines_naming_a_parent_or_left_partly_blank_get_no_digest(workspace, owner):
    lines = [*LINES, "E1,Epsilon,epsilon.com,Retail,US,50,,,A1", "F1,Phi,phi.com,Retail,Atlantis,50,,,"]

    result = _import(workspace, lines)

    assert result.created == 6 and result.warned == 1
    digests = dict(Account.objects.filter(workspace=workspace).values_list("external_id", "import_digest"))
    assert digests["E1"] is None and digests["F1"] is None and digests["A1"] is not None


def test_duplicates_and_conflicts_are_reported_the_same_on_the_digest_path(workspace, owner, parsed):
    _import(workspace)
    parsed["n"] = 0
    lines = [*LINES, LINES[0], LINES[1].replace("Media", "Radio")]

    again = _import(workspace, lines)

    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 5, "rejected": 1, "warned": 1,
                               "duplicates": 1}  # fmt: skip
    assert [{k: p[k] for k in ("line", "kind", "reason")} for p in again.problems] == [
        {"line": 6, "kind": "warning", "reason": "Duplicate of line 2: counted once"},
        {"line": 7, "kind": "rejected", "reason": "Same account as line 3 (CRM id B1); a file may change each "
                                                  "account once"},
    ]  # fmt: skip
    assert parsed["n"] == 1  # only the conflicting line


def test_a_stepped_job_resumes_with_digests(workspace, owner, monkeypatch):
    _import(workspace)
    monkeypatch.setattr(imports, "CHUNK", 2)
    job = import_job_create(workspace=workspace, kind="accounts", filename="a.csv", data=_data(LINES), mapping=MAP)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)

    steps = 1
    while import_job_step(job_id=job.pk, deadline=0):
        steps += 1

    job.refresh_from_db()
    assert steps > 1 and job.status == ImportStatus.DONE
    assert (job.unchanged, job.processed_rows, job.created, job.updated) == (4, 4, 0, 0)


def _snapshot(workspace):
    rows = Account.objects.for_workspace(workspace).values_list(*[f for f in IMPORTED if f != "parent_id"])
    parents = Account.objects.for_workspace(workspace).values_list("name", "parent__name")
    return sorted(map(repr, rows)), sorted(map(repr, parents))


def _variant(data: bytes) -> bytes:
    """The file again with its second line repeated, its third line with one cell changed, and an edit."""
    lines = data.splitlines(keepends=True)
    ending = b"\r\n" if lines[0].endswith(b"\r\n") else (b"\r" if lines[0].endswith(b"\r") else b"\n")
    changed = re.sub(rb"(\d)(?=\D*$)", lambda m: str((int(m.group(1)) + 1) % 10).encode(), lines[3].rstrip(b"\r\n"))
    return b"".join(lines) + (b"" if lines[-1].endswith(ending) else ending) + lines[2].rstrip(b"\r\n") + ending + \
        changed + ending  # fmt: skip


@pytest.mark.parametrize(
    "name, mapping, scales",
    [
        ("salesforce/accountData.csv", None, None),
        ("thirdparty/accounts.csv", ACCOUNT_MAP, {"annual_revenue": "1000000"}),
        ("thirdparty/accounts_eu_cp1252.csv", ACCOUNT_MAP, None),
        ("thirdparty/accounts_cr.csv", ACCOUNT_MAP, None),
    ],
)
def test_the_digest_path_reports_and_stores_exactly_what_the_full_path_does(name, mapping, scales, monkeypatch, parsed):
    data = (FIXTURES / name).read_bytes()
    outcomes = {}
    for digests in (True, False):
        monkeypatch.setattr(imports, "IMPORT_DIGESTS", digests)
        workspace = WorkspaceFactory()
        runs = []
        for chunk_size, payload in ((5000, data), (7, data), (5000, _variant(data)), (3, _variant(data))):
            if len(runs) == 2:  # edits in the portal between two imports (the same accounts in both workspaces)
                edited = Account.objects.for_workspace(workspace).order_by("name", "external_id", "domain")
                pks = list(edited.values_list("pk", flat=True))[::3]
                Account.objects.filter(pk__in=pks).update(industry="Edited", employees=1)
            parsed["n"] = 0
            result, _ = import_file(
                workspace=workspace, kind="accounts", data=payload, mapping=mapping, scales=scales,
                chunk_size=chunk_size,
            )  # fmt: skip
            runs.append((result.summary(), result.problems, parsed["n"]))
        outcomes[digests] = (runs, _snapshot(workspace))
    fast, full = outcomes[True], outcomes[False]
    assert [(s, p) for s, p, _ in fast[0]] == [(s, p) for s, p, _ in full[0]]
    assert fast[1] == full[1]
    rows = full[0][1][0]["unchanged"]
    assert rows > 0 and fast[0][1][2] < full[0][1][2]  # the re-import did skip lines on the digest path
