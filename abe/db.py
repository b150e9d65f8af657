"""Per-process database session settings: a statement timeout for web requests and a longer one for workers.

The process says what it is (``abe.wsgi``/``abe.asgi``: web; ``abe.celery`` worker start: worker); every new
PostgreSQL connection then runs ``SET statement_timeout``. Management commands (migrate, imports, the demo
loader) and tests set no role and run without a limit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

_role: dict[str, str] = {"name": ""}


def process_role_set(name: str) -> None:
    _role["name"] = name


def statement_timeout_ms() -> int:
    if _role["name"] == "web":
        return settings.ABE_DB_STATEMENT_TIMEOUT_MS
    if _role["name"] == "worker":
        return settings.ABE_DB_WORKER_STATEMENT_TIMEOUT_MS
    return 0


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    timeout = statement_timeout_ms()
    if connection.vendor == "postgresql" and timeout > 0:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = %s", [int(timeout)])
