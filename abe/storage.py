"""PostgreSQL storage parameters set by migrations (``fillfactor``), a no-op on other databases.

A row updated in place can stay on its page as a *heap-only tuple* (HOT) when none of the columns that change is
indexed and the page has room for the new version: then no index gets a new entry. Tables whose rows are
rewritten often by the scoring pass (day counts, score components, contact scores, account engagement) keep
room on each page for that (docs/performance.md, "Rescore and incremental scoring on a slower machine",
"Room for updates in place").
``ALTER TABLE … SET (fillfactor = n)`` applies to pages written from then on; existing pages keep what they
have until the table is rewritten (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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
