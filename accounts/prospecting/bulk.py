"""Write many rows' columns at once: a temporary table filled by COPY, then one ``UPDATE ... FROM``.

On PostgreSQL this is what makes rescoring 100,000 accounts take seconds; other databases (SQLite in the
embedded default) use Django's ``bulk_update`` in large batches.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone

NULL = r"\N"


class Serialized(str):
    """A JSON value already serialised (built in bulk by the caller); written as is."""


def bulk_update_columns(model: type[models.Model], rows: Sequence[Sequence[Any]], fields: list[str]) -> int:
    """Set ``fields`` of each row ``(pk, value1, value2, ...)``; returns the number of rows written."""
    if not rows:
        return 0
    meta = model._meta
    field_objs = [cast(models.Field, meta.get_field(f)) for f in fields]
    if connection.vendor == "sqlite":
        return _sqlite_update(model, rows, field_objs)
    if connection.vendor != "postgresql":
        objs = []
        for row in rows:
            obj = model(pk=row[0])
            for field, value in zip(field_objs, row[1:], strict=True):
                if isinstance(value, Serialized):
                    value = json.loads(value)
                setattr(obj, field.attname, None if isinstance(value, float) and value != value else value)
            objs.append(obj)
        model._default_manager.bulk_update(objs, fields, batch_size=1000)
        return len(objs)
    table = meta.db_table
    temp = f"tmp_{table}_bulk"
    columns = [f.column for f in field_objs]
    qn = _quote_name
    # The temporary table lives only inside this transaction (ON COMMIT DROP).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(
            f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {qn(meta.pk.column)}, "
            f"{', '.join(qn(c) for c in columns)} FROM {qn(table)} WITH NO DATA"
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        kinds = [
            "json" if isinstance(f, models.JSONField) else "bool" if isinstance(f, models.BooleanField) else ""
            for f in field_objs
        ]
        dumps = json.dumps
        for row in rows:
            cells = [row[0]]
            for value, kind in zip(row[1:], kinds, strict=True):
                if value is None or (value != value and isinstance(value, float)):
                    cells.append(NULL)
                elif kind == "json":
                    cells.append(value if isinstance(value, Serialized) else dumps(value, separators=(",", ":")))
                elif kind == "bool":
                    cells.append("t" if value else "f")
                else:
                    cells.append(value)
            writer.writerow(cells)
        buffer.seek(0)
        cursor.cursor.copy_expert(f"COPY {temp} FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", buffer)
        assignments = ", ".join(f"{qn(c)} = t.{qn(c)}" for c in columns)
        # Rows whose values did not change are not rewritten: no new tuple, no index churn.
        before = ", ".join(f"a.{qn(c)}" for c in columns)
        after = ", ".join(f"t.{qn(c)}" for c in columns)
        cursor.execute(
            f"UPDATE {qn(table)} AS a SET {assignments} FROM {temp} AS t WHERE a.{qn(meta.pk.column)} = t."
            f"{qn(meta.pk.column)} AND ({before}) IS DISTINCT FROM ({after})"
        )
        count = cursor.rowcount
        cursor.execute(f"DROP TABLE {temp}")
    return count


def _sqlite_update(model: type[models.Model], rows: Sequence[Sequence[Any]], field_objs: list[models.Field]) -> int:
    """SQLite (3.33+): the same temporary table and ``UPDATE ... FROM``, filled with ``executemany``."""
    meta = model._meta
    qn = _quote_name
    temp = f"tmp_{meta.db_table}_bulk"
    columns = [f.column for f in field_objs]

    def prep(value: Any, field: models.Field) -> Any:
        if value is None or (isinstance(value, float) and value != value):
            return None
        if isinstance(field, models.JSONField):
            return value if isinstance(value, Serialized) else json.dumps(value, separators=(",", ":"))
        return field.get_db_prep_save(value, connection)

    params = [[row[0], *(prep(v, f) for v, f in zip(row[1:], field_objs, strict=True))] for row in rows]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS temp.{temp}")
        cursor.execute(f"CREATE TEMP TABLE {temp} (id INTEGER PRIMARY KEY, {', '.join(qn(c) for c in columns)})")
        placeholders = ", ".join(["%s"] * (len(columns) + 1))
        cursor.executemany(f"INSERT INTO {temp} VALUES ({placeholders})", params)
        assignments = ", ".join(f"{qn(c)} = t.{qn(c)}" for c in columns)
        cursor.execute(
            f"UPDATE {qn(meta.db_table)} SET {assignments} FROM {temp} AS t "
            f"WHERE {qn(meta.db_table)}.{qn(meta.pk.column)} = t.id"
        )
        count = cursor.rowcount
        cursor.execute(f"DROP TABLE temp.{temp}")
    return count


def bulk_insert(model: type[models.Model], objs: list[models.Model]) -> list[models.Model]:
    """Insert new rows and set their primary keys; COPY on PostgreSQL (ids reserved from the sequence first).

    Django's ``bulk_create`` builds one parameter per cell, which dominates when importing 100,000 wide rows;
    COPY streams them as text. ``auto_now``/``auto_now_add`` timestamps are set as ``save()`` would.
    """
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs, batch_size=2000)
    meta = model._meta
    fields = list(meta.local_concrete_fields)
    now = timezone.now()
    plan = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            plan.append((field.attname, "now"))
        elif isinstance(field, models.JSONField):
            plan.append((field.attname, "json"))
        elif isinstance(field, models.BooleanField):
            plan.append((field.attname, "bool"))
        else:
            plan.append((field.attname, "plain"))
    qn = _quote_name
    dumps = json.dumps
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
            values = obj.__dict__
            cells = []
            for attname, kind in plan:
                if kind == "now":
                    values[attname] = now
                value = values[attname]
                if value is None:
                    cells.append(NULL)
                elif kind == "json":
                    cells.append(dumps(value, ensure_ascii=False, separators=(",", ":")))
                elif kind == "bool":
                    cells.append("t" if value else "f")
                else:
                    cells.append(value)
            writer.writerow(cells)
        buffer.seek(0)
        columns = ", ".join(qn(f.column) for f in fields)
        cursor.cursor.copy_expert(
            f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", buffer
        )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"
    return objs


def bulk_insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows given as ``{attname: value}`` (fields left out take their defaults); returns the new ids.

    The import path: no model instance per row (``Model.__init__`` costs more than the COPY itself).
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=2000)
        return [obj.pk for obj in objs]
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.pk]
    now = timezone.now()
    plan = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            plan.append((field.attname, "now", now))
        elif isinstance(field, models.JSONField):
            plan.append((field.attname, "json", field.get_default()))
        elif isinstance(field, models.BooleanField):
            plan.append((field.attname, "bool", field.get_default()))
        else:
            plan.append((field.attname, "plain", field.get_default()))
    qn = _quote_name
    dumps = json.dumps
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [r[0] for r in cursor.fetchall()]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row, pk in zip(rows, ids, strict=True):
            cells = [pk]
            for attname, kind, default in plan:
                value = default if kind == "now" else row.get(attname, default)
                if value is None:
                    cells.append(NULL)
                elif kind == "json":
                    cells.append(dumps(value, ensure_ascii=False, separators=(",", ":")))
                elif kind == "bool":
                    cells.append("t" if value else "f")
                else:
                    cells.append(value)
            writer.writerow(cells)
        buffer.seek(0)
        columns = ", ".join(qn(c) for c in [meta.pk.column, *(f.column for f in fields)])
        cursor.cursor.copy_expert(
            f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", buffer
        )
    return ids


def _quote_name(name: str | None) -> str:
    """``connection.ops.quote_name`` for a column or table that must exist."""
    if name is None:
        raise ValueError("A column without a name cannot be written in bulk.")
    return connection.ops.quote_name(name)
