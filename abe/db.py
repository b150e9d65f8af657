"""Per-process database session settings: a statement timeout for web requests and a longer one for workers.

The process says what it is (``abe.wsgi``/``abe.asgi``: web; ``abe.celery`` worker start: worker); every new
PostgreSQL connection then runs ``SET statement_timeout``. Management commands (migrate, imports, the demo
loader) and tests set no role and run without a limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection

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


def foreign_key_violation(exception: BaseException) -> bool:
    """An ``IntegrityError`` from a foreign key: a row the write names was deleted, usually by another request
    meanwhile. PostgreSQL's SQLSTATE 23503 (psycopg2 names it ``pgcode``, psycopg 3 ``sqlstate``; an error of our own
    may carry it too, e.g. ``engagement.services.store.ReferenceDeleted``), or SQLite's "FOREIGN KEY constraint
    failed"."""
    from django.db import IntegrityError

    if not isinstance(exception, IntegrityError):
        return False
    cause = exception.__cause__
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None) or getattr(exception, "sqlstate", None)
    return code == "23503" or "foreign key" in str(exception).lower()


def checks_skippable() -> bool:
    """Whether this connection may set ``session_replication_role`` (a superuser, or on PostgreSQL 15+ a role
    granted ``SET`` on it), and so write rows without PostgreSQL's per-row foreign-key checks, having locked what
    they refer to itself: the events of a batch (``engagement.services.store._references_lock``) and the new
    accounts of an import (``accounts.imports.services._accounts_insert_unchecked``). Asked once per connection
    wrapper (each thread has its own). Both lock with :func:`key_share_count` and write inside
    :func:`checks_left_out`."""
    allowed = getattr(connection, "_abe_checks_skippable", None)
    if allowed is None:
        with connection.cursor() as cursor:
            if connection.pg_version >= 150000:  # type: ignore[attr-defined]  # the PostgreSQL wrapper
                cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
            else:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            allowed = bool(cursor.fetchone()[0])
        connection._abe_checks_skippable = allowed  # type: ignore[attr-defined]
    return bool(allowed)


def key_share_count(table: str) -> str:
    """One column of a lock statement, for one ``%s`` parameter (an array of ids, ``abe.bulk.pg_array``): the rows
    of ``table`` with those ids locked ``FOR KEY SHARE`` in id order (the lock PostgreSQL's foreign-key check
    takes, once per row instead of once per referring row), counted. A count short of the ids: one was deleted."""
    return (
        f"(SELECT count(*) FROM (SELECT 1 FROM {table} WHERE id = ANY(%s::bigint[]) ORDER BY id FOR KEY SHARE)"
        " AS locked)"
    )


@contextmanager
def checks_left_out(role: str) -> Iterator[None]:
    """The body's writes run with ``session_replication_role = replica``, which leaves out PostgreSQL's per-row
    foreign-key checks (and every trigger not enabled ``ALWAYS``); ``role``, the setting read before (in the lock
    statement), is set back after. Both are transaction-local: if the body fails, the transaction or savepoint
    rolls back, and the setting with it."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('session_replication_role', %s, true)", [role])
