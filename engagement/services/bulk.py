"""PostgreSQL bulk loading: check foreign keys and build secondary indexes once per load, not once per row.

PostgreSQL checks a foreign key with a trigger per inserted row and updates every index per row; for the
demo's millions of rows that is most of the load time. Following "Populating a Database" in the PostgreSQL
manual, the foreign keys and the plain (non-unique) indexes are dropped for the load and created again at the
end: each constraint then validates every row in one join, and each index is built in one sort. The same
guarantees, checked in bulk. Unique indexes stay (upserts need them). Needs the table owner (the role that
ran the migrations); other backends run the body unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from django.db import connection, models, transaction


@contextmanager
def bulk_load(models_: Sequence[type[models.Model]]) -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models_]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary",
            [tables],
        )
        indexes = cursor.fetchall()
        # Pending checks of earlier inserts (deferred until commit) would block ALTER TABLE: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        yield
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def rows_copy(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert many rows: PostgreSQL COPY, else ``bulk_create`` (``columns`` are model field attnames)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
        )
        return
    import io

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    names = ", ".join(f'"{_field(model, c).column}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN', buffer)


def rows_update(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Set ``fields`` of many rows given as ``(pk, value, ...)``: one ``UPDATE … FROM unnest`` on PostgreSQL."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objects = [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows]
        model._default_manager.bulk_update(objects, list(fields), batch_size=500)
        return
    columns = [_field(model, f) for f in fields]
    arrays = ", ".join(f"%s::{str(c.db_type(connection)).split('(')[0]}[]" for c in columns)
    names = ", ".join(f"v{i}" for i in range(len(columns)))
    assignments = ", ".join(f'"{c.column}" = u.v{i}' for i, c in enumerate(columns))
    sql = (
        f'UPDATE "{model._meta.db_table}" AS t SET {assignments} '
        f"FROM unnest(%s::bigint[], {arrays}) AS u(pk, {names}) WHERE t.id = u.pk"
    )
    params = [[row[0] for row in rows]] + [[row[i + 1] for row in rows] for i in range(len(columns))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def _quote_name(name: str | None) -> str:
    """``connection.ops.quote_name`` for a column or table that must exist."""
    if name is None:
        raise ValueError("A column without a name cannot be written in bulk.")
    return connection.ops.quote_name(name)
