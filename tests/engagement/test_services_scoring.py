"""Scoring passes: hand-computed scores, incremental == full recompute, stages, momentum, after-scoring hook."""

from __future__ import annotations

import random
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, Contact
from engagement.models import AccountEngagement, AccountScoreSnapshot, JourneyStageChange, ScoreComponent
from engagement.services import accounts_score, engagement_config_update, events_ingest, scores_recompute
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory

from .conftest import NOW, event

pytestmark = pytest.mark.django_db

SIMPLE = {
    "weights": {"web_visit": 2, "meeting": 10, "intent_signal": 4},
    "half_lives": {"web_visit": 1, "meeting": 2, "intent_signal": 1},
    "daily_caps": {"web_visit": 2, "meeting": 5, "intent_signal": 1},
    "role_multipliers": {"decision_maker": 2.0, "champion": 1.0, "end_user": 1.0},
    "seniority_multipliers": {"c_level": 1.5, "manager": 1.0},
    "breadth_bonus_per_role": 0.5,
}


def test_account_score_by_hand_with_decay_caps_multipliers_and_breadth(workspace):
    engagement_config_update(workspace=workspace, **SIMPLE)
    account = AccountFactory(workspace=workspace)
    boss = ContactFactory(account=account, buying_role="decision_maker", seniority="c_level")
    user = ContactFactory(account=account, buying_role="end_user", seniority="manager")
    day = NOW.replace(hour=0) - timedelta(days=1)  # counted from 00:00 UTC the day before NOW (1.5 days old)
    events_ingest(
        workspace=workspace,
        events=[
            *[event(contact_email=boss.email, at=day + timedelta(hours=h)) for h in (1, 2, 3)],  # 3 visits, cap 2
            event(contact_email=user.email, type="meeting", at=day + timedelta(hours=5)),
            event(account_id=account.pk, type="intent_signal", at=day + timedelta(hours=6)),
        ],
        now=NOW,
    )

    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW)

    boss_score = 2.0 * 1.5 * (2 * 2 * 0.5**1.5)  # multipliers × weight × capped count × decay (1.5 days, h=1)
    user_score = 1.0 * 1.0 * (10 * 1 * 0.5**0.75)  # 1.5 days, h=2
    intent = 4 * 1 * 0.5**1.5
    account.refresh_from_db()
    boss.refresh_from_db()
    assert boss.engagement_score == pytest.approx(boss_score)
    assert account.engagement_score == pytest.approx((1 + 0.5 * 1) * (boss_score + user_score) + intent)
    assert AccountEngagement.objects.get(account=account).roles == ["decision_maker", "end_user"]
    assert boss.last_engaged_at == day + timedelta(hours=3)


def test_incremental_batches_equal_a_full_recompute(workspace, run_on_commit):
    engagement_config_update(workspace=workspace, **SIMPLE)
    rng = random.Random(7)
    accounts = [AccountFactory(workspace=workspace) for _ in range(4)]
    contacts = [
        ContactFactory(account=a, buying_role=rng.choice(["decision_maker", "champion", ""]))
        for a in accounts
        for _ in range(3)
    ]
    types = ["web_visit", "meeting", "intent_signal"]
    events = []
    for i in range(600):  # out of order, many days over their caps, some duplicates across batches
        contact = rng.choice(contacts + [None])
        where = {"contact_email": contact.email} if contact else {"account_id": rng.choice(accounts).pk}
        at = NOW - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1440))
        events.append(event(at=at, type=rng.choice(types), external_id=f"e{i % 550}", **where))
    rng.shuffle(events)
    for start in range(0, len(events), 97):
        run_on_commit(events_ingest, workspace=workspace, events=events[start : start + 97], now=NOW)
    accounts_score(workspace=workspace, account_ids=[a.pk for a in accounts], now=NOW)
    incremental_components = dict(
        ((c.account_id, c.contact_key, c.type), (c.log_sum, c.events)) for c in ScoreComponent.objects.all()
    )
    incremental_accounts = dict(Account.objects.values_list("pk", "engagement_score"))
    incremental_contacts = dict(Contact.objects.values_list("pk", "engagement_score"))

    scores_recompute(workspace=workspace, now=NOW)

    full_components = {
        (c.account_id, c.contact_key, c.type): (c.log_sum, c.events) for c in ScoreComponent.objects.all()
    }
    assert full_components.keys() == incremental_components.keys()
    for key, (log_sum, n) in full_components.items():
        assert incremental_components[key][1] == n
        assert incremental_components[key][0] == pytest.approx(log_sum, rel=1e-12)
    assert dict(Account.objects.values_list("pk", "engagement_score")) == pytest.approx(incremental_accounts, rel=1e-9)
    assert dict(Contact.objects.values_list("pk", "engagement_score")) == pytest.approx(incremental_contacts, rel=1e-9)
    assert sum(incremental_accounts.values()) > 0


def test_each_batch_enqueues_one_scoring_task(workspace, django_capture_on_commit_callbacks):
    account = AccountFactory(workspace=workspace)

    with mock.patch("engagement.tasks.engagement_score_accounts_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            events_ingest(workspace=workspace, events=[event(account_id=account.pk) for _ in range(50)], now=NOW)

    delay.assert_called_once_with(workspace.pk, [account.pk])


def test_scores_are_written_before_after_scoring_tasks_run(workspace, run_on_commit, monkeypatch):
    from abe import registry

    monkeypatch.setattr(registry._registry, "after_scoring", {"tests.engagement.hooks.record_scores": 0})
    account = AccountFactory(workspace=workspace)
    from tests.engagement import hooks

    hooks.SEEN.clear()
    run_on_commit(
        events_ingest,
        workspace=workspace,
        events=[event(account_id=account.pk, type="intent_signal", at=timezone.now())],
    )

    # score and stage ("aware") already committed
    assert hooks.SEEN == [(workspace.pk, [account.pk], [account.pk], True)]


def test_stages_move_top_down_and_every_change_is_recorded(workspace):
    engagement_config_update(
        workspace=workspace,
        stages=[
            {"key": "customer", "name": "Customer", "opportunity": "won"},
            {"key": "opportunity", "name": "Opportunity", "opportunity": "open"},
            {"key": "mqa", "name": "MQA", "min_score": 15, "min_breadth": 2},
            {"key": "engaged", "name": "Engaged", "min_score": 5},
            {"key": "unaware", "name": "Unaware"},
        ],
        **SIMPLE,
    )
    account = AccountFactory(workspace=workspace)
    a = ContactFactory(account=account, buying_role="decision_maker", seniority="manager")
    b = ContactFactory(account=account, buying_role="champion", seniority="manager")

    events_ingest(workspace=workspace, events=[event(contact_email=a.email, type="meeting")], now=NOW)
    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW)
    account.refresh_from_db()
    first = account.journey_stage
    events_ingest(workspace=workspace, events=[event(contact_email=b.email, type="meeting")], now=NOW)
    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW)
    account.refresh_from_db()
    second = account.journey_stage
    OpportunityFactory(account=account, status="open")
    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW + timedelta(hours=1))
    account.refresh_from_db()

    assert (first, second, account.journey_stage) == ("engaged", "mqa", "opportunity")
    changes = list(
        JourneyStageChange.objects.filter(account=account)
        .order_by("changed_at", "pk")
        .values_list("from_stage", "to_stage")
    )
    assert changes == [("unaware", "engaged"), ("engaged", "mqa"), ("mqa", "opportunity")]
    assert account.journey_stage_changed_at == NOW + timedelta(hours=1)


def test_time_alone_decays_scores_and_moves_stages_down(workspace):
    engagement_config_update(
        workspace=workspace,
        stages=[{"key": "engaged", "name": "Engaged", "min_score": 5}, {"key": "unaware", "name": "Unaware"}],
        **SIMPLE,
    )
    account = AccountFactory(workspace=workspace)
    events_ingest(workspace=workspace, events=[event(account_id=account.pk, type="intent_signal")], now=NOW)
    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW)
    account.refresh_from_db()
    assert account.journey_stage == "unaware"  # 4 points (intent, cap 1) < 5

    events_ingest(workspace=workspace, events=[event(account_id=account.pk, type="meeting")], now=NOW)
    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW)
    account.refresh_from_db()
    hot = account.engagement_score
    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW + timedelta(days=10))
    account.refresh_from_db()

    assert account.journey_stage == "unaware" and account.engagement_score < hot / 10
    assert AccountScoreSnapshot.objects.filter(account=account).count() == 2  # one per day scored


def test_momentum_compares_this_week_with_the_four_before(workspace):
    engagement_config_update(workspace=workspace, **SIMPLE)
    account = AccountFactory(workspace=workspace)
    old = [event(account_id=account.pk, type="intent_signal", at=NOW - timedelta(days=d)) for d in (10, 17, 24, 31)]
    new = [event(account_id=account.pk, type="intent_signal", at=NOW - timedelta(days=d)) for d in (0, 1, 2)]
    events_ingest(workspace=workspace, events=old + new, now=NOW)

    accounts_score(workspace=workspace, account_ids=[account.pk], now=NOW)

    account.refresh_from_db()
    # baseline: 4 events × 4 points over 4 weeks = 4 points a week; this week 3 × 4 = 12 points -> +200%.
    assert account.engagement_momentum == pytest.approx(2.0)


def test_a_config_change_triggers_a_full_recompute(workspace, run_on_commit):
    account = AccountFactory(workspace=workspace)
    events_ingest(workspace=workspace, events=[event(account_id=account.pk, type="intent_signal", at=timezone.now())])
    accounts_score(workspace=workspace, account_ids=[account.pk])
    account.refresh_from_db()
    before = account.engagement_score

    run_on_commit(engagement_config_update, workspace=workspace, weights={"intent_signal": 40})

    account.refresh_from_db()
    assert account.engagement_score == pytest.approx(before * 10, rel=1e-3)


def _row_versions(model, account_ids):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT account_id, ctid::text FROM {model._meta.db_table} WHERE account_id = ANY(%s)", [list(account_ids)]
        )
        return dict(cursor.fetchall())


def test_a_pass_rewrites_only_the_engagement_rows_and_snapshots_that_change(workspace):
    # given two scored accounts with events
    from django.db import connection

    quiet, busy = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    people = {a.pk: ContactFactory(account=a) for a in (quiet, busy)}
    events_ingest(workspace=workspace, events=[event(contact_email=c.email) for c in people.values()], now=NOW)
    accounts_score(workspace=workspace, account_ids=[quiet.pk, busy.pk], now=NOW)
    postgresql = connection.vendor == "postgresql"
    models = (AccountEngagement, AccountScoreSnapshot)
    before = {m: _row_versions(m, [quiet.pk, busy.pk]) for m in models} if postgresql else {}
    # when only the busy account gets a new event and both are scored again at the same time
    events_ingest(
        workspace=workspace, events=[event(contact_email=people[busy.pk].email, at=NOW - timedelta(hours=1))], now=NOW
    )
    accounts_score(workspace=workspace, account_ids=[quiet.pk, busy.pk], now=NOW)
    # then the busy account's engagement row and snapshot hold its new figures, and the quiet account's rows were
    # not written again (the same tuples: an unchanged upsert costs no new row version and no index entries)
    assert (
        AccountEngagement.objects.get(account=busy).points_7d > AccountEngagement.objects.get(account=quiet).points_7d
    )
    busy.refresh_from_db()
    assert AccountScoreSnapshot.objects.get(account=busy, day=NOW.date()).score == busy.engagement_score
    if postgresql:
        for model, versions in before.items():
            after = _row_versions(model, [quiet.pk, busy.pk])
            assert after[quiet.pk] == versions[quiet.pk], model
            assert after[busy.pk] != versions[busy.pk], model


def test_a_pass_reads_the_stored_contact_scores_by_account_not_by_contact_ids(workspace):
    # given two accounts with people and events, and a third account's contact the pass must not touch
    account, other = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    people = [ContactFactory(account=account), ContactFactory(account=account), ContactFactory(account=other)]
    bystander = ContactFactory(account=AccountFactory(workspace=workspace), engagement_score=7.0)
    events_ingest(workspace=workspace, events=[event(contact_email=p.email) for p in people], now=NOW)
    # when the two accounts are scored
    with CaptureQueriesContext(connection) as queries:
        accounts_score(workspace=workspace, account_ids=[account.pk, other.pk], now=NOW)
    # then the contacts are read through their accounts: a list of a chunk's contact ids (6,000 for 1,000
    # accounts) made PostgreSQL scan the whole contacts table (docs/performance.md, "Incremental scoring")
    contact_reads = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "accounts_contact"' in q["sql"]
    ]
    assert contact_reads and all('"accounts_contact"."account_id" IN' in sql for sql in contact_reads), contact_reads
    # and every person's score is written, the bystander's left alone
    for person in people:
        person.refresh_from_db()
        assert person.engagement_score > 0 and person.last_engaged_at is not None
    bystander.refresh_from_db()
    assert bystander.engagement_score == 7.0


def test_a_pass_reads_its_accounts_once_per_chunk_and_scores_only_this_workspaces(workspace, other_workspace):
    # given an account with a new event, another workspace's account and an id no account has
    account, foreign = AccountFactory(workspace=workspace), AccountFactory(workspace=other_workspace)
    person = ContactFactory(account=account)
    events_ingest(workspace=workspace, events=[event(contact_email=person.email)], now=NOW)
    # when a pass is asked to score all three
    with CaptureQueriesContext(connection) as queries:
        changed = accounts_score(workspace=workspace, account_ids=[account.pk, foreign.pk, 10**12], now=NOW)
    # then it read the accounts once, locking them as it read (no separate read of which ones exist)
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "accounts_account"' in q["sql"]]
    assert len(reads) == 1, reads
    assert connection.vendor != "postgresql" or "FOR NO KEY UPDATE" in reads[0], reads
    # and scored this workspace's account alone
    assert changed == [account.pk]
    assert not AccountEngagement.objects.filter(account=foreign).exists()
    foreign.refresh_from_db()
    assert foreign.engagement_score == 0.0
