"""One task convention for every app: the base task, the naming rule and ``enqueue_on_commit``.

- **Base task** (:class:`BaseTask`, the Celery app's ``task_cls``, so every ``@shared_task`` gets it): retries
  with exponential backoff (and jitter) for the temporary errors in :data:`TEMPORARY_ERRORS`, at most
  ``max_retries`` times; a hard ``time_limit`` and a soft one shortly before it (a task that sets only
  ``time_limit`` gets a soft limit at 90% of it). A task may override any of these in its decorator. Every task
  runs in the project's language (``LANGUAGE_CODE``), in-process as in a worker, never in that of the request
  that published it.
- **Naming rule**: a task function is ``<entity>_<action>_task`` in ``<app>/tasks.py`` (or a sub-package's
  ``tasks.py``); its registered name is ``<app>.tasks.<entity>_<action>`` (:func:`task_name`), whatever
  sub-package it lives in, so moving code never renames a queued message or a beat entry.
- **Queues**: ``deliveries`` (email and webhook sends), ``scoring`` (engagement, rules, prospecting rescores),
  ``imports`` (CSV imports) and ``default``; ``CELERY_TASK_ROUTES`` in settings routes by name, and each queue
  has its own worker pool (docker-compose.yml, ``make run``).
- **Enqueueing**: services call :func:`enqueue_on_commit`, never ``.delay`` inside a transaction: the worker
  must see the committed rows. Views and the API never enqueue; they call a service.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from celery import Celery, Task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import translation
from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from .texts import Msg

logger = logging.getLogger(__name__)


class TemporaryTaskError(Exception):
    """Raise it from a task (or a service a task calls) when the same call may succeed later."""


#: Errors after which a task is retried with backoff (a database restart, a lost connection, a timeout).
TEMPORARY_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    TemporaryTaskError,
    ConnectionError,
    TimeoutError,
)

#: The queues, each served by its own worker pool.
QUEUES: tuple[str, ...] = ("deliveries", "scoring", "imports", "default")

SOFT_LIMIT_SHARE = 0.9


def step_deadline() -> float:
    """When a chunked task's current step should stop and enqueue the next one (a ``time.monotonic()`` value).

    Long work (an event upload, a full recompute) runs as a series of steps of at most
    ``ABE_TASK_STEP_SECONDS`` each, every one far inside its task's hard time limit, which is itself below the
    broker's visibility timeout: a running task is never handed to a second worker, and a killed one comes back
    within minutes. Each step resumes from state the previous one committed.
    """
    return time.monotonic() + float(getattr(settings, "ABE_TASK_STEP_SECONDS", 240))


class BaseTask(Task):  # type: ignore[type-arg]
    autoretry_for = TEMPORARY_ERRORS
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5
    time_limit = 300
    soft_time_limit = 270
    acks_late = True
    #: True for tasks whose work a beat sweep publishes again: ``enqueue_on_commit`` then logs a failed publish.
    publish_failure_swept = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # A worker has no reader: it runs in the project's language (``LANGUAGE_CODE``). Run in-process (no broker:
        # the embedded default, and the tests), a task ran in the language of the request that published it, and
        # text it stored (a rollup's labels) was in that language for every later reader. Every task runs here as
        # in a worker; what it writes for a person (an email) sets that person's language itself.
        with translation.override(settings.LANGUAGE_CODE):
            return super().__call__(*args, **kwargs)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A task that sets only the hard limit gets its soft limit from it, not the base's 270 s.
        if "time_limit" in cls.__dict__ and "soft_time_limit" not in cls.__dict__ and cls.time_limit:
            cls.soft_time_limit = max(1, int(cls.time_limit * SOFT_LIMIT_SHARE))


class SweptTask(BaseTask):
    """A task whose work a beat sweep publishes again (the activation outbox): a failed publish is only logged."""

    publish_failure_swept = True


def task_name(module: str, function_name: str) -> str:
    """The registered name of a task: ``<app>.tasks.<entity>_<action>`` (see the module docstring)."""
    app = module.split(".", 1)[0]
    return f"{app}.tasks.{function_name.removesuffix('_task')}"


class AbeCelery(Celery):
    def gen_task_name(self, name: str, module: str) -> str:
        if module.rsplit(".", 1)[-1] == "tasks":
            return task_name(module, name)
        return super().gen_task_name(name, module)


def enqueue_on_commit(task: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Publish ``task(*args, **kwargs)`` once the current transaction commits (at once outside one).

    The rows the task reads are committed by then; if the transaction rolls back nothing is published.

    A task declared with ``base=SweptTask`` (its rows are found again by a beat sweep, as the
    activation outbox's are) only logs a failed publish: the transaction has committed, so raising would turn a
    saved change into an error page. Any other publish failure is raised.
    """

    def publish() -> None:
        try:
            task.delay(*args, **kwargs)
        except Exception:
            if not getattr(task, "publish_failure_swept", False):
                raise
            logger.warning("Could not publish %s%s; the sweep will publish it again", task.name, args)

    transaction.on_commit(publish)


#: What a failed publish raises: kombu's wrapper, redis-py's and the socket's own connection errors.
def publish_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (BrokerError, RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


PUBLISH_FAILED_REASON = gettext_noop(
    "Not started: the background job service (the broker) was unavailable when this job was queued, so it never "
    "ran and nothing was changed. Start it again in a few minutes."
)


def enqueue_job_on_commit(
    task: Task[Any, Any], job_id: int, *, mark_failed: Callable[[Msg], object], raise_on_failure: bool = True
) -> None:
    """Publish ``task(job_id)`` on commit; if the broker refuses it, mark the job failed instead of leaving it queued.

    A job row whose message never reached the broker would otherwise say "queued" forever. ``mark_failed`` gets
    :data:`PUBLISH_FAILED_REASON` as a message key (``abe.texts.msg``, read in each reader's language) and records
    it (status failed, the reason for the page and the API). With ``raise_on_failure`` the error is raised again (a
    503 "nothing was queued" from the middleware); without it the request goes on and the job's own page tells the
    story.
    """

    def publish() -> None:
        try:
            task.delay(job_id)
        except publish_errors():
            logger.warning("Could not publish %s(%s): job marked failed", task.name, job_id, exc_info=True)
            from .texts import msg

            mark_failed(msg(PUBLISH_FAILED_REASON))
            if raise_on_failure:
                raise

    transaction.on_commit(publish)
