"""Reliability of scoring: the event-time window, maths safe for any accepted time, isolated failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DataError, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Account, Contact
from engagement import tasks
from engagement.models import EngagementDay, PendingBatch, ScoreComponent
from engagement.services import accounts_score, engagement_config_update, events_ingest, scores_recompute, store
from tests.factories import AccountFactory, ContactFactory, WorkspaceFactory

from .conftest import NOW, event

pytestmark = pytest.mark.django_db


def test_events_older_than_the_window_are_rejected_per_row(workspace):
    account = AccountFactory(workspace=workspace)
    batch = [
        event(account_id=account.pk, at="1970-01-01T00:00:00Z"),
        event(account_id=account.pk, at="1900-06-01T00:00:00+02:00"),
        event(account_id=account.pk, at=NOW - timedelta(days=4 * 365)),
    ]

    result = events_ingest(workspace=workspace, events=batch, now=NOW)

    assert result.accepted == 1
    assert [r["index"] for r in result.rejected] == [0, 1]
    assert "Older than 1826 days" in result.rejected[0]["errors"]["occurred_at"][0]


def test_the_window_is_configurable(workspace, settings):
    settings.ABE_EVENT_MAX_AGE_DAYS = 30
    settings.ABE_EVENT_MAX_FUTURE_HOURS = 1
    account = AccountFactory(workspace=workspace)

    result = events_ingest(
        workspace=workspace,
        events=[
            event(account_id=account.pk, at=NOW - timedelta(days=31)),
            event(account_id=account.pk, at=NOW + timedelta(hours=2)),
            event(account_id=account.pk, at=NOW - timedelta(days=29)),
        ],
        now=NOW,
    )

    assert (result.accepted, [r["index"] for r in result.rejected]) == (1, [0, 1])


def test_one_very_old_event_does_not_poison_scoring(workspace, settings):
    # An operator who widens the window to decades must not break scoring either (PostgreSQL EXP underflow).
    settings.ABE_EVENT_MAX_AGE_DAYS = 60 * 365
    engagement_config_update(workspace=workspace, half_lives={"web_visit": 0.25})
    account = AccountFactory(workspace=workspace)
    events_ingest(workspace=workspace, events=[event(account_id=account.pk, at="1970-01-01T00:00:00Z")], now=NOW)
    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW)

    events_ingest(workspace=workspace, events=[event(account_id=account.pk, at=NOW)], now=NOW)
    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW)

    assert not PendingBatch.objects.exists()
    assert ScoreComponent.objects.get().events == 2
    account.refresh_from_db()
    assert account.engagement_score == pytest.approx(2 * 0.25)  # weight 2, counted from 00:00: 2 half-lives; 1970: 0


TYPES = ["web_visit", "meeting", "intent_signal", "email_open"]


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    offsets=st.lists(
        st.tuples(
            st.integers(min_value=-(5 * 365) * 86_400, max_value=86_399),  # seconds from NOW inside the window
            st.sampled_from(TYPES),
            st.integers(min_value=0, max_value=3),  # which contact (3: the account itself)
        ),
        min_size=1,
        max_size=40,
    ),
    half_life=st.floats(min_value=0.25, max_value=3650),
    cap=st.integers(min_value=1, max_value=10),
    batches=st.integers(min_value=1, max_value=5),
)
def test_property_any_accepted_time_scores_and_incremental_equals_full(workspace, offsets, half_life, cap, batches):
    with transaction.atomic():
        sid = transaction.savepoint()
        engagement_config_update(
            workspace=workspace,
            half_lives={t: half_life for t in TYPES},
            daily_caps={t: cap for t in TYPES},
        )
        account = AccountFactory(workspace=workspace)
        contacts = [ContactFactory(account=account) for _ in range(3)]
        events = []
        for i, (offset, event_type, who) in enumerate(offsets):
            where = {"account_id": account.pk} if who == 3 else {"contact_email": contacts[who].email}
            events.append(event(at=NOW + timedelta(seconds=offset), type=event_type, external_id=f"p{i}", **where))
        size = max(1, len(events) // batches)
        for start in range(0, len(events), size):
            result = events_ingest(workspace=workspace, events=events[start : start + size], now=NOW)
            assert result.rejected == []
            accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW)
        incremental = {(c.contact_key, c.type): (c.log_sum, c.events) for c in ScoreComponent.objects.all()}
        incremental_score = Account.objects.get(pk=account.pk).engagement_score
        incremental_contacts = dict(Contact.objects.values_list("pk", "engagement_score"))

        scores_recompute(workspace=workspace, now=NOW)

        full = {(c.contact_key, c.type): (c.log_sum, c.events) for c in ScoreComponent.objects.all()}
        assert full.keys() == incremental.keys()
        for key, (log_sum, n) in full.items():
            assert incremental[key][1] == n
            if log_sum is None:
                assert incremental[key][0] is None
            else:
                assert incremental[key][0] == pytest.approx(log_sum, rel=1e-9, abs=1e-9)
        assert Account.objects.get(pk=account.pk).engagement_score == pytest.approx(
            incremental_score, rel=1e-9, abs=1e-12
        )
        assert dict(Contact.objects.values_list("pk", "engagement_score")) == pytest.approx(
            incremental_contacts, rel=1e-9, abs=1e-12
        )
        transaction.savepoint_rollback(sid)


def _failing_for(account_id, monkeypatch):
    """Make folding fail for every batch that touches ``account_id`` (a stand-in for a poisoned batch)."""
    real = store.batches_fold

    def batches_fold(*, workspace, rules, batch_ids):
        deltas = PendingBatch.objects.filter(pk__in=batch_ids).values_list("deltas", flat=True)
        if any(row[0] == account_id for batch in deltas for row in batch):
            raise DataError("value out of range: underflow")
        return real(workspace=workspace, rules=rules, batch_ids=batch_ids)

    monkeypatch.setattr(store, "batches_fold", batches_fold)


@pytest.mark.parametrize(
    ("column", "value", "error"),
    # What each database's fold says: PostgreSQL names the value; Python's sum of an int and a str does not.
    [(3, "2026-02-30", ("out of range",)), (2, "retired_type", ("retired_type",)), (4, "many", ("many", "TypeError"))],
    ids=["impossible-day", "unknown-type", "count-not-a-number"],
)
def test_a_batch_of_bad_data_is_set_aside_by_the_real_fold(workspace, column, value, error):
    # No stand-in: the fold itself (one SQL statement on PostgreSQL, Python elsewhere) meets the bad row.
    bad, good = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    events_ingest(workspace=workspace, events=[event(account_id=bad.pk, at=NOW, external_id="b1")], now=NOW)
    poisoned = PendingBatch.objects.get()
    poisoned.deltas = [[*row[:column], value, *row[column + 1 :]] for row in poisoned.deltas]
    poisoned.save(update_fields=["deltas"])
    events_ingest(workspace=workspace, events=[event(account_id=good.pk, at=NOW, external_id="g1")], now=NOW)

    accounts_score(workspace=workspace, account_ids=[bad.pk, good.pk], now=NOW)

    poisoned.refresh_from_db()
    assert poisoned.attempts == 1 and any(e in poisoned.last_error for e in error)
    assert list(PendingBatch.objects.values_list("pk", flat=True)) == [poisoned.pk]
    assert list(ScoreComponent.objects.values_list("account_id", "events")) == [(good.pk, 1)]
    assert EngagementDay.objects.get().account_id == good.pk  # the bad batch's days were rolled back with it


def test_a_failing_batch_is_retried_then_quarantined_and_never_blocks_later_batches(workspace, monkeypatch, settings):
    settings.ABE_SCORING_BATCH_MAX_ATTEMPTS = 3
    bad, good = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    _failing_for(bad.pk, monkeypatch)
    events_ingest(workspace=workspace, events=[event(account_id=bad.pk, at=NOW)], now=NOW)
    events_ingest(workspace=workspace, events=[event(account_id=good.pk, at=NOW)], now=NOW)

    accounts_score(workspace=workspace, account_ids=[bad.pk, good.pk], now=NOW)

    poisoned = PendingBatch.objects.get()
    assert (poisoned.attempts, poisoned.quarantined_at) == (1, None)
    assert poisoned.retry_at is not None and "underflow" in poisoned.last_error
    assert ScoreComponent.objects.get().account_id == good.pk  # the later batch was folded in
    good.refresh_from_db()
    assert good.engagement_score > 0

    for _ in range(2):  # the backoff has passed: the next passes retry it
        PendingBatch.objects.update(retry_at=NOW - timedelta(days=1))
        events_ingest(workspace=workspace, events=[event(account_id=good.pk, at=NOW)], now=NOW)
        accounts_score(workspace=workspace, account_ids=[good.pk], now=NOW)

    poisoned.refresh_from_db()
    assert poisoned.attempts == 3 and poisoned.quarantined_at is not None
    assert ScoreComponent.objects.get(account=good).events == 3
    assert PendingBatch.objects.count() == 1


def test_quarantined_batches_are_shown_to_admins_and_can_be_retried(workspace, admin_client, monkeypatch, settings):
    settings.ABE_SCORING_BATCH_MAX_ATTEMPTS = 1
    account = AccountFactory(workspace=workspace)
    _failing_for(account.pk, monkeypatch)
    events_ingest(workspace=workspace, events=[event(account_id=account.pk, at=NOW)], now=NOW)
    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW)
    batch = PendingBatch.objects.get()

    page = admin_client.get("/engagement/settings/")

    assert page.status_code == 200
    assert "Scoring health" in page.content.decode() and "underflow" in page.content.decode()

    monkeypatch.undo()
    response = admin_client.post(f"/engagement/settings/batches/{batch.pk}/retry/")

    assert response.status_code == 302
    assert not PendingBatch.objects.exists()
    assert ScoreComponent.objects.get().events == 1


def test_the_periodic_rescore_fans_out_and_one_failing_workspace_stops_no_other(monkeypatch):
    first = WorkspaceFactory(name="Aardvark", slug="aardvark")
    later = WorkspaceFactory(name="Zebra", slug="zebra")
    AccountFactory(workspace=first)
    account = AccountFactory(workspace=later)
    real = tasks.scores_recompute_step  # the workspace rescore runs in steps (docs/operations.md)

    def rescore(*, workspace, **kwargs):
        if workspace.pk == first.pk:
            raise DataError("value out of range: underflow")
        return real(workspace=workspace, **kwargs)

    monkeypatch.setattr(tasks, "scores_recompute_step", rescore)
    events_ingest(workspace=later, events=[event(account_id=account.pk, at=datetime.now(UTC))])

    published = tasks.engagement_rescore_all_task()

    assert published == 1
    account.refresh_from_db()
    assert account.engagement_score > 0


def test_the_sweep_scores_batches_whose_task_was_never_published(workspace):
    account = AccountFactory(workspace=workspace)
    events_ingest(workspace=workspace, events=[event(account_id=account.pk, at=datetime.now(UTC))])
    PendingBatch.objects.update(created_at=datetime.now(UTC) - timedelta(minutes=10))

    assert tasks.engagement_pending_sweep_task() == 1

    assert not PendingBatch.objects.exists()
    account.refresh_from_db()
    assert account.engagement_score > 0


@pytest.mark.skipif("postgresql" not in __import__("django.db").db.connection.vendor, reason="PostgreSQL only")
def test_deleting_a_content_asset_finds_its_events_by_index(workspace):
    from django.db import connection

    from content.models import ContentAsset

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN UPDATE engagement_engagementevent SET content_asset_id = NULL WHERE content_asset_id = 1"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())

    assert "event_content_asset" in plan
    assert ContentAsset._meta.get_field("engagement_events").on_delete.__name__ == "SET_NULL"


def test_a_contact_deleted_while_its_batch_is_pending_does_not_stop_its_account_scoring(workspace, monkeypatch):
    # given an account with two engaged contacts, whose new events wait in a batch (the scoring task not yet run)
    monkeypatch.setattr("engagement.services.ingest._enqueue_scoring", lambda *args: None)
    account = AccountFactory(workspace=workspace)
    kept = ContactFactory(workspace=workspace, account=account, buying_role="champion")
    deleted = ContactFactory(workspace=workspace, account=account, buying_role="decision_maker")
    events = [event(contact_email=kept.email), event(contact_email=deleted.email, type="meeting")]
    assert events_ingest(workspace=workspace, events=events, now=NOW).accepted == 2
    assert PendingBatch.objects.for_workspace(workspace).count() == 1
    # when one contact is deleted (its events go with it) before the batch is folded, then the account is scored
    deleted_pk = deleted.pk
    deleted.delete()
    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW)
    # then the pass scores the account without the deleted contact (it raised KeyError on every pass before),
    # as a full recompute from the events does, and drops the rows the batch wrote back for that contact
    incremental = Account.objects.get(pk=account.pk).engagement_score
    assert incremental > 0
    assert not ScoreComponent.objects.filter(contact_id=deleted_pk).exists()
    assert not EngagementDay.objects.filter(contact_id=deleted_pk).exists()
    scores_recompute(workspace=workspace, now=NOW)
    assert Account.objects.get(pk=account.pk).engagement_score == pytest.approx(incremental, rel=1e-9)
