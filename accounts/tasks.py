"""Celery entry points of the accounts app. The sub-packages keep their own ``tasks`` modules; importing them
here lets Celery's autodiscovery (which looks for ``<app>.tasks``) register them."""

from .imports.tasks import import_job_run_task
from .prospecting.tasks import (
    accounts_bulk_apply_task,
    model_train_task,
    models_retrain_weekly_task,
    prospecting_rescore_job_task,
    prospecting_rescore_task,
)

__all__ = [
    "accounts_bulk_apply_task",
    "import_job_run_task",
    "model_train_task",
    "models_retrain_weekly_task",
    "prospecting_rescore_job_task",
    "prospecting_rescore_task",
]
