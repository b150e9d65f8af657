"""Deleting an account while its scoring pass writes (``abe.locks``): the delete waits for the pass and removes
what the pass wrote. Before, the delete had collected the account's rows before the pass committed today's new
snapshot, and failed at commit on the snapshot's foreign key (a server error for the person deleting). The lock
comes first in a pass and in the settings preview: the orders that deadlocked are tests too."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from accounts.models import Account
from accounts.services import account_delete
from engagement.models import AccountScoreSnapshot, EngagementEvent
from engagement.services import accounts_score, events_ingest, ingest, scoring
from engagement.services.scoring import (
    scores_dry_run,
    scores_preview,
    scores_recompute_step,
    scores_rescore_state,
    scoring_rules,
)
from tests.factories import AccountFactory
from tests.threads import delete_after, in_thread

from .conftest import NOW, event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL only"),
]


@pytest.mark.parametrize("path", ["pass", "recompute step"])
def test_an_account_deleted_while_its_scoring_pass_writes_waits_for_it_and_is_deleted(workspace, monkeypatch, path):
    # A batch's pass (``accounts_score``) and a step of the stepped recompute (the 6-hourly rescore, a settings
    # change) each read which accounts exist and write their snapshots in one transaction.
    gone, kept = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    events_ingest(workspace=workspace, events=[event(account_id=gone.pk), event(account_id=kept.pk)], now=NOW)
    # The pass has written the next day's snapshots, not yet committed.
    race = delete_after(monkeypatch, scoring, "_write", lambda: account_delete(Account.objects.get(pk=gone.pk)))

    if path == "pass":
        accounts_score(workspace=workspace, account_ids=[gone.pk, kept.pk], now=NOW + timedelta(days=1))
    else:
        scores_recompute_step(workspace=workspace, state=scores_rescore_state(now=NOW + timedelta(days=1)))
    thread = race.finish()

    assert race.waited, "the delete did not wait for the pass"
    assert not thread.is_alive()
    assert race.errors == []
    assert not Account.objects.filter(pk=gone.pk).exists()
    assert not AccountScoreSnapshot.objects.filter(account_id=gone.pk).exists()
    assert AccountScoreSnapshot.objects.filter(account_id=kept.pk).count() == 2  # the pass committed for the other


def test_a_pass_folding_a_batch_of_an_account_being_deleted_waits_for_the_delete_without_a_deadlock(
    workspace, monkeypatch
):
    # The lock order: a pass takes the lock before it folds batches into day counts. Taken after (a first version),
    # the second pass below held the deleted account's day counts while it queued behind the delete, which waited
    # for those rows: PostgreSQL ended one of them after a second ("deadlock detected").
    gone, kept = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    monkeypatch.setattr(ingest, "_enqueue_scoring", lambda *args: None)  # batches stay pending until a pass
    events_ingest(workspace=workspace, events=[event(account_id=gone.pk), event(account_id=kept.pk)], now=NOW)
    accounts_score(workspace=workspace, account_ids=[gone.pk, kept.pk], now=NOW)  # both have day counts now
    errors: list[BaseException] = []
    threads: list[threading.Thread] = []
    real = scoring._write

    def later() -> None:
        # While the first pass holds the lock: a new batch for the account (the same day count, so its pass updates
        # a row the delete will delete), the account's delete, then the batch's pass.
        batch = in_thread(
            lambda: events_ingest(workspace=workspace, events=[event(account_id=gone.pk, external_id="g")], now=NOW),
            errors,
        )
        batch.join(20)
        threads.append(in_thread(lambda: account_delete(Account.objects.get(pk=gone.pk)), errors))
        time.sleep(0.5)  # the delete queues for the lock
        threads.append(in_thread(lambda: accounts_score(workspace=workspace, account_ids=[gone.pk], now=NOW), errors))
        time.sleep(0.5)

    def write_then_wait(**kwargs):
        written = real(**kwargs)
        if not threads:
            later()
        return written

    monkeypatch.setattr(scoring, "_write", write_then_wait)

    accounts_score(workspace=workspace, account_ids=[kept.pk], now=NOW)
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    assert not Account.objects.filter(pk=gone.pk).exists()
    assert not EngagementEvent.objects.filter(account_id=gone.pk).exists()


def test_an_account_deleted_during_a_settings_preview_waits_for_it_without_a_deadlock(workspace):
    # The settings preview writes the would-be scores (locking the accounts), runs the real rule pass on them and
    # rolls back. It takes the lock before locking the accounts: taken by the rule pass only (after), it queued
    # behind a delete that waited for those accounts (a deadlock).
    from activation.services.forecast import alerts_forecast
    from tests.factories import RuleFactory

    gone, kept = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    events_ingest(workspace=workspace, events=[event(account_id=gone.pk), event(account_id=kept.pk)], now=NOW)
    RuleFactory(workspace=workspace, params={"subject": "account", "threshold": 0.001})
    preview = scores_preview(workspace=workspace, rules=scoring_rules(workspace=workspace), now=NOW)
    errors: list[BaseException] = []
    threads: list[threading.Thread] = []

    def probe(changed, now) -> int:
        threads.append(in_thread(lambda: account_delete(Account.objects.get(pk=gone.pk)), errors))
        time.sleep(0.5)  # the delete is waiting by now
        return alerts_forecast(workspace_id=workspace.pk, account_ids=[gone.pk, kept.pk], now=now)

    alerts = scores_dry_run(workspace=workspace, preview=preview, probe=probe)
    threads[0].join(30)

    assert alerts == 2
    assert errors == [] and not threads[0].is_alive()
    assert not Account.objects.filter(pk=gone.pk).exists()
