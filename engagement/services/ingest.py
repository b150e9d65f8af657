"""Event ingestion: validate each row, resolve its account and contact, write the good rows in one transaction.

A batch never half-writes: the good rows commit together (with the summary of what they add to the day
counts, a ``PendingBatch``) or not at all, and a bad row is reported by index without blocking the others.
Replaying any batch adds nothing (idempotent on ``(workspace, source, external_id)``). One scoring task per
batch is enqueued after commit for the accounts that received new events; it folds the batch into the day
counts and score components, then rescores those accounts.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from kombu.exceptions import OperationalError as KombuOperationalError

from abe import locks
from abe.bulk import pg_array
from abe.db import foreign_key_violation
from abe.gcpause import gc_paused
from abe.models import Workspace
from abe.tasks import enqueue_on_commit
from accounts.models import Account, Contact
from accounts.normalise import normalise_domain, normalise_email
from accounts.services import contact_create
from content.models import ContentAsset

from ..models import Channel, EventType, TriggerKind
from . import store

MAX_BATCH = 5000
#: Tries of a batch whose lookups a concurrent delete made stale (then the integrity error, a 409, is raised).
RACE_ATTEMPTS = 3
MAX_METADATA_BYTES = 8192
MAX_METADATA_DEPTH = 16
FIELDS = {
    "source",
    "external_id",
    "type",
    "occurred_at",
    "account_id",
    "account_domain",
    "contact_email",
    "contact_external_id",
    "channel",
    "content_asset_id",
    "metadata",
    "content_asset_url",
}
# Outbound touches are the team's own actions (logged by content: outreach sent, play steps), not engagement.
EVENT_TYPES = frozenset(EventType.values) - {EventType.OUTBOUND_TOUCH}
CHANNELS = frozenset(Channel.values)
TRIGGER_KINDS = frozenset(TriggerKind.values)
logger = logging.getLogger(__name__)
PUBLISH_ERRORS = (KombuOperationalError, ConnectionError, OSError)

# A rejected event's reasons, in the language of the request (the API's ``rejected``). A CSV upload stores them in
# English (its worker has no reader; ``engagement.services.csv_import``), and its report reads them back in the
# reader's language (``error_text``).
REQUIRED = gettext_noop("This field is required.")
NOT_STRING = gettext_noop("Must be a string.")
NUL = gettext_noop("Contains a NUL character.")
NUL_STORED = gettext_noop("Contains a NUL character (\\u0000), which cannot be stored.")
SURROGATE = gettext_noop("Contains an invalid Unicode character (a lone surrogate).")
NAN = gettext_noop("Contains NaN or Infinity, which JSON cannot hold.")
NESTED = gettext_noop("Nested more than %(levels)s levels deep.")
TOO_LONG = gettext_noop("At most %(max)s characters.")
NOT_ID = gettext_noop("Must be an integer id.")
NOT_POSITIVE_ID = gettext_noop("Must be a positive integer id.")
NOT_TIME = gettext_noop("Give an ISO 8601 date-time, e.g. 2026-05-01T09:30:00Z.")
NOT_OBJECT = gettext_noop("Each event must be a JSON object.")
UNKNOWN_FIELDS = gettext_noop("Unknown field(s): %(names)s.")
CHOOSE = gettext_noop("Choose one of: %(values)s.")
FUTURE_DAY = gettext_noop("Lies more than a day in the future.")
FUTURE_HOURS = gettext_noop("Lies more than %(hours)s hours in the future.")
TOO_OLD = gettext_noop("Older than %(days)s days (before %(date)s): too old to score.")
NOT_DOMAIN = gettext_noop("Not a domain name (e.g. example.com).")
NOT_EMAIL = gettext_noop("Not an email address.")
NOT_JSON_OBJECT = gettext_noop("Must be a JSON object.")
TOO_MANY_BYTES = gettext_noop("At most %(max)s bytes of JSON.")
TRIGGER_KIND = gettext_noop("A trigger event needs metadata.kind, one of: %(values)s.")
NO_REFERENCE = gettext_noop("Give account_id, account_domain, contact_email or contact_external_id.")
NO_ACCOUNT_ID = gettext_noop("No account with this id in this workspace.")
NO_ACCOUNT_DOMAIN = gettext_noop("No account with this domain in this workspace.")
OTHER_ACCOUNT = gettext_noop("This contact belongs to another account.")
NO_CONTACT_CREATE_OFF = gettext_noop("No contact with this email (creating contacts is off in this workspace).")
NO_CONTACT_NO_ACCOUNT = gettext_noop("No contact with this email and no account with its domain.")
NO_CONTACT_EXTERNAL_ID = gettext_noop("No contact with this external id in this workspace.")
NO_ASSET_ID = gettext_noop("No content asset with this id in this workspace.")
NO_ASSET_URL = gettext_noop("No content asset with this URL in this workspace.")
NO_ACCOUNT = gettext_noop("Could not tell which account this event belongs to.")
METADATA_NOT_JSON = gettext_noop("metadata is not valid JSON (or is nested too deeply).")  # a CSV cell
ROW_ERRORS = [
    REQUIRED,
    NOT_STRING,
    NUL,
    NUL_STORED,
    SURROGATE,
    NAN,
    NESTED,
    TOO_LONG,
    NOT_ID,
    NOT_POSITIVE_ID,
    NOT_TIME,
    NOT_OBJECT,
    UNKNOWN_FIELDS,
    CHOOSE,
    FUTURE_DAY,
    FUTURE_HOURS,
    TOO_OLD,
    NOT_DOMAIN,
    NOT_EMAIL,
    NOT_JSON_OBJECT,
    TOO_MANY_BYTES,
    TRIGGER_KIND,
    NO_REFERENCE,
    NO_ACCOUNT_ID,
    NO_ACCOUNT_DOMAIN,
    OTHER_ACCOUNT,
    NO_CONTACT_CREATE_OFF,
    NO_CONTACT_NO_ACCOUNT,
    NO_CONTACT_EXTERNAL_ID,
    NO_ASSET_ID,
    NO_ASSET_URL,
    NO_ACCOUNT,
    METADATA_NOT_JSON,
]


def _error(message: str, **params: Any) -> str:
    """One of the messages above in the active language, with its values (only when an event is rejected)."""
    return gettext(message) % params if params else gettext(message)


@functools.cache
def _error_patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for message in ROW_ERRORS:
        parts = re.split(r"%\((\w+)\)s", message)  # text, name, text, name, ..., text
        regex = "".join(f"(?P<{part}>.*?)" if i % 2 else re.escape(part) for i, part in enumerate(parts))
        patterns.append((message, re.compile(regex, re.DOTALL)))
    return patterns


def error_text(stored: str) -> str:
    """A reason stored in English (an upload's report) in the reader's language; any other text as stored."""
    for message, pattern in _error_patterns():
        found = pattern.fullmatch(stored)
        if found:
            return _error(message, **found.groupdict())
    return stored


def event_time_window(now: datetime) -> tuple[datetime, datetime]:
    """The accepted ``occurred_at`` range at ``now`` (settings ``ABE_EVENT_MAX_AGE_DAYS``/``_MAX_FUTURE_HOURS``).

    Bounded on both sides so that the scoring maths (log-weights against a fixed reference time) stays in the
    range of a double and of PostgreSQL's float8 for every stored event.
    """
    return (
        now - timedelta(days=settings.ABE_EVENT_MAX_AGE_DAYS),
        now + timedelta(hours=settings.ABE_EVENT_MAX_FUTURE_HOURS),
    )


def _has_surrogate(text: str) -> bool:
    """A lone UTF-16 surrogate (``\\ud800``) cannot be encoded as UTF-8, so PostgreSQL cannot store it."""
    if text.isascii():  # the common case, decided without encoding the text
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_problem(value: Any) -> str:
    """Why a metadata value cannot be stored ("" if it can): too deep, NUL or a lone surrogate in a string.

    Iterative, so a hostile 1,000-level nesting is an error message and not a RecursionError.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_METADATA_DEPTH:
                return _error(NESTED, levels=MAX_METADATA_DEPTH)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, str):
            if "\x00" in item:
                return _error(NUL_STORED)
            if _has_surrogate(item):
                return _error(SURROGATE)
        elif isinstance(item, float) and (item != item or item in (float("inf"), float("-inf"))):
            return _error(NAN)
    return ""


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    account_ids: list[int] = field(default_factory=list)
    contacts_created: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


@dataclass(slots=True)
class _Clean:
    index: int
    source: str
    external_id: str
    type: str
    occurred_at: datetime
    account_id: int | None
    account_domain: str
    contact_email: str
    contact_external_id: str
    channel: str
    content_asset_id: int | None
    metadata: dict[str, Any]
    metadata_json: str
    content_asset_url: str = ""


def _text(raw: Mapping[str, Any], name: str, errors: dict[str, Any], *, max_length: int, required: bool = False) -> str:
    value = raw.get(name)
    if type(value) is str:  # the common case first: a short ASCII string without NUL
        text = value.strip()
        if text and len(text) <= max_length and text.isascii() and "\x00" not in text:
            return text
    if value is None or value == "":
        if required:
            errors[name] = [_error(REQUIRED)]
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors[name] = [_error(NOT_STRING)]
        return ""
    text = str(value).strip()
    if "\x00" in text:  # PostgreSQL text cannot hold NUL: a field error, not a failed batch
        errors[name] = [_error(NUL)]
        return ""
    if _has_surrogate(text):
        errors[name] = [_error(SURROGATE)]
        return ""
    if required and not text:
        errors[name] = [_error(REQUIRED)]
    elif len(text) > max_length:
        errors[name] = [_error(TOO_LONG, max=max_length)]
    return text


def _int(raw: Mapping[str, Any], name: str, errors: dict[str, Any]) -> int | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors[name] = [_error(NOT_ID)]
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = [_error(NOT_ID)]
        return None
    if number <= 0 or number > 2**62:
        errors[name] = [_error(NOT_POSITIVE_ID)]
        return None
    return number


def parse_time(value: Any) -> datetime:
    """ISO 8601; a time without an offset is taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_error(NOT_TIME))
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        # Year 0001 or 9999 with an offset falls outside datetime's range once moved to UTC.
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(_error(NOT_TIME)) from None


def event_clean(
    raw: Any, index: int, *, now: datetime, window: tuple[datetime, datetime] | None = None
) -> tuple[_Clean | None, dict[str, list[str]]]:
    """Check one incoming event's fields (no database access); return it cleaned, or its field errors.

    ``window`` is ``event_time_window(now)``, computed once per batch by the caller."""
    if type(raw) is not dict and not isinstance(raw, Mapping):  # a dict (parsed JSON) without the ABC's check
        return None, {"non_field_errors": [_error(NOT_OBJECT)]}
    errors: dict[str, list[str]] = {}
    unknown = () if raw.keys() <= FIELDS else sorted(raw.keys() - FIELDS)
    if unknown:
        names = ", ".join(str(k).encode("utf-8", "backslashreplace").decode() for k in unknown)
        errors["non_field_errors"] = [_error(UNKNOWN_FIELDS, names=names)]
    source = _text(raw, "source", errors, max_length=64, required=True)
    external_id = _text(raw, "external_id", errors, max_length=128, required=True)
    event_type = raw.get("type")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        errors["type"] = [_error(CHOOSE, values=", ".join(sorted(EVENT_TYPES)))]
    occurred_at = None
    try:
        occurred_at = parse_time(raw.get("occurred_at"))
        earliest, latest = window or event_time_window(now)
        if occurred_at > latest:
            hours = settings.ABE_EVENT_MAX_FUTURE_HOURS
            errors["occurred_at"] = [_error(FUTURE_DAY) if hours == 24 else _error(FUTURE_HOURS, hours=hours)]
        elif occurred_at < earliest:
            errors["occurred_at"] = [_error(TOO_OLD, days=settings.ABE_EVENT_MAX_AGE_DAYS, date=f"{earliest:%Y-%m-%d}")]
    except ValueError as exc:
        errors["occurred_at"] = [str(exc)]
    # Optional fields a batch usually leaves out are not read through their helper (a call each, per event).
    account_id = _int(raw, "account_id", errors) if "account_id" in raw else None
    account_domain = ""
    if raw.get("account_domain"):
        raw_domain = _text(raw, "account_domain", errors, max_length=253)
        account_domain = normalise_domain(raw_domain) if raw_domain else ""
        if not account_domain and "account_domain" not in errors:
            errors["account_domain"] = [_error(NOT_DOMAIN)]
    contact_email = normalise_email(_text(raw, "contact_email", errors, max_length=254))
    if contact_email and ("@" not in contact_email or " " in contact_email):
        errors["contact_email"] = [_error(NOT_EMAIL)]
    contact_external_id = (
        _text(raw, "contact_external_id", errors, max_length=64) if "contact_external_id" in raw else ""
    )
    channel = raw.get("channel") or ""
    if not isinstance(channel, str) or (channel not in CHANNELS and channel != ""):
        errors["channel"] = [_error(CHOOSE, values=", ".join(sorted(CHANNELS)))]
    content_asset_id = _int(raw, "content_asset_id", errors) if "content_asset_id" in raw else None
    content_asset_url = _text(raw, "content_asset_url", errors, max_length=500) if "content_asset_url" in raw else ""
    metadata = raw.get("metadata")
    if metadata is None:
        metadata = {}
    metadata_json = "{}"
    problem = _json_problem(metadata) if metadata and isinstance(metadata, dict) else ""
    if metadata and isinstance(metadata, dict) and not problem:
        metadata_json = json.dumps(metadata, separators=(",", ":"), default=str)
    if not isinstance(metadata, dict):
        errors["metadata"] = [_error(NOT_JSON_OBJECT)]
    elif problem:
        errors["metadata"] = [problem]
    elif len(metadata_json) > MAX_METADATA_BYTES:
        errors["metadata"] = [_error(TOO_MANY_BYTES, max=MAX_METADATA_BYTES)]
    elif event_type == EventType.TRIGGER_EVENT and metadata.get("kind") not in TRIGGER_KINDS:
        errors["metadata"] = [_error(TRIGGER_KIND, values=", ".join(sorted(TRIGGER_KINDS)))]
    if not (account_id or account_domain or contact_email or contact_external_id):
        errors.setdefault("account_id", [_error(NO_REFERENCE)])
    if errors:
        return None, errors
    assert event_type is not None and occurred_at is not None  # validated above
    return _Clean(
        index,
        source,
        external_id,
        event_type,
        occurred_at,
        account_id,
        account_domain,
        contact_email,
        contact_external_id,
        channel,
        content_asset_id,
        metadata,
        metadata_json,
        content_asset_url,
    ), {}


@dataclass
class _Directory:
    """The accounts, contacts and assets a batch refers to, fetched with one query per kind."""

    account_ids: set[int]
    account_by_domain: dict[str, int]
    contact_by_email: dict[str, tuple[int, int]]
    contact_by_external_id: dict[str, tuple[int, int]]
    asset_ids: set[int]
    asset_by_url: dict[str, int] = field(default_factory=dict)


def _url_variants(url: str) -> set[str]:
    bare = url.rstrip("/")
    return {url, bare, bare + "/"}


def _lookup(
    model: type[Any], workspace: Workspace, column: str, values: set[Any], names: Sequence[str], *, lock: bool = False
) -> list[Any]:
    """``names`` of the workspace's rows whose ``column`` is one of ``values``: one query. On PostgreSQL the values
    travel as one array parameter (``= ANY(%s)``) instead of thousands of ``IN`` placeholders, which Django would
    prepare one by one (a fifth of a 5,000-event batch's time before).

    ``lock`` (PostgreSQL): the rows found are also locked ``FOR KEY SHARE`` until the transaction ends, in id order
    (the order ``store._references_lock`` and deletes take them), so a delete of one waits for the batch."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        meta = model._meta
        qn = connection.ops.quote_name
        columns = ", ".join(qn(meta.get_field(n).column) for n in names)
        where = qn(meta.get_field(column).column)
        # Emails, domains and external ids are unique per workspace only where they are not blank (partial unique
        # indexes ``… WHERE col <> ''``); the planner uses such an index only when the query states the same
        # condition. Without it a batch read every contact (or account) of the workspace.
        blank_excluded = isinstance(meta.get_field(column), CharField)
        if blank_excluded:
            values = {v for v in values if v != ""}
        # The values as one array literal (``bulk.pg_array``), not psycopg2's ARRAY[…] of one constant each.
        array_type = "text" if blank_excluded else "bigint"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {qn(meta.db_table)} WHERE workspace_id = %s "
                f"AND {where} = ANY(%s::{array_type}[])"
                + (f" AND {where} <> ''" if blank_excluded else "")
                + (" ORDER BY id FOR KEY SHARE" if lock else ""),
                [workspace.pk, pg_array(values)],
            )
            rows = cursor.fetchall()
        return [row[0] for row in rows] if len(names) == 1 else rows
    queryset = model.objects.for_workspace(workspace).filter(**{f"{column}__in": values})
    if len(names) == 1:
        return list(queryset.values_list(names[0], flat=True))
    return list(queryset.values_list(*names))


def _directory(workspace: Workspace, rows: Sequence[_Clean], *, lock_contacts: bool = False) -> _Directory:
    """The batch's look-ups, one query per kind. ``lock_contacts``: the contacts found are locked as they are read
    (``_lookup``), so the batch's own lock statement need not read them again (``store._references_lock``)."""
    ids = {r.account_id for r in rows if r.account_id}
    emails = {r.contact_email for r in rows if r.contact_email}
    contact_by_email = {
        e: (pk, a)
        for e, pk, a in _lookup(Contact, workspace, "email", emails, ["email", "id", "account_id"], lock=lock_contacts)
    }
    # An email's domain names the account only for a contact not found (``_resolve``): usually none, so the
    # batch does not look up a domain per known contact (1,000 domains, ~30 ms of a 5,000-event batch).
    domains = {r.account_domain for r in rows if r.account_domain}
    domains |= {e.rsplit("@", 1)[1] for e in emails if e not in contact_by_email}
    contact_ids = {r.contact_external_id for r in rows if r.contact_external_id}
    assets = {r.content_asset_id for r in rows if r.content_asset_id}
    urls = set().union(*(_url_variants(r.content_asset_url) for r in rows if r.content_asset_url))
    return _Directory(
        account_ids=set(_lookup(Account, workspace, "id", ids, ["id"])),
        account_by_domain=dict(_lookup(Account, workspace, "domain", domains, ["domain", "id"])),
        contact_by_email=contact_by_email,
        contact_by_external_id={
            x: (pk, a)
            for x, pk, a in _lookup(
                Contact, workspace, "external_id", contact_ids, ["external_id", "id", "account_id"], lock=lock_contacts
            )
        },
        asset_ids=set(_lookup(ContentAsset, workspace, "id", assets, ["id"])),
        asset_by_url=dict(_lookup(ContentAsset, workspace, "url", urls, ["url", "id"])),
    )


def _resolve(
    row: _Clean, d: _Directory, *, create_contacts: bool
) -> tuple[int | None, int | None, str, dict[str, Any]]:
    """(account id, contact id, email of a contact to create or "", errors) for one clean row."""
    errors: dict[str, list[str]] = {}
    account_id = None
    if row.account_id:
        account_id = row.account_id if row.account_id in d.account_ids else None
        if account_id is None:
            errors["account_id"] = [_error(NO_ACCOUNT_ID)]
    elif row.account_domain:
        account_id = d.account_by_domain.get(row.account_domain)
        if account_id is None:
            errors["account_domain"] = [_error(NO_ACCOUNT_DOMAIN)]
    contact = None
    to_create = ""
    if row.contact_email:
        contact = d.contact_by_email.get(row.contact_email)
    if contact is None and row.contact_external_id:
        contact = d.contact_by_external_id.get(row.contact_external_id)
    if contact is not None:
        if account_id is not None and contact[1] != account_id:
            errors["contact_email" if row.contact_email else "contact_external_id"] = [_error(OTHER_ACCOUNT)]
        account_id = account_id or contact[1]
    elif row.contact_email:
        account_id = account_id or d.account_by_domain.get(row.contact_email.rsplit("@", 1)[1])
        if not create_contacts:
            errors["contact_email"] = [_error(NO_CONTACT_CREATE_OFF)]
        elif account_id is None and not errors:
            errors["contact_email"] = [_error(NO_CONTACT_NO_ACCOUNT)]
        else:
            to_create = row.contact_email
    elif row.contact_external_id:
        errors["contact_external_id"] = [_error(NO_CONTACT_EXTERNAL_ID)]
    if row.content_asset_id and row.content_asset_id not in d.asset_ids:
        errors["content_asset_id"] = [_error(NO_ASSET_ID)]
    elif not row.content_asset_id and row.content_asset_url:
        found = [d.asset_by_url[u] for u in _url_variants(row.content_asset_url) if u in d.asset_by_url]
        if found:
            row.content_asset_id = found[0]
        else:
            errors["content_asset_url"] = [_error(NO_ASSET_URL)]
    if account_id is None and not errors:
        errors["account_id"] = [_error(NO_ACCOUNT)]
    return account_id, (contact[0] if contact else None), to_create, errors


def events_ingest(
    *, workspace: Workspace, events: Sequence[Any], by: User | None = None, now: datetime | None = None
) -> IngestResult:
    """Ingest up to ``MAX_BATCH`` events; bad rows are reported by index and the good ones committed."""
    if len(events) > MAX_BATCH:
        raise ValidationError({"events": gettext("At most %(max)s events per batch; split it.") % {"max": MAX_BATCH}})
    with gc_paused():  # a bounded batch of acyclic rows: see abe/gcpause.py
        return _events_ingest(workspace=workspace, events=events, by=by, now=now or timezone.now())


def _events_ingest(*, workspace: Workspace, events: Sequence[Any], by: User | None, now: datetime) -> IngestResult:
    result = IngestResult()
    clean: list[_Clean] = []
    window = event_time_window(now)
    for index, raw in enumerate(events):
        row, errors = event_clean(raw, index, now=now, window=window)
        if errors or row is None:
            result.rejected.append({"index": index, "errors": errors})
        else:
            clean.append(row)
    invalid = list(result.rejected)
    for attempt in range(1, RACE_ATTEMPTS + 1):
        result = IngestResult(rejected=list(invalid))
        try:
            # A copy of each row ``_resolve`` may change (an asset found by its URL), so a retry resolves afresh.
            rows = [copy.copy(row) if row.content_asset_url else row for row in clean]
            _batch_write(workspace=workspace, clean=rows, by=by, result=result)
            break
        except IntegrityError as exc:
            # An account, contact or content asset deleted by another request after the lookup: look up again,
            # and its rows become row errors ("No account with this id...").
            if not foreign_key_violation(exc) or attempt == RACE_ATTEMPTS:
                raise
            logger.info("Events batch of workspace %s met a concurrent delete; looking up again", workspace.pk)
    result.rejected.sort(key=lambda r: r["index"])
    return result


def _batch_write(*, workspace: Workspace, clean: list[_Clean], by: User | None, result: IngestResult) -> None:
    """Resolve and write the clean rows in one transaction (a savepoint when nested), filling ``result``.

    On PostgreSQL a row whose account, contact or asset was deleted since the look-up raises ``IntegrityError``
    here (the savepoint rolls back alone), not at a later commit: ``store.ReferenceDeleted`` when the batch locks
    the rows its events name itself, or the deferred foreign-key checks, run before the block ends.
    """
    with transaction.atomic():
        # First: a delete through the services waits for the batch (and then deletes its events too), or goes
        # first and the batch no longer finds what it deleted (``abe.locks``; the lock order in ``store``).
        locks.account_references(workspace.pk, shared=True)
        config = store.config_lock(workspace=workspace, exclusive=False)
        # Where the batch writes its events without PostgreSQL's per-row checks (``store.events_insert``), it locks
        # the contacts it finds in the same query that finds them: no second read of ~5,000 contacts, and no moment
        # between the two in which one could be deleted. A contact this batch creates is its own until it commits.
        lock_contacts = connection.vendor == "postgresql" and store.checks_skippable()
        directory = _directory(workspace, clean, lock_contacts=lock_contacts)
        resolved: list[tuple[_Clean, int, int | None, str]] = []
        for row in clean:
            account_id, contact_id, to_create, errors = _resolve(
                row, directory, create_contacts=config.create_unknown_contacts
            )
            if errors or account_id is None:
                result.rejected.append({"index": row.index, "errors": errors})
            else:
                resolved.append((row, account_id, contact_id, to_create))
        created, failed = _contacts_create(workspace, by, resolved)
        result.contacts_created = len(created)
        rows, seen = [], set()
        for row, account_id, contact_id, to_create in resolved:
            if to_create in failed:
                result.rejected.append({"index": row.index, "errors": {"contact_email": failed[to_create]}})
                continue
            key = (row.source, row.external_id)
            if key in seen:  # the same event twice in one batch is a duplicate, like a replay
                result.duplicates += 1
                continue
            seen.add(key)
            rows.append(
                store.EventRow(
                    account_id,
                    contact_id or created.get(to_create),
                    row.type,
                    row.channel,
                    row.content_asset_id,
                    row.occurred_at,
                    row.source,
                    row.external_id,
                    row.metadata,
                    row.metadata_json,
                )
            )
        inserted = store.events_insert(workspace=workspace, rows=rows, contacts_locked=lock_contacts)
        result.accepted = len(inserted)
        result.duplicates += len(rows) - len(inserted)
        # Day counts and components are folded in by the batch's scoring task (one row here, not thousands).
        store.pending_add(workspace=workspace, rows=inserted)
        result.account_ids = sorted({r.account_id for r in inserted})
        if result.account_ids:
            _enqueue_scoring(workspace.pk, result.account_ids)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks deferred to commit, run now
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default (INITIALLY DEFERRED) again


def _contacts_create(
    workspace: Workspace, by: User | None, resolved: list[tuple[_Clean, int, int | None, str]]
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Create the unknown contacts at known accounts (rare: usually none), through the accounts service."""
    if not any(email for _, _, _, email in resolved):
        return {}, {}  # the rule: every contact known
    wanted: dict[str, int] = {}
    # Created in account order: each insert key-share-locks its account (see the lock order in ``store``).
    for _, account_id, _, email in sorted(resolved, key=lambda r: (r[1], r[3])):
        if email and email not in wanted:
            wanted[email] = account_id
    created: dict[str, int] = {}
    failed: dict[str, list[str]] = {}
    accounts = Account.objects.for_workspace(workspace).in_bulk(set(wanted.values()))
    for email, account_id in wanted.items():
        try:
            created[email] = contact_create(workspace=workspace, by=by, account=accounts[account_id], email=email).pk
        except ValidationError as exc:
            failed[email] = exc.messages
    return created, failed


def _enqueue_scoring(workspace_id: int, account_ids: list[int]) -> None:
    from ..tasks import engagement_score_accounts_task

    # After commit: the worker must see the rows this batch wrote. A SweptTask: with the broker down the publish
    # failure is logged, the events and their PendingBatch are saved, and the pending sweep scores them later.
    enqueue_on_commit(engagement_score_accounts_task, workspace_id, account_ids)
