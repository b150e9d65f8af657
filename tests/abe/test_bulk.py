"""The one bulk-write helper (abe.bulk): inserts with ids, COPY, updates that write only changed rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import count

import pytest
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from abe import bulk
from accounts.models import Account, Contact
from engagement.models import AccountScoreSnapshot
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_rows_insert_returns_ids_and_fills_defaults(workspace):
    # given two new accounts as plain dicts, one of them with a JSON list
    # when they are inserted
    ids = bulk.rows_insert(
        Account,
        [
            {"workspace_id": workspace.pk, "name": "Acme", "domain": "acme.test", "technologies": ["Slack"]},
            {"workspace_id": workspace.pk, "name": "Globex", "domain": "globex.test"},
        ],
    )
    # then the ids come back in order and the left-out fields took their defaults
    acme, globex = (Account.objects.get(pk=pk) for pk in ids)
    assert (acme.name, acme.technologies, acme.tier_locked) == ("Acme", ["Slack"], False)
    assert (globex.name, globex.technologies, globex.engagement_score) == ("Globex", [], 0.0)
    assert acme.created_at is not None


@pytest.mark.parametrize(
    "stamps",
    [
        ["2026-03-01T10:00:00+00:00", None, "2026-03-02T11:30:00.250000+02:00"],  # varying, with a NULL
        [None, None, None],  # one NULL for every row: written once per line
        ["2026-03-01T10:00:00+00:00"] * 3,  # one instant for every row
    ],
    ids=["varying", "all-null", "all-equal"],
)
def test_timestamps_go_in_as_the_instants_given(workspace, stamps):
    # given accounts whose stage-change time is an aware datetime (UTC or another offset), or none
    from datetime import datetime

    values = [datetime.fromisoformat(s) if s else None for s in stamps]
    # when they are inserted in bulk, with ids and without
    ids = bulk.rows_insert(
        Account,
        [{"workspace_id": workspace.pk, "name": f"T{i}", "journey_stage_changed_at": v} for i, v in enumerate(values)],
    )
    bulk.objects_insert(
        Account, [Account(workspace=workspace, name=f"C{i}", journey_stage_changed_at=v) for i, v in enumerate(values)]
    )
    # then each reads back as the same instant (or NULL)
    stored = dict(Account.objects.filter(pk__in=ids).values_list("name", "journey_stage_changed_at"))
    copied = dict(
        Account.objects.filter(workspace=workspace, name__startswith="C").values_list(
            "name", "journey_stage_changed_at"
        )
    )
    assert [stored[f"T{i}"] for i in range(3)] == values
    assert [copied[f"C{i}"] for i in range(3)] == values


def test_objects_insert_sets_primary_keys(workspace):
    # given unsaved accounts and, after they are stored, contacts pointing at them
    accounts = bulk.objects_insert(Account, [Account(workspace=workspace, name=f"A{i}") for i in range(3)])
    contacts = bulk.objects_insert(
        Contact, [Contact(workspace=workspace, account=a, email=f"x@a{a.pk}.test") for a in accounts]
    )
    # then every object has its id and the rows are there
    assert all(a.pk for a in accounts) and all(c.pk for c in contacts)
    assert set(Contact.objects.filter(pk__in=[c.pk for c in contacts]).values_list("account_id", flat=True)) == {
        a.pk for a in accounts
    }


@pytest.mark.parametrize("many", [False, True], ids=["arrays", "temp-table"])
def test_rows_update_writes_only_rows_that_change(workspace, monkeypatch, many):
    # given three accounts (both PostgreSQL strategies: arrays for small sets, COPY into a temp table for large)
    if many:
        monkeypatch.setattr(bulk, "SMALL_UPDATE", 0)
    a, b, c = (AccountFactory(workspace=workspace, fit_score=50.0, fit_explanation=[["k", "x", 1.0]]) for _ in "abc")
    # when one keeps its values, one gets a new score and NaN (-> NULL) priority, one a new JSON receipt
    written = bulk.rows_update(
        Account,
        ["fit_score", "fit_explanation", "priority"],
        [
            (a.pk, 50.0, bulk.Serialized('[["k","x",1.0]]'), None),
            (b.pk, 75.5, [["k", "x", 1.0]], float("nan")),
            (c.pk, 50.0, [["k", "y", 0.5]], None),
        ],
    )
    # then only the two rows whose values changed were written
    assert written == 2
    b.refresh_from_db()
    c.refresh_from_db()
    assert (b.fit_score, b.priority) == (75.5, None)
    assert c.fit_explanation == [["k", "y", 0.5]]


@pytest.mark.parametrize("many", [False, True], ids=["arrays", "temp-table"])
def test_binary_values_are_inserted_and_updated_as_bytes(workspace, monkeypatch, many):
    # given accounts inserted with a binary digest (any byte, a backslash and a NUL among them) and without one
    if many:
        monkeypatch.setattr(bulk, "SMALL_UPDATE", 0)
    digest = bytes(range(256))
    a, b = bulk.rows_insert(
        Account,
        [
            {"workspace_id": workspace.pk, "name": "A", "import_digest": digest},
            {"workspace_id": workspace.pk, "name": "B", "import_digest": None},
        ],
    )
    # when both digests are updated (one to another value, one from NULL) and one is set to the same value again
    written = bulk.rows_update(Account, ["import_digest"], [(a, b"\x00\\x"), (b, digest)])
    same = bulk.rows_update(Account, ["import_digest"], [(a, b"\x00\\x")])
    # then the bytes come back exactly, and an equal value is not a write
    stored = dict(Account.objects.filter(pk__in=[a, b]).values_list("pk", "import_digest"))
    assert (bytes(stored[a]), bytes(stored[b])) == (b"\x00\\x", digest)
    assert (written, same) == (2, 0)


def test_rows_copy_and_lines_copy(workspace):
    # given an account
    account = AccountFactory(workspace=workspace)
    # when snapshots are copied as tuples
    bulk.rows_copy(
        AccountScoreSnapshot,
        ["workspace_id", "account_id", "day", "score", "momentum", "stage"],
        [(workspace.pk, account.pk, "2026-03-01", 12.5, None, "aware")],
    )
    # then the row is stored (NULL momentum)
    snap = AccountScoreSnapshot.objects.get(account=account)
    assert (snap.score, snap.momentum, snap.stage) == (12.5, None, "aware")
    if connection.vendor == "postgresql":
        # and pre-formatted COPY text lines go into the same table
        bulk.lines_copy(
            AccountScoreSnapshot,
            ["workspace", "account", "day", "score", "momentum", "stage"],
            [f"{workspace.pk}\t{account.pk}\t2026-03-02\t13.0\t\\N\taware\n"],
        )
        assert AccountScoreSnapshot.objects.filter(account=account).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and ON CONFLICT: PostgreSQL only")
def test_columns_insert_new_skips_existing_keys(workspace):
    # given one event already stored
    from engagement.models import EngagementEvent

    account = AccountFactory(workspace=workspace)
    columns = ["workspace_id", "account_id", "type", "channel", "occurred_at", "source", "external_id", "metadata"]

    def row(external_id: str) -> tuple:
        return (workspace.pk, account.pk, "web_visit", "", "2026-03-01T10:00:00+00:00", "web", external_id, {"a": 1})

    def insert(rows: list[tuple]) -> list[tuple]:
        return bulk.columns_insert_new(
            EngagementEvent,
            columns,
            [list(column) for column in zip(*rows, strict=True)],
            conflict=["workspace", "source", "external_id"],
            returning=["source", "external_id"],
        )

    # when a batch of new keys goes in (the plain COPY), then a batch mixing an old and a new key
    assert insert([row("e1")]) == [("web", "e1")]
    second = insert([row("e1"), row("e2")])
    # then only the new one is inserted and returned, with its received_at stamped
    assert second == [("web", "e2")]
    events = EngagementEvent.objects.filter(account=account).order_by("external_id")
    assert [e.external_id for e in events] == ["e1", "e2"]
    assert all(e.received_at is not None and e.metadata == {"a": 1} for e in events)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and ON CONFLICT: PostgreSQL only")
def test_columns_insert_new_streams_every_chunk_and_falls_back_with_all_of_them(workspace, monkeypatch):
    # given chunks of 3 rows, so that 8 rows go out as 3 chunks, and one key stored already (in the last chunk)
    from datetime import UTC, datetime, timedelta

    from engagement.models import EngagementEvent

    monkeypatch.setattr(bulk, "STREAM_ROWS", 3)
    account, other = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    columns = ["workspace_id", "account_id", "type", "channel", "occurred_at", "source", "external_id", "metadata"]
    start = datetime(2026, 3, 1, 10, tzinfo=UTC)

    def insert(keys: list[int]) -> list[tuple]:
        values = [
            [workspace.pk] * len(keys),  # constant: sent once per line after the varying cells
            [account.pk if k % 2 else other.pk for k in keys],
            ["web_visit"] * len(keys),
            ["web"] * len(keys),
            [start + timedelta(minutes=k) for k in keys],
            ["crm"] * len(keys),
            [f"e{k}" for k in keys],
            [bulk.Serialized(f'{{"n":{k}}}') for k in keys],
        ]
        return bulk.columns_insert_new(
            EngagementEvent, columns, values, conflict=["workspace", "source", "external_id"], returning=["external_id"]
        )

    assert insert([7]) == [("e7",)]
    # when 8 rows go in, e7 among them: the streamed COPY fails on it, after every chunk was read
    inserted = insert(list(range(8)))
    # then the careful path inserts exactly the 7 new rows, from all three chunks, each with its own values
    assert sorted(inserted) == sorted((f"e{k}",) for k in range(8) if k != 7)
    stored = {e.external_id: e for e in EngagementEvent.objects.filter(workspace=workspace)}
    assert sorted(stored) == sorted(f"e{k}" for k in range(8))
    for k in range(8):
        event = stored[f"e{k}"]
        assert (event.account_id, event.occurred_at, event.metadata, event.source) == (
            account.pk if k % 2 else other.pk,
            start + timedelta(minutes=k),
            {"n": k},
            "crm",
        )
    # and a batch of new keys only goes in by the streamed COPY alone, every chunk of it
    assert len(insert(list(range(8, 16)))) == 8
    assert EngagementEvent.objects.filter(workspace=workspace).count() == 16


def test_rows_executemany_converts_values_and_fills_defaults(workspace):
    """The path of databases without COPY (the embedded SQLite demo), checked on whichever database runs."""
    from decimal import Decimal

    from abe.bulk import Serialized

    # given two accounts as tuples: a JSON list as an object and one already serialised, a Decimal, a NaN
    bulk.rows_executemany(
        Account,
        ["workspace_id", "name", "technologies", "annual_revenue", "fit_score", "fit_explanation"],
        [
            (workspace.pk, "Acme", ["Slack", "Jira"], Decimal("12.50"), float("nan"), Serialized('[["k","y",0.5]]')),
            (workspace.pk, "Globex", [], None, 71.5, []),
        ],
    )
    # then the values are stored as given, NaN as NULL, and the left-out fields took their defaults
    acme = Account.objects.get(workspace=workspace, name="Acme")
    globex = Account.objects.get(workspace=workspace, name="Globex")
    assert (acme.technologies, acme.annual_revenue, acme.fit_score) == (["Slack", "Jira"], Decimal("12.50"), None)
    assert acme.fit_explanation == [["k", "y", 0.5]]
    assert (globex.technologies, globex.fit_score, globex.tier_locked, globex.engagement_score) == (
        [],
        71.5,
        False,
        0.0,
    )
    assert acme.created_at is not None and acme.updated_at is not None
    # and dates given as text or as dates both land
    account = AccountFactory(workspace=workspace)
    from datetime import date

    bulk.rows_executemany(
        AccountScoreSnapshot,
        ["workspace_id", "account_id", "day", "score", "momentum", "stage"],
        [
            (workspace.pk, account.pk, "2026-03-01", 1.0, None, "aware"),
            (workspace.pk, account.pk, date(2026, 3, 2), 2.0, 0.5, "aware"),
        ],
    )
    assert list(
        AccountScoreSnapshot.objects.filter(account=account).order_by("day").values_list("day", "momentum")
    ) == [
        (date(2026, 3, 1), None),
        (date(2026, 3, 2), 0.5),
    ]


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL array literals")


@postgresql_only
def test_pg_array_reads_back_as_the_same_values():
    # given values that an array literal must quote or escape (quotes, backslashes, braces, commas, blanks, the
    # word NULL), NULLs, doubles at full precision, NaN and infinities, dates and aware date-times
    from datetime import UTC, date, datetime, timedelta, timezone

    texts = ['o"brien', "back\\slash", "{a,b}", " spaced ", "", "NULL", None, "naïve ✓"]
    floats = [0.1 + 0.2, -1e-300, 1.7976931348623157e308, float("inf"), float("-inf"), None]
    moments = [
        datetime(2026, 5, 1, 9, 30, 0, 123456, tzinfo=UTC),
        datetime(2026, 5, 1, 12, tzinfo=timezone(timedelta(hours=2))),
    ]
    # when each list goes to PostgreSQL as one literal and comes back
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::text[], %s::float8[], %s::bigint[], %s::date[], %s::timestamptz[], %s::float8[]",
            [
                bulk.pg_array(texts),
                bulk.pg_array(floats),
                bulk.pg_array([2**62, -1, None]),
                bulk.pg_array([date(2026, 2, 28)]),
                bulk.pg_array(moments),
                bulk.pg_array([float("nan")]),
            ],
        )
        got_texts, got_floats, ints, days, got_moments, nan = cursor.fetchone()
    # then every value is the one sent (NaN stays NaN)
    assert (got_texts, got_floats, ints, days, got_moments) == (
        texts,
        floats,
        [2**62, -1, None],
        [date(2026, 2, 28)],
        moments,
    )
    assert nan[0] != nan[0]


def test_rows_upsert_inserts_new_rows_and_writes_only_changed_ones(workspace):
    # given two accounts with a snapshot each for the same day
    from datetime import date

    a, b, c = (AccountFactory(workspace=workspace) for _ in "abc")
    day = date(2026, 5, 1)
    columns = ["workspace_id", "account_id", "day", "score", "momentum", "stage"]
    upsert = {"conflict": ["account", "day", "workspace"], "update": ["score", "momentum", "stage"]}
    bulk.rows_upsert(
        AccountScoreSnapshot,
        columns,
        [(workspace.pk, a.pk, day, 1.0, None, "aware"), (workspace.pk, b.pk, day, 2.0, 0.5, "")],
        **upsert,
    )
    postgresql = connection.vendor == "postgresql"
    before = _row_versions(AccountScoreSnapshot, [a.pk, b.pk]) if postgresql else {}
    # when a's values come again unchanged, b's score moves and c is new
    written = bulk.rows_upsert(
        AccountScoreSnapshot,
        columns,
        [
            (workspace.pk, a.pk, day, 1.0, None, "aware"),
            (workspace.pk, b.pk, day, 2.5, 0.5, ""),
            (workspace.pk, c.pk, day, 3.0, None, "x"),
        ],
        **upsert,
    )
    # then b is updated, c inserted and a, unchanged, not written (the same tuple, ctid, on PostgreSQL)
    rows = {r.account_id: (r.score, r.momentum, r.stage) for r in AccountScoreSnapshot.objects.filter(day=day)}
    assert rows == {a.pk: (1.0, None, "aware"), b.pk: (2.5, 0.5, ""), c.pk: (3.0, None, "x")}
    if postgresql:
        assert written == 2
        after = _row_versions(AccountScoreSnapshot, [a.pk, b.pk])
        assert after[a.pk] == before[a.pk] and after[b.pk] != before[b.pk]


def _row_versions(model, account_ids):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT account_id, ctid::text FROM {table} WHERE account_id = ANY(%s)", [list(account_ids)])
        return dict(cursor.fetchall())


@postgresql_only
@pytest.mark.parametrize("many", [False, True], ids=["arrays", "temp-table"])
def test_rows_update_reaches_the_rows_through_the_primary_key(workspace, monkeypatch, many):
    # given accounts (both strategies: arrays for small sets, COPY into a temp table for large), and a planner that
    # may not scan a table whole (so the plan shows how rows are found)
    from django.db import transaction

    if many:
        monkeypatch.setattr(bulk, "SMALL_UPDATE", 0)
    ids = [AccountFactory(workspace=workspace).pk for _ in range(3)]
    plans = []

    def explain_updates(execute, sql, params, many_, context):
        if sql.startswith("UPDATE"):  # explained where it runs (the temp table exists only in rows_update)
            context["cursor"].execute("EXPLAIN " + sql, params)
            plans.append("\n".join(row[0] for row in context["cursor"].fetchall()))
        return execute(sql, params, many_, context)

    # when rows_update runs, its UPDATE explained just before it runs
    with transaction.atomic(), connection.execute_wrapper(explain_updates):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        bulk.rows_update(Account, ["fit_score"], [(pk, 10.0 + pk) for pk in ids])
        transaction.set_rollback(True)
    # then it looks the ids up in the primary key index at once (not row by row from a join, nor a hash of the
    # whole table), whatever the table's statistics
    (plan,) = plans
    assert "accounts_account_pkey" in plan and "= ANY" in plan, plan


def test_rows_insert_prepared_reads_only_the_given_keys_and_adds_the_constants(workspace):
    # given records a caller keeps for itself: the tracked fields, plus keys of its own and a model field it does
    # not mean to write ("tier"), and the workspace given once for all rows
    records = [
        {"id": None, "_name": "acme", "tier": "strategic", "name": 'Acme, "the" one', "city": "two\nlines"},
        {"id": None, "_name": "globex", "tier": "strategic", "name": "Globex", "city": ""},
    ]
    # when they are inserted reading only the tracked keys
    ids, send = bulk.rows_insert_prepared(
        Account, records, keys=["name", "city"], constants={"workspace_id": workspace.pk}
    )
    send()
    # then each row has its tracked values and the constants, and every other field its default
    stored = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    acme, globex = stored[ids[0]], stored[ids[1]]
    assert (acme.workspace_id, acme.name, acme.city, acme.tier) == (
        workspace.pk,
        'Acme, "the" one',
        "two\nlines",
        "standard",
    )
    assert (globex.workspace_id, globex.name, globex.city, globex.technologies) == (workspace.pk, "Globex", "", [])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_columns_with_one_value_for_every_row_are_formatted_once_at_the_end_of_each_line(workspace, monkeypatch):
    # given a COPY recorder
    copies = []
    real_copy = bulk._copy_csv_text

    def copy(cursor, table, columns, text, **kwargs):
        copies.append((list(columns), text))
        real_copy(cursor, table, columns, text, **kwargs)

    monkeypatch.setattr(bulk, "_copy_csv_text", copy)
    # when rows sharing their workspace, lifecycle and (empty) technologies but not their names are inserted
    rows = [
        {"workspace_id": workspace.pk, "name": f"Company {i}, Inc.", "lifecycle": "customer", "technologies": []}
        for i in range(3)
    ]
    ids = bulk.rows_insert(Account, rows)
    # then the varying columns come first, and every line ends with the same text for the shared ones
    ((columns, text),) = copies
    assert columns[:2] == ["id", "name"]
    assert columns.index("workspace_id") > columns.index("name")
    lines = text.splitlines()
    ends = {line.split('",', 1)[1] for line in lines}
    assert len(lines) == 3 and len(ends) == 1
    # and the rows are what was given
    stored = list(Account.objects.filter(pk__in=ids).order_by("pk").values_list("workspace_id", "name", "lifecycle"))
    assert stored == [(workspace.pk, f"Company {i}, Inc.", "customer") for i in range(3)]


_batches = count()
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY: PostgreSQL only")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(sources=["\\N"], rows=[("\\N", True, "{}"), ('a,"b"\n', True, "{}")])  # the NULL marker as text
@example(sources=["x", "\\N"], rows=[("", False, "{}"), ("\\N", True, "{}"), ("y", True, "{}")])
@example(sources=["a\nb"], rows=[("c\rd", True, "{}")])  # line breaks in a constant and in a varying column
@example(sources=["a\r\nb", "e"], rows=[("c\rd", True, "{}"), ("f\n", True, '{"b":1}'), ("", True, "{}")])
@given(
    sources=st.one_of(_TEXT.map(lambda s: [s]), st.lists(_TEXT, min_size=1, max_size=3)),
    rows=st.lists(
        st.tuples(_TEXT, st.booleans(), st.sampled_from(["{}", '{"a":"x,y\\n\\"z\\""}', '{"b":1}'])),
        min_size=1,
        max_size=9,
    ),
)
def test_columns_insert_new_stores_any_text_as_given(workspace, monkeypatch, sources, rows):
    # given rows whose text holds the csv's own characters (commas, quotes, newlines, backslashes, \N) in varying
    # and in constant columns, sent in chunks of 2 rows
    from engagement.models import EngagementEvent

    monkeypatch.setattr(bulk, "STREAM_ROWS", 2)
    account = AccountFactory(workspace=workspace)
    batch = f"h{next(_batches)}-"
    n = len(rows)
    values = [
        [workspace.pk] * n,
        [account.pk] * n,
        ["web_visit"] * n,
        [text if with_channel else "" for text, with_channel, _ in rows],
        [datetime(2026, 3, 1, 10, tzinfo=UTC)] * n,
        [sources[i % len(sources)] for i in range(n)],
        [f"{batch}{i}" for i in range(n)],
        [bulk.Serialized(meta) for _, _, meta in rows],
    ]
    columns = ["workspace_id", "account_id", "type", "channel", "occurred_at", "source", "external_id", "metadata"]
    # when they are inserted
    inserted = bulk.columns_insert_new(
        EngagementEvent, columns, values, conflict=["workspace", "source", "external_id"], returning=["external_id"]
    )
    # then every row is stored with exactly its values
    assert len(inserted) == n
    stored = {
        e.external_id: (e.channel, e.source, e.metadata)
        for e in EngagementEvent.objects.filter(workspace=workspace, external_id__startswith=batch)
    }
    assert stored == {f"{batch}{i}": (values[3][i], values[5][i], json.loads(values[7][i])) for i in range(n)}
