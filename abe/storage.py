"""PostgreSQL storage set by migrations: table parameters (``fillfactor``), a column's compression, indexes
SQLite cannot build (``NULLS LAST``) and other PostgreSQL-only SQL (planner statistics); no-ops on other
databases.

A row updated in place can stay on its page as a *heap-only tuple* (HOT) when none of the columns that change is
indexed and the page has room for the new version: then no index gets a new entry. Tables whose rows are
rewritten often by the scoring pass (day counts, score components, contact scores, account engagement, the day's
score snapshots) keep room on each page for that (docs/performance.md, "Rescore and incremental scoring on a
slower machine", "Room for updates in place").
``ALTER TABLE … SET (fillfactor = n)`` applies to pages written from then on; existing pages keep what they
have until the table is rewritten (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import migrations


def set_fillfactor(tables: dict[str, int]) -> tuple[Callable[..., None], Callable[..., None]]:
    """A ``RunPython`` pair that sets (and, reversed, resets) the fillfactor of each table on PostgreSQL."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, percent in tables.items():
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} SET (fillfactor = {int(percent)})")

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} RESET (fillfactor)")

    return forwards, backwards


def set_compression(columns: dict[tuple[str, str], str]) -> tuple[Callable[..., None], Callable[..., None]]:
    """A ``RunPython`` pair that sets (reversed: resets to the server's default) the compression of each
    ``(table, column)`` on PostgreSQL, where the server was built with that method; elsewhere the column keeps the
    default (pglz), with a notice: the values read back the same either way, only the cost of writing them differs.

    A large value (over ~2 kB) is compressed as it is stored: an ingested batch's day-count summary (~400 kB of
    JSON for 5,000 events) cost ~10 ms more to write with pglz than with lz4 (docs/performance.md)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for (table, column), method in columns.items():
            schema_editor.execute(
                "DO $$ BEGIN "
                f"ALTER TABLE {schema_editor.quote_name(table)} ALTER COLUMN {schema_editor.quote_name(column)} "
                f"SET COMPRESSION {method}; "
                f"EXCEPTION WHEN feature_not_supported THEN RAISE NOTICE '{method} is not available: {table}.{column}"
                " keeps the default compression'; END $$"
            )

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in columns:
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(table)} ALTER COLUMN {schema_editor.quote_name(column)} "
                "SET COMPRESSION DEFAULT"
            )

    return forwards, backwards


class _OnPostgresOnly:
    """Runs a migration operation's database side on PostgreSQL only; the model state changes on every database."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)  # type: ignore[misc]

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)  # type: ignore[misc]


class PostgresOnlyAddIndex(_OnPostgresOnly, migrations.AddIndex):
    """An index whose ``NULLS LAST`` SQLite cannot create: built on PostgreSQL, skipped on the embedded default.
    The model state still records it (so ``makemigrations`` sees no change); SQLite only serves the demo."""


class PostgresOnlyRemoveIndex(_OnPostgresOnly, migrations.RemoveIndex):
    """Drops an index that :class:`PostgresOnlyAddIndex` built on PostgreSQL only; on the embedded default there is
    nothing to drop. The model state forgets it on both."""


class PostgresOnlyRunSQL(_OnPostgresOnly, migrations.RunSQL):
    """SQL that only PostgreSQL has (``CREATE STATISTICS``, say), run there and skipped on the embedded default; it
    changes no model state."""
