"""Set-based writes of events, day counts and score components: one statement per batch and table (on PostgreSQL
one statement folds pending batches into both day counts and components).

Ingestion writes the events and one ``PendingBatch`` (the batch's day-count increments); the batch's scoring
task folds pending batches into the day counts and components (``pending_apply``), deleting each batch row in
the same transaction, so every batch counts exactly once whatever the order or the retries.

Lock order, kept by every writer so that concurrent batches cannot deadlock:
0. an event batch, scoring pass, recompute or recompute step: the workspace's account-references advisory lock,
   shared (``abe.locks``; deleting an account or contact takes it exclusively, before any row);
1. the workspace's ``EngagementConfig`` row (ingestion and ``pending_apply``: ``FOR SHARE``; full recompute:
   ``FOR UPDATE``, so a recompute sees every committed batch and no batch commits in the middle of it);
2. event rows (the unique index on ``(workspace, source, external_id)`` makes a concurrent duplicate wait);
3. ``PendingBatch`` rows (``SKIP LOCKED``, in id order: two workers take different batches);
4. ``EngagementDay`` rows, then ``ScoreComponent`` rows, each in key order.

Account rows: event inserts take ``FOR KEY SHARE`` on them (``_references_lock``, or the foreign keys' checks) in
account-id order; the scoring pass takes ``FOR NO KEY UPDATE`` (which does not conflict with it) in id order.

On PostgreSQL the day counts and components are additive upserts (``count = count + EXCLUDED.count``,
``log_sum = logaddexp(log_sum, EXCLUDED.log_sum)``), so concurrent batches never lose an increment; the fold is
one statement that reads the batches' JSON where it lies (``_FOLD_SQL``). SQLite (the embedded default, one
writer at a time) reads, adds and writes back in Python.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import orjson
from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from abe import bulk
from abe.db import checks_left_out, checks_skippable, key_share_count
from abe.models import Workspace
from accounts.models import Account
from content.models import ContentAsset

from ..models import EngagementConfig, EngagementDay, EngagementEvent, PendingBatch, ScoreComponent, contact_key
from ..rules import LN2, REFERENCE, REFERENCE_DAY, ScoringRules, day_of, log_add

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class EventRow:
    """One validated, resolved event ready to be written (not frozen: a frozen dataclass sets each field through
    ``object.__setattr__``, ~8 ms more for a 5,000-event batch)."""

    account_id: int
    contact_id: int | None
    type: str
    channel: str
    content_asset_id: int | None
    occurred_at: datetime
    source: str
    external_id: str
    metadata: dict[str, Any]
    metadata_json: str = ""  # the metadata as JSON text, when the caller has it already


@dataclass(slots=True)
class DayDelta:
    account_id: int
    contact_id: int | None
    type: str
    day: date
    added: int
    last_at: datetime


def config_lock(*, workspace: Workspace, exclusive: bool) -> EngagementConfig:
    """Take the workspace's scoring lock (see the lock order above) and return its configuration."""
    config, _ = EngagementConfig.objects.get_or_create(workspace=workspace)
    if connection.vendor == "postgresql":
        mode = "UPDATE" if exclusive else "SHARE"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM engagement_engagementconfig WHERE id = %s FOR {mode}", [config.pk])
        config.refresh_from_db()
    return config


def events_insert(*, workspace: Workspace, rows: Sequence[EventRow], contacts_locked: bool = False) -> list[EventRow]:
    """Insert the rows whose ``(source, external_id)`` is new; return exactly those (duplicates are skipped).

    ``contacts_locked``: the caller holds ``FOR KEY SHARE`` on every contact the rows name (it locked them as it
    looked them up, or created them in this transaction). Only then may the rows skip PostgreSQL's per-row checks
    (``_events_insert_postgresql``); the accounts and assets are locked here."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _events_insert_postgresql(workspace, rows, contacts_locked)
    existing = set(
        EngagementEvent.objects.for_workspace(workspace)
        .filter(external_id__in={r.external_id for r in rows})
        .values_list("source", "external_id")
    )
    fresh = [r for r in rows if (r.source, r.external_id) not in existing]
    EngagementEvent.objects.bulk_create(
        [
            EngagementEvent(
                workspace=workspace,
                account_id=r.account_id,
                contact_id=r.contact_id,
                type=r.type,
                channel=r.channel,
                content_asset_id=r.content_asset_id,
                occurred_at=r.occurred_at,
                source=r.source,
                external_id=r.external_id,
                metadata=r.metadata,
            )
            for r in fresh
        ],
        batch_size=1000,
    )
    return fresh


class ReferenceDeleted(IntegrityError):
    """An account, contact or content asset a batch resolved was deleted before the batch locked it: the caller
    looks everything up again, as after PostgreSQL's foreign-key violation, whose SQLSTATE it carries (so the API
    answers it as one: ``abe.db.foreign_key_violation``)."""

    sqlstate = "23503"


def _references_lock(rows: Sequence[EventRow]) -> str:
    """Take ``FOR KEY SHARE`` on every account and content asset the rows name, set-based in one statement, in id
    order: with the contacts the caller locked as it found them, the row locks PostgreSQL's foreign-key checks
    would take one event at a time (three queries per event). Held until commit, they keep any delete of those
    rows (through the services, the ORM, the admin or raw SQL) waiting until the events are committed, when the
    delete's own check or cascade sees them. A row deleted since the batch looked it up is not returned:
    ``ReferenceDeleted``. Returns the connection's ``session_replication_role``, read in the same statement.

    Contacts before accounts (the caller's look-up came first): a delete of an account removes its contacts first,
    so it never holds an account this waits for while waiting for a contact this holds."""
    wanted = (
        (Account, {r.account_id for r in rows}),
        (ContentAsset, {r.content_asset_id for r in rows if r.content_asset_id is not None}),
    )
    counts = ", ".join(key_share_count(model._meta.db_table) for model, _ in wanted)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT current_setting('session_replication_role'), {counts}", [bulk.pg_array(ids) for _, ids in wanted]
        )
        role, *found = cursor.fetchone()
    for (model, ids), count in zip(wanted, found, strict=True):
        if count != len(ids):
            raise ReferenceDeleted(f"foreign key: a {model._meta.model_name} of the batch was deleted meanwhile")
    return str(role)


def _events_insert_postgresql(workspace: Workspace, rows: Sequence[EventRow], contacts_locked: bool) -> list[EventRow]:
    # COPY (or, when a key exists, a temporary table and one INSERT ... ON CONFLICT DO NOTHING RETURNING): the
    # rows that were new come back, so counts stay exact and a replayed batch inserts nothing.
    #
    # The foreign keys' checks: where the connection may (``checks_skippable``), inside a transaction, and the
    # caller locked the contacts, the batch locks the accounts and assets too (``_references_lock``) and writes the
    # events with ``session_replication_role = replica``, which leaves out the per-row checks (the events table has
    # no other trigger). The constraints stay in the schema for every other writer. Otherwise PostgreSQL checks each
    # event at the end of the batch. Either way rows go in account order, so concurrent batches lock accounts in the
    # same (pk) order as the scoring pass and cannot deadlock on them.
    rows = sorted(rows, key=lambda r: (r.account_id, r.contact_id or 0))
    if not (contacts_locked and connection.in_atomic_block and checks_skippable()):
        return _events_copy(workspace, rows)
    with checks_left_out(_references_lock(rows)):  # a failed copy rolls the setting back with the savepoint
        return _events_copy(workspace, rows)


def _events_copy(workspace: Workspace, rows: list[EventRow]) -> list[EventRow]:
    ws = workspace.pk
    # Column by column, straight from the rows (no tuple per row to take apart again).
    inserted = set(
        bulk.columns_insert_new(
            EngagementEvent,
            [
                "workspace_id",
                "account_id",
                "contact_id",
                "type",
                "channel",
                "content_asset_id",
                "occurred_at",
                "source",
                "external_id",
                "metadata",
            ],
            [
                [ws] * len(rows),
                [r.account_id for r in rows],
                [r.contact_id for r in rows],
                [r.type for r in rows],
                [r.channel for r in rows],
                [r.content_asset_id for r in rows],
                [r.occurred_at for r in rows],
                [r.source for r in rows],
                [r.external_id for r in rows],
                [bulk.Serialized(r.metadata_json or json.dumps(r.metadata, separators=(",", ":"))) for r in rows],
            ],
            conflict=["workspace", "source", "external_id"],
            returning=["source", "external_id"],
        )
    )
    if len(inserted) == len(rows):  # every key was new (keys are unique within a batch)
        return rows
    return [r for r in rows if (r.source, r.external_id) in inserted]


def pending_add(*, workspace: Workspace, rows: Iterable[EventRow]) -> None:
    """Record what new events add to the day counts, for the batch's scoring task to fold in: one row per batch.

    The events grouped by (account, contact, type, UTC day): ``[account, contact, type, day, events, last at]``
    each, in no particular order (the fold merges and orders them). One list per group, no object per event."""
    grouped: dict[tuple[Any, ...], list[Any]] = {}
    for r in rows:
        day = day_of(r.occurred_at)
        key = (r.account_id, r.contact_id, r.type, day)
        entry = grouped.get(key)
        if entry is None:
            grouped[key] = [r.account_id, r.contact_id, r.type, day, 1, r.occurred_at]
        else:
            entry[4] += 1
            if r.occurred_at > entry[5]:
                entry[5] = r.occurred_at
    if grouped:
        # orjson writes the lists as they are, dates and datetimes as ISO 8601 (what ``isoformat`` gives), in one
        # call: a 5,000-event batch's ~5,000 groups took 8.7 ms to format with ``isoformat`` and encode with the
        # standard library, 0.7 ms this way (docs/performance.md, "Every goal on the twenty-ninth session's
        # machine"). The text goes in as it is, not decoded and encoded again by the field.
        text = orjson.dumps(list(grouped.values())).decode()
        PendingBatch.objects.create(
            workspace=workspace, deltas=RawSQL("%s::jsonb" if connection.vendor == "postgresql" else "%s", [text])
        )


def pending_apply(*, workspace: Workspace, now: datetime | None = None) -> int:
    """Fold the workspace's pending batches into day counts and components; returns how many were folded.

    All due batches are folded together; if that fails, each one is folded on its own (a savepoint each), so a
    failing batch is set aside (retried later with backoff, quarantined after ``ABE_SCORING_BATCH_MAX_ATTEMPTS``)
    and never blocks the batches after it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        config = config_lock(workspace=workspace, exclusive=False)
        claimed = list(
            PendingBatch.objects.for_workspace(workspace)
            .filter(quarantined_at__isnull=True)
            .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not claimed:
            return 0
        rules = ScoringRules.from_config(config)
        folded: list[int] = []
        try:
            with transaction.atomic():
                batches_fold(workspace=workspace, rules=rules, batch_ids=claimed)
            folded = claimed
        except BATCH_ERRORS:
            logger.warning("Scoring batches of workspace %s failed together; folding them one by one", workspace.pk)
            for pk in claimed:
                try:
                    with transaction.atomic():
                        batches_fold(workspace=workspace, rules=rules, batch_ids=[pk])
                    folded.append(pk)
                except BATCH_ERRORS as exc:
                    _batch_failed(pk=pk, error=exc, now=now)
        PendingBatch.objects.filter(pk__in=folded).delete()
        return len(folded)


def pending_drop_range(*, workspace: Workspace, account_range: AccountRange) -> int:
    """Drop the pending increments of the accounts in ``account_range`` (a stepped recompute is about to recount
    them from the events, which hold every committed batch); a batch left empty is deleted. Call it holding the
    scoring lock exclusively (no batch commits or folds meanwhile). Returns how many batches changed."""
    after, upto = account_range
    changed = 0
    for batch in PendingBatch.objects.for_workspace(workspace).order_by("pk"):
        kept = [row for row in batch.deltas if not (row[0] > after and (upto is None or row[0] <= upto))]
        if len(kept) == len(batch.deltas):
            continue
        changed += 1
        if kept:
            batch.deltas = kept
            batch.save(update_fields=["deltas"])
        else:
            batch.delete()
    return changed


# What folding a batch can raise on bad data; anything else (a lost connection) fails the whole task, to retry.
BATCH_ERRORS = (DataError, IntegrityError, ValueError, TypeError, KeyError, ArithmeticError)


def _batch_failed(*, pk: int, error: Exception, now: datetime) -> None:
    batch = PendingBatch.objects.get(pk=pk)
    batch.attempts += 1
    batch.last_error = f"{type(error).__name__}: {error}"[:2000]
    if batch.attempts >= settings.ABE_SCORING_BATCH_MAX_ATTEMPTS:
        batch.quarantined_at, batch.retry_at = now, None
        logger.error("Scoring batch %s quarantined after %s attempts: %s", pk, batch.attempts, batch.last_error)
    else:
        batch.retry_at = now + timedelta(minutes=2**batch.attempts)  # 2, 4, 8, 16 minutes
        logger.warning("Scoring batch %s failed (attempt %s): %s", pk, batch.attempts, batch.last_error)
    batch.save(update_fields=["attempts", "last_error", "retry_at", "quarantined_at"])


def batches_fold(*, workspace: Workspace, rules: ScoringRules, batch_ids: Sequence[int]) -> None:
    """Add these pending batches to the day counts and score components (the caller deletes the batch rows).

    On PostgreSQL one statement does it where the batches lie (``_fold_postgresql``); elsewhere Python merges
    the batches' deltas, upserts the day counts, and adds what they change to the components."""
    if connection.vendor == "postgresql":
        _fold_postgresql(workspace=workspace, rules=rules, batch_ids=batch_ids)
        return
    batches = PendingBatch.objects.filter(pk__in=list(batch_ids)).order_by("pk").values_list("deltas", flat=True)
    merged: dict[tuple[Any, ...], DayDelta] = {}
    for batch in batches:
        for account_id, contact_id, event_type, day, added, last_at in batch:
            key = (account_id, contact_key(contact_id), event_type, date.fromisoformat(day))
            moment = datetime.fromisoformat(last_at)
            delta = merged.get(key)
            if delta is None:
                merged[key] = DayDelta(account_id, contact_id, event_type, key[3], added, moment)
            else:
                delta.added += added
                delta.last_at = max(delta.last_at, moment)
    days = days_add(workspace=workspace, deltas=[merged[k] for k in sorted(merged)])
    components_add(workspace=workspace, deltas=component_deltas(rules=rules, days=days))


# The fold in one statement: the batches' deltas expanded from their JSON, merged per day bucket, added to the
# day counts (``RETURNING`` each bucket's count after), turned into the log-terms the increase adds under the
# daily cap, summed per component as a log-sum-exp, and added to the components. The same maths as
# ``days_add`` + ``component_deltas`` + ``components_add`` (the Python path of ``batches_fold``, for other databases),
# without carrying ~9,000 rows of a 5,000-event batch to Python and back twice.
_FOLD_SQL = """
WITH rule (t, cap, half_life) AS (
    SELECT * FROM unnest(%(types)s::text[], %(caps)s::int[], %(half_lives)s::float8[])
), delta AS (
    SELECT (e ->> 0)::bigint AS a, (e ->> 1)::bigint AS c, e ->> 2 AS t, (e ->> 3)::date AS d,
           (e ->> 4)::int AS n, (e ->> 5)::timestamptz AS l
    FROM engagement_pendingbatch b CROSS JOIN LATERAL jsonb_array_elements(b.deltas) AS e
    WHERE b.id = ANY(%(batches)s::bigint[]) AND b.workspace_id = %(ws)s
), merged AS (
    SELECT a, c, COALESCE(c, 0) AS k, t, d, SUM(n)::int AS n, MAX(l) AS l FROM delta GROUP BY a, c, t, d
), counted AS (
    INSERT INTO engagement_engagementday AS x
        (workspace_id, account_id, contact_id, contact_key, type, day, count, last_at)
    SELECT %(ws)s, a, c, k, t, d, n, l FROM merged ORDER BY a, k, t, d
    ON CONFLICT (account_id, contact_key, type, day, workspace_id)
    DO UPDATE SET count = x.count + EXCLUDED.count, last_at = GREATEST(x.last_at, EXCLUDED.last_at)
    RETURNING account_id, contact_key, type, day, count
), term AS (
    SELECT m.a, m.c, m.k, m.t, m.n, m.l,
           CASE WHEN LEAST(x.count, r.cap) > LEAST(x.count - m.n, r.cap)
                THEN LN((LEAST(x.count, r.cap) - LEAST(x.count - m.n, r.cap))::float8)
                     + %(ln2)s::float8 * (m.d - %(reference)s::date) / r.half_life
           END AS v
    FROM merged m
    JOIN counted x ON x.account_id = m.a AND x.contact_key = m.k AND x.type = m.t AND x.day = m.d
    JOIN rule r ON r.t = m.t
), peak AS (
    SELECT term.*, MAX(v) OVER (PARTITION BY a, k, t) AS hi FROM term
), component AS (
    -- ln Σ e^v = hi + ln Σ e^(v − hi); a term more than 700 below the largest adds nothing a double holds (and
    -- PostgreSQL's EXP raises on underflow where Python's returns 0), so it is left out.
    SELECT a, MIN(c) AS c, k, t, SUM(n)::int AS n, MAX(l) AS l,
           CASE WHEN MAX(hi) IS NOT NULL THEN MAX(hi) + LN(SUM(CASE WHEN v - hi >= -700 THEN EXP(v - hi) ELSE 0 END))
           END AS ls
    FROM peak GROUP BY a, k, t
), added AS (
    INSERT INTO engagement_scorecomponent AS s
        (workspace_id, account_id, contact_id, contact_key, type, log_sum, events, last_at)
    SELECT %(ws)s, a, c, k, t, ls, n, l FROM component ORDER BY a, k, t
    ON CONFLICT (account_id, contact_key, type, workspace_id) DO UPDATE SET
        log_sum = CASE
            WHEN EXCLUDED.log_sum IS NULL THEN s.log_sum
            WHEN s.log_sum IS NULL THEN EXCLUDED.log_sum
            WHEN LEAST(s.log_sum, EXCLUDED.log_sum) - GREATEST(s.log_sum, EXCLUDED.log_sum) < -700
                THEN GREATEST(s.log_sum, EXCLUDED.log_sum)
            ELSE GREATEST(s.log_sum, EXCLUDED.log_sum)
                 + LN(1 + EXP(LEAST(s.log_sum, EXCLUDED.log_sum) - GREATEST(s.log_sum, EXCLUDED.log_sum)))
        END,
        events = s.events + EXCLUDED.events,
        last_at = GREATEST(s.last_at, EXCLUDED.last_at)
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM added), (SELECT array_agg(DISTINCT t) FROM merged WHERE t NOT IN (SELECT t FROM rule))
"""


def _fold_postgresql(*, workspace: Workspace, rules: ScoringRules, batch_ids: Sequence[int]) -> None:
    types = list(rules.caps)
    with connection.cursor() as cursor:
        cursor.execute(
            _FOLD_SQL,
            {
                "ws": workspace.pk,
                "batches": bulk.pg_array(batch_ids),
                "types": bulk.pg_array(types),
                "caps": bulk.pg_array(rules.caps[t] for t in types),
                "half_lives": bulk.pg_array(rules.half_lives[t] for t in types),
                "ln2": LN2,
                "reference": REFERENCE_DAY,
            },
        )
        _, unknown = cursor.fetchone()
    if unknown:  # a type the rules do not know (a batch from an older version): fail the batch, as Python would
        raise KeyError(f"Event type(s) without scoring rules: {', '.join(sorted(unknown))}")


def pending_retry(*, workspace: Workspace, batch_id: int) -> PendingBatch:
    """Take a quarantined batch out of quarantine: the next scoring pass or sweep folds it again."""
    batch = PendingBatch.objects.for_workspace(workspace).get(pk=batch_id)
    batch.quarantined_at, batch.retry_at, batch.attempts = None, None, 0
    batch.save(update_fields=["quarantined_at", "retry_at", "attempts"])
    return batch


def days_add(*, workspace: Workspace, deltas: Sequence[DayDelta]) -> list[tuple[DayDelta, int]]:
    """Add the new events to the day counts; return each delta with the count it found before (databases other
    than PostgreSQL, one writer at a time: read, add, write back)."""
    if not deltas:
        return []
    existing = {
        (row.account_id, row.contact_key, row.type, row.day): row
        for row in EngagementDay.objects.filter(
            account_id__in={d.account_id for d in deltas}, day__in={d.day for d in deltas}
        )
    }
    result, upserts = [], []
    for d in deltas:
        row = existing.get((d.account_id, contact_key(d.contact_id), d.type, d.day))
        before = row.count if row else 0
        last_at = max(row.last_at, d.last_at) if row else d.last_at
        result.append((d, before))
        upserts.append(
            EngagementDay(
                workspace=workspace,
                account_id=d.account_id,
                contact_id=d.contact_id,
                contact_key=contact_key(d.contact_id),
                type=d.type,
                day=d.day,
                count=before + d.added,
                last_at=last_at,
            )
        )
    EngagementDay.objects.bulk_create(
        upserts,
        update_conflicts=True,
        unique_fields=["account", "contact_key", "type", "day", "workspace"],
        update_fields=["count", "last_at"],
    )
    return result


@dataclass
class ComponentDelta:
    account_id: int
    contact_id: int | None
    type: str
    log_sum: float | None  # None: the new events were all over the daily cap
    events: int
    last_at: datetime


def component_deltas(*, rules: ScoringRules, days: Iterable[tuple[DayDelta, int]]) -> list[ComponentDelta]:
    """What the new day counts add to each (account, contact, type) component, capped per day."""
    grouped: dict[tuple[Any, ...], ComponentDelta] = {}
    for d, before in days:
        key = (d.account_id, contact_key(d.contact_id), d.type)
        term = rules.component_log_delta(d.type, d.day, before, before + d.added)
        delta = grouped.get(key)
        if delta is None:
            grouped[key] = ComponentDelta(d.account_id, d.contact_id, d.type, term, d.added, d.last_at)
        else:
            delta.log_sum = log_add(delta.log_sum, term)
            delta.events += d.added
            delta.last_at = max(delta.last_at, d.last_at)
    return [grouped[k] for k in sorted(grouped)]


def components_add(*, workspace: Workspace, deltas: Sequence[ComponentDelta]) -> None:
    """Add the deltas to the components (databases other than PostgreSQL: read, add, write back)."""
    if not deltas:
        return
    existing = {
        (row.account_id, row.contact_key, row.type): row
        for row in ScoreComponent.objects.filter(account_id__in={d.account_id for d in deltas})
    }
    upserts = []
    for d in deltas:
        row = existing.get((d.account_id, contact_key(d.contact_id), d.type))
        upserts.append(
            ScoreComponent(
                workspace=workspace,
                account_id=d.account_id,
                contact_id=d.contact_id,
                contact_key=contact_key(d.contact_id),
                type=d.type,
                log_sum=log_add(row.log_sum, d.log_sum) if row else d.log_sum,
                events=(row.events if row else 0) + d.events,
                last_at=max(row.last_at, d.last_at) if row else d.last_at,
            )
        )
    ScoreComponent.objects.bulk_create(
        upserts,
        update_conflicts=True,
        unique_fields=["account", "contact_key", "type", "workspace"],
        update_fields=["log_sum", "events", "last_at"],
    )


#: An account id range ``(after, upto)``: ids above ``after`` and, unless ``upto`` is None, at most ``upto``.
AccountRange = tuple[int, int | None]


def _range_filter(account_range: AccountRange | None) -> dict[str, int]:
    if account_range is None:
        return {}
    after, upto = account_range
    return {"account_id__gt": after} if upto is None else {"account_id__gt": after, "account_id__lte": upto}


def days_rebuild(*, workspace: Workspace, account_range: AccountRange | None = None) -> int:
    """Recount every day bucket of the workspace (or of the accounts in ``account_range``) from the event table
    (one INSERT … SELECT)."""
    EngagementDay.objects.for_workspace(workspace).filter(**_range_filter(account_range)).delete()
    day_sql = "(e.occurred_at AT TIME ZONE 'UTC')::date" if connection.vendor == "postgresql" else "date(e.occurred_at)"
    where, params = "", [workspace.pk]
    if account_range is not None:
        where, params = " AND e.account_id > %s", [*params, account_range[0]]
        if account_range[1] is not None:
            where, params = where + " AND e.account_id <= %s", [*params, account_range[1]]
    sql = f"""
        INSERT INTO engagement_engagementday (workspace_id, account_id, contact_id, contact_key, type, day, count,
                                              last_at)
        SELECT e.workspace_id, e.account_id, e.contact_id, COALESCE(e.contact_id, 0), e.type, {day_sql}, COUNT(*),
               MAX(e.occurred_at)
        FROM engagement_engagementevent e
        WHERE e.workspace_id = %s AND e.type <> 'outbound_touch'{where}
        GROUP BY e.workspace_id, e.account_id, e.contact_id, e.type, {day_sql}
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The GROUP BY sorts every event of the workspace: let it sort in memory (this transaction only).
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(sql, params)
        return int(cursor.rowcount)


MICROSECOND = timedelta(microseconds=1)
ComponentValue = tuple[int, int | None, str, float | None, int, datetime]


def components_compute(
    *, workspace: Workspace, rules: ScoringRules, account_range: AccountRange | None = None
) -> list[ComponentValue]:
    """Every component of the workspace (or of the accounts in ``account_range``) computed from the day counts
    with ``rules`` (no write).

    Returns ``(account_id, contact_id, type, log_sum, events, last_at)`` tuples. Vectorised: a log-sum-exp per
    (account, contact, type) group over its capped, reference-weighted day counts.
    """
    rows = list(
        EngagementDay.objects.for_workspace(workspace)
        .filter(**_range_filter(account_range))
        .values_list("account_id", "contact_id", "type", "day", "count", "last_at")
    )
    if not rows:
        return []
    types = list(rules.weights)
    code_of = {t: i for i, t in enumerate(types)}
    caps = np.array([rules.caps[t] for t in types], dtype=float)
    half_lives = np.array([rules.half_lives[t] for t in types])
    account = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    contact = np.fromiter((r[1] or 0 for r in rows), dtype=np.int64, count=len(rows))
    code = np.fromiter((code_of[r[2]] for r in rows), dtype=np.int64, count=len(rows))
    days = np.fromiter(((r[3] - REFERENCE_DAY).days for r in rows), dtype=float, count=len(rows))
    count = np.fromiter((r[4] for r in rows), dtype=float, count=len(rows))
    last = np.fromiter(((r[5] - REFERENCE) // MICROSECOND for r in rows), dtype=np.int64, count=len(rows))
    capped = np.minimum(count, caps[code])
    with np.errstate(divide="ignore"):
        terms = np.log(capped) + LN2 * days / half_lives[code]  # -inf where nothing counts (cap 0 never occurs)
    order = np.lexsort((code, contact, account))
    account, contact, code, terms, count, last = (a[order] for a in (account, contact, code, terms, count, last))
    boundary = np.ones(len(order), dtype=bool)
    boundary[1:] = (account[1:] != account[:-1]) | (contact[1:] != contact[:-1]) | (code[1:] != code[:-1])
    starts = np.flatnonzero(boundary)
    group = np.cumsum(boundary) - 1
    high = np.maximum.reduceat(terms, starts)
    with np.errstate(invalid="ignore"):
        sums = np.add.reduceat(np.exp(terms - high[group]), starts)
    log_sums = high + np.log(sums)
    events = np.add.reduceat(count, starts)
    last_at = np.maximum.reduceat(last, starts)
    return [
        (
            int(account[i]),
            int(contact[i]) or None,
            types[code[i]],
            float(log_sums[g]) if np.isfinite(log_sums[g]) else None,
            int(events[g]),
            REFERENCE + timedelta(microseconds=int(last_at[g])),
        )
        for g, i in enumerate(starts)
    ]


def components_rebuild(*, workspace: Workspace, rules: ScoringRules, account_range: AccountRange | None = None) -> int:
    """Recompute every component (or those of the accounts in ``account_range``) from the day counts with the
    current caps and half-lives."""
    from abe.bulk import rows_copy

    ScoreComponent.objects.for_workspace(workspace).filter(**_range_filter(account_range)).delete()
    rows = [
        (workspace.pk, account_id, contact_id, contact_key(contact_id), event_type, log_sum, events, last_at)
        for account_id, contact_id, event_type, log_sum, events, last_at in components_compute(
            workspace=workspace, rules=rules, account_range=account_range
        )
    ]
    columns = ["workspace_id", "account_id", "contact_id", "contact_key", "type", "log_sum", "events", "last_at"]
    rows_copy(ScoreComponent, columns, rows)
    return len(rows)
