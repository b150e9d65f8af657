"""The Celery app. With no REDIS_URL tasks run eagerly in-process (see settings)."""

import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")

app = Celery("abe")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@worker_process_init.connect
def _worker_statement_timeout(**kwargs) -> None:
    from abe.db import process_role_set

    process_role_set("worker")  # the longer statement_timeout of workers
