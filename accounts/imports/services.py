"""Import jobs: upload, column mapping, and the upsert engine for accounts, contacts and opportunities.

Rows are matched to existing records by CRM id, then by normalised domain (accounts) or email (contacts), or
by account and name (opportunities). A matched row only fills the cells it has: an empty cell never clears a
value, so sparse CRM exports do not wipe what other sources know. A row equal to what is stored counts as
``unchanged`` and writes nothing, so importing the same file twice changes nothing. Rows are processed in
chunks of ``CHUNK`` with a commit each, so a large file shows progress and a bad row never blocks the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from abe.models import Workspace
from abe.tasks import enqueue_on_commit

from ..models import (
    Account,
    Contact,
    ImportJob,
    ImportKind,
    ImportStatus,
    Opportunity,
    OpportunityStatus,
)
from ..prospecting.bulk import bulk_insert_rows, bulk_update_columns
from ..prospecting.selectors import board_stats_invalidate
from ..prospecting.tasks import prospecting_rescore_task
from . import parsing as p
from .presets import PRESETS, TARGET_FIELDS, preset_detect, preset_mapping
from .tasks import import_job_run_task

logger = logging.getLogger(__name__)
CHUNK = 5000
MAX_ERRORS_KEPT = 1000
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PREVIEW_ROWS = 5


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"line": line, "reason": reason})

    def summary(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


# ----- cleaning: raw cells (target field -> text) -> typed values, or CellError -------------------------------

ACCOUNT_PARSERS: dict[str, Callable[[str], Any]] = {
    "external_id": lambda v: p.text(v, 64),
    "name": lambda v: p.text(v, 255),
    "domain": p.domain,
    "industry": lambda v: p.text(v, 100),
    "country": p.country,
    "region": lambda v: p.text(v, 100),
    "city": lambda v: p.text(v, 100),
    "employees": lambda v: p.integer(v, "Employees"),
    "annual_revenue": lambda v: p.money(v, "Annual revenue"),
    "ownership_type": p.ownership,
    "number_of_offices": lambda v: p.integer(v, "Offices"),
    "founded_year": lambda v: p.integer(v, "Founded", 2100),
    "technologies": p.technologies,
    "lifecycle": p.lifecycle,
    "trigger_event": lambda v: p.text(v, 200),
    "trigger_event_date": lambda v: p.day(v, "Trigger event date"),
    "owner": lambda v: v.strip().lower(),
}
CONTACT_PARSERS: dict[str, Callable[[str], Any]] = {
    "external_id": lambda v: p.text(v, 64),
    "first_name": lambda v: p.text(v, 100),
    "last_name": lambda v: p.text(v, 100),
    "email": p.email,
    "title": lambda v: p.text(v, 200),
    "account_external_id": lambda v: p.text(v, 64),
    "account_domain": p.domain,
    "do_not_contact": lambda v: p.boolean(v, "Do not contact"),
}
OPPORTUNITY_PARSERS: dict[str, Callable[[str], Any]] = {
    "external_id": lambda v: p.text(v, 64),
    "name": lambda v: p.text(v, 255),
    "account_external_id": lambda v: p.text(v, 64),
    "account_domain": p.domain,
    "amount": lambda v: p.money(v, "Amount"),
    "stage": lambda v: p.text(v, 80),
    "type": p.opportunity_type,
    "created_date": lambda v: p.day(v, "Created date"),
    "close_date": lambda v: p.day(v, "Close date"),
    "is_won": lambda v: p.boolean(v, "Won"),
    "is_closed": lambda v: p.boolean(v, "Closed"),
    "status": lambda v: v.strip().lower(),
}
PARSERS = {"accounts": ACCOUNT_PARSERS, "contacts": CONTACT_PARSERS, "opportunities": OPPORTUNITY_PARSERS}


def _clean(parsers: dict[str, Callable[[str], Any]], raw: dict[str, str]) -> dict[str, Any]:
    """Typed values of the non-empty cells; the first bad cell raises CellError."""
    out: dict[str, Any] = {}
    for target, value in raw.items():
        if value is None or not value.strip():
            continue
        parsed = parsers[target](value)
        if parsed not in (None, "", []):
            out[target] = parsed
    return out


def _changes(existing: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if existing.get(k) != v}


# ----- the engine -------------------------------------------------------------------------------------------


class _Upserter:
    """One import run over one workspace: keeps the match indexes (CRM id, domain/email) current as it goes."""

    kind: str
    model: type[Any]
    fields: list[str]
    by_id: dict[int, dict[str, Any]]

    def __init__(self, workspace: Workspace, result: ImportResult, today: date) -> None:
        self.workspace, self.result, self.today = workspace, result, today
        self.seen: dict[Any, int] = {}  # key -> line, to spot duplicates inside the file
        self.defaults = {f.attname: f.get_default() for f in self.model._meta.concrete_fields}

    def prepare(self, line: int, values: dict[str, Any]) -> tuple[str, Any] | None:
        """("create", row) or ("update", (pk, changes)) for one cleaned row; None when nothing changes."""
        raise NotImplementedError

    def after_create(self, pk: int, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def after_update(self, pk: int, changes: dict[str, Any]) -> None:
        raise NotImplementedError

    def new_row(self, values: dict[str, Any]) -> dict[str, Any]:
        """A new record as ``{attname: value}``; ``bulk_insert_rows`` fills the other columns' defaults."""
        return {"workspace_id": self.workspace.pk, **values}

    def created(self, pk: int, row: dict[str, Any]) -> dict[str, Any]:
        """The match-index entry of a just-created record: every tracked field, defaults included."""
        return {f: row.get(f, self.defaults.get(f)) for f in self.fields} | {"id": pk}

    def seen_before(self, keys: Iterable[Any], line: int) -> int | None:
        for key in keys:
            if key in self.seen:
                return self.seen[key]
        for key in keys:
            self.seen[key] = line
        return None


class AccountUpserter(_Upserter):
    kind = "accounts"
    model = Account
    fields = [f for f, _ in TARGET_FIELDS["accounts"] if f != "owner"] + ["owner_id"]

    def __init__(self, workspace: Workspace, result: ImportResult, today: date) -> None:
        super().__init__(workspace, result, today)
        rows = Account.objects.for_workspace(workspace).values("id", *[f for f in self.fields])
        self.by_id: dict[int, dict[str, Any]] = {r["id"]: r for r in rows}
        self.by_external = {r["external_id"]: r["id"] for r in self.by_id.values() if r["external_id"]}
        self.by_domain = {r["domain"]: r["id"] for r in self.by_id.values() if r["domain"]}
        users = get_user_model().objects.filter(memberships__workspace=workspace).values_list("id", "username", "email")
        self.users = {u.lower(): i for i, u, _ in users} | {e.lower(): i for i, _, e in users if e}

    def prepare(self, line: int, values: dict[str, Any]) -> tuple[str, Any] | None:
        if "owner" in values:
            owner = values.pop("owner")
            if owner not in self.users:
                raise p.CellError(f"No member of this workspace with the email or username “{owner}”")
            values["owner_id"] = self.users[owner]
        ext, dom = values.get("external_id", ""), values.get("domain", "")
        duplicate = self.seen_before([k for k in (("x", ext), ("d", dom)) if k[1]], line)
        if duplicate:
            raise p.CellError(f"Same CRM id or domain as line {duplicate}")
        pk = self.by_external.get(ext) if ext else None
        if pk is None and dom:
            pk = self.by_domain.get(dom)
            if pk is not None and ext and self.by_id[pk]["external_id"] and self.by_id[pk]["external_id"] != ext:
                raise p.CellError(
                    f"The domain {dom} belongs to the account with CRM id {self.by_id[pk]['external_id']}"
                )
        if pk is None:
            if not values.get("name"):
                raise p.CellError("A new account needs a name")
            return "create", self.new_row(values)
        existing = self.by_id[pk]
        if dom and dom != existing["domain"] and self.by_domain.get(dom, pk) != pk:
            raise p.CellError(f"Another account already uses the domain {dom}")
        changes = _changes(existing, values)
        if not changes:
            return None
        return "update", (pk, changes)

    def after_create(self, pk: int, values: dict[str, Any]) -> None:
        row = self.by_id[pk] = self.created(pk, values)
        if row["external_id"]:
            self.by_external[row["external_id"]] = pk
        if row["domain"]:
            self.by_domain[row["domain"]] = pk

    def after_update(self, pk: int, changes: dict[str, Any]) -> None:
        row = self.by_id[pk]
        if "domain" in changes:
            self.by_domain.pop(row["domain"], None)
            self.by_domain[changes["domain"]] = pk
        if "external_id" in changes:
            self.by_external.pop(row["external_id"], None)
            self.by_external[changes["external_id"]] = pk
        row.update(changes)


class _ChildUpserter(_Upserter):
    """Contacts and opportunities: rows hang on an account found by its CRM id or domain."""

    model: type[Any]
    account_required = "A contact"

    def __init__(self, workspace: Workspace, result: ImportResult, today: date) -> None:
        super().__init__(workspace, result, today)
        accounts = Account.objects.for_workspace(workspace).values_list("id", "external_id", "domain")
        self.account_by_external = {e: i for i, e, _ in accounts if e}
        self.account_by_domain = {d: i for i, _, d in accounts if d}
        rows = self.model.objects.for_workspace(workspace).values("id", *self.fields)
        self.by_id = {r["id"]: r for r in rows}
        self.by_external = {r["external_id"]: r["id"] for r in self.by_id.values() if r["external_id"]}

    def account_id(self, values: dict[str, Any], fallback_domain: str = "") -> int | None:
        ext, dom = values.pop("account_external_id", ""), values.pop("account_domain", "")
        if ext:
            if ext not in self.account_by_external:
                raise p.CellError(f"No account with CRM id {ext}")
            return self.account_by_external[ext]
        for candidate in (dom, fallback_domain):
            if candidate and candidate in self.account_by_domain:
                return self.account_by_domain[candidate]
        if dom:
            raise p.CellError(f"No account with the domain {dom}")
        return None

    def after_create(self, pk: int, values: dict[str, Any]) -> None:
        row = self.by_id[pk] = self.created(pk, values)
        if row["external_id"]:
            self.by_external[row["external_id"]] = pk
        self.index(pk, row)

    def after_update(self, pk: int, changes: dict[str, Any]) -> None:
        self.by_id[pk].update(changes)
        self.index(pk, self.by_id[pk])

    def index(self, pk: int, row: dict[str, Any]) -> None:
        pass


class ContactUpserter(_ChildUpserter):
    kind = "contacts"
    model = Contact
    fields = ["external_id", "first_name", "last_name", "email", "title", "do_not_contact", "account_id"]

    def __init__(self, workspace: Workspace, result: ImportResult, today: date) -> None:
        super().__init__(workspace, result, today)
        self.by_email = {r["email"]: r["id"] for r in self.by_id.values() if r["email"]}

    def index(self, pk: int, row: dict[str, Any]) -> None:
        if row["email"]:
            self.by_email[row["email"]] = pk

    def prepare(self, line: int, values: dict[str, Any]) -> tuple[str, Any] | None:
        email = values.get("email", "")
        account_id = self.account_id(values, email.rsplit("@", 1)[1] if "@" in email else "")
        ext = values.get("external_id", "")
        duplicate = self.seen_before([k for k in (("x", ext), ("e", email)) if k[1]], line)
        if duplicate:
            raise p.CellError(f"Same CRM id or email as line {duplicate}")
        pk = self.by_external.get(ext) if ext else None
        if pk is None and email:
            pk = self.by_email.get(email)
        if account_id is not None:
            values["account_id"] = account_id
        if pk is None:
            if account_id is None:
                raise p.CellError("No account for this contact: give the account's CRM id or domain")
            if not (values.get("first_name") or values.get("last_name") or email):
                raise p.CellError("A contact needs a name or an email address")
            return "create", self.new_row(values)
        if email and self.by_email.get(email, pk) != pk:
            raise p.CellError(f"Another contact already uses {email}")
        changes = _changes(self.by_id[pk], values)
        return ("update", (pk, changes)) if changes else None


class OpportunityUpserter(_ChildUpserter):
    kind = "opportunities"
    model = Opportunity
    fields = ["external_id", "name", "amount", "stage", "type", "created_date", "close_date", "status", "account_id"]

    def __init__(self, workspace: Workspace, result: ImportResult, today: date) -> None:
        super().__init__(workspace, result, today)
        self.by_name = {(r["account_id"], r["name"]): r["id"] for r in self.by_id.values()}

    def index(self, pk: int, row: dict[str, Any]) -> None:
        self.by_name[(row["account_id"], row["name"])] = pk

    @staticmethod
    def status(values: dict[str, Any]) -> str | None:
        won, closed, given = values.pop("is_won", None), values.pop("is_closed", None), values.pop("status", "")
        stage = (values.get("stage") or "").lower().replace(" ", "")
        if won:
            return OpportunityStatus.WON
        if closed:
            return OpportunityStatus.LOST
        if given in OpportunityStatus.values:
            return str(given)
        if "closedwon" in stage:
            return OpportunityStatus.WON
        if "closedlost" in stage:
            return OpportunityStatus.LOST
        if closed is False or won is False or stage:
            return OpportunityStatus.OPEN
        return None

    def prepare(self, line: int, values: dict[str, Any]) -> tuple[str, Any] | None:
        status = self.status(values)
        if status:
            values["status"] = status
        account_id = self.account_id(values)
        ext = values.get("external_id", "")
        if ext:
            duplicate = self.seen_before([("x", ext)], line)
            if duplicate:
                raise p.CellError(f"Same CRM id as line {duplicate}")
        pk = self.by_external.get(ext) if ext else None
        if pk is None and account_id is not None and values.get("name"):
            pk = self.by_name.get((account_id, values["name"]))
        if account_id is not None:
            values["account_id"] = account_id
        # A CRM record created after its deal closed (history migrated later) starts on its close date.
        created, close = values.get("created_date"), values.get("close_date")
        if pk is None:
            if account_id is None:
                raise p.CellError("No account for this opportunity: give the account's CRM id or domain")
            if not values.get("name"):
                raise p.CellError("An opportunity needs a name")
            created = created or close or self.today
            values["created_date"] = min(created, close) if close else created
            return "create", self.new_row(values)
        existing = self.by_id[pk]
        if created or close:
            created, close = created or existing["created_date"], close or existing["close_date"]
            values["created_date"] = min(created, close) if close else created
        changes = _changes(existing, values)
        return ("update", (pk, changes)) if changes else None


UPSERTERS = {"accounts": AccountUpserter, "contacts": ContactUpserter, "opportunities": OpportunityUpserter}


def import_rows(
    *,
    workspace: Workspace,
    kind: str,
    headers: list[str],
    rows: Iterable[tuple[int, list[str]]],
    mapping: dict[str, str],
    progress: Callable[[int, ImportResult], None] | None = None,
) -> ImportResult:
    """Upsert CSV rows (line number, cells) of ``kind`` using ``mapping`` (target field -> source column)."""
    if kind not in UPSERTERS:
        raise ValidationError({"kind": f"Choose one of: {', '.join(UPSERTERS)}."})
    parsers = PARSERS[kind]
    unknown = [t for t in mapping if t not in parsers]
    missing = [s for s in mapping.values() if s not in headers]
    if unknown or missing:
        raise ValidationError(
            {"mapping": [f"Unknown field {t}" for t in unknown] + [f"No column {s}" for s in missing]}
        )
    positions = {target: headers.index(source) for target, source in mapping.items()}
    result = ImportResult()
    upserter = UPSERTERS[kind](workspace, result, timezone.localdate())
    chunk: list[tuple[int, list[str]]] = []
    done = 0

    def flush() -> None:
        nonlocal done
        with transaction.atomic():
            _write_chunk(upserter, parsers, positions, chunk)
        done += len(chunk)
        chunk.clear()
        if progress:
            progress(done, result)

    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    if chunk or done == 0:
        flush()
    if kind == "accounts" and (result.created or result.updated):
        board_stats_invalidate(workspace=workspace)
    return result


def _write_chunk(
    upserter: _Upserter,
    parsers: dict[str, Callable[[str], Any]],
    positions: dict[str, int],
    chunk: list[tuple[int, list[str]]],
) -> None:
    result = upserter.result
    creates: list[tuple[int, Any]] = []
    updates: dict[int, dict[str, Any]] = {}
    for line, cells in chunk:
        raw = {t: (cells[i] if i < len(cells) else "") for t, i in positions.items()}
        try:
            values = _clean(parsers, raw)
            action = upserter.prepare(line, values)
        except p.CellError as exc:
            result.reject(line, str(exc))
            continue
        if action is None:
            result.unchanged += 1
        elif action[0] == "create":
            creates.append((line, action[1]))
        else:
            pk, changes = action[1]
            if pk in updates:  # matched twice in one file by different keys: the later row wins
                updates[pk].update(changes)
            else:
                updates[pk] = changes
                result.updated += 1
            upserter.after_update(pk, changes)
    model = upserter.model
    if creates:
        ids = bulk_insert_rows(model, [row for _, row in creates])
        for pk, (_, row) in zip(ids, creates, strict=True):
            upserter.after_create(pk, row)
        result.created += len(ids)
    if updates:
        fields = sorted({f for changes in updates.values() for f in changes})
        rows = [(pk, *[upserter.by_id[pk][f] for f in fields]) for pk in updates]
        now = timezone.now()
        if "updated_at" not in fields and hasattr(model, "updated_at"):
            fields.append("updated_at")
            rows = [(*r, now) for r in rows]
        bulk_update_columns(
            model, rows, [f.removesuffix("_id") if f.endswith("_id") and f != "external_id" else f for f in fields]
        )


# ----- jobs -------------------------------------------------------------------------------------------------


def import_preview(*, data: bytes, kind: str) -> dict[str, Any]:
    """Headers, the first rows, the recognised preset and its mapping, for the mapping page."""
    headers, rows = p.read_csv(p.decode(data))
    preview = []
    for _, cells in rows:
        preview.append(cells)
        if len(preview) >= PREVIEW_ROWS:
            break
    preset = preset_detect(kind, headers)
    return {
        "headers": headers,
        "rows": preview,
        "preset": preset.name if preset else "",
        "mapping": preset_mapping(preset, kind, headers) if preset else {},
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
) -> ImportJob:
    """Store the upload; the mapping comes from ``mapping``, else the given or recognised preset."""
    if kind not in ImportKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(ImportKind.values)}."})
    if not data:
        raise ValidationError({"file": "The file is empty."})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": f"Files up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."})
    if preset and preset not in PRESETS:
        raise ValidationError({"preset": f"Unknown preset. Choose one of: {', '.join(PRESETS)}."})
    text = p.decode(data)
    headers, rows = p.read_csv(text)
    if not headers or not any(h for h in headers):
        raise ValidationError({"file": "No header row: the first line must name the columns."})
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
    import_job_set_mapping(job=job, mapping=mapping, preset=preset)
    return job


def import_job_headers(*, job: ImportJob) -> list[str]:
    with job.file.open("rb") as fh:
        headers, _ = p.read_csv(p.decode(fh.read()))
    return headers


def import_job_set_mapping(*, job: ImportJob, mapping: dict[str, str], preset: str = "") -> ImportJob:
    if job.status not in (ImportStatus.UPLOADED,):
        raise ValidationError({"status": "This import has started; its mapping can no longer change."})
    headers = import_job_headers(job=job)
    targets = dict(TARGET_FIELDS[job.kind])
    errors = [f"Unknown field “{t}”." for t in mapping if t not in targets]
    errors += [f"The file has no column “{s}”." for s in mapping.values() if s and s not in headers]
    if errors:
        raise ValidationError({"mapping": errors})
    job.mapping = {t: s for t, s in mapping.items() if s}
    job.preset = preset if preset in PRESETS else ""
    job.save(update_fields=["mapping", "preset"])
    return job


def import_job_start(*, job: ImportJob, by: User | None = None) -> ImportJob:
    """Queue the job; the worker runs it (in-process when there is no broker)."""
    key = {
        "accounts": ("name", "external_id", "domain"),
        "contacts": ("email", "external_id"),
        "opportunities": ("external_id", "name"),
    }[job.kind]
    if not any(k in job.mapping for k in key):
        raise ValidationError({"mapping": f"Map at least one of: {', '.join(key)}."})
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.UPLOADED:
            raise ValidationError({"status": "This import has already been started."})
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status"])
        enqueue_on_commit(import_job_run_task, job.pk)
    job.refresh_from_db()
    return job


def import_job_run(*, job_id: int) -> dict[str, Any]:
    """Run a queued job to the end, saving progress after each chunk. Safe to repeat (upserts)."""
    job = ImportJob.objects.filter(pk=job_id).select_related("workspace").first()
    if job is None or job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return job.summary() if job else {}
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    try:
        with job.file.open("rb") as fh:
            headers, rows = p.read_csv(p.decode(fh.read()))

        def progress(done: int, result: ImportResult) -> None:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, **result.summary())

        result = import_rows(
            workspace=job.workspace, kind=job.kind, headers=headers, rows=rows, mapping=job.mapping, progress=progress
        )
    except Exception as exc:  # the job page must say what happened, whatever it was
        logger.exception("Import job %s failed", job.pk)
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else f"Unexpected error: {exc}"
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, message=message[:500], finished_at=timezone.now()
        )
        return {}
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE,
        errors=result.errors,
        finished_at=timezone.now(),
        **result.summary(),
        processed_rows=job.total_rows,
    )
    if job.kind == ImportKind.ACCOUNTS and (result.created or result.updated):
        enqueue_on_commit(prospecting_rescore_task, job.workspace_id, f"Import {job.pk}")
    return result.summary()


def import_file(
    *, workspace: Workspace, kind: str, data: bytes, preset: str = "", mapping: dict[str, str] | None = None
) -> tuple[ImportResult, str]:
    """Import a file synchronously (the management command): the result and the preset used."""
    headers, rows = p.read_csv(p.decode(data))
    if preset and preset not in PRESETS:
        raise ValidationError({"preset": f"Unknown preset. Choose one of: {', '.join(PRESETS)}."})
    if not preset and mapping is None:
        detected = preset_detect(kind, headers)
        if detected is None:
            raise ValidationError({"preset": "No preset matches these columns; pass --preset or a mapping."})
        preset = detected.name
    if mapping is None:
        mapping = preset_mapping(PRESETS[preset], kind, headers)
    return import_rows(workspace=workspace, kind=kind, headers=headers, rows=rows, mapping=mapping), preset
