"""Ingestion: idempotent replay, partial batches, account and contact resolution, contact creation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Contact
from engagement.models import EngagementDay, EngagementEvent, ScoreComponent
from engagement.services import engagement_config_update, events_ingest
from engagement.services.store import pending_apply
from tests.factories import AccountFactory, ContactFactory

from .conftest import NOW, event

pytestmark = pytest.mark.django_db


def test_replaying_a_batch_adds_nothing(workspace):
    contact = ContactFactory(account=AccountFactory(workspace=workspace))
    batch = [event(contact_email=contact.email, at=NOW - timedelta(hours=h)) for h in range(5)]
    events_ingest(workspace=workspace, events=batch, now=NOW)
    assert pending_apply(workspace=workspace) == 1
    state = sorted(EngagementDay.objects.values_list("day", "count")), list(ScoreComponent.objects.values("log_sum"))

    replay = events_ingest(workspace=workspace, events=batch, now=NOW)

    assert (replay.accepted, replay.duplicates, replay.rejected) == (0, 5, [])
    assert pending_apply(workspace=workspace) == 0  # nothing new: no batch to fold in
    assert EngagementEvent.objects.count() == 5
    assert (
        sorted(EngagementDay.objects.values_list("day", "count")),
        list(ScoreComponent.objects.values("log_sum")),
    ) == state


def test_bad_rows_are_reported_by_index_and_good_rows_commit(workspace):
    account = AccountFactory(workspace=workspace, domain="globex.com")
    batch = [
        event(account_domain="globex.com"),
        event(account_domain="globex.com", type="telepathy"),
        event(account_id=999_999),
        event(account_domain="globex.com", occurred_at="yesterday"),
        event(account_domain="globex.com", type="trigger_event", metadata={"kind": "funding"}),
        event(account_domain="globex.com", type="trigger_event", metadata={}),
        "not an object",
        event(account_id=account.pk, external_id="dup"),
        event(account_id=account.pk, external_id="dup"),
    ]
    batch[3]["occurred_at"] = "yesterday"

    result = events_ingest(workspace=workspace, events=batch, now=NOW)
    pending_apply(workspace=workspace)

    assert (result.accepted, result.duplicates) == (3, 1)
    assert [(r["index"], sorted(r["errors"])) for r in result.rejected] == [
        (1, ["type"]),
        (2, ["account_id"]),
        (3, ["occurred_at"]),
        (5, ["metadata"]),
        (6, ["non_field_errors"]),
    ]
    assert EngagementEvent.objects.filter(account=account).count() == 3
    assert sum(EngagementDay.objects.values_list("count", flat=True)) == 3


def test_contact_is_matched_by_email_or_external_id_and_implies_the_account(workspace):
    contact = ContactFactory(account=AccountFactory(workspace=workspace), email="ana@globex.com", external_id="C-1")

    result = events_ingest(
        workspace=workspace,
        events=[event(contact_email="ANA@globex.com "), event(contact_external_id="C-1")],
        now=NOW,
    )

    assert result.accepted == 2
    assert set(EngagementEvent.objects.values_list("account_id", "contact_id")) == {(contact.account_id, contact.pk)}


def test_contact_of_another_account_is_rejected(workspace):
    contact = ContactFactory(account=AccountFactory(workspace=workspace))
    other = AccountFactory(workspace=workspace)

    result = events_ingest(
        workspace=workspace, events=[event(account_id=other.pk, contact_email=contact.email)], now=NOW
    )

    assert result.accepted == 0 and result.rejected[0]["errors"] == {
        "contact_email": ["This contact belongs to another account."]
    }


def test_unknown_contact_at_a_known_domain_is_created_when_the_workspace_allows_it(workspace):
    account = AccountFactory(workspace=workspace, domain="initech.com")

    result = events_ingest(
        workspace=workspace,
        events=[event(contact_email="new.person@initech.com"), event(contact_email="new.person@initech.com")],
        now=NOW,
    )

    contact = Contact.objects.get(email="new.person@initech.com")
    assert (result.accepted, result.contacts_created, contact.account_id) == (2, 1, account.pk)
    assert EngagementEvent.objects.filter(contact=contact).count() == 2


def test_unknown_contact_is_rejected_when_creation_is_off(workspace):
    AccountFactory(workspace=workspace, domain="initech.com")
    engagement_config_update(workspace=workspace, create_unknown_contacts=False)

    result = events_ingest(workspace=workspace, events=[event(contact_email="new.person@initech.com")], now=NOW)

    assert result.accepted == 0 and "contact_email" in result.rejected[0]["errors"]
    assert not Contact.objects.filter(email="new.person@initech.com").exists()


def test_other_workspaces_accounts_are_invisible(workspace, other_workspace):
    foreign = AccountFactory(workspace=other_workspace, domain="foreign.com")

    result = events_ingest(
        workspace=workspace, events=[event(account_id=foreign.pk), event(account_domain="foreign.com")], now=NOW
    )

    assert result.accepted == 0 and len(result.rejected) == 2
    assert not EngagementEvent.objects.exists()


def test_events_far_in_the_future_are_rejected(workspace):
    account = AccountFactory(workspace=workspace)

    result = events_ingest(
        workspace=workspace, events=[event(account_id=account.pk, at=NOW + timedelta(days=3))], now=NOW
    )

    assert result.rejected[0]["errors"] == {"occurred_at": ["Lies more than a day in the future."]}


def test_a_batch_is_folded_in_once_whatever_the_order_of_its_scoring_tasks(workspace):
    account = AccountFactory(workspace=workspace)
    day = NOW.replace(hour=9)
    first = events_ingest(workspace=workspace, events=[event(account_id=account.pk, at=day) for _ in range(2)], now=NOW)
    second = events_ingest(
        workspace=workspace, events=[event(account_id=account.pk, at=day) for _ in range(3)], now=NOW
    )

    applied = [pending_apply(workspace=workspace), pending_apply(workspace=workspace)]  # a task, then its retry

    assert (first.accepted, second.accepted, applied) == (2, 3, [2, 0])
    assert list(EngagementDay.objects.values_list("count", flat=True)) == [5]
    assert ScoreComponent.objects.get().events == 5


def test_nul_characters_are_field_errors_not_a_failed_batch(workspace):
    account = AccountFactory(workspace=workspace)

    result = events_ingest(
        workspace=workspace,
        events=[
            event(account_id=account.pk, external_id="a\x00b"),
            event(account_id=account.pk, metadata={"note": "x\x00y"}),
            event(account_id=account.pk),
        ],
        now=NOW,
    )

    assert result.accepted == 1
    assert [(r["index"], list(r["errors"])) for r in result.rejected] == [(0, ["external_id"]), (1, ["metadata"])]


def test_a_batch_is_written_with_automatic_gc_paused_and_restored_after(workspace, monkeypatch):
    """Profiled: a quarter of a 5,000-event batch went to cyclic GC passes over the process's objects."""
    import gc

    from engagement.services import store

    seen = []
    insert = store.events_insert

    def spy(**kwargs):
        seen.append(gc.isenabled())
        return insert(**kwargs)

    monkeypatch.setattr(store, "events_insert", spy)
    account = AccountFactory(workspace=workspace)
    result = events_ingest(workspace=workspace, events=[event(account_id=account.pk)], now=NOW)

    assert result.accepted == 1
    assert seen == [False]
    assert gc.isenabled()


def _lookup_plan(model, workspace, column: str, values: set[str]) -> str:
    """EXPLAIN of the directory look-up ``_lookup`` sends, with every other index of the table dropped (inside the
    test's transaction, rolled back after) and sequential scans off: the plan names the table's partial unique
    index only if the statement lets PostgreSQL use it, whatever the statistics say."""
    from engagement.services.ingest import _lookup

    statements: list[tuple[str, list]] = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        _lookup(model, workspace, column, values, [column, "id"])
    (sql, params), keep = statements[-1], f"{model._meta.db_table.split('_')[1]}_unique_{column}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname <> %s AND indexname NOT LIKE %s",
            [model._meta.db_table, keep, "%_pkey"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return " ".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array look-up is PostgreSQL's path")
def test_email_and_domain_lookups_can_use_the_partial_unique_indexes(workspace):
    # The unique indexes on a contact's email and an account's domain are partial (blank values excluded): a
    # look-up that does not say "<> ''" cannot use them and reads every contact of the workspace per batch.
    # PostgreSQL proves the index's condition by itself only for arrays of at most 100 values, so the batch has more.
    emails = {f"p{i}@d{i}.example.com" for i in range(120)}
    domains = {f"d{i}.example.com" for i in range(120)}

    assert "contact_unique_email" in _lookup_plan(Contact, workspace, "email", emails)
    assert "account_unique_domain" in _lookup_plan(Account, workspace, "domain", domains)


def test_a_blank_email_in_a_batch_matches_no_contact_without_an_email(workspace):
    account = AccountFactory(workspace=workspace, domain="globex.com")
    ContactFactory(account=account, email="")
    result = events_ingest(workspace=workspace, events=[event(account_domain="globex.com", contact_email="")], now=NOW)
    assert result.accepted == 1
    assert EngagementEvent.objects.get().contact_id is None


def test_contacts_and_accounts_are_found_by_values_that_need_quoting(workspace):
    # given a contact whose address holds a double quote and a backslash, at an account found by its domain
    account = AccountFactory(workspace=workspace, domain="quote.test")
    contact = ContactFactory(account=account, email='o"brien\\x@quote.test')
    # when events name that contact by email, and the account by domain and by id
    result = events_ingest(
        workspace=workspace,
        events=[
            event(contact_email=contact.email),
            event(account_domain="quote.test"),
            event(account_id=account.pk),
        ],
        now=NOW,
    )
    # then every event is resolved to them (the look-ups send their values as one escaped array literal)
    assert (result.accepted, result.rejected) == (3, [])
    assert sorted(EngagementEvent.objects.values_list("account_id", "contact_id"), key=str) == sorted(
        [(account.pk, contact.pk), (account.pk, None), (account.pk, None)], key=str
    )


def test_a_batch_of_known_contacts_looks_up_no_domain(workspace):
    # given contacts the events name by email, and an unknown person at a known domain
    known = [ContactFactory(account=AccountFactory(workspace=workspace, domain=f"k{i}.test")) for i in range(3)]
    AccountFactory(workspace=workspace, domain="fresh.test")
    # when a batch names only the known contacts
    with CaptureQueriesContext(connection) as queries:
        result = events_ingest(workspace=workspace, events=[event(contact_email=c.email) for c in known], now=NOW)
    # then no account is looked up by domain (an email's domain matters only for a contact not found)
    assert result.accepted == 3
    assert not [q for q in queries.captured_queries if '"domain"' in q["sql"] and "accounts_account" in q["sql"]]
    # and a batch that also names an unknown person still finds the account by the email's domain
    mixed = events_ingest(
        workspace=workspace,
        events=[event(contact_email=known[0].email), event(contact_email="new@fresh.test")],
        now=NOW,
    )
    assert (mixed.accepted, mixed.contacts_created) == (2, 1)
    assert Contact.objects.get(email="new@fresh.test").account.domain == "fresh.test"


def test_deleting_a_workspace_deletes_its_events_and_leaves_the_others(workspace, other_workspace):
    # given events in two workspaces (the events' workspace column has no database constraint: the account's
    # constraint holds each event to an existing account, and the ORM cascades the workspace's deletion)
    mine = ContactFactory(account=AccountFactory(workspace=workspace))
    theirs = ContactFactory(account=AccountFactory(workspace=other_workspace))
    events_ingest(workspace=workspace, events=[event(contact_email=mine.email)], now=NOW)
    events_ingest(workspace=other_workspace, events=[event(contact_email=theirs.email)], now=NOW)
    # when one workspace is deleted
    workspace.delete()
    # then its events went with it, and the other's stayed
    assert list(EngagementEvent.objects.values_list("workspace_id", flat=True)) == [other_workspace.pk]
