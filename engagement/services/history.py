"""Rebuild past daily snapshots and stage history from the day counts (after an import of historical events).

The daily beat writes one snapshot per account and day from then on; this fills the days before with the
same maths, evaluated at the end (24:00 UTC) of each past day: decayed scores, breadth over the 30 days
before, momentum, and the stage the rules give with the opportunities open or won on that day. Every
change of stage is recorded at the end of the day it happened, so velocity between stages is measurable.

Being linear in the events, the contact part and the account-level part of each account's score are
decayed per type with one recursion over days on an ``accounts × days`` array.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from django.db import connection, transaction

from abe.bulk import lines_copy, rows_executemany, rows_update
from abe.models import Workspace
from accounts.models import Account, Contact, Opportunity, OpportunityStatus

from ..models import AccountScoreSnapshot, EngagementDay, JourneyStageChange
from ..rules import BREADTH_WINDOW_DAYS, MOMENTUM_BASELINE_WEEKS, MOMENTUM_FLOOR, MOMENTUM_RECENT_DAYS, ScoringRules
from .scoring import scoring_rules


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def _window_sum(values: np.ndarray, start_back: int, end_back: int) -> np.ndarray:
    """Σ values[:, d − end_back … d − start_back] for every column d (days before the array count as zero)."""
    padded = np.concatenate([np.zeros((values.shape[0], 1)), np.cumsum(values, axis=1)], axis=1)
    n = values.shape[1]
    hi = np.clip(np.arange(n) - start_back + 1, 0, n)
    lo = np.clip(np.arange(n) - end_back, 0, n)
    sums: np.ndarray = padded[:, hi] - padded[:, lo]
    return sums


@transaction.atomic
def history_backfill(*, workspace: Workspace, until: date, days: int = 180, stage_days: int | None = None) -> int:
    """Write snapshots for the ``days`` days before ``until`` (excluded) and stage changes for the ``stage_days``
    days before it (default: ``days``; the stage history is a few rows per account, the snapshots one row per
    account and day, so a longer stage history is cheap); returns snapshots."""
    rules: ScoringRules = scoring_rules(workspace=workspace)
    account_ids = np.array(
        Account.objects.for_workspace(workspace).order_by("pk").values_list("pk", flat=True), dtype=np.int64
    )
    if not len(account_ids):
        return 0
    people = list(Contact.objects.for_workspace(workspace).order_by("pk").values_list("pk", "buying_role", "seniority"))
    roles = sorted({role for _, role, _ in people if role})
    contact_pks = np.array([p[0] for p in people] or [0], dtype=np.int64)
    contact_mult = np.array([rules.contact_multiplier(r, s) for _, r, s in people] or [1.0])
    contact_role = np.array([roles.index(r) if r else -1 for _, r, _ in people] or [-1])
    buckets = list(
        EngagementDay.objects.for_workspace(workspace)
        .filter(day__lt=until)
        .values_list("account_id", "contact_id", "type", "day", "count")
    )
    first_day = min(min((b[3] for b in buckets), default=until), until - timedelta(days=max(days, stage_days or 0)))
    n_days, n_accounts = (until - first_day).days, len(account_ids)
    types = list(rules.weights)
    code_of = {t: i for i, t in enumerate(types)}
    account = np.searchsorted(account_ids, np.fromiter((b[0] for b in buckets), dtype=np.int64, count=len(buckets)))
    contact = np.fromiter((b[1] or 0 for b in buckets), dtype=np.int64, count=len(buckets))
    code = np.fromiter((code_of[b[2]] for b in buckets), dtype=np.int64, count=len(buckets))
    day = np.fromiter(((b[3] - first_day).days for b in buckets), dtype=np.int64, count=len(buckets))
    count = np.fromiter((b[4] for b in buckets), dtype=float, count=len(buckets))
    caps = np.array([rules.caps[t] for t in types], dtype=float)
    weights = np.array([rules.weights[t] for t in types])
    base = np.minimum(count, caps[code]) * weights[code]
    is_person = contact > 0
    where = np.clip(np.searchsorted(contact_pks, contact), 0, len(contact_pks) - 1)
    known = is_person & (contact_pks[where] == contact)
    multiplier = np.where(known, contact_mult[where], 1.0)

    person_new = np.zeros((len(types), n_accounts, n_days))
    account_new = np.zeros((len(types), n_accounts, n_days))
    np.add.at(person_new, (code[is_person], account[is_person], day[is_person]), (base * multiplier)[is_person])
    np.add.at(account_new, (code[~is_person], account[~is_person], day[~is_person]), base[~is_person])
    points = person_new.sum(axis=0) + account_new.sum(axis=0)
    engaged = known & (weights[code] > 0) & (contact_role[where] >= 0)
    role_active = np.zeros((max(len(roles), 1), n_accounts, n_days))
    role_active[contact_role[where][engaged], account[engaged], day[engaged]] = 1.0

    person_total, account_total = np.zeros((n_accounts, n_days)), np.zeros((n_accounts, n_days))
    for t, event_type in enumerate(types):
        factor = 0.5 ** (1.0 / rules.half_lives[event_type])  # one day of decay
        for new, total in ((person_new[t], person_total), (account_new[t], account_total)):
            if not new.any():
                continue
            carried = np.zeros(n_accounts)
            for d in range(n_days):  # value at the end of day d of events counted from the start of their day
                carried = (carried + new[:, d]) * factor
                total[:, d] += carried
    breadth = sum(
        (_window_sum(role_active[r], 0, BREADTH_WINDOW_DAYS - 1) > 0).astype(int) for r in range(len(roles))
    ) + np.zeros((n_accounts, n_days), dtype=int)
    scores = (1.0 + rules.breadth_bonus_per_role * np.maximum(breadth - 1, 0)) * person_total + account_total
    recent = _window_sum(points, 0, MOMENTUM_RECENT_DAYS - 1)
    baseline = (
        _window_sum(points, MOMENTUM_RECENT_DAYS, MOMENTUM_RECENT_DAYS + 7 * MOMENTUM_BASELINE_WEEKS - 1)
        / MOMENTUM_BASELINE_WEEKS
    )
    momenta = (recent - baseline) / np.maximum(baseline, MOMENTUM_FLOOR)

    has_won = np.zeros((n_accounts, n_days), dtype=bool)
    has_open = np.zeros((n_accounts, n_days), dtype=bool)
    for account_id, status, created, closed in (
        Opportunity.objects.for_workspace(workspace)
        .exclude(status=OpportunityStatus.LOST)
        .values_list("account_id", "status", "created_date", "close_date")
    ):
        i = int(np.searchsorted(account_ids, account_id))
        opened = max(0, (created - first_day).days)
        shut = n_days if closed is None else min(n_days, max(0, (closed - first_day).days))
        has_open[i, opened:shut] = True  # open from creation until it closed (won or not)
        if status == OpportunityStatus.WON and closed is not None:
            has_won[i, shut:] = True
    stage_index = np.full((n_accounts, n_days), len(rules.stages) - 1)
    decided = np.zeros((n_accounts, n_days), dtype=bool)
    for k, stage in enumerate(rules.stages):  # top down: the first stage whose conditions hold
        holds = ~decided
        if stage.opportunity == "won":
            holds &= has_won
        elif stage.opportunity == "open":
            holds &= has_open
        if stage.min_score is not None:
            holds &= scores >= stage.min_score
        if stage.min_breadth is not None:
            holds &= breadth >= stage.min_breadth
        stage_index[holds] = k
        decided |= holds

    keys = [s.key for s in rules.stages]
    start = max(0, n_days - days)  # first day of the snapshots
    stage_start = max(0, n_days - (stage_days or days))  # first day of the stage history
    window = stage_index[:, stage_start:]
    before = np.concatenate([np.full((n_accounts, 1), -1), window[:, :-1]], axis=1)
    initial = keys.index("unaware") if "unaware" in keys else -2
    before[:, 0] = initial
    moved_rows, moved_days = np.nonzero(window != before)
    changes = [
        JourneyStageChange(
            workspace=workspace,
            account_id=int(account_ids[i]),
            from_stage=keys[before[i, d]] if before[i, d] >= 0 else "unaware",
            to_stage=keys[window[i, d]],
            changed_at=_end_of(first_day + timedelta(days=stage_start + int(d))),
        )
        for i, d in zip(moved_rows, moved_days, strict=True)
    ]
    last_change: dict[int, datetime] = {c.account_id: c.changed_at for c in changes}
    finals = [
        (int(pk), keys[window[i, -1]], last_change.get(int(pk))) for i, pk in enumerate(account_ids) if window.shape[1]
    ]
    width = n_days - start
    day_labels = [(first_day + timedelta(days=start + d)).isoformat() for d in range(width)]
    snapshots = _Snapshots(
        accounts=np.repeat(account_ids, width).tolist(),
        days=day_labels * n_accounts,
        scores=scores[:, start:].ravel().tolist(),
        momenta=momenta[:, start:].ravel().tolist(),
        stages=[keys[k] for k in stage_index[:, start:].ravel().tolist()],
    )

    AccountScoreSnapshot.objects.for_workspace(workspace).filter(day__lt=until).delete()
    JourneyStageChange.objects.for_workspace(workspace).filter(
        changed_at__lte=_end_of(until - timedelta(days=1))
    ).delete()
    _snapshots_write(workspace, snapshots)
    JourneyStageChange.objects.bulk_create(changes, batch_size=5000)
    rows_update(Account, ["journey_stage", "journey_stage_changed_at"], finals)
    return len(snapshots)


@dataclass
class _Snapshots:
    """Columns of the snapshots to write (lists: formatting them is the slow part)."""

    accounts: list[int]
    days: list[str]
    scores: list[float]
    momenta: list[float]
    stages: list[str]

    def __len__(self) -> int:
        return len(self.accounts)


def _snapshots_write(workspace: Workspace, rows: _Snapshots) -> None:
    columns = (rows.accounts, rows.days, rows.scores, rows.momenta, rows.stages)
    if connection.vendor == "postgresql":
        ws = workspace.pk
        lines_copy(
            AccountScoreSnapshot,
            ["workspace", "account", "day", "score", "momentum", "stage"],
            (f"{ws}\t{a}\t{d}\t{s!r}\t{m!r}\t{st}\n" for a, d, s, m, st in zip(*columns, strict=True)),
        )
        return
    # No COPY (SQLite in the embedded default): one executemany of plain tuples, no model instance per row.
    rows_executemany(
        AccountScoreSnapshot,
        ["workspace_id", "account_id", "day", "score", "momentum", "stage"],
        [(workspace.pk, a, date.fromisoformat(d), s, m, st) for a, d, s, m, st in zip(*columns, strict=True)],
    )
