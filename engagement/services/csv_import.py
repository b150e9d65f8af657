"""CSV import of events (browser upload and ``manage.py import_events``): the ingest rules, line by line.

Columns are the ingest API's field names; ``metadata`` is a JSON object in one cell. Rows go through
``events_ingest`` in batches of 5,000, so a re-import adds nothing and each rejected line is reported with
its line number (the header is line 1).

Browser uploads run as a background job (:class:`EventImport`): the file is stored, a worker ingests it chunk
by chunk (each chunk its own transaction) and updates the job's counters after each, so the page shows progress
and, whatever happens, exactly what was saved.

A file is stored as UTF-8 with commas, which the worker reads. One saved by Excel or another tool in Windows-1252,
as "Unicode text" (UTF-16 with tabs) or with semicolons (Excel where the comma is the decimal mark) is converted
once at upload (:func:`_normalised`, with the accounts import's reading of encodings and delimiters); such files
were refused ("Not a readable CSV file", "binary file", or every column missing).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

import pandas as pd
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from abe import locks
from abe import texts as tx
from abe.jobs import failure_cause, stall_cutoff, stalled_fail
from abe.models import Workspace
from abe.tasks import enqueue_job_on_commit
from accounts.imports import parsing

from ..models import EventImport, EventImportStatus
from .ingest import FIELDS, MAX_BATCH, METADATA_NOT_JSON, events_ingest

logger = logging.getLogger(__name__)
REQUIRED_COLUMNS = {"source", "external_id", "type", "occurred_at"}
REJECTED_KEPT = 1000
RUN_LOCK = "event-import-run"  # abe.locks.job_run: one delivery of an upload's task at a time
# Why an upload stopped (the report of what was saved follows each, ``SAVED_REPORT``): the watchdog's reasons, and
# the broker refusing the next step.
STALLED_RUNNING_STOPPED = gettext_noop(
    "Stopped: no progress for %(minutes)s minutes (the worker running it stopped or lost it)."
)
STALLED_QUEUED_UPLOAD = gettext_noop(
    "Not started within %(minutes)s minutes: the background job service lost it or is far behind."
)
STEP_PUBLISH_STOPPED = gettext_noop("Stopped: the background job service was unavailable.")
STOPPED_BY = gettext_noop("Stopped: %(cause)s.")
SAVED_REPORT = gettext_noop(
    "%(reason)s Saved before it stopped: lines 2–%(last)s processed (%(accepted)s accepted, %(duplicates)s already "
    "received, %(rejected)s rejected); the remaining %(remaining)s lines were not read. Uploading the file again adds "
    "only what is missing."
)
# A restart the broker refused: the run before it may have saved lines (the report that follows says which), so not
# the first queueing's "it never ran and nothing was changed".
RESTART_PUBLISH_FAILED = gettext_noop(
    "Not started again: the background job service (the broker) was unavailable. Start it again in a few minutes."
)
# The same when it stopped before its first chunk was saved ("lines 2–1 processed" said nothing true).
NOTHING_SAVED_REPORT = gettext_noop(
    "%(reason)s Nothing was saved before it stopped: none of its %(remaining)s lines was read. Uploading the file "
    "again adds only what is missing."
)


@dataclass
class CsvImportResult:
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, dict[str, list[str]]]] = field(default_factory=list)


def _row(record: dict[str, str]) -> dict[str, Any] | str:
    event: dict[str, Any] = {k: v.strip() for k, v in record.items() if k in FIELDS and v and v.strip()}
    if "metadata" in event:
        try:
            event["metadata"] = json.loads(event["metadata"])
        except (ValueError, RecursionError):
            return METADATA_NOT_JSON
    return event


def _frames(file: IO[Any], *, chunksize: int | None = None) -> Iterator[pd.DataFrame]:
    chunksize = chunksize or MAX_BATCH
    try:
        reader = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=chunksize)
        first = next(reader, None)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValidationError({"file": gettext("Not a readable CSV file (%(exc)s).") % {"exc": exc}}) from None
    if first is None:
        return
    columns = [str(c).strip().lower() for c in first.columns]
    missing = REQUIRED_COLUMNS - set(columns)
    if missing:
        raise ValidationError(
            {"file": gettext("Missing column(s): %(values)s.") % {"values": ", ".join(sorted(missing))}}
        )
    first.columns = columns
    yield first
    try:
        for frame in reader:
            frame.columns = columns
            yield frame
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValidationError({"file": gettext("Not a readable CSV file (%(exc)s).") % {"exc": exc}}) from None


def _chunk_ingest(workspace: Workspace, frame: pd.DataFrame, first_line: int, by: User | None) -> CsvImportResult:
    """Ingest one chunk (its own transaction); lines are numbered from ``first_line``."""
    result = CsvImportResult(rows=len(frame))
    chunk, lines = [], []
    for offset, record in enumerate(frame.to_dict("records")):
        line = first_line + offset
        row = _row(record)
        if isinstance(row, str):
            result.rejected.append((line, {"metadata": [row]}))
            continue
        chunk.append(row)
        lines.append(line)
    # The reasons are stored in English whatever language runs the job (in-process, that of the request that
    # uploaded): the API gives them so, and the report reads them in its reader's language (``error_text``).
    with translation.override(None):
        outcome = events_ingest(workspace=workspace, events=chunk, by=by)
    result.accepted, result.duplicates = outcome.accepted, outcome.duplicates
    result.rejected += [(lines[r["index"]], r["errors"]) for r in outcome.rejected]
    result.rejected.sort(key=lambda item: item[0])
    return result


def _count_rows(data: bytes) -> int:
    """The data lines of a stored (UTF-8) upload, read as a stream: a line break inside a quoted cell is no new
    line, and a file whose lines end in a lone carriage return (Excel's "CSV (Macintosh)") is read line by line."""
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="replace", newline="")
    try:
        return max(0, sum(1 for _ in csv.reader(stream)) - 1)
    except csv.Error as exc:
        raise ValidationError({"file": gettext("Not a readable CSV file (%(exc)s).") % {"exc": exc}}) from None


#: How much of an upload is converted at a time.
_CHUNK = 1 << 20


def _normalised(data: bytes) -> bytes:
    """The upload as UTF-8 with commas (see the module's docstring); a UTF-8 file with commas is kept as it is.

    Read and written as streams: an upload of up to ``ABE_MAX_UPLOAD_BYTES`` is held once as sent and, when it
    must be converted, once more as converted (decoding it whole took five to eight times its size)."""
    try:
        encoding, errors = parsing.encoding_of(data)  # says what a workbook, a PDF or other binary file is
    except parsing.UnreadableFile as exc:
        raise ValidationError({"file": str(exc)}) from None
    if encoding != "utf-16" and b"\x00" in data:  # in UTF-16 every other byte of Latin text is NUL
        raise ValidationError({"file": gettext("This is a binary file, not a CSV text file (save it as CSV, UTF-8).")})
    # The header's delimiter, from the start of the file (a character cut at the end of the slice is left out).
    delimiter = parsing.file_delimiter(data[: 4 * 65536].decode(encoding, errors="ignore"))
    if delimiter == "," and encoding == "utf-8-sig":
        return data  # UTF-8 with commas already (the usual case): stored as sent
    out = io.BytesIO()
    target = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        if delimiter == ",":  # only the encoding changes: the text is copied as it is, line ends included
            source = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors=errors, newline="")
            for chunk in iter(lambda: source.read(_CHUNK), ""):
                target.write(chunk.replace("\x00", ""))
        else:
            # Universal newlines (CRLF and a lone CR read as LF, also inside quoted cells), then commas.
            source = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors=errors, newline=None)
            rows = csv.reader((line.replace("\x00", "") for line in source), delimiter=delimiter)
            csv.writer(target, lineterminator="\n").writerows(rows)
        target.flush()
    except UnicodeDecodeError:
        raise ValidationError({"file": parsing.utf16_unreadable()}) from None
    except csv.Error as exc:
        raise ValidationError({"file": gettext("Not a readable CSV file (%(exc)s).") % {"exc": exc}}) from None
    converted = out.getvalue()
    target.detach()
    return converted


@transaction.atomic
def event_import_create(
    *, workspace: Workspace, data: bytes, filename: str, by: User | None, enqueue: bool = True
) -> EventImport:
    """Store an upload (after checking its header) and queue it for a worker (``enqueue=False``: the caller runs
    it, as ``manage.py import_events`` does without ``--background``)."""
    if not data:
        raise ValidationError({"file": gettext("The file is empty.")})
    data = _normalised(data)
    next(_frames(io.BytesIO(data), chunksize=10), None)  # header and encoding checks: a field error now, not later
    job = EventImport(
        workspace=workspace,
        filename=(filename or "events.csv")[:255],
        total_rows=_count_rows(data),
        created_by=by if by is not None and by.is_authenticated else None,
    )
    job.file.save(f"ws{workspace.pk}-events.csv", ContentFile(data), save=False)
    job.save()

    if not enqueue:
        return job

    from ..tasks import event_import_run_task

    def mark_failed(reason: tx.Msg) -> None:
        EventImport.objects.filter(pk=job.pk, status=EventImportStatus.QUEUED).update(
            status=EventImportStatus.FAILED,
            message=reason.english(),
            texts=tx.specs(message=reason),
            finished_at=timezone.now(),
        )

    # Broker down: the upload is failed at once with the reason (nothing was read), never left "queued"; the
    # request itself succeeds and the job's page (or API resource) says what happened.
    enqueue_job_on_commit(event_import_run_task, job.pk, mark_failed=mark_failed, raise_on_failure=False)
    return job


def event_import_restart(*, job: EventImport) -> EventImport:
    """Start a failed upload again; a worker runs it (in-process when there is no broker).

    It goes on after the lines already saved: each chunk commits with the upload's counters (``processed_rows``), so
    no line is ingested or counted twice (and ingest is idempotent besides). Its reason is cleared; the counts so
    far stay. Only a failed upload, and only while its file is still stored."""
    with transaction.atomic():
        locked = EventImport.objects.select_for_update().get(pk=job.pk)
        if locked.status != EventImportStatus.FAILED:
            raise ValidationError({"status": gettext("Only a failed upload can be started again.")})
        if not locked.file.name or not locked.file.storage.exists(locked.file.name):
            raise ValidationError({"file": gettext("The uploaded file is no longer stored: upload it again.")})
        locked.status, locked.progressed_at = EventImportStatus.QUEUED, timezone.now()
        locked.message, locked.texts, locked.finished_at = "", {}, None
        locked.save(update_fields=["status", "progressed_at", "message", "texts", "finished_at"])

        from ..tasks import event_import_run_task

        def mark_failed(reason: tx.Msg) -> None:
            # Its own reason (``RESTART_PUBLISH_FAILED``), then the report of what the earlier run saved.
            event_import_stop(job_id=job.pk, reason=tx.msg(RESTART_PUBLISH_FAILED))

        # A broker that refuses the message fails the upload again with the reason, never "queued" for ever.
        enqueue_job_on_commit(event_import_run_task, job.pk, mark_failed=mark_failed, raise_on_failure=False)
    job.refresh_from_db()
    return job


def event_import_run(
    *, job_id: int, on_rejected: Callable[[list[tuple[int, dict[str, list[str]]]]], None] | None = None
) -> EventImport | None:
    """Run (or resume) an upload to its end: chunk by chunk, counters updated after each committed chunk.

    ``on_rejected`` gets every chunk's rejected lines (the job keeps only the first 1,000), e.g. for a command
    that prints all of them.
    """
    job, _ = event_import_step(job_id=job_id, on_rejected=on_rejected)
    return job


def event_import_step(
    *,
    job_id: int,
    deadline: float | None = None,
    on_rejected: Callable[[list[tuple[int, dict[str, list[str]]]]], None] | None = None,
) -> tuple[EventImport | None, bool]:
    """Run (or resume) an upload until it ends or ``deadline`` (a ``time.monotonic()`` value) passes.

    Returns the job and whether this call stopped at the deadline with lines left: the caller (the task) then
    enqueues the next step, which resumes after the committed chunks (``processed_rows``), so a long upload is a
    series of short tasks, each well inside its time limit and the broker's visibility timeout. At least one
    chunk is processed per call, so every step makes progress.
    """
    with locks.job_run(RUN_LOCK, job_id) as mine:
        if not mine:  # the same upload delivered twice (visibility timeout): the first run is still at work
            logger.info("Event import %s is already running elsewhere; this delivery does nothing", job_id)
            return EventImport.objects.filter(pk=job_id).first(), False
        return _run(job_id, on_rejected, deadline)


def _run(
    job_id: int,
    on_rejected: Callable[[list[tuple[int, dict[str, list[str]]]]], None] | None,
    deadline: float | None = None,
) -> tuple[EventImport | None, bool]:
    job = EventImport.objects.select_related("workspace", "created_by").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job, False
    now = timezone.now()
    started = {"started_at": now} if job.started_at is None else {}
    EventImport.objects.filter(pk=job.pk).update(status=EventImportStatus.RUNNING, progressed_at=now, **started)
    done = job.processed_rows  # a repeated task (or the next step) resumes after the chunks already committed
    line = 2
    worked = False
    try:
        with job.file.open("rb") as fh:
            for frame in _frames(fh):
                if line - 2 + len(frame) <= done:
                    line += len(frame)
                    continue
                if worked and deadline is not None and time.monotonic() >= deadline:
                    job.refresh_from_db()
                    return job, True  # time is up: the next step resumes from processed_rows
                worked = True
                # The chunk and its counters commit together: a worker killed between them cannot leave rows
                # saved but uncounted (the resumed run would then count them as duplicates).
                with transaction.atomic():
                    part = _chunk_ingest(job.workspace, frame, line, job.created_by)
                    kept = list(job.rejected)
                    kept += [[n, e] for n, e in part.rejected][: max(0, REJECTED_KEPT - len(kept))]
                    EventImport.objects.filter(pk=job.pk).update(
                        processed_rows=line - 2 + len(frame),
                        progressed_at=timezone.now(),
                        accepted=F("accepted") + part.accepted,
                        duplicates=F("duplicates") + part.duplicates,
                        rejected_count=F("rejected_count") + len(part.rejected),
                        rejected=kept,
                    )
                job.rejected = kept
                line += len(frame)
                if on_rejected is not None and part.rejected:
                    on_rejected(part.rejected)
    except ValidationError as exc:
        _finish(job, EventImportStatus.FAILED, " ".join(exc.messages))
    except Exception as exc:  # report what was saved whatever went wrong, logged for the operators; re-raised
        logger.error("Event import job %s failed", job.pk, exc_info=exc)
        _finish(job, EventImportStatus.FAILED, tx.msg(STOPPED_BY, cause=failure_cause(exc, job_id=job.pk, log=False)))
        raise
    else:
        _finish(job, EventImportStatus.DONE, "")
    job.refresh_from_db()
    return job, False


def event_import_stop(*, job_id: int, reason: str | tx.Msg) -> None:
    """Mark an unfinished upload failed with ``reason`` and the exact report of what was saved before it."""
    job = EventImport.objects.filter(pk=job_id).first()
    if job is not None and not job.is_finished:
        _finish(job, EventImportStatus.FAILED, reason)


def event_imports_stalled_fail(*, now: datetime | None = None) -> int:
    """Fail every upload queued or running with no progress since the cutoff (``abe.jobs.stall_cutoff``), with the
    reason and the exact report of what was saved; how many. The status changes in an update that re-checks the
    status and stamp, so an upload that has just moved on is left alone; a late delivery of its task then finds it
    finished and does nothing. Safe to repeat."""
    cutoff, minutes = stall_cutoff(now)
    stalled = EventImport.objects.filter(
        status__in=[EventImportStatus.QUEUED, EventImportStatus.RUNNING], progressed_at__lt=cutoff
    ).only("pk", "status")
    failed = stalled_fail(stalled, cutoff=cutoff, failed=EventImportStatus.FAILED, fields=lambda job: {})
    for job in failed:  # the reason, then the exact report of what was saved
        key = STALLED_RUNNING_STOPPED if job.status == EventImportStatus.RUNNING else STALLED_QUEUED_UPLOAD
        _finish(job, EventImportStatus.FAILED, tx.msg(key, minutes=minutes))
    return len(failed)


def _finish(job: EventImport, status: str, message: str | tx.Msg) -> None:
    """End the upload with ``status``; a failed one's message is the reason followed by the exact report of what was
    saved, stored in English (the API's words) and as a message key (the page reads it in the reader's language)."""
    job.refresh_from_db()
    if status == EventImportStatus.FAILED and not job.processed_rows:
        message = tx.msg(NOTHING_SAVED_REPORT, reason=message, remaining=tx.num(job.total_rows))
    elif status == EventImportStatus.FAILED:
        message = tx.msg(
            SAVED_REPORT,
            reason=message,
            last=tx.num(job.processed_rows + 1),
            accepted=tx.num(job.accepted),
            duplicates=tx.num(job.duplicates),
            rejected=tx.num(job.rejected_count),
            remaining=tx.num(max(0, job.total_rows - job.processed_rows)),
        )
    EventImport.objects.filter(pk=job.pk).update(
        status=status, message=tx.english(message), texts=tx.specs(message=message), finished_at=timezone.now()
    )
