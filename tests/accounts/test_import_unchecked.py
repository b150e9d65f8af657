"""An import's new accounts are written without PostgreSQL's per-row foreign-key checks where the connection may
(``accounts.imports.services._accounts_insert_unchecked``): the workspace, owners and earlier parents locked in one
statement, the COPY under ``session_replication_role = replica``, the copies kept by their ``ALWAYS`` triggers.

These tests commit (``transaction=True``): the import's writer thread has a connection of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from abe import bulk
from abe.services import workspace_create
from accounts.imports import services as imports
from accounts.models import Account, AccountEngagementRank, AccountRank
from accounts.rank_sync import COLUMNS, ENGAGEMENT_COLUMNS
from tests.accounts.test_import_thirdparty import ACCOUNT_MAP

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="session_replication_role is PostgreSQL's"),
]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        return cursor.fetchone()[0]


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user(username="importer", email="importer@example.com")


def test_new_accounts_are_copied_without_the_checks_and_both_copies_follow(owner, monkeypatch):
    ws = workspace_create(name="Unchecked", owner=owner)
    roles: list[str] = []
    real_copy = bulk._copy_csv_text

    def copy(cursor, table, *args, **kwargs):
        if table == Account._meta.db_table:
            cursor.execute("SELECT current_setting('session_replication_role')")
            roles.append(cursor.fetchone()[0])
        return real_copy(cursor, table, *args, **kwargs)

    monkeypatch.setattr(bulk, "_copy_csv_text", copy)
    data = (FIXTURES / "thirdparty/accounts.csv").read_bytes()
    result, _ = imports.import_file(
        workspace=ws, kind="accounts", data=data, mapping=ACCOUNT_MAP, scales={"annual_revenue": "1000000"},
        chunk_size=5,
    )  # fmt: skip

    assert result.summary()["created"] > 5 and roles and set(roles) == {"replica"}
    accounts = Account.objects.for_workspace(ws)
    ranks = {r["account_id"]: r for r in AccountRank.objects.filter(workspace=ws).values("account_id", *COLUMNS)}
    engagement = {
        r["account_id"]: r
        for r in AccountEngagementRank.objects.filter(workspace=ws).values("account_id", *ENGAGEMENT_COLUMNS)
    }
    for account in accounts.values("id", *{*COLUMNS, *ENGAGEMENT_COLUMNS}):
        assert {c: ranks[account["id"]][c] for c in COLUMNS} == {c: account[c] for c in COLUMNS}
        assert {c: engagement[account["id"]][c] for c in ENGAGEMENT_COLUMNS} == {
            c: account[c] for c in ENGAGEMENT_COLUMNS
        }
    assert len(ranks) == len(engagement) == accounts.count() == result.summary()["created"]
    assert accounts.filter(parent__isnull=False).exists()  # parents named further down the file were linked


def test_a_reference_gone_meanwhile_leaves_the_checks_on(owner, django_user_model):
    """The rows the checks would lock are counted as they are locked: a deleted owner (or parent, or workspace)
    makes the chunk go in with PostgreSQL's checks, which name it, and the role is never changed."""
    ws = workspace_create(name="Checked", owner=owner)
    gone = django_user_model.objects.create_user(username="gone")
    gone_id = gone.pk
    gone.delete()
    seen: list[str] = []

    def insert() -> None:
        seen.append(_role())

    for records, expected in (
        ([{"owner_id": owner.pk, "parent_id": None}], "replica"),
        ([{"owner_id": gone_id, "parent_id": None}], "origin"),
        ([{"owner_id": None, "parent_id": 10**12}], "origin"),
        ([{"owner_id": None, "parent_id": 77}], "replica"),  # a parent among the chunk's own new accounts
    ):
        seen.clear()
        with transaction.atomic():
            imports._accounts_insert_unchecked(insert, [77], ws.pk, records)()
            assert _role() == "origin"  # put back after the COPY
        assert seen == [expected]


def test_a_chunk_naming_a_deleted_owner_fails_as_before(owner, django_user_model):
    ws = workspace_create(name="Failing", owner=owner)
    gone = django_user_model.objects.create_user(username="gone")
    gone_id = gone.pk
    gone.delete()
    records = [{"name": "Acme", "owner_id": gone_id}]
    ids, insert = bulk.rows_insert_prepared(
        Account, records, keys=["name", "owner_id"], constants={"workspace_id": ws.pk}
    )

    with pytest.raises(IntegrityError, match="owner_id"), transaction.atomic():
        imports._accounts_insert_unchecked(insert, ids, ws.pk, records)()
    assert not Account.objects.filter(pk__in=ids).exists()


def test_the_accounts_insert_triggers_are_the_checks_and_the_copies():
    """What ``session_replication_role = replica`` leaves out of the import's COPY: the three foreign-key checks.
    A new insert trigger on the accounts table must fire ALWAYS (as the copies' do) or be run by the import."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'accounts_account'::regclass "
            "AND tgtype & 4 <> 0 ORDER BY tgname"  # TRIGGER_TYPE_INSERT
        )
        triggers = cursor.fetchall()
    checks = [name for name, _ in triggers if name.startswith("RI_ConstraintTrigger_c_")]
    others = {(name, enabled) for name, enabled in triggers if not name.startswith("RI_ConstraintTrigger_c_")}
    assert len(checks) == 3  # workspace, owner, parent
    assert others == {("accounts_rank_inserted", "A"), ("accounts_engagement_rank_inserted", "A")}


def test_copies_triggers_not_enabled_always_leave_the_checks_on(owner):
    """A database not migrated since the copies' triggers fire ALWAYS: the replica role would leave the new
    accounts out of the copies, so the chunk goes in with the checks and the copies get their rows."""
    ws = workspace_create(name="Old triggers", owner=owner)
    records = [{"name": "Acme", "owner_id": owner.pk}]
    ids, insert = bulk.rows_insert_prepared(
        Account, records, keys=["name", "owner_id"], constants={"workspace_id": ws.pk}
    )
    seen: list[str] = []

    def send() -> None:
        seen.append(_role())
        insert()

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE accounts_account ENABLE TRIGGER accounts_rank_inserted")
    try:
        with transaction.atomic():
            imports._accounts_insert_unchecked(send, ids, ws.pk, records)()
    finally:
        from accounts import rank_sync

        rank_sync.install_all(connection)

    assert seen == ["origin"]
    assert AccountRank.objects.filter(account_id__in=ids).count() == 1
    assert AccountEngagementRank.objects.filter(account_id__in=ids).count() == 1
