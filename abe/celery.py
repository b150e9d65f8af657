"""The Celery app. With no REDIS_URL tasks run eagerly in-process (see settings).

Every task derives from ``abe.tasks.BaseTask`` and is named by ``abe.tasks.task_name``; see ``abe/tasks.py``.
"""

import os

from celery.signals import heartbeat_sent, worker_init, worker_process_init, worker_ready

from abe.tasks import AbeCelery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")

app = AbeCelery("abe", task_cls="abe.tasks:BaseTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@worker_process_init.connect
def _worker_statement_timeout(**kwargs: object) -> None:
    from abe.db import process_role_set

    process_role_set("worker")  # the longer statement_timeout of workers


@worker_ready.connect
@heartbeat_sent.connect
def _worker_heartbeat(**kwargs: object) -> None:
    """Every worker stamps its heartbeat for ``/readyz`` (every 2 s at most 1 write per 10 s), with or without beat."""
    from abe.health import worker_heartbeat_stamp

    worker_heartbeat_stamp()
