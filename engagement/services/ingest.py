"""Event ingestion: validate each row, resolve its account and contact, write the good rows in one transaction.

A batch never half-writes: the good rows commit together (with the summary of what they add to the day
counts, a ``PendingBatch``) or not at all, and a bad row is reported by index without blocking the others.
Replaying any batch adds nothing (idempotent on ``(workspace, source, external_id)``). One scoring task per
batch is enqueued after commit for the accounts that received new events; it folds the batch into the day
counts and score components, then rescores those accounts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from abe.models import Workspace
from abe.tasks import enqueue_on_commit
from accounts.models import Account, Contact
from accounts.normalise import normalise_domain, normalise_email
from accounts.services import contact_create
from content.models import ContentAsset

from ..models import Channel, EventType, TriggerKind
from . import store

MAX_BATCH = 5000
MAX_METADATA_BYTES = 8192
FUTURE_TOLERANCE = timedelta(days=1)
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
}
EVENT_TYPES = frozenset(EventType.values)
CHANNELS = frozenset(Channel.values)
TRIGGER_KINDS = frozenset(TriggerKind.values)


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    account_ids: list[int] = field(default_factory=list)
    contacts_created: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


@dataclass
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


def _text(raw: Mapping[str, Any], name: str, errors: dict[str, Any], *, max_length: int, required: bool = False) -> str:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            errors[name] = ["This field is required."]
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors[name] = ["Must be a string."]
        return ""
    text = str(value).strip()
    if "\x00" in text:  # PostgreSQL text cannot hold NUL: a field error, not a failed batch
        errors[name] = ["Contains a NUL character."]
        return ""
    if required and not text:
        errors[name] = ["This field is required."]
    elif len(text) > max_length:
        errors[name] = [f"At most {max_length} characters."]
    return text


def _int(raw: Mapping[str, Any], name: str, errors: dict[str, Any]) -> int | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors[name] = ["Must be an integer id."]
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = ["Must be an integer id."]
        return None
    if number <= 0 or number > 2**62:
        errors[name] = ["Must be a positive integer id."]
        return None
    return number


def parse_time(value: Any) -> datetime:
    """ISO 8601; a time without an offset is taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Give an ISO 8601 date-time, e.g. 2026-05-01T09:30:00Z.")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("Give an ISO 8601 date-time, e.g. 2026-05-01T09:30:00Z.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def event_clean(raw: Any, index: int, *, now: datetime) -> tuple[_Clean | None, dict[str, list[str]]]:
    """Check one incoming event's fields (no database access); return it cleaned, or its field errors."""
    if not isinstance(raw, Mapping):
        return None, {"non_field_errors": ["Each event must be a JSON object."]}
    errors: dict[str, list[str]] = {}
    unknown = sorted(raw.keys() - FIELDS)
    if unknown:
        errors["non_field_errors"] = [f"Unknown field(s): {', '.join(map(str, unknown))}."]
    source = _text(raw, "source", errors, max_length=64, required=True)
    external_id = _text(raw, "external_id", errors, max_length=128, required=True)
    event_type = raw.get("type")
    if event_type not in EVENT_TYPES:
        errors["type"] = [f"Choose one of: {', '.join(sorted(EVENT_TYPES))}."]
    occurred_at = None
    try:
        occurred_at = parse_time(raw.get("occurred_at"))
        if occurred_at > now + FUTURE_TOLERANCE:
            errors["occurred_at"] = ["Lies more than a day in the future."]
    except ValueError as exc:
        errors["occurred_at"] = [str(exc)]
    account_id = _int(raw, "account_id", errors)
    account_domain = ""
    if raw.get("account_domain"):
        account_domain = normalise_domain(str(raw.get("account_domain")))
        if not account_domain:
            errors["account_domain"] = ["Not a domain name (e.g. example.com)."]
    contact_email = normalise_email(_text(raw, "contact_email", errors, max_length=254))
    if contact_email and ("@" not in contact_email or " " in contact_email):
        errors["contact_email"] = ["Not an email address."]
    contact_external_id = _text(raw, "contact_external_id", errors, max_length=64)
    channel = raw.get("channel") or ""
    if channel not in CHANNELS and channel != "":
        errors["channel"] = [f"Choose one of: {', '.join(sorted(CHANNELS))}."]
    content_asset_id = _int(raw, "content_asset_id", errors)
    metadata = raw.get("metadata")
    if metadata is None:
        metadata = {}
    metadata_json = "{}"
    if metadata and isinstance(metadata, dict):
        metadata_json = json.dumps(metadata, separators=(",", ":"), default=str)
    if not isinstance(metadata, dict):
        errors["metadata"] = ["Must be a JSON object."]
    elif "\\u0000" in metadata_json:
        errors["metadata"] = ["Contains a NUL character (\\u0000), which cannot be stored."]
    elif len(metadata_json) > MAX_METADATA_BYTES:
        errors["metadata"] = [f"At most {MAX_METADATA_BYTES} bytes of JSON."]
    elif event_type == EventType.TRIGGER_EVENT and metadata.get("kind") not in TRIGGER_KINDS:
        errors["metadata"] = [f"A trigger event needs metadata.kind, one of: {', '.join(sorted(TRIGGER_KINDS))}."]
    if not (account_id or account_domain or contact_email or contact_external_id):
        errors.setdefault("account_id", ["Give account_id, account_domain, contact_email or contact_external_id."])
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
    ), {}


@dataclass
class _Directory:
    """The accounts, contacts and assets a batch refers to, fetched with one query per kind."""

    account_ids: set[int]
    account_by_domain: dict[str, int]
    contact_by_email: dict[str, tuple[int, int]]
    contact_by_external_id: dict[str, tuple[int, int]]
    asset_ids: set[int]


def _directory(workspace: Workspace, rows: Sequence[_Clean]) -> _Directory:
    ids = {r.account_id for r in rows if r.account_id}
    emails = {r.contact_email for r in rows if r.contact_email}
    domains = {r.account_domain for r in rows if r.account_domain}
    domains |= {e.rsplit("@", 1)[1] for e in emails}
    contact_ids = {r.contact_external_id for r in rows if r.contact_external_id}
    assets = {r.content_asset_id for r in rows if r.content_asset_id}
    accounts = Account.objects.for_workspace(workspace)
    contacts = Contact.objects.for_workspace(workspace)
    return _Directory(
        account_ids=set(accounts.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set(),
        account_by_domain=dict(accounts.filter(domain__in=domains).values_list("domain", "pk")) if domains else {},
        contact_by_email=(
            {e: (pk, a) for e, pk, a in contacts.filter(email__in=emails).values_list("email", "pk", "account_id")}
            if emails
            else {}
        ),
        contact_by_external_id=(
            {
                x: (pk, a)
                for x, pk, a in contacts.filter(external_id__in=contact_ids).values_list(
                    "external_id", "pk", "account_id"
                )
            }
            if contact_ids
            else {}
        ),
        asset_ids=(
            set(ContentAsset.objects.for_workspace(workspace).filter(pk__in=assets).values_list("pk", flat=True))
            if assets
            else set()
        ),
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
            errors["account_id"] = ["No account with this id in this workspace."]
    elif row.account_domain:
        account_id = d.account_by_domain.get(row.account_domain)
        if account_id is None:
            errors["account_domain"] = ["No account with this domain in this workspace."]
    contact = None
    to_create = ""
    if row.contact_email:
        contact = d.contact_by_email.get(row.contact_email)
    if contact is None and row.contact_external_id:
        contact = d.contact_by_external_id.get(row.contact_external_id)
    if contact is not None:
        if account_id is not None and contact[1] != account_id:
            errors["contact_email" if row.contact_email else "contact_external_id"] = [
                "This contact belongs to another account."
            ]
        account_id = account_id or contact[1]
    elif row.contact_email:
        account_id = account_id or d.account_by_domain.get(row.contact_email.rsplit("@", 1)[1])
        if not create_contacts:
            errors["contact_email"] = ["No contact with this email (creating contacts is off in this workspace)."]
        elif account_id is None and not errors:
            errors["contact_email"] = ["No contact with this email and no account with its domain."]
        else:
            to_create = row.contact_email
    elif row.contact_external_id:
        errors["contact_external_id"] = ["No contact with this external id in this workspace."]
    if row.content_asset_id and row.content_asset_id not in d.asset_ids:
        errors["content_asset_id"] = ["No content asset with this id in this workspace."]
    if account_id is None and not errors:
        errors["account_id"] = ["Could not tell which account this event belongs to."]
    return account_id, (contact[0] if contact else None), to_create, errors


def events_ingest(
    *, workspace: Workspace, events: Sequence[Any], by: User | None = None, now: datetime | None = None
) -> IngestResult:
    """Ingest up to ``MAX_BATCH`` events; bad rows are reported by index and the good ones committed."""
    if len(events) > MAX_BATCH:
        raise ValidationError({"events": f"At most {MAX_BATCH} events per batch; split it."})
    now = now or timezone.now()
    result = IngestResult()
    clean: list[_Clean] = []
    for index, raw in enumerate(events):
        row, errors = event_clean(raw, index, now=now)
        if errors or row is None:
            result.rejected.append({"index": index, "errors": errors})
        else:
            clean.append(row)
    with transaction.atomic():
        config = store.config_lock(workspace=workspace, exclusive=False)
        directory = _directory(workspace, clean)
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
        inserted = store.events_insert(workspace=workspace, rows=rows)
        result.accepted = len(inserted)
        result.duplicates += len(rows) - len(inserted)
        # Day counts and components are folded in by the batch's scoring task (one row here, not thousands).
        store.pending_add(workspace=workspace, deltas=store.day_deltas(inserted))
        result.account_ids = sorted({r.account_id for r in inserted})
        if result.account_ids:
            _enqueue_scoring(workspace.pk, result.account_ids)
    result.rejected.sort(key=lambda r: r["index"])
    return result


def _contacts_create(
    workspace: Workspace, by: User | None, resolved: list[tuple[_Clean, int, int | None, str]]
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Create the unknown contacts at known accounts (rare: usually none), through the accounts service."""
    wanted: dict[str, int] = {}
    for _, account_id, _, email in resolved:
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

    # After commit: the worker must see the rows this batch wrote.
    enqueue_on_commit(engagement_score_accounts_task, workspace_id, account_ids)
