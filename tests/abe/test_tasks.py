"""The task convention (abe/tasks.py): one base class, one naming rule, named queues, enqueue after commit."""

from __future__ import annotations

import ast
from pathlib import Path
from unittest import mock

import pytest
from django.db import transaction

from abe.celery import app
from abe.tasks import QUEUES, BaseTask, enqueue_on_commit, task_name
from accounts.tasks import prospecting_rescore_task
from activation.tasks import webhook_delivery_send_task

ROOT = Path(__file__).resolve().parents[2]
APPS = ("abe", "personas", "accounts", "work", "content", "engagement", "activation", "keyaccounts", "analytics")


def project_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.split(".", 1)[0] in APPS}


def test_every_task_uses_the_base_class_the_naming_rule_and_a_named_queue():
    tasks = project_tasks()
    assert "engagement.tasks.engagement_score_accounts" in tasks and "accounts.tasks.import_job_run" in tasks

    for name, task in tasks.items():
        function = task.run.__wrapped__ if hasattr(task.run, "__wrapped__") else task.run
        assert isinstance(task, BaseTask), name
        assert function.__name__.endswith("_task"), f"{name}: call the function <entity>_<action>_task"
        assert name == task_name(function.__module__, function.__name__), name
        assert app.amqp.router.route({}, name)["queue"].name in QUEUES, name
        assert task.time_limit and task.soft_time_limit and task.soft_time_limit < task.time_limit, name
        assert task.max_retries and task.autoretry_for, name


def test_a_task_that_sets_only_its_hard_limit_gets_a_soft_limit_below_it():
    rescore = prospecting_rescore_task
    assert (rescore.time_limit, rescore.soft_time_limit) == (600, 540)


def test_deliveries_and_imports_do_not_wait_behind_scoring():
    route = app.amqp.router.route
    assert route({}, "activation.tasks.webhook_delivery_send")["queue"].name == "deliveries"
    assert route({}, "accounts.tasks.import_job_run")["queue"].name == "imports"
    assert route({}, "engagement.tasks.engagement_score_accounts")["queue"].name == "scoring"


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_commit_publishes_after_commit_and_never_after_a_rollback():
    task = prospecting_rescore_task
    with mock.patch.object(task, "delay") as delay:
        with transaction.atomic():
            enqueue_on_commit(task, 1, "reason")
            assert delay.call_count == 0
        delay.assert_called_once_with(1, "reason")

        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_on_commit(task, 2, "rolled back")
            raise RuntimeError
        assert delay.call_count == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_publish_is_raised_unless_a_sweep_publishes_the_task_again():
    rescore, webhook = prospecting_rescore_task, webhook_delivery_send_task
    with mock.patch.object(webhook, "delay", side_effect=ConnectionError("broker down")):
        enqueue_on_commit(webhook, 1)  # logged; the outbox sweep finds the row
    with mock.patch.object(rescore, "delay", side_effect=ConnectionError("broker down")):
        with pytest.raises(ConnectionError):
            enqueue_on_commit(rescore, 1, "")


def test_views_and_the_api_never_enqueue_directly():
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in APPS or not (path.name == "views.py" or "api" in rel.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("delay", "apply_async", "send_task"):
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == [], "views and API views call a service, which uses enqueue_on_commit"


def test_every_beat_entry_names_a_registered_task():
    from django.conf import settings

    from abe.celery import app

    app.loader.import_default_modules()

    missing = {
        key: entry["task"] for key, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["task"] not in app.tasks
    }

    assert missing == {}


@app.task(name="tests.language_probe")
def _language_probe() -> str:
    from django.utils import translation

    return translation.get_language()


def test_a_task_run_in_process_runs_in_the_projects_language_not_the_requests():
    """With no broker a task runs inside the request that published it, and ran in its language: a rollup the
    request of a Spanish upload refreshed stored its labels in Spanish for every reader."""
    from django.conf import settings
    from django.utils import translation

    with translation.override("es"):
        ran_in = _language_probe.apply().get()
        assert translation.get_language() == "es"  # the request's language is back after the task
    assert ran_in == settings.LANGUAGE_CODE
