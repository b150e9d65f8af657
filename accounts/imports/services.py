"""Import jobs: upload, column mapping, and the upsert engine for accounts, contacts and opportunities.

Matching rules (docs/import.md), the same for every chunk size:

* accounts: CRM id, then normalised domain, then normalised name (a name matching several accounts rejects the
  row and names them); a record with another CRM id or domain is never a name match;
* contacts: CRM id, then email; opportunities: CRM id, else (account, name, created date). Rows with
  different CRM ids are never merged.

A matched row only fills the cells it has: an empty cell never clears a value. A row equal to what is stored
counts as ``unchanged`` and writes nothing, so importing the same file twice changes nothing. Each record is
written by at most one line of a file: a later line that matches the same record is a ``duplicate`` (counted
as unchanged) when its cells are identical, else rejected naming the earlier line. Every data row is counted
exactly once: ``created + updated + unchanged + rejected == rows``. Field problems that leave the row
meaningful (an unknown country, a bad number in an optional field) blank that cell and warn.

Rows are decided one by one against indexes that include the records this run is about to insert, and
written in chunks of ``CHUNK`` with a commit each, so a large file shows progress; the chunk size never
changes the outcome.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import operator
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from abe import locks
from abe import texts as tx
from abe.bulk import pg_array, rows_insert_prepared, rows_update
from abe.db import checks_left_out, checks_skippable, key_share_count
from abe.gcpause import gc_paused
from abe.jobs import STALLED_QUEUED, failure_cause, stall_cutoff, stalled_fail
from abe.models import Workspace
from abe.tasks import enqueue_job_on_commit, enqueue_on_commit
from personas.models import Persona

from ..models import (
    Account,
    Contact,
    ImportJob,
    ImportKind,
    ImportStatus,
    Lifecycle,
    Opportunity,
    OpportunityContact,
    OpportunityStatus,
    Product,
)
from ..normalise import normalise_email, normalise_name
from ..prospecting.selectors import board_stats_invalidate
from ..prospecting.tasks import prospecting_rescore_task
from . import parsing as p
from .committee import committee_value, deal_role
from .presets import PRESETS, TARGET_FIELDS, kind_detect, preset_detect, preset_mapping
from .stages import stage_map_clean, stage_status, stage_values
from .tasks import import_job_run_task
from .titles import department_from_title, seniority_from_title

logger = logging.getLogger(__name__)
CHUNK = 5000
# Write each chunk in a second thread while the next is read (``_ChunkWriter``); off: the caller writes each chunk
# itself (tests compare both).
IMPORT_OVERLAP = True
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PREVIEW_ROWS = 5
PROBLEMS_SHOWN = 20
SCALABLE = {
    "accounts": {"employees", "annual_revenue", "number_of_offices"},
    "contacts": set(),
    "opportunities": {"amount", "won_amount", "gross_margin"},
    "opportunity_contacts": set(),
}


def _reason(reasons: list[str | tx.Msg]) -> dict[str, Any]:
    """A problem's ``reason`` (English, what the API and older jobs have) and ``texts`` (its parts as message keys, read
    in the reader's language by :func:`problem_text`)."""
    return {
        "reason": "; ".join(tx.english(r) for r in reasons),
        "texts": [r.spec() if isinstance(r, tx.Msg) else {"key": "", "params": {}, "text": r} for r in reasons],
    }


def problem_text(problem: dict[str, Any]) -> str:
    """A problem of an import job in the active language; as stored (English) for a job recorded before the keys."""
    texts = problem.get("texts")
    if not texts:
        return str(problem.get("reason", ""))
    return "; ".join(tx.render(t, str(t.get("text", ""))) for t in texts)


OWN_PARENT = tx.msg(gettext_noop("An account cannot be its own parent: parent left blank"))
OWN_MANAGER = tx.msg(gettext_noop("A contact cannot report to themselves: reports-to left blank"))
MANAGER_LOOP = tx.msg(gettext_noop("This would make a reporting loop: reports-to left blank"))
# "Same account as line 4 (CRM id 001…); a file may change each account once", a sentence per kind of row.
SAME_RECORD_TWICE = {
    "record": gettext_noop("Same record as line %(line)s (%(record)s); a file may change each record once"),
    "account": gettext_noop("Same account as line %(line)s (%(record)s); a file may change each account once"),
    "contact": gettext_noop("Same contact as line %(line)s (%(record)s); a file may change each contact once"),
    "opportunity": gettext_noop(
        "Same opportunity as line %(line)s (%(record)s); a file may change each opportunity once"
    ),
    "deal contact role": gettext_noop(
        "Same contact on the same deal as line %(line)s (%(record)s); a file may change each deal contact role once"
    ),
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warned: int = 0
    duplicates: int = 0
    # [{line, kind: "rejected" | "warning", reason}], every one (the download lists them with the original row).
    problems: list[dict[str, Any]] = field(default_factory=list)
    changed_accounts: list[int] = field(default_factory=list)  # accounts whose contacts/opportunities changed
    _warned_lines: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)

    def reject(self, line: int, reason: str | tx.Msg) -> None:
        self.rejected += 1
        self.problems.append({"line": line, "kind": "rejected", **_reason([reason])})

    def warn(self, line: int, reasons: list[str | tx.Msg]) -> None:
        if not reasons:
            return
        if line in self._warned_lines:
            problem, more = self._warned_lines[line], _reason(reasons)
            problem["reason"] += "; " + more["reason"]
            problem["texts"] = problem.get("texts", []) + more["texts"]
            return
        self.warned += 1
        problem = {"line": line, "kind": "warning", **_reason(reasons)}
        self._warned_lines[line] = problem
        self.problems.append(problem)

    @property
    def errors(self) -> list[dict[str, Any]]:  # the API's words: English
        return [{"line": e["line"], "reason": e["reason"]} for e in self.problems if e["kind"] == "rejected"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [{"line": e["line"], "reason": e["reason"]} for e in self.problems if e["kind"] == "warning"]

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    @classmethod
    def restored(cls, saved: dict[str, Any]) -> ImportResult:
        """The result a stepped import saved with its last committed chunk (counts and problems)."""
        result = cls()
        for key in result.summary():
            setattr(result, key, int(saved.get(key, 0)))
        result.problems = list(saved.get("problems", []))
        result._warned_lines = {p["line"]: p for p in result.problems if p["kind"] == "warning"}
        return result

    def saved(self) -> dict[str, Any]:
        return {**self.summary(), "problems": self.problems}

    def summary(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "warned": self.warned,
            "duplicates": self.duplicates,
        }


# ----- cleaning: raw cells (target field -> text) -> typed values, or CellError -------------------------------


class _Text:
    """A text cell's parser: the cell stripped and cut to the column's length (``parsing.text``). ``_clean`` reads
    ``limit`` and cuts such cells itself, without a call per cell."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, value: str) -> str:
        return p.text(value, self.limit)


def _parsers(kind: str, decimal_comma: bool = False) -> dict[str, Callable[[str], Any]]:
    dc = decimal_comma
    if kind == "accounts":
        return {
            "external_id": _Text(64),
            "name": _Text(255),
            "domain": p.domain,
            "industry": _Text(100),
            "country": p.country,
            "region": _Text(100),
            "city": _Text(100),
            "employees": lambda v: p.integer(v, gettext_noop("Employees"), decimal_comma=dc),
            "annual_revenue": lambda v: p.money(v, gettext_noop("Annual revenue"), dc),
            "ownership_type": p.ownership,
            "number_of_offices": lambda v: p.integer(v, gettext_noop("Offices"), decimal_comma=dc),
            "founded_year": lambda v: _year(v),
            "technologies": p.technologies,
            "lifecycle": p.lifecycle,
            "trigger_event": _Text(200),
            "trigger_event_date": lambda v: p.day(v, gettext_noop("Trigger event date")),
            "owner": str.strip,
            "parent_name": _Text(255),
            "parent_external_id": _Text(64),
        }
    if kind == "contacts":
        return {
            "external_id": _Text(64),
            "first_name": _Text(100),
            "last_name": _Text(100),
            "full_name": _Text(201),
            "email": p.email,
            "other_email": p.email,
            "title": _Text(200),
            "account_external_id": _Text(64),
            "account_domain": p.domain,
            "account_name": _Text(255),
            "do_not_contact": lambda v: p.boolean(v, gettext_noop("Do not contact")),
            "buying_role": lambda v: committee_value("buying_role", v),
            "seniority": lambda v: committee_value("seniority", v),
            "department": lambda v: committee_value("department", v),
            "persona": _Text(120),
            "reports_to_external_id": _Text(64),
            "reports_to": _Text(255),
            "committee_from_title": _Text(200),
            "created_date": lambda v: p.day(v, gettext_noop("Created date")),
        }
    if kind == "opportunity_contacts":
        return {
            "external_id": _Text(64),
            "opportunity_external_id": _Text(64),
            "opportunity_name": _Text(255),
            "contact_external_id": _Text(64),
            "contact_email": p.email,
            "role": deal_role,
            "is_primary": lambda v: p.boolean(v, gettext_noop("Primary")),
        }
    return {
        "external_id": _Text(64),
        "name": _Text(255),
        "account_external_id": _Text(64),
        "account_domain": p.domain,
        "account_name": _Text(255),
        "amount": lambda v: p.money(v, gettext_noop("Amount"), dc),
        "won_amount": lambda v: p.money(v, gettext_noop("Won amount"), dc),
        "stage": _Text(80),
        "type": p.opportunity_type,
        "created_date": lambda v: p.day(v, gettext_noop("Created date")),
        "close_date": lambda v: p.day(v, gettext_noop("Close date")),
        "expected_close_date": lambda v: p.day(v, gettext_noop("Expected close date")),
        "is_won": lambda v: p.boolean(v, gettext_noop("Won")),
        "is_closed": lambda v: p.boolean(v, gettext_noop("Closed")),
        "status": lambda v: v.strip().lower(),
        "product": _Text(200),
        "gross_margin": lambda v: p.margin_amount(v, gettext_noop("Gross margin"), dc),
        "gross_margin_pct": lambda v: p.percent(v, gettext_noop("Gross margin %"), dc),
        "contract_start": lambda v: p.day(v, gettext_noop("Contract start")),
        "contract_end": lambda v: p.day(v, gettext_noop("Contract end")),
    }


PARSERS = {kind: _parsers(kind) for kind in ("accounts", "contacts", "opportunities", "opportunity_contacts")}
# A problem in one of these cells blanks the cell and warns; anywhere else it rejects the row.
OPTIONAL = {
    "accounts": {"country", "employees", "annual_revenue", "number_of_offices", "founded_year", "trigger_event_date"},
    "contacts": {"other_email", "buying_role", "seniority", "department", "created_date"},
    "opportunities": {"amount", "won_amount", "close_date", "expected_close_date"},
    "opportunity_contacts": {"role", "is_primary"},
}


_MISS = object()
MEMO_LIMIT = 200_000
# Cells read as they are (a strip and a cut) or different on every line (the keys): a memo costs more than the
# reading there (a dictionary probe per cell, and 100,000 entries that never hit on a 100,000-line file).
UNMEMOISED = {
    "accounts": {
        "external_id",
        "name",
        "domain",
        "industry",
        "region",
        "city",
        "trigger_event",
        "parent_name",
        "parent_external_id",
    },
}


def _memoised(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """``parse`` remembering its answers (a value or the CellError message) for one run: CRM files repeat the
    same countries, industries, cities and sizes on many lines, and parsing is most of a row's cost."""
    cache: dict[str, Any] = {}

    def parsed(value: str) -> Any:
        hit = cache.get(value, _MISS)
        if hit is _MISS:
            try:
                hit = parse(value)
            except p.CellError as exc:
                hit = exc
            if len(cache) < MEMO_LIMIT:
                cache[value] = hit
        if isinstance(hit, p.CellError):
            raise p.CellError(hit.text)
        return list(hit) if isinstance(hit, list) else hit

    return parsed


def _year(value: str) -> int | None:
    year = p.integer(value, gettext_noop("Founded"), 2100)
    if year is not None and year < 1000:
        raise p.CellError(tx.msg(gettext_noop("Founded “%(value)s” is not a year"), value=value.strip()))
    return year


# What a run reads from each mapped cell, in the file's column order: (target, position in the line, parser, text
# limit or 0 for a parsed cell, whether a problem only warns, scale factor or None).
CellPlan = tuple[str, int, Callable[[str], Any], int, bool, float | None]


def _cell_plan(
    parsers: dict[str, Callable[[str], Any]],
    positions: dict[str, int],
    optional: set[str],
    scales: dict[str, float],
) -> list[CellPlan]:
    return [
        (
            target,
            i,
            parsers[target],
            parsers[target].limit if isinstance(parsers[target], _Text) else 0,  # type: ignore[attr-defined]
            target in optional,
            scales.get(target),
        )
        for target, i in positions.items()
    ]


def _clean(plan: list[CellPlan], cells: list[str], warnings: list[str | tx.Msg] | None = None) -> dict[str, Any]:
    """Typed values of the line's non-empty mapped cells; a bad required cell raises CellError, a bad optional
    one warns (``warnings``) and is left out."""
    out: dict[str, Any] = {}
    n = len(cells)
    for target, i, parse, limit, optional, factor in plan:
        if i >= n:
            continue
        value = cells[i]
        if limit:  # text: stripped and cut, here rather than through a call per cell
            value = value.strip()
            if value:
                out[target] = value[:limit]
            continue
        if not value.strip():
            continue
        try:
            parsed = parse(value)
        except p.CellError as exc:
            if not optional or warnings is None:
                raise
            warnings.append(tx.msg(gettext_noop("%(problem)s: left blank"), problem=exc.text))
            continue
        if parsed in (None, "", []):
            continue
        if factor is not None:
            parsed = (
                (parsed * Decimal(repr(factor))).quantize(Decimal("0.01"))
                if isinstance(parsed, Decimal)
                else int(round(parsed * factor))
            )
        out[target] = parsed
    return out


def _changes(existing: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if existing.get(k) != v}


# ----- the engine -------------------------------------------------------------------------------------------

Record = dict[str, Any]  # tracked field values of one stored (or about to be inserted) record, "id" None if new


def _nothing() -> None:
    pass


def _cells_digest(cells: tuple[str, ...]) -> str:
    """A short fingerprint of a row's cells: a stepped import keeps it (not the cells) to recognise a repeated line."""
    return hashlib.blake2b("\x1f".join(cells).encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


class _Upserter:
    """One import run over one workspace: its match indexes include the records it is about to insert."""

    kind: str
    model: type[Any]
    fields: list[str]
    noun = "record"

    def __init__(self, workspace: Workspace, result: ImportResult, today: date) -> None:
        self.workspace, self.result, self.today = workspace, result, today
        self.defaults = {f.attname: f.get_default() for f in self.model._meta.concrete_fields}
        self.blank = {f: self.defaults.get(f) for f in self.fields}  # a new record before its line's values
        self.touched: dict[int, tuple[int, str]] = {}  # id(record) -> (line, digest of the cells) that wrote it
        self.pending: list[Record] = []  # new records, inserted at the end of the chunk
        self.dirty: dict[int, Record] = {}  # pk -> changed fields of stored records
        self.changed_accounts: set[int] = set()

    def load(self) -> list[Record]:
        return list(self.model.objects.for_workspace(self.workspace).values("id", *self.fields))

    def new_record(self, values: dict[str, Any]) -> Record:
        record = self.blank | values
        record["id"] = None
        for key in ("technologies",):
            if key in record and record[key] is None:
                record[key] = []
        self.pending.append(record)
        self.index(record)
        return record

    def index(self, record: Record) -> None:
        raise NotImplementedError

    def unindex(self, record: Record) -> None:
        raise NotImplementedError

    def update(self, record: Record, changes: dict[str, Any]) -> None:
        self.unindex(record)
        record.update(changes)
        self.index(record)
        if record["id"] is not None:
            self.dirty.setdefault(record["id"], {}).update(changes)

    def decide(self, line: int, cells: tuple[str, ...], values: dict[str, Any]) -> tuple[str, Record]:
        """``("created" | "updated" | "unchanged" | "duplicate", record)``; CellError rejects the row."""
        record, values = self.match(line, values)
        if record is None:
            record = self.new_record(self.complete_new(values))
            self.touched[id(record)] = (line, _cells_digest(cells))
            return "created", record
        if self.claim(line, cells, record):
            return "duplicate", record
        changes = _changes(record, self.complete_update(record, values))
        if not changes:
            return "unchanged", record
        self.update(record, changes)
        return "updated", record

    def claim(self, line: int, cells: tuple[str, ...], record: Record) -> bool:
        """Note that ``line`` (its stripped cells) writes the stored ``record``: True when an earlier line with the
        same cells did (a duplicate); CellError when an earlier line with other cells did."""
        earlier = self.touched.get(id(record))
        if earlier is not None:
            if earlier[1] == _cells_digest(cells):
                return True
            raise p.CellError(tx.msg(SAME_RECORD_TWICE[self.noun], line=earlier[0], record=self.describe(record)))
        self.touched[id(record)] = (line, _cells_digest(cells))
        return False

    def describe(self, record: Record) -> str | tx.Msg:
        if record.get("external_id"):
            return tx.msg(gettext_noop("CRM id %(id)s"), id=record["external_id"])
        return str(record.get("name") or "")

    def complete_new(self, values: dict[str, Any]) -> dict[str, Any]:
        return values

    def complete_update(self, record: Record, values: dict[str, Any]) -> dict[str, Any]:
        return values

    def match(self, line: int, values: dict[str, Any]) -> tuple[Record | None, dict[str, Any]]:
        raise NotImplementedError

    def flush(self) -> None:
        """Write this chunk: insert the new records, update the changed ones."""
        self.flush_prepared()()

    def flush_prepared(self) -> Callable[[], None]:
        """This chunk's write, prepared: ids reserved and given to the new records, the bookkeeping of written
        records done, the rows to send built. The returned function sends them (COPY, UPDATE) on the connection
        of the thread that calls it, inside that thread's transaction; it reads nothing this run changes later,
        so it may run while the next chunk is decided."""
        model = self.model
        insert = update = _nothing
        if self.pending:
            # The records themselves (no dict per row): only their tracked fields are read.
            ids, insert = rows_insert_prepared(
                model, self.pending, keys=self.fields, constants={"workspace_id": self.workspace.pk}
            )
            insert = self.insert_wrapped(insert, ids)
            for pk, record in zip(ids, self.pending, strict=True):
                record["id"] = pk
                self.inserted(record)
            self.pending = []
        if self.dirty:
            fields = sorted({f for changes in self.dirty.values() for f in changes})
            by_pk = self.records_by_pk()
            updates: list[tuple[Any, ...]] = [(pk, *[by_pk[pk][f] for f in fields]) for pk in self.dirty]
            if hasattr(model, "updated_at"):
                now = timezone.now()
                fields.append("updated_at")
                updates = [(*r, now) for r in updates]
            columns = [f.removesuffix("_id") if f.endswith("_id") and f != "external_id" else f for f in fields]

            def update() -> None:
                rows_update(model, columns, updates)

            for pk in self.dirty:
                self.written(by_pk[pk])
            self.dirty = {}

        def write() -> None:
            insert()
            update()

        return write

    def insert_wrapped(self, insert: Callable[[], None], ids: list[int]) -> Callable[[], None]:
        """The send of this chunk's new rows (``self.pending``, given ``ids``), as the writer will call it."""
        return insert

    def records_by_pk(self) -> dict[int, Record]:
        raise NotImplementedError

    def inserted(self, record: Record) -> None:
        self.written(record)

    def written(self, record: Record) -> None:
        pass

    def finish(self) -> None:
        """After the last row (before the last flush): work that needs the whole file (parents by name)."""

    def state_dump(self) -> dict[str, Any]:
        """What a later step of the same import needs besides the stored records (call it after a flush: every
        record has its id then): which record each line wrote, and the accounts whose children changed."""
        pk_of = {id(record): pk for pk, record in self.records_by_pk().items()}
        return {
            "touched": [[pk_of[key], line, digest] for key, (line, digest) in self.touched.items() if key in pk_of],
            "changed_accounts": sorted(self.changed_accounts),
        }

    def state_load(self, state: dict[str, Any]) -> None:
        by_pk = self.records_by_pk()
        for pk, line, digest in state.get("touched", []):
            if pk in by_pk:
                self.touched[id(by_pk[pk])] = (line, digest)
        self.changed_accounts.update(state.get("changed_accounts", []))


# A link a line names to another record of the file (an account's parent, a contact's manager), resolved after the
# last row: (line, record, CRM id, name, outcome of the line). Between the steps of a long import, by record id.
Later = tuple[int, Record, str, str, str]


def _later_dump(items: list[Later]) -> list[list[Any]]:
    return [[line, record["id"], ext, name, outcome] for line, record, ext, name, outcome in items]


def _later_load(saved: list[list[Any]], by_pk: dict[int, Record]) -> list[Later]:
    return [(line, by_pk[pk], ext, name, outcome) for line, pk, ext, name, outcome in saved if pk in by_pk]


def _norm(value: str | None) -> str:
    return normalise_name(value or "")


# Bump when the reading of an account cell changes (a parser, a country name, a rounding): every stored
# ``Account.import_digest`` then stops matching, and the next re-import takes the full path once.
DIGEST_VERSION = "1"
# Off: every line takes the full path (tests compare both paths with it). Never on outside PostgreSQL, where no
# trigger clears a digest when another write changes an imported field.
IMPORT_DIGESTS = True


#: The accounts table's insert triggers besides the foreign-key checks (``accounts.rank_sync``, enabled ALWAYS).
COPY_INSERT_TRIGGERS = ("accounts_rank_inserted", "accounts_engagement_rank_inserted")


def _accounts_insert_unchecked(
    insert: Callable[[], None], ids: list[int], workspace_id: int, records: list[Record]
) -> Callable[[], None]:
    """A chunk's COPY of new accounts without PostgreSQL's per-row foreign-key checks, where the connection may
    (``abe.db.checks_skippable``, inside the chunk's transaction): the rows they would lock one by one (the
    workspace, the owners, the parents stored before this chunk) are locked ``FOR KEY SHARE`` in one statement, in
    id order, and held until commit, so a delete of any of them waits for the chunk and then sees its accounts.
    The COPY runs with ``session_replication_role = replica``, which leaves out the checks (and any trigger not
    enabled ``ALWAYS``: the copies' are, ``accounts.rank_sync``); an import of 100,000 new accounts is about 5%
    faster so (docs/performance.md, "Import: the new accounts' foreign-key checks"). If a row is gone, the
    connection may not, or the copies' triggers are not ``ALWAYS`` (a database not migrated since), the COPY runs
    with the checks, which name what is missing.

    The accounts table's insert triggers are the three checks and the copies' two (``tests/accounts/
    test_import_unchecked.py`` keeps that list): a new one must fire ``ALWAYS`` or be run here."""
    owners = sorted({r["owner_id"] for r in records if r.get("owner_id") is not None})
    parents = sorted({r["parent_id"] for r in records if r.get("parent_id") is not None} - set(ids))
    users, workspaces = get_user_model()._meta.db_table, Workspace._meta.db_table

    def send() -> None:
        if connection.vendor != "postgresql" or not (connection.in_atomic_block and checks_skippable()):
            insert()
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('session_replication_role'), "
                f"{key_share_count(workspaces)}, {key_share_count(users)}, {key_share_count('accounts_account')}, "
                # The copies' insert triggers as ``migrate`` installs them (``ALWAYS``): a database not migrated
                # since would leave the new accounts out of the copies under the replica role.
                "(SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts_account'::regclass "
                "AND tgname = ANY(%s::text[]) AND tgenabled = 'A')",
                [pg_array([workspace_id]), pg_array(owners), pg_array(parents), pg_array(COPY_INSERT_TRIGGERS)],
            )
            role, *found = cursor.fetchone()
        if found != [1, len(owners), len(parents), len(COPY_INSERT_TRIGGERS)]:
            insert()  # something was deleted meanwhile (PostgreSQL's own checks report it), or the copies' triggers
            return  # do not fire under the replica role
        with checks_left_out(role):  # the copies' triggers fire under it too (``ENABLE ALWAYS``, rank_sync)
            insert()

    return send


#: ``member_names``' value for a name two or more members share: it names none of them.
SHARED_NAME = 0


def _member_named(users: dict[str, int], names: dict[str, int], owner: str) -> int | None:
    """The member an owner cell names (``_members``' two dictionaries): by username or email first, else by full
    name; ``SHARED_NAME`` for a name several members share, None for no member."""
    found = users.get(owner.lower())
    if found is None:
        found = names.get(normalise_name(owner))
    return found


def _member_rows(workspace: Workspace) -> list[tuple[int, str, str, str, str]]:
    """The workspace's members: ``(id, username, email, first name, last name)``."""
    members = get_user_model().objects.filter(memberships__workspace=workspace)
    return list(members.values_list("id", "username", "email", "first_name", "last_name"))


def _members(rows: list[tuple[int, str, str, str, str]]) -> tuple[dict[str, int], dict[str, int]]:
    """Members (``_member_rows``) as an owner cell may name them: by username or email (lower case), and by full
    name (``normalise_name``: case, accents, punctuation and spacing ignored), ``SHARED_NAME`` where members share
    one. CRMs export an owner as the person's display name, which is how the owner menus show a member too."""
    users: dict[str, int] = {}
    names: dict[str, int] = {}
    for pk, username, email, first, last in rows:
        users[username.lower()] = pk
        if email:
            users[email.lower()] = pk
        name = normalise_name(f"{first} {last}")
        if name:
            names[name] = pk if names.get(name, pk) == pk else SHARED_NAME
    return users, names


class AccountUpserter(_Upserter):
    """Accounts. Stored records are loaded light (the match keys, ``parent_id`` and ``import_digest``): the match
    indexes are built on the first line that needs them, the other fields on the first line that compares
    them, so a re-import whose lines all carry their account's digest reads neither (docs/import.md)."""

    kind = "accounts"
    model = Account
    noun = "account"
    fields = [f for f, _ in TARGET_FIELDS["accounts"] if f not in ("owner", "parent_name", "parent_external_id")] + [
        "owner_id",
        "parent_id",
        "import_digest",
    ]
    light = ("id", "external_id", "domain", "name", "parent_id", "import_digest")

    def __init__(self, workspace: Workspace, result: ImportResult, today: date) -> None:
        super().__init__(workspace, result, today)
        self.by_pk: dict[int, Record] = {}
        self.by_external: dict[str, Record] = {}
        self.by_domain: dict[str, Record] = {}
        self.by_name: dict[str, list[Record]] = {}
        self.by_digest: dict[bytes, Record] = {}
        for record in self.load():
            self.by_pk[record["id"]] = record
            if record["import_digest"] is not None:
                record["import_digest"] = digest = bytes(record["import_digest"])
                self.by_digest[digest] = record
        self.indexed = self.complete = False
        self.users, self.member_names = _members(_member_rows(workspace))
        self.owner_memo: dict[str, int | None] = {}
        # (line, record, parent CRM id, parent name, outcome of the line)
        self.parents_later: list[Later] = []
        self.row_parent: tuple[str, str] | None = None
        self.digests = False  # set by digest_setup
        self.name_memo: tuple[str | None, str] = (None, "")  # name_key's memo

    def owner_id(self, owner: str) -> int | None:
        """The member an owner cell names (``_member_named``), once per distinct cell: a file names a few owners on
        many lines, and each line asks twice (its digest, then its match)."""
        memo = self.owner_memo
        if owner not in memo:
            memo[owner] = _member_named(self.users, self.member_names, owner)
        return memo[owner]

    def insert_wrapped(self, insert: Callable[[], None], ids: list[int]) -> Callable[[], None]:
        return _accounts_insert_unchecked(insert, ids, self.workspace.pk, self.pending)

    def load(self) -> list[Record]:
        keys = self.light
        rows = self.model.objects.for_workspace(self.workspace).values_list(*keys)
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def ensure_indexed(self) -> None:
        """Build the match indexes (CRM id, domain, name) over the stored records, once."""
        if not self.indexed:
            self.indexed = True
            for record in self.by_pk.values():
                self.index(record)

    def complete_update(self, record: Record, values: dict[str, Any]) -> dict[str, Any]:
        """Before the first comparison with a stored record: read the fields the light load left out, once."""
        if not self.complete:
            self.complete = True
            missing = [f for f in self.fields if f not in self.light]
            for row in self.model.objects.for_workspace(self.workspace).values("id", *missing):
                stored = self.by_pk.get(row.pop("id"))
                if stored is not None:
                    for key, value in row.items():
                        stored.setdefault(key, value)
        return values

    def update(self, record: Record, changes: dict[str, Any]) -> None:
        self.ensure_indexed()
        super().update(record, changes)

    # ----- digests: a line that last wrote its account, read again the same way, is "unchanged" unparsed -----

    def digest_setup(
        self, positions: dict[str, int], scales: dict[str, float], decimal_comma: bool, enabled: bool
    ) -> None:
        """What a line's digest covers besides its cells: the version of the reading, the mapped targets in
        order, the scales and the decimal comma. Lines naming a parent never get one (the parent is resolved
        against other accounts, which a digest of the line cannot vouch for)."""
        self.digests = enabled
        targets = [t for t in positions if t not in ("parent_name", "parent_external_id")]
        self.digest_positions = [positions[t] for t in targets if t != "owner"]
        # One C call for the cells of a line that has them all (most lines; shorter ones take the loop); two or
        # more positions, so that it returns a tuple.
        positions_ = self.digest_positions
        self.digest_cells = operator.itemgetter(*positions_) if len(positions_) > 1 else None
        self.digest_width = max(self.digest_positions, default=-1) + 1
        self.digest_parents = [positions[t] for t in ("parent_name", "parent_external_id") if t in positions]
        self.digest_owner = positions.get("owner")
        self.digest_external = positions.get("external_id")
        self.digest_prefix = "\x1e".join(
            [DIGEST_VERSION, self.kind, ",".join(targets), repr(sorted(scales.items())), str(decimal_comma), ""]
        )

    def line_digest(self, cells: list[str]) -> bytes | None:
        """The digest of a line's mapped cells as this run reads them; None for a line that may not have one."""
        n = len(cells)
        for i in self.digest_parents:
            if i < n and cells[i].strip():
                return None
        if self.digest_cells is not None and n >= self.digest_width:
            raw: Iterable[str] = self.digest_cells(cells)
        else:
            raw = [cells[i] if i < n else "" for i in self.digest_positions]
        text = self.digest_prefix + "\x1f".join(raw)
        if self.digest_owner is not None:
            owner = cells[self.digest_owner].strip() if self.digest_owner < n else ""
            # The member it names today: a member who left makes it another line (which then warns).
            text += "\x1e" + ("" if not owner else str(self.owner_id(owner) or "?"))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def repeated(self, digest: bytes, cells: list[str]) -> Record | None:
        """The account a line with this digest last wrote, when the full path would match the line to it too: by
        its CRM id (unique, and the account still has the line's), else by a name no other account shares."""
        record = self.by_digest.get(digest)
        if record is None:
            return None
        ext = self.digest_external
        if ext is not None and ext < len(cells) and cells[ext].strip():
            return record
        self.ensure_indexed()
        return record if len(self.by_name.get(record["_name"], ())) == 1 else None

    def digest_set(self, record: Record, digest: bytes | None) -> None:
        """``record`` was just written by a line with this digest (None: a line that may not have one)."""
        old = record.get("import_digest")
        if old == digest:
            return
        if old is not None and self.by_digest.get(old) is record:
            del self.by_digest[old]
        record["import_digest"] = digest
        if digest is not None:
            self.by_digest[digest] = record
        if record["id"] is not None:
            self.dirty.setdefault(record["id"], {})["import_digest"] = digest

    def name_key(self, name: str | None) -> str:
        """``_norm(name)``. A new line's name is normalised to match it and again to index its record: the last
        answer is kept for the same string."""
        last = self.name_memo
        if last[0] is name:
            return last[1]
        key = _norm(name)
        self.name_memo = (name, key)
        return key

    def index(self, record: Record) -> None:
        if record["external_id"]:
            self.by_external[record["external_id"]] = record
        if record["domain"]:
            self.by_domain[record["domain"]] = record
        key = record["_name"] = self.name_key(record["name"])
        if key:
            self.by_name.setdefault(key, []).append(record)

    def unindex(self, record: Record) -> None:
        if record["external_id"]:
            self.by_external.pop(record["external_id"], None)
        if record["domain"]:
            self.by_domain.pop(record["domain"], None)
        same = self.by_name.get(record.get("_name", ""), [])
        if any(r is record for r in same):
            same[:] = [r for r in same if r is not record]

    def records_by_pk(self) -> dict[int, Record]:
        return self.by_pk

    def inserted(self, record: Record) -> None:
        self.by_pk[record["id"]] = record

    def name_candidates(self, name: str, ext: str = "", dom: str = "", exclude: Record | None = None) -> list[Record]:
        """Accounts with this normalised name that could be the same company (no other CRM id or domain)."""
        return [
            r
            for r in self.by_name.get(self.name_key(name), [])
            if r is not exclude
            and not (ext and r["external_id"] and r["external_id"] != ext)
            and not (dom and r["domain"] and r["domain"] != dom)
        ]

    def match(self, line: int, values: dict[str, Any]) -> tuple[Record | None, dict[str, Any]]:
        self.ensure_indexed()
        warnings = values.pop("_warnings")
        if "owner" in values:
            owner = values.pop("owner")
            owner_id = self.owner_id(owner)
            if owner_id:
                values["owner_id"] = owner_id
            elif owner_id is None:
                warnings.append(
                    tx.msg(
                        gettext_noop(
                            "No member of this workspace with the email, username or name “%(owner)s”: owner left blank"
                        ),
                        owner=owner,
                    )
                )
            else:
                warnings.append(
                    tx.msg(
                        gettext_noop(
                            "Several members are named “%(owner)s”: owner left blank (give their email or username)"
                        ),
                        owner=owner,
                    )
                )
        parent_ext, parent_name = values.pop("parent_external_id", ""), values.pop("parent_name", "")
        ext, dom, name = values.get("external_id", ""), values.get("domain", ""), values.get("name", "")
        record = self.by_external.get(ext) if ext else None
        if record is None and dom:
            record = self.by_domain.get(dom)
            if record is not None and ext and record["external_id"] and record["external_id"] != ext:
                raise p.CellError(
                    tx.msg(
                        gettext_noop("The domain %(domain)s belongs to the account with CRM id %(id)s"),
                        domain=dom,
                        id=record["external_id"],
                    )
                )
        if record is None and name:
            candidates = self.name_candidates(name, ext, dom)
            if len(candidates) > 1:
                raise p.CellError(
                    tx.msg(
                        gettext_noop("The name “%(name)s” matches %(count)s accounts: %(accounts)s"),
                        name=name,
                        count=len(candidates),
                        accounts=", ".join(self.describe_full(r) for r in candidates[:5]),
                    )
                )
            record = candidates[0] if candidates else None
        if record is None and not name:
            raise p.CellError(tx.msg(gettext_noop("A new account needs a name")))
        if record is not None and dom and dom != record["domain"] and self.by_domain.get(dom, record) is not record:
            raise p.CellError(tx.msg(gettext_noop("Another account already uses the domain %(domain)s"), domain=dom))
        self.row_parent = (parent_ext, parent_name) if parent_ext or parent_name else None
        return record, values

    def state_dump(self) -> dict[str, Any]:
        # Parents named by rows further down the file: resolved after the last row, whichever step that is in.
        return {**super().state_dump(), "parents_later": _later_dump(self.parents_later)}

    def state_load(self, state: dict[str, Any]) -> None:
        super().state_load(state)
        self.parents_later += _later_load(state.get("parents_later", []), self.records_by_pk())

    def describe_full(self, record: Record) -> str:
        keys = [record["name"]] + [k for k in (record["external_id"], record["domain"]) if k]
        return f"{keys[0]} ({', '.join(keys[1:])})" if len(keys) > 1 else keys[0]

    def parent_of(self, record: Record, parent_ext: str, parent_name: str) -> Record | None | tx.Msg:
        """The parent record, ``None`` when not (yet) known, or a message when the reference is ambiguous."""
        self.ensure_indexed()
        if parent_ext:
            return self.by_external.get(parent_ext)
        candidates = self.name_candidates(parent_name, exclude=record)
        if len(candidates) > 1:
            return tx.msg(
                gettext_noop("Parent “%(name)s” matches %(count)s accounts: left blank"),
                name=parent_name,
                count=len(candidates),
            )
        return candidates[0] if candidates else None


class _StoredUpserter(_Upserter):
    """Contacts, opportunities and deal contact roles: the stored records held by id and by CRM id (the accounts'
    upserter keeps its own, with digests and parents)."""

    def records_load(self) -> None:
        """Index every stored record (call once the subclass's own indexes exist)."""
        self.by_pk: dict[int, Record] = {}
        self.by_external: dict[str, Record] = {}
        for record in self.load():
            self.by_pk[record["id"]] = record
            self.index(record)

    def records_by_pk(self) -> dict[int, Record]:
        return self.by_pk

    def inserted(self, record: Record) -> None:
        self.by_pk[record["id"]] = record
        self.written(record)

    def index(self, record: Record) -> None:
        if record["external_id"]:
            self.by_external[record["external_id"]] = record

    def unindex(self, record: Record) -> None:
        if record["external_id"]:
            self.by_external.pop(record["external_id"], None)


class _ChildUpserter(_StoredUpserter):
    """Contacts and opportunities: rows hang on an account found by its CRM id, domain or name."""

    def __init__(self, workspace: Workspace, result: ImportResult, today: date) -> None:
        super().__init__(workspace, result, today)
        accounts = Account.objects.for_workspace(workspace).values_list("id", "external_id", "domain", "name")
        self.account_by_external = {e: i for i, e, _, _ in accounts if e}
        self.account_by_domain = {d: i for i, _, d, _ in accounts if d}
        self.account_by_name: dict[str, list[int]] = {}
        self.account_names: dict[int, str] = {}
        for i, _, _, n in accounts:
            self.account_by_name.setdefault(_norm(n), []).append(i)
            self.account_names[i] = n
        self.records_load()

    def written(self, record: Record) -> None:
        self.changed_accounts.add(record["account_id"])

    def account_id(
        self, values: dict[str, Any], fallback_domain: str = "", warnings: list[str | tx.Msg] | None = None
    ) -> int | None:
        ext, dom = values.pop("account_external_id", ""), values.pop("account_domain", "")
        name = values.pop("account_name", "")
        if ext:
            if ext not in self.account_by_external:
                raise p.CellError(tx.msg(gettext_noop("No account with CRM id %(id)s"), id=ext))
            return self.account_by_external[ext]
        if dom:
            if dom not in self.account_by_domain:
                raise p.CellError(tx.msg(gettext_noop("No account with the domain %(domain)s"), domain=dom))
            return self.account_by_domain[dom]
        if name:
            ids = self.account_by_name.get(_norm(name), [])
            if not ids:
                if fallback_domain and fallback_domain in self.account_by_domain and warnings is not None:
                    warnings.append(
                        tx.msg(
                            gettext_noop("No account named “%(name)s”: linked by the email's domain, %(domain)s"),
                            name=name,
                            domain=fallback_domain,
                        )
                    )
                    return self.account_by_domain[fallback_domain]
                raise p.CellError(tx.msg(gettext_noop("No account named “%(name)s”"), name=name))
            if len(ids) > 1:
                raise p.CellError(
                    tx.msg(
                        gettext_noop(
                            "The account name “%(name)s” matches %(count)s accounts; give its CRM id or domain"
                        ),
                        name=name,
                        count=len(ids),
                    )
                )
            return ids[0]
        if fallback_domain and fallback_domain in self.account_by_domain:
            return self.account_by_domain[fallback_domain]
        return None


class ContactUpserter(_ChildUpserter):
    kind = "contacts"
    model = Contact
    noun = "contact"
    fields = [
        "external_id",
        "first_name",
        "last_name",
        "email",
        "title",
        "do_not_contact",
        "account_id",
        "buying_role",
        "seniority",
        "department",
        "persona_id",
        "reports_to_id",
        "created_at",
    ]

    def __init__(self, workspace: Workspace, result: ImportResult, today: date) -> None:
        self.by_email: dict[str, Record] = {}
        # (line, record, manager's CRM id, manager's email or name, outcome of the line): managers are linked after
        # the last row (``_managers_resolve``), when every contact of the file has an id, whatever the order.
        self.managers_later: list[Later] = []
        self.row_manager: tuple[str, str] | None = None
        self.moved: list[Record] = []  # stored contacts this run moved to another account
        self.names: dict[tuple[int, str], list[Record]] | None = None
        # The workspace's personas by name, case, accents and punctuation ignored (HubSpot's Persona property names
        # them as the workspace does).
        self.personas: dict[str, list[int]] = {}
        for pk, name in Persona.objects.for_workspace(workspace).values_list("id", "name"):
            self.personas.setdefault(_norm(name), []).append(pk)
        super().__init__(workspace, result, today)

    def persona_id(self, values: dict[str, Any], warnings: list[str | tx.Msg]) -> None:
        """``persona`` (a name) -> ``persona_id``; a name no persona (or two) of the workspace has is left blank with a
        warning."""
        name = values.pop("persona", "")
        if not name:
            return
        found = self.personas.get(_norm(name), [])
        if len(found) == 1:
            values["persona_id"] = found[0]
            return
        warnings.append(
            tx.msg(
                gettext_noop("No persona named “%(name)s” in this workspace: left blank (add it, then re-import)"),
                name=name,
            )
        )

    def index(self, record: Record) -> None:
        super().index(record)
        if record["email"]:
            self.by_email[record["email"]] = record

    def unindex(self, record: Record) -> None:
        super().unindex(record)
        if record["email"]:
            self.by_email.pop(record["email"], None)

    def describe(self, record: Record) -> str | tx.Msg:
        return record["email"] or super().describe(record)

    def insert_wrapped(self, insert: Callable[[], None], ids: list[int]) -> Callable[[], None]:
        """The new contacts' insert, then their creation dates from the file (an insert stamps every row with the
        time it is written, as a contact created by hand)."""
        dated = [(pk, r["created_at"]) for pk, r in zip(ids, self.pending, strict=True) if r["created_at"]]
        if not dated:
            return insert

        def send() -> None:
            insert()
            rows_update(Contact, ["created_at"], dated)

        return send

    def update(self, record: Record, changes: dict[str, Any]) -> None:
        if "account_id" in changes and record["id"] is not None and changes["account_id"] != record["account_id"]:
            self.moved.append(record)
        super().update(record, changes)

    def match(self, line: int, values: dict[str, Any]) -> tuple[Record | None, dict[str, Any]]:
        manager_ext, manager = values.pop("reports_to_external_id", ""), values.pop("reports_to", "")
        title = values.pop("committee_from_title", "")
        created = values.pop("created_date", None)
        self.row_manager = (manager_ext, manager) if manager_ext or manager else None
        warnings = values.pop("_warnings")
        self.persona_id(values, warnings)
        other = values.pop("other_email", "")
        if other and not values.get("email"):  # the second email column, for a contact without the first
            values["email"] = other
        full = values.pop("full_name", "")
        if full and not values.get("first_name") and not values.get("last_name"):
            # A view with the full name only (Dynamics 365's default): its first word as the first name, the rest
            # as the last, which is how the contact reads again wherever it is shown.
            first, _, last = full.partition(" ")
            values["first_name"] = first[:100]
            if last.strip():  # an empty cell never clears a stored value
                values["last_name"] = last.strip()[:100]
        email = values.get("email", "")
        account_id = self.account_id(values, email.rsplit("@", 1)[1] if "@" in email else "", warnings)
        ext = values.get("external_id", "")
        record = self.by_external.get(ext) if ext else None
        if record is None and email:
            record = self.by_email.get(email)
            if record is not None and ext and record["external_id"] and record["external_id"] != ext:
                raise p.CellError(
                    tx.msg(
                        gettext_noop("The email %(email)s belongs to the contact with CRM id %(id)s"),
                        email=email,
                        id=record["external_id"],
                    )
                )
        if account_id is not None:
            values["account_id"] = account_id
        if created is not None:
            # When the person came into the CRM (the won/lost analysis counts a contact on a deal closed after it):
            # the earlier of the file's date and the stored one. A date to come, or before 1900 (a placeholder such
            # as 0001-01-01, which no time zone west of UTC can even show), is no information.
            moment = datetime.combine(created, datetime.min.time(), tzinfo=UTC)
            stored = record["created_at"] if record is not None else None
            plausible = created.year >= 1900 and moment <= timezone.now()
            if plausible and (stored is None or stored.date() > created):
                values["created_at"] = moment
        if title:  # mapped by choice: a seniority or department blank in the line and in the portal, from the title
            for field, guess in (("seniority", seniority_from_title), ("department", department_from_title)):
                if not values.get(field) and not (record is not None and record[field]) and (value := guess(title)):
                    values[field] = value
        if record is None:
            if account_id is None:
                raise p.CellError(
                    tx.msg(gettext_noop("No account for this contact: give the account's CRM id, domain or name"))
                )
            if not (values.get("first_name") or values.get("last_name") or email):
                raise p.CellError(tx.msg(gettext_noop("A contact needs a name or an email address")))
        elif email and self.by_email.get(email, record) is not record:
            raise p.CellError(tx.msg(gettext_noop("Another contact already uses %(email)s"), email=email))
        return record, values

    def state_dump(self) -> dict[str, Any]:
        moved = [r["id"] for r in self.moved]
        return {**super().state_dump(), "managers_later": _later_dump(self.managers_later), "moved": moved}

    def state_load(self, state: dict[str, Any]) -> None:
        super().state_load(state)
        by_pk = self.records_by_pk()
        self.managers_later += _later_load(state.get("managers_later", []), by_pk)
        self.moved += [by_pk[pk] for pk in state.get("moved", []) if pk in by_pk]

    def manager_of(self, record: Record, manager_ext: str, manager: str) -> Record | tx.Msg:
        """The contact a line names as the manager of ``record`` (by CRM id, else by email, else by full name among
        the contacts of ``record``'s account), or the warning that leaves it blank."""
        if manager_ext:
            found = self.by_external.get(manager_ext)
            if found is None:
                return tx.msg(gettext_noop("No contact with CRM id %(id)s: reports-to left blank"), id=manager_ext)
        elif "@" in manager:
            found = self.by_email.get(normalise_email(manager))
            if found is None:
                return tx.msg(gettext_noop("No contact with the email %(email)s: reports-to left blank"), email=manager)
        else:
            named = self.names_by_account().get((record["account_id"], normalise_name(manager)), [])
            others = [r for r in named if r is not record]
            if len(others) > 1:
                return tx.msg(
                    gettext_noop("%(count)s contacts of this account are named “%(name)s”: reports-to left blank"),
                    count=len(others),
                    name=manager,
                )
            if not named:
                return tx.msg(
                    gettext_noop("No contact named “%(name)s” in this account: reports-to left blank"), name=manager
                )
            found = others[0] if others else record
        if found is record:
            return OWN_MANAGER
        if found["account_id"] != record["account_id"]:
            return tx.msg(
                gettext_noop("The manager %(manager)s is a contact of another account: reports-to left blank"),
                manager=self.describe(found),
            )
        seen: set[int] = {record["id"]}
        above: Record | None = found
        while above is not None:
            if above["id"] in seen:
                return MANAGER_LOOP
            seen.add(above["id"])
            above = self.by_pk.get(above["reports_to_id"]) if above["reports_to_id"] else None
        return found

    def names_by_account(self) -> dict[tuple[int, str], list[Record]]:
        """``(account id, normalised full name)`` -> contacts, built once when a line names a manager by name."""
        if self.names is None:
            self.names = {}
            for r in self.by_pk.values():
                full = f"{r['first_name']} {r['last_name']}".strip()
                if full:
                    self.names.setdefault((r["account_id"], normalise_name(full)), []).append(r)
        return self.names


class OpportunityUpserter(_ChildUpserter):
    kind = "opportunities"
    model = Opportunity
    noun = "opportunity"
    fields = [
        "external_id",
        "name",
        "amount",
        "stage",
        "type",
        "created_date",
        "close_date",
        "status",
        "account_id",
        "product_id",
        "gross_margin",
        "gross_margin_pct",
        "contract_start",
        "contract_end",
    ]

    def __init__(self, workspace: Workspace, result: ImportResult, today: date) -> None:
        self.by_name: dict[tuple[int, str], list[Record]] = {}
        self.stage_map: dict[str, str] = {}
        # The catalogue by name (case and spacing ignored): a row names its product as the CRM spells it.
        self.products = {
            " ".join(name.lower().split()): pk
            for pk, name in Product.objects.for_workspace(workspace).values_list("id", "name")
        }
        super().__init__(workspace, result, today)

    def product_id(self, values: dict[str, Any], warnings: list[str | tx.Msg]) -> None:
        """``product`` (a name) -> ``product_id``; a name not in the catalogue is left blank with a warning."""
        name = values.pop("product", "")
        if not name:
            return
        pk = self.products.get(" ".join(name.lower().split()))
        if pk is None:
            warnings.append(
                tx.msg(
                    gettext_noop("No product “%(name)s” in the catalogue: product left blank (add it, then re-import)"),
                    name=name,
                )
            )
            return
        values["product_id"] = pk

    @staticmethod
    def revenue_check(record: Record | None, values: dict[str, Any]) -> None:
        """What the opportunity API refuses (a contract ending before it starts, a margin above the amount), over
        the cells of the row and, for an update, the values already stored."""
        stored = record or {}
        start = values.get("contract_start") or stored.get("contract_start")
        end = values.get("contract_end") or stored.get("contract_end")
        if start and end and end < start:
            raise p.CellError(
                tx.msg(
                    gettext_noop("Contract end %(end)s is before contract start %(start)s"),
                    end=f"{end:%Y-%m-%d}",
                    start=f"{start:%Y-%m-%d}",
                )
            )
        margin = values.get("gross_margin", stored.get("gross_margin"))
        amount = values.get("amount", stored.get("amount"))
        if margin is not None and amount is not None and margin > amount:
            raise p.CellError(
                tx.msg(
                    gettext_noop("Gross margin %(margin)s is above the amount %(amount)s"), margin=margin, amount=amount
                )
            )

    def index(self, record: Record) -> None:
        super().index(record)
        self.by_name.setdefault((record["account_id"], record["name"]), []).append(record)

    def unindex(self, record: Record) -> None:
        super().unindex(record)
        same = self.by_name.get((record["account_id"], record["name"]), [])
        same[:] = [r for r in same if r is not record]

    def status(self, values: dict[str, Any]) -> str | None:
        won, closed, given = values.pop("is_won", None), values.pop("is_closed", None), values.pop("status", "")
        if won:
            return OpportunityStatus.WON
        if closed:
            return OpportunityStatus.LOST
        if given:
            if given in OpportunityStatus.values:
                return str(given)
            return stage_status(given, self.stage_map)
        if values.get("stage"):
            return stage_status(values["stage"], self.stage_map)
        if closed is False or won is False:
            return OpportunityStatus.OPEN
        return None

    def match(self, line: int, values: dict[str, Any]) -> tuple[Record | None, dict[str, Any]]:
        self.product_id(values, values.pop("_warnings"))
        status = self.status(values)
        if status:
            values["status"] = status
        won_amount = values.pop("won_amount", None)
        if won_amount is not None and status == OpportunityStatus.WON:
            # What the deal was won for (Dynamics 365's "Actual Revenue"), where the amount column is the estimate:
            # the revenue of key accounts counts what was won, not what was hoped for.
            values["amount"] = won_amount
        expected = values.pop("expected_close_date", None)
        if expected and not values.get("close_date") and status not in (OpportunityStatus.WON, OpportunityStatus.LOST):
            # An open deal's date, where the file's close date column is filled only for deals that closed
            # (Pipedrive's "Closed on", Dynamics' "Actual Close Date"); a closed deal never takes it as the day it
            # closed.
            values["close_date"] = expected
        account_id = self.account_id(values)
        if account_id is not None:
            values["account_id"] = account_id
        ext = values.get("external_id", "")
        record = self.by_external.get(ext) if ext else None
        # A CRM record created after its deal closed (history migrated later) starts on its close date.
        created, close = values.get("created_date"), values.get("close_date")
        if created and close and close < created:
            values["created_date"] = close
        if record is None and account_id is not None and values.get("name"):
            candidates = [
                r
                for r in self.by_name.get((account_id, values["name"]), [])
                if not (ext and r["external_id"] and r["external_id"] != ext)
                and not (values.get("created_date") and r["created_date"] != values["created_date"])
            ]
            if len(candidates) > 1:
                raise p.CellError(
                    f"{len(candidates)} opportunities named “{values['name']}” on this account; give a CRM id or "
                    "a created date to tell them apart"
                )
            record = candidates[0] if candidates else None
        if record is None:
            if account_id is None:
                raise p.CellError("No account for this opportunity: give the account's CRM id, domain or name")
            if not values.get("name"):
                raise p.CellError("An opportunity needs a name")
        self.revenue_check(record, values)
        return record, values

    def complete_new(self, values: dict[str, Any]) -> dict[str, Any]:
        created, close = values.get("created_date"), values.get("close_date")
        created = created or close or self.today
        values["created_date"] = min(created, close) if close else created
        return values

    def complete_update(self, record: Record, values: dict[str, Any]) -> dict[str, Any]:
        created, close = values.get("created_date"), values.get("close_date")
        if created or close:
            created, close = created or record["created_date"], close or record["close_date"]
            values["created_date"] = min(created, close) if close else created
        return values


class OpportunityContactUpserter(_StoredUpserter):
    """Who was on each deal (Salesforce's opportunity contact roles): a line names a deal (its CRM id, else its name
    when one deal of the workspace has it) and a contact (CRM id, else email), with the contact's role in that deal.
    A line is matched to a stored role by its own CRM id, else by the (deal, contact) pair: a contact has one role
    per deal."""

    kind = "opportunity_contacts"
    model = OpportunityContact
    noun = "deal contact role"
    fields = ["external_id", "opportunity_id", "contact_id", "role", "is_primary"]

    def __init__(self, workspace: Workspace, result: ImportResult, today: date) -> None:
        super().__init__(workspace, result, today)
        self.deal_by_external: dict[str, int] = {}
        self.deals_by_name: dict[str, list[int]] = {}
        self.deal_names: dict[int, str] = {}
        for pk, ext, name in Opportunity.objects.for_workspace(workspace).values_list("id", "external_id", "name"):
            if ext:
                self.deal_by_external[ext] = pk
            self.deals_by_name.setdefault(_norm(name), []).append(pk)
            self.deal_names[pk] = name
        self.contact_by_external: dict[str, int] = {}
        self.contact_by_email: dict[str, int] = {}
        self.contact_emails: dict[int, str] = {}
        for pk, ext, email in Contact.objects.for_workspace(workspace).values_list("id", "external_id", "email"):
            if ext:
                self.contact_by_external[ext] = pk
            if email:
                self.contact_by_email.setdefault(normalise_email(email), pk)
                self.contact_emails[pk] = email
        self.by_pair: dict[tuple[int, int], Record] = {}
        self.records_load()

    def index(self, record: Record) -> None:
        super().index(record)
        self.by_pair[(record["opportunity_id"], record["contact_id"])] = record

    def unindex(self, record: Record) -> None:
        super().unindex(record)
        self.by_pair.pop((record["opportunity_id"], record["contact_id"]), None)

    def describe(self, record: Record) -> str | tx.Msg:
        if record.get("external_id"):
            return super().describe(record)
        return tx.msg(
            gettext_noop("%(contact)s on %(opportunity)s"),
            contact=self.contact_emails.get(record["contact_id"], f"#{record['contact_id']}"),
            opportunity=self.deal_names.get(record["opportunity_id"], ""),
        )

    def deal_id(self, values: dict[str, Any]) -> int:
        ext, name = values.pop("opportunity_external_id", ""), values.pop("opportunity_name", "")
        if ext:
            if ext not in self.deal_by_external:
                raise p.CellError(
                    tx.msg(gettext_noop("No opportunity with CRM id %(id)s (import the opportunities first)"), id=ext)
                )
            return self.deal_by_external[ext]
        if name:
            ids = self.deals_by_name.get(_norm(name), [])
            if not ids:
                raise p.CellError(tx.msg(gettext_noop("No opportunity named “%(name)s”"), name=name))
            if len(ids) > 1:
                raise p.CellError(
                    tx.msg(
                        gettext_noop(
                            "The opportunity name “%(name)s” matches %(count)s opportunities; give its CRM id"
                        ),
                        name=name,
                        count=len(ids),
                    )
                )
            return ids[0]
        raise p.CellError(tx.msg(gettext_noop("No opportunity for this line: give the opportunity's CRM id or name")))

    def person_id(self, values: dict[str, Any]) -> int:
        ext, email = values.pop("contact_external_id", ""), values.pop("contact_email", "")
        if ext and ext in self.contact_by_external:
            return self.contact_by_external[ext]
        if email and normalise_email(email) in self.contact_by_email:
            return self.contact_by_email[normalise_email(email)]
        if ext:
            raise p.CellError(tx.msg(gettext_noop("No contact with CRM id %(id)s (import the contacts first)"), id=ext))
        if email:
            raise p.CellError(tx.msg(gettext_noop("No contact with the email %(email)s"), email=email))
        raise p.CellError(tx.msg(gettext_noop("No contact for this line: give the contact's CRM id or email")))

    def match(self, line: int, values: dict[str, Any]) -> tuple[Record | None, dict[str, Any]]:
        values.pop("_warnings", None)
        deal, person = self.deal_id(values), self.person_id(values)
        values["opportunity_id"], values["contact_id"] = deal, person
        ext = values.get("external_id", "")
        record = self.by_external.get(ext) if ext else None
        taken = self.by_pair.get((deal, person))
        if taken is not None and taken is not record:
            if record is None and not (ext and taken["external_id"] and taken["external_id"] != ext):
                return taken, values
            raise p.CellError(
                tx.msg(
                    gettext_noop("This contact is already on this deal (%(record)s): a contact has one role per deal"),
                    record=self.describe(taken),
                )
            )
        return record, values


UPSERTERS = {
    "accounts": AccountUpserter,
    "contacts": ContactUpserter,
    "opportunities": OpportunityUpserter,
    "opportunity_contacts": OpportunityContactUpserter,
}


def import_rows(
    *,
    workspace: Workspace,
    kind: str,
    headers: list[str],
    rows: Iterable[tuple[int, list[str]]],
    mapping: dict[str, str],
    stage_map: dict[str, str] | None = None,
    scales: dict[str, float] | None = None,
    decimal_comma: bool = False,
    chunk_size: int = CHUNK,
) -> ImportResult:
    """Upsert CSV rows (line number, cells) of ``kind`` using ``mapping`` (target field -> source column)."""
    return import_rows_step(
        workspace=workspace,
        kind=kind,
        headers=headers,
        rows=rows,
        mapping=mapping,
        stage_map=stage_map,
        scales=scales,
        decimal_comma=decimal_comma,
        chunk_size=chunk_size,
    )[0]


def import_rows_step(
    *,
    workspace: Workspace,
    kind: str,
    headers: list[str],
    rows: Iterable[tuple[int, list[str]]],
    mapping: dict[str, str],
    stage_map: dict[str, str] | None = None,
    scales: dict[str, float] | None = None,
    decimal_comma: bool = False,
    chunk_size: int = CHUNK,
    resume: dict[str, Any] | None = None,
    checkpoint: Callable[[dict[str, Any]], None] | None = None,
    deadline: float | None = None,
) -> tuple[ImportResult, bool]:
    """:func:`import_rows` in bounded steps; returns the result so far and whether the file is done.

    ``checkpoint`` gets the state to resume from inside each chunk's transaction (so the chunk and the state
    commit together); ``resume`` is that state, from the step before: the rows it covers are skipped, its counts,
    problems and per-line memory (which record each line wrote, parents still to resolve) restored. After a chunk,
    past ``deadline`` (a ``time.monotonic()`` value), the step stops.
    """
    # Rows, cells and match indexes hold no reference cycles: no cyclic GC passes over them (abe/gcpause.py).
    with gc_paused():
        return _import_rows(
            workspace=workspace,
            kind=kind,
            headers=headers,
            rows=rows,
            mapping=mapping,
            stage_map=stage_map,
            scales=scales,
            decimal_comma=decimal_comma,
            chunk_size=chunk_size,
            resume=resume,
            checkpoint=checkpoint,
            deadline=deadline,
        )


def _import_rows(
    *,
    workspace: Workspace,
    kind: str,
    headers: list[str],
    rows: Iterable[tuple[int, list[str]]],
    mapping: dict[str, str],
    stage_map: dict[str, str] | None,
    scales: dict[str, float] | None,
    decimal_comma: bool,
    chunk_size: int,
    resume: dict[str, Any] | None,
    checkpoint: Callable[[dict[str, Any]], None] | None,
    deadline: float | None,
) -> tuple[ImportResult, bool]:
    if kind not in UPSERTERS:
        raise ValidationError({"kind": gettext("Choose one of: %(values)s.") % {"values": ", ".join(UPSERTERS)}})
    parsers = _parsers(kind, decimal_comma)
    unknown = [t for t in mapping if t not in parsers]
    missing = [s for s in mapping.values() if s not in headers]
    if unknown or missing:
        raise ValidationError(
            {
                "mapping": [gettext("Unknown field “%(field)s”.") % {"field": t} for t in unknown]
                + [gettext("The file has no column “%(column)s”.") % {"column": s} for s in missing]
            }
        )
    direct = UNMEMOISED.get(kind, set())
    parsers = {
        target: parse if target in direct or isinstance(parse, _Text) else _memoised(parse)
        for target, parse in parsers.items()
    }
    scales = scales_clean(kind, scales or {})
    # In the file's column order, whatever order the stored mapping has (PostgreSQL's jsonb orders its keys by
    # length): a line's warnings then read left to right, the same on every database.
    positions = dict(
        sorted(((target, headers.index(source)) for target, source in mapping.items()), key=lambda tp: tp[1])
    )
    plan = _cell_plan(parsers, positions, OPTIONAL[kind], scales)
    result = ImportResult.restored(resume["result"]) if resume else ImportResult()
    upserter = UPSERTERS[kind](workspace, result, timezone.localdate())
    if resume:
        upserter.state_load(resume["upserter"])
    if isinstance(upserter, OpportunityUpserter):
        upserter.stage_map = stage_map_clean(stage_map or {})
    if isinstance(upserter, AccountUpserter):
        upserter.digest_setup(
            positions, scales, decimal_comma, enabled=IMPORT_DIGESTS and connection.vendor == "postgresql"
        )
    done = int(resume["done"]) if resume else 0
    in_chunk = 0
    writer = _ChunkWriter(
        overlap=IMPORT_OVERLAP and connection.vendor == "postgresql" and not connection.in_atomic_block
    )

    def flush() -> None:
        nonlocal in_chunk
        if writer.overlap and (upserter.pending or upserter.dirty or checkpoint):
            # Prepared while the chunk before is still being written (ids come from the sequence, the rest is in
            # memory), then handed over once that one is committed (or its error raised here).
            write = upserter.flush_prepared()
            save = _nothing
            if checkpoint:
                # A snapshot: the next chunk goes on adding problems while this one is written.
                state = {"done": done, "result": {**result.summary(), "problems": list(result.problems)}}
                state["upserter"] = upserter.state_dump()
                save = functools.partial(checkpoint, state)
            writer.wait()
            writer.submit(write, save)
        else:
            writer.wait()
            with transaction.atomic():
                upserter.flush()
                if checkpoint:
                    checkpoint({"done": done, "result": result.saved(), "upserter": upserter.state_dump()})
        in_chunk = 0

    try:
        for line, cells in itertools.islice(rows, done, None):
            done += 1
            in_chunk += 1
            _decide_row(upserter, plan, line, cells)
            if in_chunk >= chunk_size:
                flush()
                if deadline is not None and time.monotonic() >= deadline:
                    writer.wait()
                    return result, False
        writer.wait()
        if isinstance(upserter, AccountUpserter):
            _parents_resolve(upserter)
            upserter.parents_later = []  # resolved: the last checkpoint must not hand them to a repeated step
        elif isinstance(upserter, ContactUpserter) and (upserter.managers_later or upserter.moved):
            _managers_resolve(upserter)
            upserter.managers_later, upserter.moved = [], []  # resolved (as the parents above)
        flush()
        writer.wait()
    finally:
        writer.close()
    if kind == "accounts" and (result.created or result.updated):
        board_stats_invalidate(workspace=workspace)
    result.changed_accounts = sorted(upserter.changed_accounts)
    result.problems.sort(key=lambda problem: problem["line"])
    return result, True


class _ChunkWriter:
    """Writes each chunk (COPY, UPDATE, the job's checkpoint, COMMIT) in a second thread on a connection of its
    own while the caller decides the next chunk's rows: PostgreSQL maintains the indexes of chunk N on one core
    while Python reads chunk N + 1 on the other (docs/performance.md, "Import: writing a chunk while reading the
    next"). One chunk in flight, committed in file order; its error is raised in the caller's thread by the
    next ``wait``. Without ``overlap`` (inside a transaction, which a second connection could not join, or on
    SQLite) the caller writes each chunk itself."""

    def __init__(self, *, overlap: bool) -> None:
        self.overlap = overlap
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer") if overlap else None
        self.pending: Future[None] | None = None
        self.used = False  # the thread (and its connection) exist once a chunk was submitted

    def submit(self, write: Callable[[], None], checkpoint: Callable[[], None]) -> None:
        assert self.pool is not None and self.pending is None

        def chunk() -> None:
            with transaction.atomic():  # this thread's connection: the chunk and its checkpoint commit together
                write()
                checkpoint()

        self.pending = self.pool.submit(chunk)
        self.used = True

    def wait(self) -> None:
        """Until the chunk in flight is committed; its error, if it failed (it was rolled back)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the chunk in flight, close the thread's connection and end the thread."""
        if self.pool is None:
            return
        try:
            self.wait()
        finally:
            if self.used:  # ``connection`` resolved in the writer's thread: its own connection
                self.pool.submit(lambda: connection.close()).result()
            self.pool.shutdown()


def _decide_row(upserter: _Upserter, plan: list[CellPlan], line: int, cells: list[str]) -> None:
    result = upserter.result
    if not cells:
        result.reject(line, tx.msg(gettext_noop("This line cannot be read as CSV (unbalanced quotes?)")))
        return
    digests = upserter if isinstance(upserter, AccountUpserter) and upserter.digests else None
    digest = digests.line_digest(cells) if digests is not None else None
    warnings: list[str | tx.Msg] = []
    try:
        stored = digests.repeated(digest, cells) if digests is not None and digest is not None else None
        if stored is not None:
            # The line that last wrote this account, read the same way: what the full path would find unchanged.
            record = stored
            outcome = "duplicate" if upserter.claim(line, tuple(map(str.strip, cells)), record) else "unchanged"
        else:
            values = _clean(plan, cells, warnings)
            values["_warnings"] = warnings
            outcome, record = upserter.decide(line, tuple(map(str.strip, cells)), values)
    except p.CellError as exc:
        result.reject(line, exc.text)
        return
    if outcome == "duplicate":
        result.unchanged += 1
        result.duplicates += 1
        earlier = upserter.touched[id(record)][0]
        result.warn(line, [tx.msg(gettext_noop("Duplicate of line %(line)s: counted once"), line=earlier)])
        return
    setattr(result, outcome, getattr(result, outcome) + 1)
    if stored is not None:
        return
    if digests is not None and outcome != "unchanged":
        # Only a line that was read whole (no cell left blank with a warning) vouches for what it wrote.
        digests.digest_set(record, digest if not warnings else None)
    if isinstance(upserter, ContactUpserter) and upserter.row_manager:
        upserter.managers_later.append((line, record, *upserter.row_manager, outcome))
    parent = upserter.row_parent if isinstance(upserter, AccountUpserter) else None
    if parent and isinstance(upserter, AccountUpserter):
        found = upserter.parent_of(record, *parent)
        if isinstance(found, tx.Msg):
            warnings.append(found)
        elif found is None:
            upserter.parents_later.append((line, record, *parent, outcome))
        else:
            _parent_set(upserter, record, found, outcome, line, warnings)
    result.warn(line, warnings)


def _parent_set(
    upserter: AccountUpserter, record: Record, parent: Record, outcome: str, line: int, warnings: list[str | tx.Msg]
) -> None:
    if parent is record:
        warnings.append(OWN_PARENT)
        return
    if parent["id"] is None:  # inserted in this chunk: link once it has an id
        upserter.parents_later.append((line, record, parent["external_id"], parent["name"], outcome))
        return
    if record["parent_id"] == parent["id"]:
        return
    upserter.update(record, {"parent_id": parent["id"]})
    _relinked(upserter.result, outcome)


def _relinked(result: ImportResult, outcome: str) -> None:
    """A line's record got its link (a parent, a manager) after the line was counted: an unchanged line updated it."""
    if outcome == "unchanged":
        result.unchanged -= 1
        result.updated += 1


def _parents_resolve(upserter: AccountUpserter) -> None:
    """Parents named by rows further down the file (or inserted in the same chunk), once every row is known."""
    with transaction.atomic():
        upserter.flush()  # every record has an id now
    result = upserter.result
    for line, record, parent_ext, parent_name, outcome in upserter.parents_later:
        found = upserter.parent_of(record, parent_ext, parent_name)
        if isinstance(found, tx.Msg):
            result.warn(line, [found])
        elif found is None:
            if parent_ext:
                missing = tx.msg(gettext_noop("No parent account CRM id %(id)s: parent left blank"), id=parent_ext)
            else:
                missing = tx.msg(gettext_noop("No parent account “%(name)s”: parent left blank"), name=parent_name)
            result.warn(line, [missing])
        elif found is record:
            result.warn(line, [OWN_PARENT])
        elif record["parent_id"] != found["id"]:
            upserter.update(record, {"parent_id": found["id"]})
            _relinked(result, outcome)


def _managers_resolve(upserter: ContactUpserter) -> None:
    """Link the managers the lines named, once every contact of the file has an id (a manager may come later in
    the file); then a contact moved to another account, and its direct reports, leave a manager who is not of
    their account (a manager is always a contact of the same account, as the contact form requires)."""
    with transaction.atomic():
        upserter.flush()  # every record has an id now
    result = upserter.result
    for line, record, manager_ext, manager, outcome in upserter.managers_later:
        found = upserter.manager_of(record, manager_ext, manager)
        if isinstance(found, tx.Msg):
            result.warn(line, [found])
        elif record["reports_to_id"] != found["id"]:
            upserter.update(record, {"reports_to_id": found["id"]})
            _relinked(result, outcome)
    if upserter.moved:
        by_pk, moved = upserter.by_pk, {r["id"] for r in upserter.moved}
        for record in list(by_pk.values()):
            boss = by_pk.get(record["reports_to_id"]) if record["reports_to_id"] else None
            if (
                boss is not None
                and (record["id"] in moved or boss["id"] in moved)
                and boss["account_id"] != record["account_id"]
            ):
                upserter.update(record, {"reports_to_id": None})


def scales_clean(kind: str, scales: dict[str, Any]) -> dict[str, float]:
    """``{"annual_revenue": "1e6"}`` -> ``{"annual_revenue": 1000000.0}``; ValidationError for a bad one."""
    out: dict[str, float] = {}
    for target, factor in (scales or {}).items():
        if target not in SCALABLE.get(kind, set()):
            allowed = ", ".join(sorted(SCALABLE.get(kind, set()))) or "none"
            raise ValidationError(
                {
                    "scale": gettext("“%(target)s” cannot be scaled; numeric fields: %(allowed)s.")
                    % {"target": target, "allowed": allowed}
                }
            )
        try:
            value = float(str(factor).replace(",", "."))
        except ValueError:
            raise ValidationError(
                {
                    "scale": gettext("Scale for %(target)s: “%(factor)s” is not a number.")
                    % {"target": target, "factor": factor}
                }
            ) from None
        if not (value > 0 and value < 1e12):
            raise ValidationError(
                {"scale": gettext("Scale for %(target)s must be a positive number.") % {"target": target}}
            )
        if value != 1:
            out[target] = value
    return out


# ----- jobs -------------------------------------------------------------------------------------------------


def _read(data: bytes) -> tuple[str, list[str], Iterable[tuple[int, list[str]]]]:
    """Decode and open an upload; an unreadable file is a ValidationError on ``file`` (a 400, never a 500)."""
    try:
        return p.read_checked(data)
    except p.UnreadableFile as exc:
        raise ValidationError({"file": str(exc)}) from None


def _decimal_comma(text: str) -> bool:
    return p.file_delimiter(text) == ";"


def import_stage_values(
    *, headers: list[str], rows: Iterable[tuple[int, list[str]]], column: str
) -> list[dict[str, object]]:
    """Distinct values of the stage column with counts and their suggested status (for the mapping step)."""
    if column not in headers:
        return []
    i = headers.index(column)
    return stage_values(cells[i] for _, cells in rows if i < len(cells))


#: Distinct owners the mapping page lists (most frequent first); it counts the others.
OWNERS_SHOWN = 50


def import_owner_values(
    *, workspace: Workspace, headers: list[str], rows: Iterable[tuple[int, list[str]]], column: str
) -> list[dict[str, Any]]:
    """Distinct values of the owner column (most frequent first) with their count and the member each names, as the
    import will read them: ``member`` is the member's name, empty where none is named (``shared``: because several
    members have that name)."""
    if column not in headers:
        return []
    i = headers.index(column)
    counts = p.value_counts(cells[i] for _, cells in rows if i < len(cells))
    if not counts:
        return []
    people = _member_rows(workspace)
    users, names = _members(people)
    # As the owner menus show a member (``get_full_name()``, else the username).
    labels = {pk: f"{first} {last}".strip() or username for pk, username, _, first, last in people}
    out = []
    for value, count in counts:
        found = _member_named(users, names, value)
        member = labels.get(found, "") if found else ""
        out.append({"value": value, "count": count, "member": member, "shared": found == SHARED_NAME})
    return out


def import_preview(
    *, data: bytes, kind: str, mapping: dict[str, str] | None = None, workspace: Workspace | None = None
) -> dict[str, Any]:
    """Headers, the first rows, the recognised preset and its mapping, the stage values, for the mapping page;
    ``other_kind``: the kind the columns read better as, when not the one chosen (``kind_detect``); ``owners``: an
    accounts file's owner values and the member each names (``import_owner_values``), given the ``workspace``."""
    text, headers, rows = _read(data)
    # The first rows only: the rest is read (one line at a time) only for an opportunities file's stage values,
    # never kept (each page view of the mapping step made a list of every line's cells: ten times the file's size).
    first = list(itertools.islice(rows, PREVIEW_ROWS))
    preset = preset_detect(kind, headers)
    if mapping is None:
        mapping = preset_mapping(preset, kind, headers) if preset else {}
    stages, owners = [], []
    if kind == ImportKind.OPPORTUNITIES and mapping.get("stage"):
        stages = import_stage_values(headers=headers, rows=itertools.chain(first, rows), column=mapping["stage"])
    if kind == ImportKind.ACCOUNTS and mapping.get("owner") and workspace is not None:
        owners = import_owner_values(
            workspace=workspace, headers=headers, rows=itertools.chain(first, rows), column=mapping["owner"]
        )
    return {
        "headers": headers,
        "rows": [cells for _, cells in first],
        "preset": preset.name if preset else "",
        "other_kind": kind_detect(kind, headers),
        "mapping": mapping,
        "stages": stages,
        "owners": owners,
        "delimiter": p.file_delimiter(text),
        "decimal_comma": _decimal_comma(text),
    }


@transaction.atomic
def import_job_create(
    *,
    workspace: Workspace,
    kind: str,
    filename: str,
    data: bytes,
    by: User | None = None,
    preset: str = "",
    mapping: dict[str, str] | None = None,
    stage_map: dict[str, str] | None = None,
    scales: dict[str, Any] | None = None,
) -> ImportJob:
    """Store the upload; the mapping comes from ``mapping``, else the given or recognised preset."""
    if kind not in ImportKind.values:
        raise ValidationError(
            {"kind": gettext("Choose one of: %(values)s.") % {"values": ", ".join(ImportKind.values)}}
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": gettext("Files up to %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}}
        )
    if preset and preset not in PRESETS:
        raise ValidationError(
            {"preset": gettext("Unknown preset. Choose one of: %(values)s.") % {"values": ", ".join(PRESETS)}}
        )
    _, headers, rows = _read(data)
    total = sum(1 for _ in rows)
    if not preset:
        detected = preset_detect(kind, headers)
        preset = detected.name if detected else ""
    if mapping is None:
        mapping = preset_mapping(PRESETS[preset], kind, headers) if preset else {}
    job = ImportJob(
        workspace=workspace,
        kind=kind,
        filename=(filename or "upload.csv")[:255],
        preset=preset,
        mapping={},
        total_rows=total,
        created_by=by,
    )
    job.file.save(f"ws{workspace.pk}-{kind}.csv", ContentFile(data), save=False)
    job.save()
    # The header read above: the stored copy is not decoded a second time (a whole file, up to 100 MB).
    import_job_set_mapping(job=job, mapping=mapping, preset=preset, stage_map=stage_map, scales=scales, headers=headers)
    return job


def import_job_headers(*, job: ImportJob) -> list[str]:
    with job.file.open("rb") as fh:
        headers, _ = p.read_csv(p.decode(fh.read()))
    return headers


def import_job_set_mapping(
    *,
    job: ImportJob,
    mapping: dict[str, str],
    preset: str = "",
    stage_map: dict[str, str] | None = None,
    scales: dict[str, Any] | None = None,
    headers: list[str] | None = None,
) -> ImportJob:
    """Set the job's mapping. ``headers``: the file's header, when the caller has read it already (an upload or the
    mapping page); else the stored file is read again for it."""
    if job.status not in (ImportStatus.UPLOADED,):
        raise ValidationError({"status": gettext("This import has started; its mapping can no longer change.")})
    if headers is None:
        headers = import_job_headers(job=job)
    targets = dict(TARGET_FIELDS[job.kind])
    errors = [gettext("Unknown field “%(field)s”.") % {"field": t} for t in mapping if t not in targets]
    errors += [
        gettext("The file has no column “%(column)s”.") % {"column": s}
        for s in mapping.values()
        if s and s not in headers
    ]
    if errors:
        raise ValidationError({"mapping": errors})
    try:
        stage_map_clean(stage_map or {})
    except ValueError as exc:
        raise ValidationError({"stage_map": str(exc)}) from None
    job.mapping = {t: s for t, s in mapping.items() if s}
    job.preset = preset if preset in PRESETS else ""
    job.stage_map = {k.strip(): v.strip().lower() for k, v in (stage_map or {}).items()}
    job.scales = scales_clean(job.kind, scales or {})
    job.save(update_fields=["mapping", "preset", "stage_map", "scales"])
    return job


REQUIRED_KEYS = {
    "accounts": ("name", "external_id", "domain"),
    "contacts": ("email", "external_id"),
    "opportunities": ("external_id", "name"),
    "opportunity_contacts": ("opportunity_external_id", "opportunity_name"),
}
# Further columns a kind cannot do without (each tuple: map at least one).
REQUIRED_ALSO = {"opportunity_contacts": ("contact_external_id", "contact_email")}


def import_job_start(*, job: ImportJob, by: User | None = None) -> ImportJob:
    """Queue the job; the worker runs it (in-process when there is no broker).

    A failed import starts again from where it stopped: each chunk of rows commits with the job's counts and
    ``resume`` state, so the next step goes on after the last chunk saved (from the first row if none was), and
    no row is applied or counted twice. Its reason is cleared; the counts so far stay."""
    for key in (REQUIRED_KEYS[job.kind], REQUIRED_ALSO.get(job.kind, ())):
        if key and not any(k in job.mapping for k in key):
            raise ValidationError({"mapping": gettext("Map at least one of: %(values)s.") % {"values": ", ".join(key)}})
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status not in (ImportStatus.UPLOADED, ImportStatus.FAILED):
            raise ValidationError({"status": gettext("This import has already been started.")})
        locked.status, locked.progressed_at = ImportStatus.QUEUED, timezone.now()
        locked.message, locked.texts, locked.finished_at = "", {}, None
        locked.save(update_fields=["status", "progressed_at", "message", "texts", "finished_at"])

        def mark_failed(reason: tx.Msg) -> None:
            ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
                status=ImportStatus.FAILED, finished_at=timezone.now(), **import_message(reason)
            )

        # A broker that refuses the message fails the job with the reason (then a 503), never "queued" forever.
        enqueue_job_on_commit(import_job_run_task, job.pk, mark_failed=mark_failed)
    job.refresh_from_db()
    return job


def import_derived_refresh(*, workspace: Workspace, kind: str, result: ImportResult, reason: str) -> None:
    """After an import: bring lifecycle, fit, tiers, scores and journey stages up to date, in the background.

    Accounts with a won deal become customers now (in this transaction); the rescore (fit, win probability,
    tiers) and, through ``accounts.signals.accounts_changed``, the engagement scores and journey stages are
    enqueued on commit, the same path as any other change.
    """
    from ..signals import accounts_changed

    changed = result.created or result.updated
    if not changed or kind == ImportKind.OPPORTUNITY_CONTACTS:
        return  # who sat on which deal moves no score, tier or stage (the won/lost analysis reads it when shown)
    account_ids = list(result.changed_accounts)
    if kind == ImportKind.OPPORTUNITIES and account_ids:
        won = set(
            Opportunity.objects.for_workspace(workspace)
            .filter(account_id__in=account_ids, status=OpportunityStatus.WON)
            .values_list("account_id", flat=True)
        )
        if won:
            Account.objects.for_workspace(workspace).filter(pk__in=won, lifecycle=Lifecycle.PROSPECT).update(
                lifecycle=Lifecycle.CUSTOMER, updated_at=timezone.now()
            )
    if kind == ImportKind.CONTACTS:
        return  # contacts change no firmographics and no deal: nothing derived moves
    enqueue_on_commit(prospecting_rescore_task, workspace.pk, reason)
    if kind == ImportKind.OPPORTUNITIES and account_ids:
        accounts_changed.send(sender=Account, workspace_id=workspace.pk, account_ids=account_ids)


def _job_options(job: ImportJob, text: str) -> dict[str, Any]:
    return {"stage_map": job.stage_map, "scales": job.scales, "decimal_comma": _decimal_comma(text)}


def import_job_run(*, job_id: int) -> dict[str, Any]:
    """Run a queued job to the end in one go (all its steps); the job's summary."""
    while import_job_step(job_id=job_id, deadline=None):
        pass
    job = ImportJob.objects.filter(pk=job_id).first()
    return job.summary() if job else {}


RUN_LOCK = "account-import-run"  # abe.locks.job_run: one delivery of an import's task at a time


def import_job_step(*, job_id: int, deadline: float | None) -> bool:
    """One bounded step of a queued or running job; True when a next step is needed.

    Each chunk of rows commits together with the job's progress, counts and ``resume`` state, so a step
    repeated after a killed worker goes on after the last committed chunk: no row is applied or counted twice.
    Two deliveries never work on the same job at once (``abe.locks.job_run``): a redelivered step while the first
    is still at work, or a late step of a run the watchdog failed after the import was started again, does nothing.
    """
    with locks.job_run(RUN_LOCK, job_id) as mine:
        if not mine:
            logger.info("Import job %s is already running elsewhere; this delivery does nothing", job_id)
            return False
        return _import_job_step(job_id=job_id, deadline=deadline)


def _import_job_step(*, job_id: int, deadline: float | None) -> bool:
    job = ImportJob.objects.filter(pk=job_id).select_related("workspace").first()
    if job is None or job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return False
    if job.status == ImportStatus.QUEUED:
        now = timezone.now()
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=now, progressed_at=now)

    def checkpoint(state: dict[str, Any]) -> None:
        summary = {key: state["result"][key] for key in ImportResult().summary()}
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=state["done"], resume=state, progressed_at=timezone.now(), **summary
        )

    try:
        with job.file.open("rb") as fh:
            text, headers, rows = _read(fh.read())
        result, finished = import_rows_step(
            workspace=job.workspace,
            kind=job.kind,
            headers=headers,
            rows=rows,
            mapping=job.mapping,
            resume=job.resume or None,
            checkpoint=checkpoint,
            deadline=deadline,
            chunk_size=CHUNK,
            **_job_options(job, text),
        )
    except Exception as exc:  # the job page must say what happened, whatever it was
        logger.exception("Import job %s failed", job.pk)
        reason = failure_cause(exc, job_id=job.pk, log=False)  # for the uploader, not the driver's words
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(), **import_message(reason)
        )
        return False
    if not finished:
        return True
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE,
            errors=result.problems,
            finished_at=timezone.now(),
            resume={},
            **result.summary(),
            processed_rows=job.total_rows,
        )
        import_derived_refresh(workspace=job.workspace, kind=job.kind, result=result, reason=f"Import {job.pk}")
    return False


IMPORT_STALLED_RUNNING = gettext_noop(
    "Stopped: no progress for %(minutes)s minutes (the worker running it stopped or lost it). %(done)s of "
    "%(total)s rows were done and saved; start it again to go on from there."
)


def import_message(message: str | tx.Msg) -> dict[str, Any]:
    """The ``message`` and ``texts`` columns of an import for ``message``: its English (the API's words, at most
    500 characters) and, for a message key, the key the pages read in the reader's language."""
    return {"message": tx.english(message)[:500], "texts": tx.specs(message=message)}


def import_jobs_stalled_fail(*, now: datetime | None = None) -> int:
    """Fail every import queued or running with no progress since the cutoff (``abe.jobs.stall_cutoff``), with the
    reason and the rows saved; how many. The update re-checks the status and stamp, so an import that has just
    moved on is left alone; a late delivery of its task then finds it failed and does nothing. Safe to repeat."""
    cutoff, minutes = stall_cutoff(now)

    def reason(job: ImportJob) -> dict[str, Any]:
        if job.status == ImportStatus.RUNNING:
            done, total = tx.num(job.processed_rows), tx.num(job.total_rows)
            return import_message(tx.msg(IMPORT_STALLED_RUNNING, minutes=minutes, done=done, total=total))
        return import_message(tx.msg(STALLED_QUEUED, minutes=minutes))

    stalled = ImportJob.objects.filter(
        status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING], progressed_at__lt=cutoff
    ).only("pk", "status", "processed_rows", "total_rows")
    return len(stalled_fail(stalled, cutoff=cutoff, failed=ImportStatus.FAILED, fields=reason))


def import_file(
    *,
    workspace: Workspace,
    kind: str,
    data: bytes,
    preset: str = "",
    mapping: dict[str, str] | None = None,
    stage_map: dict[str, str] | None = None,
    scales: dict[str, Any] | None = None,
    chunk_size: int = CHUNK,
) -> tuple[ImportResult, str]:
    """Import a file synchronously (the management command): the result and the preset used.

    ``mapping`` (target field -> column) overrides or completes the preset's; without either, the preset is
    recognised from the header row.
    """
    text, headers, rows = _read(data)
    if preset and preset not in PRESETS:
        raise ValidationError(
            {"preset": gettext("Unknown preset. Choose one of: %(values)s.") % {"values": ", ".join(PRESETS)}}
        )
    if not preset and not mapping:
        detected = preset_detect(kind, headers)
        if detected is None:
            raise ValidationError(
                {"preset": "No preset matches these columns; pass --preset NAME or --map FIELD=COLUMN."}
            )
        preset = detected.name
    full = preset_mapping(PRESETS[preset], kind, headers) if preset else {}
    full.update(mapping or {})
    full = {t: s for t, s in full.items() if s}
    for key in (REQUIRED_KEYS[kind], REQUIRED_ALSO.get(kind, ())):
        if key and not any(k in full for k in key):
            raise ValidationError(
                {
                    "mapping": gettext("Map at least one of: %(fields)s (columns of this file: %(columns)s).")
                    % {"fields": ", ".join(key), "columns": ", ".join(headers)}
                }
            )
    try:
        clean_stages = stage_map_clean(stage_map or {})
    except ValueError as exc:
        raise ValidationError({"stage_map": str(exc)}) from None
    result = import_rows(
        workspace=workspace,
        kind=kind,
        headers=headers,
        rows=rows,
        mapping=full,
        stage_map=clean_stages,
        scales=scales,
        decimal_comma=_decimal_comma(text),
        chunk_size=chunk_size,
    )
    return result, preset


def import_problem_rows(*, job: ImportJob) -> Iterable[list[str]]:
    """The problems CSV: header, then each rejected or warned line: line, kind, reason (in the active language),
    the original cells."""
    problems: dict[int, list[dict[str, Any]]] = {}
    for problem in job.errors:
        problems.setdefault(int(problem["line"]), []).append(problem)
    with job.file.open("rb") as fh:
        headers, rows = p.read_csv(p.decode(fh.read()))
    yield ["line", "problem", "reason", *headers]
    for line, cells in rows:
        for problem in problems.get(line, []):
            yield [str(line), problem.get("kind", "rejected"), problem_text(problem), *cells]
