"""The one bulk-write helper: many rows in, or many rows' columns changed, in a few statements.

Every bulk path of the portal (imports, prospecting rescore, engagement scoring and history, the demo loaders)
writes through these functions, so there is one place that knows how to talk COPY to PostgreSQL:

- ``rows_insert`` / ``objects_insert``: new rows with their ids (ids reserved from the sequence, then COPY).
- ``columns_insert_new``: rows whose unique key is new (COPY; if some key exists, COPY into a temporary table,
  then ``INSERT ... ON CONFLICT DO NOTHING RETURNING``): idempotent ingestion.
- ``rows_copy`` / ``lines_copy``: new rows without ids coming back (COPY; ``lines_copy`` takes lines the caller
  already formatted in COPY's text format, for the demo's millions of rows).
- ``rows_update``: set some columns of many rows given as ``(pk, value, ...)``, writing only the rows whose
  values change (no new tuple, no index churn for the others). Small sets: one ``UPDATE ... FROM unnest(...)``;
  large sets: COPY into a temporary table, then one ``UPDATE ... FROM``.
- ``bulk_load``: a context for loading millions of rows: foreign keys and plain indexes dropped for the load and
  rebuilt once at the end (PostgreSQL manual, "Populating a Database").

Other databases (SQLite in the embedded default) get the same results through ``bulk_create``, a temporary table
with ``executemany`` or ``bulk_update``.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

NULL = r"\N"
# Below this many rows an UPDATE takes its values from arrays in one statement; above, COPY into a temp table
# wins (a temp table costs a few catalog writes, arrays cost parameter parsing per cell).
SMALL_UPDATE = 2000


M = TypeVar("M", bound=models.Model)
if TYPE_CHECKING:
    AnyField: TypeAlias = models.Field[Any, Any]
else:
    AnyField = models.Field


class Serialized(str):
    """A JSON value already serialised (built in bulk by the caller); written as is."""


def _array_element(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    return _quoted(value.isoformat() if isinstance(value, datetime.date | datetime.time) else str(value))


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)  # the shortest text that reads back as the same double


def _quoted(text: str) -> str:
    if '"' in text or "\\" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text + '"'


# The common element types by exact type (a dict look-up, cheaper than a chain of isinstance for each element).
_ARRAY_TEXT: dict[type, Any] = {
    type(None): lambda v: "NULL",
    int: str,
    float: _float_text,
    str: _quoted,
    datetime.datetime: lambda v: '"' + v.isoformat() + '"',
    datetime.date: lambda v: v.isoformat(),
}


def pg_array(values: Iterable[Any]) -> str:
    """``values`` as one PostgreSQL array literal (``{1,2,NULL}``, strings quoted and escaped), to send as a single
    text parameter cast to the array type (``%s::bigint[]``).

    psycopg2 sends a Python list as ``ARRAY[v1, v2, …]``: PostgreSQL then parses and folds one constant per element
    (a date or a timestamp parsed from its own quoted literal), ~30 ms for five columns of 1,800 values, against
    ~5 ms for the same arrays as literals. NaN stays NaN (map it to None first where it means NULL)."""
    fast = _ARRAY_TEXT
    return "{" + ",".join((fast.get(type(v)) or _array_element)(v) for v in values) + "}"


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _field(model: type[models.Model], name: str) -> AnyField:
    return cast(AnyField, model._meta.get_field(name))


def _pk(model: type[models.Model]) -> AnyField:
    pk = model._meta.pk
    assert pk is not None
    return pk


def _col(field: AnyField) -> str:
    return cast(str, field.column)


def _kind(field: AnyField) -> str:
    if isinstance(field, models.JSONField):
        return "json"
    if isinstance(field, models.BooleanField):
        return "bool"
    if isinstance(field, models.BinaryField):
        return "bytes"
    if isinstance(field, models.DateTimeField):
        return "datetime"
    return "plain"


def _cell(value: Any, kind: str) -> Any:
    """One value as COPY (csv format) or an array element wants it; NaN is NULL."""
    if value is None or (isinstance(value, float) and value != value):
        return NULL
    if kind == "json":
        return (
            value
            if isinstance(value, Serialized | str)
            else json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
        )
    if kind == "bool":
        return "t" if value else "f"
    if kind == "bytes":
        return "\\x" + bytes(value).hex()  # bytea's hex input form, in COPY and in a text array alike
    if kind == "datetime" and type(value) is datetime.datetime:
        return value.isoformat()  # the text PostgreSQL reads; the csv writer's own str() costs twice as much
    return value


def _converted_columns(rows: Sequence[Sequence[Any]], kinds: Sequence[str], start: int = 0) -> list[list[Any]]:
    """Cells ``start, start + 1, ...`` of each row as COPY wants them, one list per column (one comprehension per
    column, not a call per cell)."""
    return _converted([[row[i] for row in rows] for i in range(start, start + len(kinds))], kinds)


def _converted(columns: Sequence[Sequence[Any]], kinds: Sequence[str]) -> list[list[Any]]:
    """Each column's values as COPY wants them (``None`` and NaN as NULL, JSON serialised, timestamps as text)."""
    converted: list[list[Any]] = []
    for values, kind in zip(columns, kinds, strict=True):
        if kind == "plain":
            converted.append([NULL if v is None or v != v else v for v in values])  # v != v: NaN
        elif kind == "json":
            converted.append([v if type(v) is Serialized else _cell(v, kind) for v in values])
        elif kind == "datetime":
            converted.append([v.isoformat() if type(v) is datetime.datetime else _cell(v, kind) for v in values])
        else:
            converted.append([_cell(v, kind) for v in values])
    return converted


def _cells_by_column(rows: Sequence[Sequence[Any]], kinds: Sequence[str]) -> Iterable[Sequence[Any]]:
    """``(pk, *cells)`` rows, converted column by column."""
    return zip([row[0] for row in rows], *_converted_columns(rows, kinds, 1), strict=True)


# The csv writer quotes a cell only when it holds the delimiter, the quote or a character of its line terminator.
# COPY reads an unquoted carriage return or newline as the end of the line, so both must be in the terminator
# (Python 3.11's writer checks nothing else), and NUL first: no PostgreSQL text holds it, so the terminator never
# occurs inside a cell and can be replaced afterwards by the line's real end.
_TERMINATOR = "\x00\r\n"


def _csv_text(rows: Iterable[Sequence[Any]], end: str | None = None) -> str:
    """CSV lines of ``rows``, each ending in a newline; ``end`` (more cells already in CSV, see :func:`_csv_cells`)
    is appended to every line. A cell holding a carriage return or a newline is quoted."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=_TERMINATOR).writerows(rows)
    return buffer.getvalue().replace(_TERMINATOR, "\n" if end is None else "," + end + "\n")


def _csv_cells(cells: Sequence[Any]) -> str:
    """``cells`` (one or more) as the csv writer writes them within a line (each quoted as it would be there)."""
    buffer = io.StringIO()
    # A leading cell keeps the writer from writing a lone empty cell as ``""`` (the same value for COPY anyway).
    csv.writer(buffer, lineterminator=_TERMINATOR).writerow(["x", *cells])
    return buffer.getvalue()[2 : -len(_TERMINATOR)]


def _copy_sql(table: str, columns: Sequence[str], model: type[models.Model] | None) -> str:
    """The ``COPY … FROM STDIN`` statement for csv text whose NULL is an unquoted ``\\N``.

    The text ``\\N`` itself (an event's ``source``, an account's name) is written unquoted too, since the csv
    writer quotes only cells that need it; so every column of ``model`` that cannot be NULL is read with
    ``FORCE_NOT_NULL``: there ``\\N`` is text, as given. (The project has no nullable text column; in a nullable
    column of another type ``\\N`` can only be the NULL marker.) The price: a ``None`` wrongly given for a NOT NULL
    text column is stored as the text ``\\N`` instead of failing (other types still fail: ``\\N`` is no number,
    date or JSON); a field left out takes its default, ``""`` for text."""
    qn = _qn
    options = f"FORMAT csv, NULL '{NULL}'"
    if model is not None:
        fields = {_col(f): f for f in cast(list[AnyField], model._meta.concrete_fields)}
        not_null = [c for c in columns if c in fields and not fields[c].null]
        if not_null:
            options += f", FORCE_NOT_NULL ({', '.join(qn(c) for c in not_null)})"
    return f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN WITH ({options})"


def _copy_csv_text(
    cursor: Any, table: str, columns: Sequence[str], text: str, *, model: type[models.Model] | None = None
) -> None:
    """COPY csv ``text`` into ``table`` (the model's own table, or a temporary copy of some of its columns)."""
    with connection.wrap_database_errors:  # psycopg2's errors as Django's (IntegrityError...)
        # One read of the whole text (``size``): psycopg2 then sends it with the GIL released, so a thread that
        # sends a COPY needs the GIL only to start and end it (accounts.imports overlaps COPY with its parsing).
        cursor.copy_expert(
            _copy_sql(table, columns, model),
            io.StringIO(text),
            max(len(text), 8192),  # size (Django's wrapper passes it on positionally)
        )


class _Chunks:
    """A file for ``copy_expert`` whose reads return the next chunk of an iterator of texts (then "" at the end),
    keeping each chunk it handed out (``text()``). Each read is sent before the next chunk is made, and the
    server parses and inserts what it has received meanwhile: formatting the rows overlaps with their insertion
    instead of preceding it."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks = iter(chunks)
        self._sent: list[str] = []

    def read(self, size: int = -1) -> str:
        for chunk in self._chunks:
            if chunk:
                self._sent.append(chunk)
                return chunk
        return ""

    def text(self) -> str:
        """Everything read so far plus what is left, as one text (the fallback path sends it again)."""
        self._sent.extend(self._chunks)
        return "".join(self._sent)


def _copy_csv_stream(
    cursor: Any, table: str, columns: Sequence[str], source: _Chunks, *, model: type[models.Model] | None = None
) -> None:
    with connection.wrap_database_errors:
        cursor.copy_expert(_copy_sql(table, columns, model), source)


def _copy_csv(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    model: type[models.Model] | None = None,
) -> None:
    _copy_csv_text(cursor, table, columns, _csv_text(rows), model=model)


def _reserve_ids(cursor: Any, model: type[models.Model], n: int) -> list[int]:
    meta = model._meta
    # The sequence's name first: inside the row-producing query ``pg_get_serial_sequence`` (a catalog look-up) ran
    # once per id, 10x the cost of ``nextval`` itself (5,000 ids: 18-27 ms against 1.8 ms).
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, _col(_pk(model))])
    (sequence,) = cursor.fetchone()
    cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, n])
    return [row[0] for row in cursor.fetchall()]


def lines_copy(model: type[models.Model], columns: Sequence[str], lines: Iterable[str]) -> None:
    """PostgreSQL only: COPY lines already in COPY's text format (tab-separated, ``\\N`` for NULL, ending in a
    newline) into ``columns`` (model field attnames). For generated data where formatting is the cost."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("lines_copy needs PostgreSQL; use rows_copy.")
    buffer = io.StringIO()
    buffer.writelines(lines)
    buffer.seek(0)
    meta = model._meta
    qn = _qn
    names = ", ".join(qn(_col(_field(model, c))) for c in columns)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(f"COPY {qn(meta.db_table)} ({names}) FROM STDIN", buffer)


def rows_copy(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert rows given as tuples in the order of ``columns`` (field attnames); no ids come back."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        return rows_executemany(model, columns, rows)
    fields = [_field(model, c) for c in columns]
    kinds = [_kind(f) for f in fields]
    cells = ([_cell(v, k) for v, k in zip(row, kinds, strict=True)] for row in rows)
    with connection.cursor() as cursor:
        _copy_csv(cursor, model._meta.db_table, [_col(f) for f in fields], cells, model=model)
    return len(rows)


# Internal types whose Python values the database drivers take as they are (no per-value conversion).
_AS_IS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "CharField",
        "EmailField",
        "FloatField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)


def _prepper(field: AnyField) -> Any:
    """A function turning one Python value of ``field`` into what the driver takes (NaN is NULL)."""
    if isinstance(field, models.JSONField):
        # Like COPY: text is JSON the caller serialised already; anything else is serialised here.
        def json_value(value: Any) -> Any:
            if value is None:
                return None
            return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

        return json_value
    if field.get_internal_type() in _AS_IS:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def rows_executemany(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert rows (tuples in the order of ``columns``, field attnames) with one ``executemany``: no model
    instance per row. Fields left out get their defaults (``auto_now(_add)``: now), as ``bulk_create`` gives.
    The path of databases without COPY (SQLite in the embedded default: the demo's hundreds of thousands of
    rows)."""
    if not rows:
        return 0
    meta = model._meta
    fields = [_field(model, c) for c in columns]
    names = {f.attname for f in fields}
    now = timezone.now()
    rest = [f for f in meta.local_concrete_fields if f is not _pk(model) and f.attname not in names]
    constants = []
    for field in rest:
        stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = now if stamped else field.get_default()
        prep = _prepper(field)
        constants.append(prep(value) if prep else value)
    converted: list[Sequence[Any]] = []
    for i, field in enumerate(fields):
        prep = _prepper(field)
        values = [row[i] for row in rows]
        if prep is None:
            converted.append([None if isinstance(v, float) and v != v else v for v in values])
        else:
            converted.append([None if v is None or (isinstance(v, float) and v != v) else prep(v) for v in values])
    for value in constants:
        converted.append([value] * len(rows))
    qn = _qn
    target = ", ".join(qn(_col(f)) for f in [*fields, *rest])
    placeholders = ", ".join(["%s"] * (len(fields) + len(rest)))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {qn(meta.db_table)} ({target}) VALUES ({placeholders})", list(zip(*converted, strict=True))
        )
    return len(rows)


def columns_insert_new(
    model: type[models.Model],
    columns: Sequence[str],
    values: Sequence[Sequence[Any]],
    *,
    conflict: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """PostgreSQL: insert the rows whose ``conflict`` key (a unique constraint's columns) is new; return the
    ``returning`` columns (among ``columns``) of exactly the rows inserted. A plain COPY when every key is new;
    otherwise COPY into a temporary table, then one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING``
    (idempotent ingestion: a replay inserts nothing).

    The rows come column by column (``values[i]``: every row's value of ``columns[i]``, field attnames): a caller
    that holds its rows as objects builds the columns directly, without a tuple per row. ``auto_now_add`` fields
    not in ``columns`` take now, as ``save()`` would."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("columns_insert_new needs PostgreSQL.")
    if not values or not values[0]:
        return []
    meta = model._meta
    qn = _qn
    fields = [_field(model, c) for c in columns]
    kinds = [_kind(f) for f in fields]
    names = [_col(f) for f in fields]
    stamped = [
        _col(f)
        for f in meta.local_concrete_fields
        if _col(f) not in names and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
    ]
    returned = [columns.index(c) if c in columns else columns.index(_field(model, c).attname) for c in returning]
    now = timezone.now().isoformat()
    count = len(values[0])
    names, source = _csv_by_columns([*names, *stamped], [*values, *[[now] * count] * len(stamped)], kinds=kinds)
    # Optimistic first: new rows are the rule (a replay is a client's retry), and a plain COPY into the table is
    # the cheapest write there is. A key that exists already fails the COPY inside a savepoint; then the rows go
    # the careful way. (Foreign keys are checked at commit, so an IntegrityError here is a unique key.)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy_csv_stream(cursor, meta.db_table, names, source, model=model)
        return list(zip(*(values[i] for i in returned), strict=True))
    except IntegrityError:
        pass
    text = source.text()
    temp = f"tmp_{meta.db_table}_new"
    target = ", ".join(qn(c) for c in names)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(
            f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {target} FROM {qn(meta.db_table)} WITH NO DATA"
        )
        _copy_csv_text(cursor, temp, names, text, model=model)
        conflict_cols = ", ".join(qn(_col(_field(model, c))) for c in conflict)
        back = ", ".join(qn(_col(_field(model, c))) for c in returning)
        cursor.execute(
            f"INSERT INTO {qn(meta.db_table)} ({target}) SELECT {target} FROM {temp} "
            f"ON CONFLICT ({conflict_cols}) DO NOTHING RETURNING {back}"
        )
        inserted: list[tuple[Any, ...]] = cursor.fetchall()
        cursor.execute(f"DROP TABLE {temp}")
    return inserted


def _one_value(column: Sequence[Any]) -> bool:
    """Whether every cell of a non-empty column is the same int, string (JSON text included) or ``None``, of one
    type: then it is rendered once and sent at the end of every line instead of formatted per row."""
    first = column[0]
    kind = type(first)
    return (
        kind in (int, str, Serialized, type(None))
        and column.count(first) == len(column)
        and set(map(type, column)) == {kind}
    )


#: Rows per chunk of a streamed COPY (~50 kB of text): small enough that the server starts on the first chunk
#: early, large enough that each ``read`` costs little.
STREAM_ROWS = 500


def _csv_by_columns(
    names: Sequence[str], columns: Sequence[Sequence[Any]], *, kinds: Sequence[str]
) -> tuple[list[str], _Chunks]:
    """COPY's csv text of rows given column by column (raw values; ``kinds`` for the first ones, the rest plain),
    in chunks of ``STREAM_ROWS`` rows made as the COPY reads them, with the column names in the order the text has
    them. A column with one value in every row (the workspace, a stamp, NULL, one source) is rendered once and
    sent after the others at the end of every line, so the csv writer formats only the varying cells."""
    kinds = [*kinds, *["plain"] * (len(columns) - len(kinds))]
    varying: list[int] = []
    same: list[int] = []
    for i, column in enumerate(columns):
        (same if _one_value(column) else varying).append(i)
    if not varying:  # every column constant (one row, say): the first one still makes the lines
        varying.append(same.pop(0))
    varying_kinds = [kinds[i] for i in varying]
    end = _csv_cells([_cell(columns[i][0], kinds[i]) for i in same]) if same else None
    count = len(columns[0])

    def chunks() -> Iterator[str]:
        for start in range(0, count, STREAM_ROWS):
            part = _converted([columns[i][start : start + STREAM_ROWS] for i in varying], varying_kinds)
            yield _csv_text(zip(*part, strict=True), end=end)

    return [names[i] for i in [*varying, *same]], _Chunks(chunks())


def rows_insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows given as ``{attname: value}`` (fields left out take their defaults; ``auto_now(_add)`` fields
    get now); returns the new ids in order. No model instance per row: ``Model.__init__`` costs more than COPY."""
    with transaction.atomic():
        ids, send = rows_insert_prepared(model, rows)
        send()
    return ids


def rows_insert_prepared(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    keys: Iterable[str] | None = None,
    constants: dict[str, Any] | None = None,
) -> tuple[list[int], Callable[[], None]]:
    """:func:`rows_insert` in two halves: the ids and the COPY text now, and a function that sends the COPY.

    On PostgreSQL the ids come from the sequence (no transaction needed: a sequence hands each value out once,
    whatever becomes of the rows), so the function may run later, in the caller's transaction, in another
    thread with a connection of its own (accounts.imports writes a chunk while it reads the next). Elsewhere the
    rows are inserted now (``bulk_create`` gives the ids) and the function does nothing.

    ``keys``: the only keys of the rows to read (each row has them all; any other key is ignored, so a caller
    may pass its own records instead of building a dict per row); ``constants``: values shared by every row.
    """
    if not rows:
        return [], _nothing
    constants = constants or {}
    if connection.vendor != "postgresql":
        if keys is not None or constants:
            wanted = list(keys) if keys is not None else None
            rows = [{**constants, **(row if wanted is None else {k: row[k] for k in wanted})} for row in rows]
        objs = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=2000)
        return [obj.pk for obj in objs], _nothing
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not _pk(model)]
    now = timezone.now()
    plan = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            plan.append((field.attname, "now", now))
        else:
            plan.append((field.attname, _kind(field), field.get_default()))
    with connection.cursor() as cursor:
        ids = _reserve_ids(cursor, model, len(rows))
    # Column by column (a comprehension per column, not a call per cell). A column with one value for every row
    # (no row sets it, a constant, ``now``, NULL, one int or string, one distinct JSON value) is rendered once and
    # sent after the others at the end of every line, so the csv writer formats only the varying cells.
    varying: list[Sequence[Any]] = [ids]
    varying_names = [_col(_pk(model))]
    same: list[Any] = []
    same_names: list[str] = []
    # The keys any row sets (one C-level pass, not one per field).
    present: set[str] = set(keys) if keys is not None else set().union(*rows)

    def values_of(name: str, default: Any) -> list[Any]:
        return [row[name] for row in rows] if keys is not None else [row.get(name, default) for row in rows]

    for (name, kind, default), field in zip(plan, fields, strict=True):
        if kind == "now" or (name not in present and name not in constants):
            same.append(_cell(default, "plain" if kind == "now" else kind))
        elif name in constants:
            same.append(_cell(constants[name], kind))
        elif kind in ("plain", "datetime"):
            values = values_of(name, default)
            if _one_value(values):
                same.append(_cell(values[0], kind))
            else:
                varying.append(_converted([values], [kind])[0])
        elif kind == "json":
            memo: dict[str, Any] = {}
            column = []
            for value in values_of(name, default):
                key = repr(value)
                cell = memo.get(key)
                if cell is None:
                    cell = memo[key] = _cell(value, kind)
                column.append(cell)
            if len(memo) == 1:
                same.append(column[0])
            else:
                varying.append(column)
        else:
            varying.append([_cell(value, kind) for value in values_of(name, default)])
        (same_names if len(same) > len(same_names) else varying_names).append(_col(field))
    text = _csv_text(zip(*varying, strict=True), end=_csv_cells(same) if same else None)
    table, names = meta.db_table, [*varying_names, *same_names]

    def send() -> None:
        with connection.cursor() as cursor:  # the connection of the thread that sends
            _copy_csv_text(cursor, table, names, text, model=model)

    return ids, send


def _nothing() -> None:
    pass


def objects_insert(model: type[M], objs: list[M]) -> list[M]:
    """Insert unsaved instances and set their primary keys (``bulk_create`` elsewhere); ``auto_now(_add)``
    timestamps are set as ``save()`` would."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return list(model._default_manager.bulk_create(objs, batch_size=2000))
    meta = model._meta
    fields = cast(list[AnyField], list(meta.local_concrete_fields))
    now = timezone.now()
    plan = []
    for field in fields:
        stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        plan.append((field.attname, "now" if stamped else _kind(field)))
    with transaction.atomic(), connection.cursor() as cursor:
        ids = _reserve_ids(cursor, model, len(objs))
        rows = []
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
            values = obj.__dict__
            for attname, kind in plan:
                if kind == "now":
                    values[attname] = now
            rows.append([_cell(values[attname], "plain" if kind == "now" else kind) for attname, kind in plan])
        _copy_csv(cursor, meta.db_table, [_col(f) for f in fields], rows, model=model)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"
    return objs


def rows_update(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Set ``fields`` (attnames) of each row ``(pk, value1, value2, ...)``; only rows whose values change are
    written. Returns the number of rows written (on backends other than PostgreSQL and SQLite: rows given)."""
    if not rows:
        return 0
    field_objs = [_field(model, f) for f in fields]
    if connection.vendor == "postgresql":
        if len(rows) <= SMALL_UPDATE:
            return _update_unnest(model, field_objs, rows)
        return _update_copy(model, field_objs, rows)
    if connection.vendor == "sqlite":
        return _update_sqlite(model, field_objs, rows)
    objs = []
    for row in rows:
        obj = model(pk=row[0])
        for field, value in zip(field_objs, row[1:], strict=True):
            if isinstance(value, Serialized):
                value = json.loads(value)
            setattr(obj, field.attname, None if isinstance(value, float) and value != value else value)
        objs.append(obj)
    model._default_manager.bulk_update(objs, [f.name for f in field_objs], batch_size=1000)
    return len(objs)


def _changed_sql(columns: Sequence[str], left: str, right: str) -> str:
    qn = _qn
    before = ", ".join(f"{left}.{qn(c)}" for c in columns)
    after = ", ".join(f"{right}.{qn(c)}" for c in columns)
    return f"ROW({before}) IS DISTINCT FROM ROW({after})"


def _update_unnest(model: type[models.Model], field_objs: list[AnyField], rows: Sequence[Sequence[Any]]) -> int:
    meta = model._meta
    qn = _qn
    columns = [_col(f) for f in field_objs]
    kinds = [_kind(f) for f in field_objs]
    types = [(f.db_type(connection) or "").split("(")[0].strip() for f in field_objs]
    pk_type = (_pk(model).db_type(connection) or "").split("(")[0].strip()
    arrays = ", ".join(f"%s::{t}[]" for t in [pk_type, *types])
    names = ", ".join(qn(c) for c in [_col(_pk(model)), *columns])
    assignments = ", ".join(f"{qn(c)} = t.{qn(c)}" for c in columns)
    pk = qn(_col(_pk(model)))
    # ``a.pk = ANY(the ids)`` as well as the join: the planner then reaches the rows through the primary key
    # whatever its statistics say. Joined to the unnest alone, a table it takes for small (never analysed, as
    # after a bulk load with autovacuum off) was hashed whole: 120,000 contacts read to update 1,300.
    sql = (
        f"UPDATE {qn(meta.db_table)} AS a SET {assignments} FROM unnest({arrays}) AS t({names}) "
        f"WHERE a.{pk} = ANY(%s::{pk_type}[]) AND a.{pk} = t.{pk} AND {_changed_sql(columns, 'a', 't')}"
    )

    def element(value: Any, kind: str) -> Any:
        cell = _cell(value, kind)
        return None if cell is NULL else cell

    params = [pg_array(row[0] for row in rows)]
    params += [pg_array(element(row[i + 1], kind) for row in rows) for i, kind in enumerate(kinds)]
    params.append(params[0])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def rows_upsert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
) -> int:
    """Insert ``rows`` (values of the attnames ``columns``); a row whose ``conflict`` fields (a unique constraint)
    exist already sets ``update`` (attnames among ``columns``) instead, and only if one of those values differs
    from the stored one: an unchanged row is not written.

    PostgreSQL: one ``INSERT … SELECT FROM unnest(arrays) ON CONFLICT … DO UPDATE … WHERE … IS DISTINCT FROM``;
    returns the rows inserted or changed. Other databases: ``bulk_create(update_conflicts=True)`` (every row
    written); returns the rows given."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows],
            update_conflicts=True,
            unique_fields=[_field(model, name).name for name in conflict],
            update_fields=[_field(model, name).name for name in update],
        )
        return len(rows)
    qn = _qn
    field_objs = [_field(model, c) for c in columns]
    names = [_col(f) for f in field_objs]
    kinds = [_kind(f) for f in field_objs]
    types = [(f.db_type(connection) or "").split("(")[0].strip() for f in field_objs]
    changed = [_col(_field(model, c)) for c in update]
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    listed = ", ".join(qn(c) for c in names)
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} AS a ({listed}) SELECT * FROM unnest({arrays}) AS t({listed}) "
        f"ON CONFLICT ({', '.join(qn(_col(_field(model, c))) for c in conflict)}) DO UPDATE SET "
        + ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in changed)
        + f" WHERE {_changed_sql(changed, 'a', 'EXCLUDED')}"
    )
    params = [pg_array(None if cell is NULL else cell for cell in column) for column in _converted_columns(rows, kinds)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _update_copy(model: type[models.Model], field_objs: list[AnyField], rows: Sequence[Sequence[Any]]) -> int:
    meta = model._meta
    qn = _qn
    table, pk = meta.db_table, _col(_pk(model))
    temp = f"tmp_{table}_bulk"
    columns = [_col(f) for f in field_objs]
    kinds = [_kind(f) for f in field_objs]
    pk_type = (_pk(model).db_type(connection) or "").split("(")[0].strip()
    # The temporary table lives only inside this transaction (ON COMMIT DROP).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(
            f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {qn(pk)}, "
            f"{', '.join(qn(c) for c in columns)} FROM {qn(table)} WITH NO DATA"
        )
        _copy_csv(cursor, temp, [pk, *columns], _cells_by_column(rows, kinds), model=model)
        assignments = ", ".join(f"{qn(c)} = t.{qn(c)}" for c in columns)
        # ``a.pk = ANY(the ids)`` as in ``_update_unnest``: joined to the temporary table alone, the planner hashed
        # the whole target table to update a few thousand of its rows (a scoring pass: all 300,000 contacts of a
        # 50,000-account workspace scanned per 1,000-account chunk to update ~4,500). With the ids stated it can
        # reach the rows through the primary key, and a scan of the whole table is left for updates of most of it.
        cursor.execute(
            f"UPDATE {qn(table)} AS a SET {assignments} FROM {temp} AS t "
            f"WHERE a.{qn(pk)} = ANY(%s::{pk_type}[]) AND a.{qn(pk)} = t.{qn(pk)} "
            f"AND {_changed_sql(columns, 'a', 't')}",
            [pg_array(row[0] for row in rows)],
        )
        count = int(cursor.rowcount)
        cursor.execute(f"DROP TABLE {temp}")
    return count


def _update_sqlite(model: type[models.Model], field_objs: list[AnyField], rows: Sequence[Sequence[Any]]) -> int:
    """SQLite (3.33+): the same temporary table and ``UPDATE ... FROM``, filled with ``executemany``."""
    meta = model._meta
    qn = _qn
    table, pk = meta.db_table, _col(_pk(model))
    temp = f"tmp_{table}_bulk"
    columns = [_col(f) for f in field_objs]

    def prep(value: Any, field: AnyField) -> Any:
        if value is None or (isinstance(value, float) and value != value):
            return None
        if isinstance(field, models.JSONField):
            return (
                value if isinstance(value, Serialized | str) else json.dumps(value, separators=(",", ":"), default=str)
            )
        return field.get_db_prep_save(value, connection)

    params = [[row[0], *(prep(v, f) for v, f in zip(row[1:], field_objs, strict=True))] for row in rows]
    # JSON is text in SQLite, written with or without spaces: compare the minified forms.
    same = " AND ".join(
        f"json({qn(table)}.{qn(_col(f))}) IS json(t.{qn(_col(f))})"
        if isinstance(f, models.JSONField)
        else f"{qn(table)}.{qn(_col(f))} IS t.{qn(_col(f))}"
        for f in field_objs
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS temp.{temp}")
        cursor.execute(f"CREATE TEMP TABLE {temp} (id INTEGER PRIMARY KEY, {', '.join(qn(c) for c in columns)})")
        placeholders = ", ".join(["%s"] * (len(columns) + 1))
        cursor.executemany(f"INSERT INTO {temp} VALUES ({placeholders})", params)
        assignments = ", ".join(f"{qn(c)} = t.{qn(c)}" for c in columns)
        cursor.execute(
            f"UPDATE {qn(table)} SET {assignments} FROM {temp} AS t WHERE {qn(table)}.{qn(pk)} = t.id AND NOT ({same})"
        )
        count = int(cursor.rowcount)
        cursor.execute(f"DROP TABLE temp.{temp}")
    return count


@contextmanager
def bulk_load(models_: Sequence[type[models.Model]]) -> Iterator[None]:
    """Check foreign keys and build the plain indexes of ``models_`` once for the whole body, not once per row.

    PostgreSQL checks a foreign key with a trigger per inserted row and updates every index per row; for the
    demo's millions of rows that is most of the load time. The foreign keys and non-unique indexes are dropped
    for the body and created again at the end: each constraint then validates every row in one join, each index
    is built in one sort. The same guarantees, checked in bulk. Unique indexes stay (upserts need them). Needs
    the table owner (the role that ran the migrations); other backends run the body unchanged.
    """
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
