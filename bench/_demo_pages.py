"""The demo and the five URLs ``bench/http_load.py`` and ``bench/page_cpu.py`` measure (call after ``django.setup()``).

``demo_pages()`` migrates, loads the demo unless the database has it (timed), runs ``ANALYZE`` on PostgreSQL
(this machine runs without autovacuum, and a demo without planner statistics gets bad plans: the accounts API's
page query 21.9 ms -> 0.57 ms after ANALYZE) and returns the URLs by name with the demo load's seconds (None when
it was already there).

The demo's tasks run in-process while it loads, whether ``REDIS_URL`` is set or not: with a broker and no worker
they would wait in the queue, and the pages would be measured without what they do (the alerts delivered to the
admin's inbox: 0 instead of 34, the inbox 22-28 ms a page instead of 35-40; docs/performance.md, 4 December 14:00).
"""

from __future__ import annotations

import time


def demo_pages() -> tuple[dict[str, str], float | None]:
    from django.core.management import call_command
    from django.db import connection

    from abe.demo import DEMO_SLUG
    from abe.models import Workspace
    from accounts.models import Account

    call_command("migrate", verbosity=0)
    demo_seconds = None
    if not Workspace.objects.filter(slug=DEMO_SLUG).exists():
        from abe.celery import app

        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        try:
            started = time.perf_counter()
            call_command("load_demo")
            demo_seconds = round(time.perf_counter() - started, 1)
        finally:
            app.conf.task_always_eager = eager
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    workspace = Workspace.objects.get(slug=DEMO_SLUG)
    account = Account.objects.for_workspace(workspace).order_by("-priority", "id").values_list("pk", flat=True)[0]
    urls = {
        "accounts_list": "/accounts/",
        "tier_board": "/accounts/tiers/",
        "account_page": f"/accounts/{account}/",
        "alerts_inbox": "/alerts/",
        "accounts_api": "/api/v1/accounts/?page_size=100",
    }
    return urls, demo_seconds
