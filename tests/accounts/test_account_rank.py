"""``AccountRank``: the copy of each account's ranking columns that the list sorts read, kept by database triggers
(``accounts.rank_sync``, migration ``accounts/0021``), so that a rescore updates accounts in place."""

from __future__ import annotations

import pytest
from django.db import connection

from abe.bulk import SMALL_UPDATE, objects_insert, rows_update
from accounts import rank_sync
from accounts.filters import AccountFilterSet
from accounts.models import Account, AccountEngagementRank, AccountRank
from accounts.prospecting.services import SCORE_FIELDS
from tests.factories import AccountFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

COPIED = rank_sync.COLUMNS  # tied to the model's fields by test_the_triggers_copy_every_column_of_the_copy


def _copies_match(workspace) -> tuple[int, int]:
    """(accounts of the workspace, of which those whose copy holds the same values)."""
    accounts = {row[0]: row[1:] for row in Account.objects.filter(workspace=workspace).values_list("pk", *COPIED)}
    copies = {row[0]: row[1:] for row in AccountRank.objects.values_list("account_id", *COPIED)}
    return len(accounts), sum(1 for pk, values in accounts.items() if copies.get(pk) == values)


def test_every_way_of_creating_accounts_gives_each_its_copy(workspace):
    # given accounts created by save(), bulk_create and the COPY path
    AccountFactory(workspace=workspace, priority=55.5, fit_grade="B", tier="priority")
    Account.objects.bulk_create([Account(workspace=workspace, name=f"Bulk {i}", win_probability=0.5) for i in range(3)])
    objects_insert(Account, [Account(workspace=workspace, name=f"Copied {i}", fit_score=42.0) for i in range(3)])
    # then each has a copy with its values
    assert _copies_match(workspace) == (7, 7)


def test_updates_of_the_ranking_columns_reach_the_copy_by_every_path(workspace):
    # given accounts
    one = AccountFactory(workspace=workspace)
    many = objects_insert(Account, [Account(workspace=workspace, name=f"A{i}") for i in range(SMALL_UPDATE + 5)])
    # when they change by save(), update() and the bulk writer (both its array and its COPY paths)
    one.priority, one.tier = 91.0, "strategic"
    one.save()
    Account.objects.filter(pk=many[0].pk).update(fit_grade="A", fit_score=88.0)
    rows_update(Account, ["priority", "win_probability"], [(a.pk, 10.0 + i, 0.1) for i, a in enumerate(many[1:6])])
    rows_update(Account, ["priority", "tier"], [(a.pk, float(i), "priority") for i, a in enumerate(many)])
    # then every copy holds the account's values
    assert _copies_match(workspace) == (SMALL_UPDATE + 6, SMALL_UPDATE + 6)
    assert AccountRank.objects.get(account=one).priority == 91.0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads the row version (xmin)")
@pytest.mark.parametrize(
    ("copy", "kept", "changed"),
    [
        # the ranking copy: other columns change, the copied one is written with the value it had
        (AccountRank, {"priority": 12.0}, {"name": "Renamed", "priority": 12.0}),
        # the engagement copy: columns it does not copy change (a rescore's priority, the domain)
        (
            AccountEngagementRank,
            {"engagement_score": 3.0},
            {"priority": 50.0, "domain": "renamed.example.com", "engagement_score": 3.0},
        ),
    ],
)
def test_an_update_that_changes_no_copied_column_leaves_the_copy_unwritten(workspace, copy, kept, changed):
    # given an account and the version of its copy
    account = AccountFactory(workspace=workspace, **kept)

    def version() -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT xmin::text FROM {copy._meta.db_table} WHERE account_id = %s", [account.pk])
            return cursor.fetchone()[0]

    before = version()
    # when other columns change (a later transaction id would show on a rewritten copy)
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
    Account.objects.filter(pk=account.pk).update(**changed)
    # then the copy was not written
    assert version() == before


def _copy_reads() -> int:
    """Scans of the copy's table in this transaction so far (sequential and by index)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0) FROM pg_stat_xact_user_tables WHERE relname = %s",
            [rank_sync.TABLE],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement triggers and statistics")
def test_an_update_that_changes_no_copied_column_does_not_read_the_copy(workspace):
    # given accounts (a scoring pass updates their engagement columns, none of which is copied)
    accounts = objects_insert(Account, [Account(workspace=workspace, name=f"A{i}") for i in range(SMALL_UPDATE + 5)])
    before = _copy_reads()
    # when a pass-like update of many accounts and a save() of one change no copied column
    rows_update(
        Account,
        ["engagement_score", "engagement_momentum", "journey_stage"],
        [(a.pk, 10.0 + i, 0.5, "aware") for i, a in enumerate(accounts)],
    )
    Account.objects.filter(pk=accounts[0].pk).update(name="Renamed")
    # then the trigger did not read the copy (it hashed the whole copy to find nothing to write)
    assert _copy_reads() == before
    # and an update of a copied column still reaches the copy
    Account.objects.filter(pk=accounts[1].pk).update(priority=77.0)
    assert _copy_reads() > before
    assert AccountRank.objects.get(account_id=accounts[1].pk).priority == 77.0


@pytest.mark.parametrize("copy", [AccountRank, AccountEngagementRank])
def test_deleting_accounts_deletes_their_copies(workspace, other_workspace, copy):
    # given accounts in two workspaces (each with its ranking and its engagement copy)
    kept = AccountFactory(workspace=other_workspace)
    gone = [AccountFactory(workspace=workspace) for _ in range(3)]
    # when one is deleted through the ORM, one by raw SQL and then the whole workspace
    gone[0].delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_account WHERE id = %s", [gone[1].pk])
    workspace.delete()
    # then only the other workspace's copy is left
    assert list(copy.objects.values_list("account_id", flat=True)) == [kept.pk]


def _indexed_columns(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass",
            [table],
        )
        return dict(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's catalogue")
def test_no_index_of_the_account_row_holds_a_column_the_rescore_rewrites():
    # given what the rescore writes for every account (the tier only changes for the few it moves)
    rewritten = set(SCORE_FIELDS) - {"tier"}
    # when the accounts table's indexes are read
    definitions = _indexed_columns("accounts_account")
    # then none holds one (each would make the rescore's update of every account add an entry to every index)
    offending = {name: d for name, d in definitions.items() if any(f"({c}" in d or f" {c}" in d for c in rewritten)}
    assert offending == {}
    # and the ranking sorts have their indexes on the copy
    on_copy = set(_indexed_columns(AccountRank._meta.db_table))
    assert {"rank_ws_priority_d", "rank_ws_tier_priority_d", "rank_ws_grade_a"} <= on_copy


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({"sort": "-priority"}, "rank_ws_priority_d"),
        ({"sort": "-priority", "tier": "strategic"}, "rank_ws_tier_priority_d"),
        ({"sort": "grade", "grade": "A"}, "rank_ws_grade_a"),
        ({"sort": "-win"}, "rank_ws_win_d"),
        ({"sort": "-fit", "grade": "A", "country": "US", "lifecycle": "prospect"}, "rank_ws_grade_fit_d"),
        ({"sort": "-priority", "industry": "Software", "pinned": "1"}, "rank_ws_priority_d"),
    ],
)
def test_a_page_sorted_by_a_ranking_column_reads_its_index_in_order(workspace, params, index):
    # given accounts in this and another workspace
    for i in range(5):
        AccountFactory(
            workspace=workspace,
            priority=float(i),
            fit_grade="A",
            win_probability=i / 10,
            tier="strategic",
            tier_locked=True,
        )
    AccountFactory(workspace=WorkspaceFactory(), priority=99.0)
    # when the list's query for the sort (and filter) is planned with sorting and table scans made costly
    queryset = AccountFilterSet(params, Account.objects.for_workspace(workspace), workspace=workspace).qs[:26]
    plan = _plan(queryset)
    # then it reads the copy's index within the workspace, in order: no sort
    assert index in plan, plan
    assert "Sort" not in plan, plan
    # and the page is the workspace's accounts in that order
    assert len(queryset) == 5


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"grade": "A"},
        {"fit_grade": "B", "tier": "strategic"},
        {"grade": "A", "country": "US", "sort": "-fit"},
        {"sort": "-priority", "industry": "Retail"},
        {"sort": "name", "grade": "A"},
        {"sort": "-win", "owner": "none", "pinned": "on", "lifecycle": "customer"},
        {"sort": "-priority", "country": "US", "employees_min": "400"},
        {"sort": "-priority", "grade": "A", "fit_grade": "B"},
    ],
)
def test_a_page_counts_the_accounts_its_filters_select(workspace, other_workspace, params):
    # given accounts of two workspaces with grades, tiers, countries and industries
    from accounts import selectors

    grades, tiers = ["A", "B", "C", ""], ["strategic", "priority", "standard"]
    for i in range(30):
        AccountFactory(
            workspace=workspace,
            fit_grade=grades[i % 4],
            tier=tiers[i % 3],
            country="US" if i % 2 else "DE",
            industry="Retail" if i % 5 == 0 else "Software",
            priority=float(i),
            tier_locked=i % 7 == 0,
            lifecycle="customer" if i % 2 else "prospect",
            employees=100 * i,
        )
    AccountFactory(workspace=other_workspace, fit_grade="A", tier="strategic", country="US", industry="Retail")
    # when the list's page is built
    filterset = selectors.account_filterset(workspace=workspace, params=params)
    page = selectors.account_page(filterset=filterset, number=1, per_page=25)
    # then its total is the number of the workspace's accounts that match, counted plainly
    expected = Account.objects.filter(workspace=workspace)
    for key, field in (("grade", "fit_grade"), ("fit_grade", "fit_grade"), ("tier", "tier"), ("country", "country")):
        if key in params:
            expected = expected.filter(**{field: params[key]})
    for key in ("industry", "lifecycle"):
        if key in params:
            expected = expected.filter(**{key: params[key]})
    if "owner" in params:
        expected = expected.filter(owner__isnull=True)
    if "pinned" in params:
        expected = expected.filter(tier_locked=True)
    if "employees_min" in params:
        expected = expected.filter(employees__gte=int(params["employees_min"]))
    assert (page.total, page.total_capped) == (expected.count(), False)
    assert len(page) == min(25, expected.count())


def test_a_page_filtered_only_by_copied_columns_counts_the_copies_alone(workspace):
    # given accounts
    from django.test.utils import CaptureQueriesContext

    from accounts import selectors

    for i in range(4):
        AccountFactory(workspace=workspace, country="US", fit_grade="A", priority=float(i))
    # when a page filtered by grade and country, sorted by fit, is built
    filterset = selectors.account_filterset(workspace=workspace, params={"grade": "A", "country": "US", "sort": "-fit"})
    with CaptureQueriesContext(connection) as queries:
        page = selectors.account_page(filterset=filterset, number=1, per_page=25)
    # then it counts the copies without reading an account, and lists the four
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and 'accounts_account"' not in counts[0].replace("accounts_accountrank", ""), counts
    assert page.total == 4 and len(page) == 4


def test_the_triggers_copy_every_column_of_the_copy():
    # given the copy's model and the columns its triggers write
    # then they are the same (a column added to the model alone would stay at its default)
    fields = {f.column for f in AccountRank._meta.concrete_fields if f.name != "account"}
    assert set(rank_sync.COLUMNS) == fields


def test_another_database_is_refused_rather_than_left_without_triggers():
    # given a database of another kind that has the copy's table
    from contextlib import nullcontext

    from django.core.exceptions import ImproperlyConfigured

    class Other:
        vendor = "mysql"

        class introspection:  # noqa: N801 - stands for a connection's introspection
            @staticmethod
            def table_names(cursor):
                return [rank_sync.TABLE]

        def cursor(self):
            return nullcontext()

    # when the triggers are installed, then it says which databases keep the copy
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL or SQLite"):
        rank_sync.install(Other())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's extended statistics")
def test_the_ranking_copy_has_statistics_of_workspace_grade_and_country_together(workspace):
    # given the ranking copy of a workspace's accounts, analysed
    objects_insert(
        Account, [Account(workspace=workspace, name=f"M{i}", fit_grade="AB"[i % 2], country="US") for i in range(50)]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_accountrank")
        # when the copy's extended statistics are read
        cursor.execute(
            "SELECT s.stxkind, array_agg(a.attname ORDER BY a.attname)"
            " FROM pg_statistic_ext s JOIN pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = ANY(s.stxkeys)"
            " WHERE s.stxrelid = 'accounts_accountrank'::regclass AND s.stxname = 'rank_ws_grade_country'"
            " GROUP BY s.stxkind"
        )
        found = cursor.fetchall()
        cursor.execute(
            "SELECT most_common_vals, most_common_freqs FROM pg_stats_ext"
            " WHERE statistics_name = 'rank_ws_grade_country'"
        )
        values, freqs = cursor.fetchone()
    # then the most common combinations of workspace, grade and country are kept (migration accounts/0028: the tier
    # board filtered by grade and country reads the grade's index in fit order instead of sorting the grade;
    # docs/performance.md), so that the planner counts them together rather than as independent conditions
    assert found == [(["m"], ["country", "fit_grade", "workspace_id"])]
    common = {tuple(v): f for v, f in zip(values, freqs, strict=True)}
    assert common[("A", "US", str(workspace.pk))] == common[("B", "US", str(workspace.pk))] == 0.5
