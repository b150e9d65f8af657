"""``AccountEngagementRank``: the copy of each account's engagement columns (with its tier, owner and name) that the
engagement, momentum and stage sorts, the stage-change filter and the committee heatmap read, kept by database
triggers (``accounts.rank_sync``, migration ``accounts/0027``), so that a scoring pass updates accounts in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from abe.bulk import SMALL_UPDATE, objects_insert, rows_update
from accounts import rank_sync
from accounts.filters import AccountFilterSet
from accounts.models import Account, AccountEngagementRank
from tests.factories import AccountFactory, ContactFactory, UserFactory, WorkspaceFactory

from .test_account_rank import _indexed_columns, _plan

pytestmark = pytest.mark.django_db

COPIED = rank_sync.ENGAGEMENT_COLUMNS


def _copies_match(workspace) -> tuple[int, int]:
    """(accounts of the workspace, of which those whose copy holds the same values)."""
    accounts = {row[0]: row[1:] for row in Account.objects.filter(workspace=workspace).values_list("pk", *COPIED)}
    copies = {row[0]: row[1:] for row in AccountEngagementRank.objects.values_list("account_id", *COPIED)}
    return len(accounts), sum(1 for pk, values in accounts.items() if copies.get(pk) == values)


def test_the_triggers_copy_every_column_of_the_copy():
    # given the copy's model and the columns its triggers write, then they are the same
    fields = {f.column for f in AccountEngagementRank._meta.concrete_fields if f.name != "account"}
    assert set(COPIED) == fields


def test_every_way_of_creating_and_changing_accounts_keeps_the_copy_equal(workspace):
    # given accounts created by save(), bulk_create and the COPY path
    owner = UserFactory()
    one = AccountFactory(workspace=workspace, engagement_score=12.5, journey_stage="aware", owner=owner)
    Account.objects.bulk_create([Account(workspace=workspace, name=f"Bulk {i}", tier="priority") for i in range(3)])
    many = objects_insert(Account, [Account(workspace=workspace, name=f"A{i}") for i in range(SMALL_UPDATE + 5)])
    assert _copies_match(workspace) == (SMALL_UPDATE + 9, SMALL_UPDATE + 9)
    # when their engagement columns, tier, owner and name change by save(), update() and the bulk writer (both
    # its array and its COPY paths)
    moved = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    one.engagement_momentum, one.name = 0.75, "Renamed"
    one.save()
    Account.objects.filter(pk=many[0].pk).update(journey_stage="engaged", journey_stage_changed_at=moved, owner=owner)
    rows_update(Account, ["engagement_score", "tier"], [(a.pk, 40.0 + i, "strategic") for i, a in enumerate(many[1:6])])
    rows_update(
        Account,
        ["engagement_score", "engagement_momentum", "journey_stage", "journey_stage_changed_at"],
        [(a.pk, float(i), None, "opportunity", moved) for i, a in enumerate(many)],
    )
    # then every copy holds its account's values
    assert _copies_match(workspace) == (SMALL_UPDATE + 9, SMALL_UPDATE + 9)
    copy = AccountEngagementRank.objects.get(account=one)
    assert (copy.engagement_momentum, copy.name, copy.owner_id) == (0.75, "Renamed", owner.pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's catalogue")
def test_no_index_of_the_account_row_holds_a_column_a_scoring_pass_writes():
    # given what a scoring pass writes for each account it scores
    written = ("engagement_score", "engagement_momentum", "journey_stage", "journey_stage_changed_at")
    # when the accounts table's indexes are read
    definitions = _indexed_columns("accounts_account")
    # then none holds one (each would make every pass's update of an account add an entry to all its indexes)
    offending = {name: d for name, d in definitions.items() if any(c in d for c in written)}
    assert offending == {}
    assert {"erank_ws_engagement", "erank_ws_momentum_d", "erank_ws_stage", "erank_ws_tier_stage"} <= set(
        _indexed_columns(AccountEngagementRank._meta.db_table)
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's statistics")
def test_a_scoring_pass_updates_the_accounts_it_scores_in_place(workspace):
    # given accounts whose contacts have new events (their score, momentum and stage will move)
    from engagement.services import accounts_score, events_ingest

    now = datetime.now(UTC)
    accounts = [AccountFactory(workspace=workspace) for _ in range(4)]
    for i, account in enumerate(accounts):
        contact = ContactFactory(workspace=workspace, account=account, buying_role="champion")
        events_ingest(
            workspace=workspace,
            events=[
                {
                    "source": "t",
                    "external_id": f"e{i}-{k}",
                    "type": "meeting",
                    "contact_email": contact.email,
                    "occurred_at": (now - timedelta(hours=k)).isoformat(),
                }
                for k in range(3)
            ],
            now=now,
        )

    def updates() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'accounts_account'"
            )
            return cursor.fetchone()

    before = updates()
    # when the pass scores them
    changed = accounts_score(workspace=workspace, account_ids=[a.pk for a in accounts], now=now)
    # then every account it wrote was updated in place (no index of the account holds what it writes)
    after = updates()
    assert len(changed) == 4
    assert (after[0] - before[0], after[1] - before[1]) == (4, 4)
    # and the copy has the new values the lists sort by
    assert _copies_match(workspace) == (4, 4)
    assert all(c > 0 for c in AccountEngagementRank.objects.values_list("engagement_score", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({"sort": "-engagement"}, "erank_ws_engagement"),
        ({"sort": "engagement", "tier": "strategic"}, "erank_ws_engagement"),
        ({"sort": "-momentum"}, "erank_ws_momentum_d"),
        ({"sort": "stage"}, "erank_ws_stage"),
    ],
)
def test_a_page_sorted_by_an_engagement_column_reads_its_index_in_order(workspace, params, index):
    # given accounts in this and another workspace
    for i in range(5):
        AccountFactory(
            workspace=workspace,
            engagement_score=float(i),
            engagement_momentum=i / 10,
            journey_stage=["aware", "engaged"][i % 2],
            tier="strategic",
        )
    AccountFactory(workspace=WorkspaceFactory(), engagement_score=99.0)
    # when the list's query for the sort is planned with sorting and table scans made costly
    queryset = AccountFilterSet(params, Account.objects.for_workspace(workspace), workspace=workspace).qs[:26]
    plan = _plan(queryset)
    # then it reads the copy's index within the workspace, in order: no sort
    assert index in plan, plan
    assert "Sort" not in plan, plan
    # and the page is the workspace's five accounts in the sort's order
    rows = list(queryset)
    assert len(rows) == 5
    if params["sort"] == "-engagement":
        assert [a.engagement_score for a in rows] == [4.0, 3.0, 2.0, 1.0, 0.0]


def test_the_stage_changed_since_filter_and_the_heatmap_read_the_copy(workspace, other_workspace):
    # given accounts whose stage changed at different times, of two tiers and stages, and another workspace's
    from content.selectors.committee import HeatmapFilters, heatmap_accounts

    now = datetime.now(UTC)
    owner = UserFactory()
    recent = AccountFactory(
        workspace=workspace, name="B recent", journey_stage="engaged", journey_stage_changed_at=now, tier="strategic"
    )
    AccountFactory(workspace=workspace, journey_stage_changed_at=now - timedelta(days=40), tier="strategic")
    never = AccountFactory(workspace=workspace, name="A never", journey_stage="engaged", tier="strategic", owner=owner)
    AccountFactory(workspace=other_workspace, journey_stage="engaged", journey_stage_changed_at=now, tier="strategic")
    # when the list is filtered by stage changes of the last week
    since = AccountFilterSet(
        {"stage_changed_since": (now - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")},
        Account.objects.for_workspace(workspace),
        workspace=workspace,
    ).qs
    # then it lists the account that changed then, of this workspace only
    assert list(since) == [recent]
    # and the heatmap filtered by tier and stage lists this workspace's engaged strategic accounts by name
    found = heatmap_accounts(workspace=workspace, filters=HeatmapFilters(tier="strategic", stage="engaged"))
    assert list(found) == [never, recent]
    mine = heatmap_accounts(workspace=workspace, filters=HeatmapFilters(stage="engaged", owner_id=owner.pk))
    assert list(mine) == [never]


def test_a_page_filtered_by_stage_changes_alone_counts_the_copies_without_reading_accounts(workspace, other_workspace):
    # given accounts whose stage changed a day ago, a month ago and never, and another workspace's recent change
    from django.test.utils import CaptureQueriesContext

    from accounts import selectors

    now = datetime.now(UTC)
    for days in (1, 1, 1, 40):
        AccountFactory(workspace=workspace, journey_stage_changed_at=now - timedelta(days=days))
    AccountFactory(workspace=workspace)
    AccountFactory(workspace=other_workspace, journey_stage_changed_at=now)
    since = (now - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # when the list's page for the changes of the last week is built
    filterset = selectors.account_filterset(workspace=workspace, params={"stage_changed_since": since})
    with CaptureQueriesContext(connection) as queries:
        page = selectors.account_page(filterset=filterset, number=1, per_page=25)
    # then it counts the copies without reading an account, and lists the three
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and 'accounts_account"' not in counts[0].replace("accounts_accountengagementrank", "")
    assert (page.total, len(page)) == (3, 3)
    # and with another filter too the count is of the accounts both select
    filterset = selectors.account_filterset(workspace=workspace, params={"stage_changed_since": since, "country": "ZZ"})
    assert selectors.account_page(filterset=filterset, number=1, per_page=25).total == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
def test_the_count_of_stage_changes_reads_the_index_beside_a_workspace_whose_accounts_all_changed(
    workspace, other_workspace
):
    # given a workspace with a few recent stage changes among many accounts, beside another workspace whose
    # accounts all changed stage today (so the table's statistics take a recent change for a common thing)
    from django.test.utils import CaptureQueriesContext

    from accounts import selectors

    now = datetime.now(UTC)
    objects_insert(
        Account,
        [
            Account(workspace=workspace, name=f"Mine {i}", journey_stage_changed_at=now if i < 3 else None)
            for i in range(3000)
        ],
    )
    objects_insert(
        Account,
        [Account(workspace=other_workspace, name=f"Theirs {i}", journey_stage_changed_at=now) for i in range(3000)],
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_accountengagementrank")
    since = (now - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # when the list's page of the changes of the last week is built
    filterset = selectors.account_filterset(workspace=workspace, params={"stage_changed_since": since})
    with CaptureQueriesContext(connection) as queries:
        page = selectors.account_page(filterset=filterset, number=1, per_page=25)
    # then its count reads the range of the index of stage changes (unordered, PostgreSQL read the table from its
    # start, expecting the first 1,001 matches soon), and the page lists this workspace's three
    count = next(q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + count)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "erank_ws_stage_changed" in plan and "Seq Scan" not in plan, plan
    assert (page.total, len(page)) == (3, 3)
