"""Long work runs in bounded steps (issue 10: "a visibility timeout matched to the task time limits"): every task's
hard limit is below the broker's visibility timeout, so an event upload or a full recompute that needs longer
goes on in a new task from state the previous step committed, never counting anything twice."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from abe.celery import app
from abe.models import Job, JobStatus
from accounts.models import Account, Contact
from engagement import tasks as engagement_tasks
from engagement.models import EngagementDay, EngagementEvent, EventImport, PendingBatch, ScoreComponent
from engagement.services import csv_import, engagement_config_update, events_ingest, scores_recompute, store
from engagement.services.config import RECOMPUTE_JOB, engagement_recompute_later
from engagement.services.csv_import import event_import_create, event_import_step
from engagement.services.scoring import scores_recompute_step
from tests.engagement.conftest import NOW, event
from tests.factories import AccountFactory, ContactFactory

APPS = ("abe", "personas", "accounts", "work", "content", "engagement", "activation", "keyaccounts", "analytics")


def test_every_task_ends_before_the_broker_would_hand_it_to_another_worker():
    """A task still running when the visibility timeout passes is delivered again (and run twice at once)."""
    app.loader.import_default_modules()
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    default = app.conf.task_time_limit
    assert default and default < visibility <= 15 * 60
    checked = 0
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        hard = task.time_limit or default
        assert hard < visibility, f"{name}: time limit {hard} s is not below the visibility timeout {visibility} s"
        assert task.soft_time_limit is None or task.soft_time_limit < hard, name
        checked += name.split(".", 1)[0] in APPS
    assert checked > 30


def _csv(account, rows: int) -> bytes:
    lines = ["source,external_id,type,occurred_at,account_id"]
    lines += [f"crm,u{i},web_visit,2026-12-01T10:00:00Z,{account.pk}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.django_db
def test_a_long_upload_resumes_across_task_invocations_without_double_counting(
    workspace, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.ABE_TASK_STEP_SECONDS = 0  # every step stops after one chunk: 100 rows of 40 take three tasks
    monkeypatch.setattr(csv_import, "MAX_BATCH", 40)
    account = AccountFactory(workspace=workspace)
    steps: list[tuple[int, int]] = []
    real = engagement_tasks.event_import_step

    def step(**kwargs):
        job, more = real(**kwargs)
        steps.append((job.processed_rows, job.accepted))
        return job, more

    monkeypatch.setattr(engagement_tasks, "event_import_step", step)
    with django_capture_on_commit_callbacks(execute=True):
        job = event_import_create(workspace=workspace, data=_csv(account, 100), filename="big.csv", by=None)

    job.refresh_from_db()
    assert steps == [(40, 40), (80, 80), (100, 100)]  # one task per chunk, each resuming after the last
    assert (job.status, job.processed_rows, job.accepted, job.duplicates, job.rejected_count) == (
        "done",
        100,
        100,
        0,
        0,
    )
    assert EngagementEvent.objects.count() == 100


@pytest.mark.django_db
def test_a_redelivered_step_resumes_after_the_committed_chunks(workspace, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_BATCH", 40)
    account = AccountFactory(workspace=workspace)
    job = event_import_create(workspace=workspace, data=_csv(account, 100), filename="big.csv", by=None, enqueue=False)

    first, more = event_import_step(job_id=job.pk, deadline=0)  # time is up after the first chunk
    assert more and (first.status, first.processed_rows, first.accepted) == ("running", 40, 40)
    again, more = event_import_step(job_id=job.pk, deadline=0)  # the same step delivered twice, or the next one
    assert more and (again.processed_rows, again.accepted, again.duplicates) == (80, 80, 0)
    last, more = event_import_step(job_id=job.pk, deadline=None)

    assert not more and (last.status, last.processed_rows, last.accepted, last.duplicates) == ("done", 100, 100, 0)
    assert EngagementEvent.objects.count() == 100 and EventImport.objects.get().started_at is not None


def _scored_workspace(workspace):
    engagement_config_update(workspace=workspace, breadth_bonus_per_role=0.3)
    rng = random.Random(3)
    accounts = [AccountFactory(workspace=workspace) for _ in range(7)]
    contacts = [ContactFactory(account=a, buying_role=rng.choice(["decision_maker", ""])) for a in accounts]
    events = []
    for _ in range(300):
        contact = rng.choice(contacts + [None])
        where = {"contact_email": contact.email} if contact else {"account_id": rng.choice(accounts).pk}
        at = NOW - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1440))
        events.append(event(at=at, type=rng.choice(["web_visit", "meeting", "intent_signal"]), **where))
    events_ingest(workspace=workspace, events=events, now=NOW)
    return accounts


@pytest.mark.django_db
def test_a_stepped_recompute_equals_the_one_transaction_recompute(workspace, monkeypatch):
    _scored_workspace(workspace)
    scores_recompute(workspace=workspace, now=NOW)
    expected = {pk: (s, st) for pk, s, st in Account.objects.values_list("pk", "engagement_score", "journey_stage")}
    expected_contacts = dict(Contact.objects.values_list("pk", "engagement_score"))
    Account.objects.update(engagement_score=0, journey_stage="unaware")
    Contact.objects.update(engagement_score=0)
    monkeypatch.setattr("engagement.services.scoring.CHUNK", 3)  # 7 accounts: three chunks
    monkeypatch.setattr("engagement.services.scoring.REBUILD_CHUNK", 3)  # and three ranges to recount

    state, done, steps, seen = None, False, 0, []
    while not done:
        state, done = scores_recompute_step(workspace=workspace, state=state, deadline=0, now=NOW)
        steps += 1
        seen.append(state.get("rebuild"))

    assert steps == 6  # three ranges recounted, then one chunk of accounts per step
    ids = sorted(expected)
    assert seen[:3] == [{"after": ids[2]}, {"after": ids[5]}, None]
    assert state["done"] == 7 and sorted(state["changed"]) == sorted(expected)
    got = {pk: (s, st) for pk, s, st in Account.objects.values_list("pk", "engagement_score", "journey_stage")}
    assert got.keys() == expected.keys() and any(score for score, _ in expected.values())
    for pk, (score, stage) in expected.items():
        assert got[pk][0] == pytest.approx(score, rel=1e-9) and got[pk][1] == stage
    assert dict(Contact.objects.values_list("pk", "engagement_score")) == pytest.approx(expected_contacts, rel=1e-9)


def _store_rows(workspace):
    days = sorted(EngagementDay.objects.for_workspace(workspace).values_list(*DAY_FIELDS))
    components = sorted(ScoreComponent.objects.for_workspace(workspace).values_list(*COMPONENT_FIELDS))
    return days, components


DAY_FIELDS = ("account_id", "contact_key", "type", "day", "count", "last_at")
COMPONENT_FIELDS = ("account_id", "contact_key", "type", "events", "last_at", "log_sum")


@pytest.mark.django_db
def test_events_ingested_between_rebuild_steps_count_once(workspace, monkeypatch):
    accounts = _scored_workspace(workspace)
    monkeypatch.setattr("engagement.services.scoring.REBUILD_CHUNK", 3)
    rng = random.Random(5)

    def more_events():
        # Committed batches left pending (no scoring task runs here): some for ranges recounted, some not yet.
        batch = [
            event(at=NOW - timedelta(days=rng.randint(0, 30)), type="meeting", account_id=rng.choice(accounts).pk)
            for _ in range(40)
        ]
        assert events_ingest(workspace=workspace, events=batch, now=NOW).accepted == 40

    state, done = None, False
    while not done:
        state, done = scores_recompute_step(workspace=workspace, state=state, deadline=0, now=NOW)
        if "rebuild" in state:
            more_events()
    store.pending_apply(workspace=workspace, now=NOW)
    assert not PendingBatch.objects.for_workspace(workspace).exists()
    stepped = _store_rows(workspace)

    scores_recompute(workspace=workspace, now=NOW)  # one transaction, from the events alone
    days, components = _store_rows(workspace)

    assert stepped[0] == days and len(days) > 0
    assert [c[:5] for c in stepped[1]] == [c[:5] for c in components]
    assert [c[5] for c in stepped[1]] == pytest.approx([c[5] for c in components], rel=1e-9)


@pytest.mark.django_db
def test_the_recompute_job_runs_as_a_chain_of_steps_and_reports_once(
    workspace, settings, monkeypatch, django_capture_on_commit_callbacks
):
    accounts = _scored_workspace(workspace)
    settings.ABE_TASK_STEP_SECONDS = 0
    monkeypatch.setattr("engagement.services.scoring.CHUNK", 2)
    hooks: list[dict] = []
    monkeypatch.setattr(
        "engagement.services.scoring._after_scoring",
        lambda workspace_id, ids, config_change=None: hooks.append({"ids": ids, "change": config_change}),
    )
    calls: list[int] = []
    real = engagement_tasks.scores_recompute_step

    def step(**kwargs):
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(engagement_tasks, "scores_recompute_step", step)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_recompute_later(workspace=workspace, change={"label": "Breadth"}, by=None)

    job = Job.objects.filter(kind=RECOMPUTE_JOB).latest("pk")
    assert len(calls) == 1 + 4  # the rebuild, then 7 accounts two at a time
    assert job.status == JobStatus.DONE and job.processed == job.total == len(accounts)
    assert job.params["recompute"]["done"] == len(accounts)
    assert len(hooks) == 1 and hooks[0]["change"]["label"] == "Breadth"  # one summary, after the last step
