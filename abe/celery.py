"""The Celery app. With no REDIS_URL tasks run eagerly in-process (see settings).

Every task derives from ``abe.tasks.BaseTask`` and is named by ``abe.tasks.task_name``; see ``abe/tasks.py``.
"""

import os

from abe.tasks import AbeCelery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")

app = AbeCelery("abe", task_cls="abe.tasks:BaseTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
