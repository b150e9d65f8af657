"""Scoring passes: contact and account scores, breadth, momentum, journey stages and today's snapshot.

A pass reads the stored score components (see ``ScoreComponent``), never the event table, so its cost grows
with the accounts it scores, not with history. The full recompute first rebuilds day counts and components
from the events (used when the configuration changes, and to prove the incremental path right).

After a pass commits, every task registered with ``abe.registry.after_scoring_register`` gets the ids of the accounts
whose score, momentum or stage changed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from abe import bulk, locks
from abe.gcpause import gc_paused
from abe.models import Workspace
from abe.registry import after_scoring_tasks
from abe.tasks import enqueue_on_commit
from accounts.models import Account, Contact, Opportunity, OpportunityStatus

from ..models import (
    AccountEngagement,
    AccountScoreSnapshot,
    EngagementConfig,
    EngagementDay,
    JourneyStageChange,
    PendingBatch,
    ScoreComponent,
)
from ..rules import ScoringRules, breadth_window_start, day_of, momentum, momentum_windows
from . import store

CHUNK = 1000
#: Accounts whose days and components one transaction of a stepped recompute recounts.
REBUILD_CHUNK = 5000
CHANGE_EPSILON = 1e-9


@dataclass
class AccountResult:
    account_id: int
    score: float = 0.0
    momentum: float = 0.0
    stage: str = ""
    breadth: int = 0
    roles: list[str] = field(default_factory=list)
    engaged_contacts: int = 0
    points_7d: float = 0.0
    baseline_weekly: float = 0.0


@dataclass
class ContactResult:
    contact_id: int
    score: float = 0.0
    last_engaged_at: datetime | None = None
    #: What the contact row held when it was read for this evaluation (score, last engaged): a pass writes only
    #: the contacts whose values moved, without reading them again.
    stored: tuple[float, datetime | None] | None = None


def scoring_rules(*, workspace: Workspace) -> ScoringRules:
    config, _ = EngagementConfig.objects.get_or_create(workspace=workspace)
    return ScoringRules.from_config(config)


def scores_evaluate(
    *,
    workspace: Workspace,
    account_ids: Sequence[int],
    rules: ScoringRules,
    now: datetime,
    components: Sequence[tuple[Any, ...]] | None = None,
    gone: set[int] | None = None,
) -> tuple[dict[int, AccountResult], dict[int, ContactResult]]:
    """Compute (without writing) the scores of these accounts and of their contacts at ``now``.

    ``components`` (``(account_id, contact_id, type, log_sum, last_at)`` rows) replaces the stored ones, for a
    preview of a configuration that is not saved yet. ``gone``, when given, receives the ids of deleted contacts
    whose rows these accounts still had (left out of the scores; see below).
    """
    ids = list(account_ids)
    accounts = {pk: AccountResult(pk) for pk in ids}
    people: dict[int, tuple[str, str]] = {}
    contacts: dict[int, ContactResult] = {}
    for pk, role, seniority, stored_score, stored_last in (
        Contact.objects.for_workspace(workspace)
        .filter(account_id__in=ids)
        .order_by()
        .values_list("pk", "buying_role", "seniority", "engagement_score", "last_engaged_at")
    ):
        people[pk] = (role, seniority)
        contacts[pk] = ContactResult(pk, stored=(stored_score, stored_last))
    if components is None:
        components = list(
            ScoreComponent.objects.for_workspace(workspace)
            .filter(account_id__in=ids)
            .values_list("account_id", "contact_id", "type", "log_sum", "last_at")
        )
    moved = {c for _, c, _, _, _ in components if c and c not in people}
    if moved:  # a contact moved to another account keeps the events it had here
        people.update(
            {
                pk: (r, s)
                for pk, r, s in Contact.objects.filter(pk__in=moved).values_list("pk", "buying_role", "seniority")
            }
        )
        # A contact deleted while a batch of its events was still pending: deleting it deleted its events, day
        # counts and components, then the fold wrote the batch's share back. Those rows count for nothing (a full
        # recompute, from the events, has none of them); ``gone`` tells a writing pass to delete them.
        missing = moved - people.keys()
        if missing:
            components = [row for row in components if row[1] not in missing]
            if gone is not None:
                gone.update(missing)
    multiplier = {pk: rules.contact_multiplier(role, seniority) for pk, (role, seniority) in people.items()}
    from_contacts: dict[int, float] = defaultdict(float)
    from_account: dict[int, float] = defaultdict(float)
    for account_id, contact_id, event_type, log_sum, last_at in components:
        points = rules.points(event_type, log_sum, now) if log_sum is not None else 0.0
        if contact_id is None:
            from_account[account_id] += points
            continue
        from_contacts[account_id] += points * multiplier[contact_id]
        result = contacts.get(contact_id)
        if result is not None:
            result.score += points * multiplier[contact_id]
            if result.last_engaged_at is None or last_at > result.last_engaged_at:
                result.last_engaged_at = last_at

    today = day_of(now)
    recent_start, baseline_start, _ = momentum_windows(today)
    breadth_start = breadth_window_start(today)
    roles: dict[int, set[str]] = defaultdict(set)
    engaged: dict[int, set[int]] = defaultdict(set)
    recent: dict[int, float] = defaultdict(float)
    baseline: dict[int, float] = defaultdict(float)
    days = (
        EngagementDay.objects.for_workspace(workspace)
        .filter(account_id__in=ids, day__gte=min(baseline_start, breadth_start), day__lte=today)
        .values_list("account_id", "contact_id", "type", "day", "count")
    )
    for account_id, contact_id, event_type, day, count in days:
        if contact_id and contact_id not in people:
            continue  # a deleted contact's day counts, folded after it was deleted (above)
        weight = rules.weights[event_type]
        if weight <= 0:
            continue
        points = rules.capped(event_type, count) * weight * (multiplier.get(contact_id, 1.0) if contact_id else 1.0)
        if day >= recent_start:
            recent[account_id] += points
        elif day >= baseline_start:
            baseline[account_id] += points
        if contact_id and day >= breadth_start:
            engaged[account_id].add(contact_id)
            role = people.get(contact_id, ("", ""))[0]
            if role:
                roles[account_id].add(role)

    flags = set(
        Opportunity.objects.for_workspace(workspace)
        .filter(account_id__in=ids, status__in=[OpportunityStatus.WON, OpportunityStatus.OPEN])
        .order_by()
        .values_list("account_id", "status")
        .distinct()
    )
    for account_id, account_result in accounts.items():
        account_result.roles = sorted(roles[account_id])
        account_result.breadth = len(account_result.roles)
        account_result.engaged_contacts = len(engaged[account_id])
        account_result.score = (
            rules.breadth_multiplier(account_result.breadth) * from_contacts[account_id] + from_account[account_id]
        )
        account_result.points_7d = recent[account_id]
        account_result.baseline_weekly = baseline[account_id] / 4.0
        account_result.momentum = momentum(account_result.points_7d, account_result.baseline_weekly)
        account_result.stage = rules.stage_for(
            score=account_result.score,
            breadth=account_result.breadth,
            has_won=(account_id, OpportunityStatus.WON) in flags,
            has_open=(account_id, OpportunityStatus.OPEN) in flags,
        )
    return accounts, contacts


def _changed(old: float | None, new: float | None) -> bool:
    if old is None or new is None:
        return old is not new
    return abs(old - new) > CHANGE_EPSILON * max(1.0, abs(old))


def _write(
    *,
    workspace: Workspace,
    rules: ScoringRules,
    now: datetime,
    accounts: dict[int, AccountResult],
    contacts: dict[int, ContactResult],
    moves: list[tuple[int, str, str]] | None = None,
    change_key: str = "",
    current: list[tuple[Any, ...]] | None = None,
) -> list[int]:
    """Store one chunk's results. Returns the changed account ids.

    ``moves``, when given, receives ``(account_id, from_stage, to_stage)`` for every stage change written;
    ``change_key`` tags the stage changes with the configuration change that caused them. ``current``: the rows
    :func:`_accounts_lock` returned for these accounts, when the caller locked them already; else they are locked
    and read here."""
    if current is None:
        current = _accounts_lock(workspace, list(accounts))
    account_rows: list[tuple[Any, ...]] = []
    stage_changes: list[tuple[Any, ...]] = []
    changed_ids: list[int] = []
    for pk, score, momentum_, stage, stage_at in current:
        result = accounts[pk]
        stage_moved = stage != result.stage
        if stage_moved:
            stage_changes.append((workspace.pk, pk, stage, result.stage, now, change_key))
            stage_at = now
            if moves is not None:
                moves.append((pk, stage, result.stage))
        if stage_moved or _changed(score, result.score) or _changed(momentum_, result.momentum):
            account_rows.append((pk, result.score, result.momentum, result.stage, stage_at))
            changed_ids.append(pk)
    bulk.rows_update(
        Account, ["engagement_score", "engagement_momentum", "journey_stage", "journey_stage_changed_at"], account_rows
    )
    # Rows, not model instances (a pass moves most of the accounts it touches: ~770 of 1,000 in bench/scoring.py).
    bulk.rows_copy(
        JourneyStageChange,
        ["workspace_id", "account_id", "from_stage", "to_stage", "changed_at", "config_change"],
        stage_changes,
    )

    # The contacts' stored values were read with them by ``scores_evaluate`` (by account: the ``(workspace,
    # account)`` index, where the accounts' contacts lie together), one query per chunk instead of two. ``contacts``
    # holds the contacts these accounts had when they were evaluated: one moved to another account in the moment
    # between gets the score computed here, until the next pass of its new account, which is what it is scored by.
    contact_rows = []
    for contact_result in contacts.values():
        if contact_result.stored is None:
            continue
        score, last_at = contact_result.stored
        if _changed(score, contact_result.score) or last_at != contact_result.last_engaged_at:
            contact_rows.append((contact_result.contact_id, contact_result.score, contact_result.last_engaged_at))
    bulk.rows_update(Contact, ["engagement_score", "last_engaged_at"], contact_rows)

    # Upserts from arrays (no model instances), writing only the rows whose values moved.
    bulk.rows_upsert(
        AccountEngagement,
        [
            "workspace_id",
            "account_id",
            "breadth",
            "roles",
            "engaged_contacts",
            "points_7d",
            "baseline_weekly",
            "scored_at",
            "config_version",
        ],
        [
            (
                workspace.pk,
                r.account_id,
                r.breadth,
                r.roles,
                r.engaged_contacts,
                r.points_7d,
                r.baseline_weekly,
                now,
                rules.version,
            )
            for r in accounts.values()
        ],
        conflict=["account", "workspace"],
        update=["breadth", "roles", "engaged_contacts", "points_7d", "baseline_weekly", "scored_at", "config_version"],
    )
    today = day_of(now)
    bulk.rows_upsert(
        AccountScoreSnapshot,
        ["workspace_id", "account_id", "day", "score", "momentum", "stage"],
        [(workspace.pk, r.account_id, today, r.score, r.momentum, r.stage) for r in accounts.values()],
        conflict=["account", "day", "workspace"],
        update=["score", "momentum", "stage"],
    )
    return changed_ids


def _accounts_lock(workspace: Workspace, ids: list[int]) -> list[tuple[Any, ...]]:
    """Lock the workspace's accounts among ``ids`` and read what a pass compares its results with: ``(pk, score,
    momentum, stage, stage changed at)`` of each that exists, in pk order.

    FOR NO KEY UPDATE, in pk order: it does not conflict with the FOR KEY SHARE locks that inserting events and
    contacts takes on their account rows (foreign keys), so a scoring pass and a large upload cannot deadlock."""
    return list(
        Account.objects.for_workspace(workspace)
        .select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "engagement_score", "engagement_momentum", "journey_stage", "journey_stage_changed_at")
    )


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _score_chunk(
    *,
    workspace: Workspace,
    chunk: list[int],
    rules: ScoringRules,
    now: datetime,
    moves: list[tuple[int, str, str]],
    change: dict[str, Any] | None,
) -> list[int]:
    """Evaluate and store one chunk of accounts (the caller's transaction); returns the changed account ids. The
    stage changes are tagged with ``change``'s key, whichever recompute (one transaction or stepped) runs it."""
    with gc_paused():  # one chunk's rows: bounded and acyclic (see abe/gcpause.py)
        # The chunk's accounts locked and read first: those that exist are scored (an id of a deleted account, or of
        # another workspace, is left out) and compared with what was read here.
        current = _accounts_lock(workspace, chunk)
        gone: set[int] = set()
        accounts, contacts = scores_evaluate(
            workspace=workspace, account_ids=[row[0] for row in current], rules=rules, now=now, gone=gone
        )
        if gone:  # rows of deleted contacts that a pending batch wrote back (see ``scores_evaluate``)
            EngagementDay.objects.for_workspace(workspace).filter(contact_id__in=gone).delete()
            ScoreComponent.objects.for_workspace(workspace).filter(contact_id__in=gone).delete()
        return _write(
            workspace=workspace,
            rules=rules,
            now=now,
            accounts=accounts,
            contacts=contacts,
            moves=moves,
            change_key=str((change or {}).get("key") or "")[:80],
            current=current,
        )


def _score_in_transaction(
    *,
    workspace: Workspace,
    account_ids: Iterable[int],
    rules: ScoringRules,
    now: datetime,
    change: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    # The callers hold the account-references lock (``abe.locks``), taken first, before the scoring lock: an
    # account deleted meanwhile waits for this pass and then deletes the snapshot and engagement rows it writes,
    # or went first and is not among the accounts each chunk locks and reads (``_score_chunk``).
    ids = sorted(set(account_ids))
    changed: list[int] = []
    moves: list[tuple[int, str, str]] = []
    for chunk in _chunks(ids):
        changed += _score_chunk(workspace=workspace, chunk=chunk, rules=rules, now=now, moves=moves, change=change)
        if progress is not None:
            progress(len(chunk))
    if changed:
        config_change = None
        if change is not None:
            config_change = {**change, "at": now.isoformat(), "moves": [list(m) for m in moves]}
        _after_scoring(workspace.pk, changed, config_change=config_change)
    return changed


def _after_scoring(workspace_id: int, account_ids: list[int], config_change: dict[str, Any] | None = None) -> None:
    # Registered by later apps (activation); they run once the scores they read are committed. A pass caused by a
    # configuration change also hands over what changed (``config_change``: the change, its time and stage moves).
    extra = {} if config_change is None else {"config_change": config_change}
    for path in after_scoring_tasks():
        enqueue_on_commit(import_string(path), workspace_id=workspace_id, account_ids=list(account_ids), **extra)


def accounts_score(*, workspace: Workspace, account_ids: Iterable[int], now: datetime | None = None) -> list[int]:
    """Rescore these accounts from their stored components; returns the ids whose score, momentum or stage changed."""
    now = now or timezone.now()
    with transaction.atomic():
        locks.account_references(workspace.pk, shared=True)  # first (see ``_score_in_transaction``)
        store.pending_apply(workspace=workspace)  # this pass's batch, and any other still waiting
        rules = scoring_rules(workspace=workspace)
        return _score_in_transaction(workspace=workspace, account_ids=account_ids, rules=rules, now=now)


def pending_batch_retry(*, workspace: Workspace, batch_id: int) -> int:
    """An admin retries a quarantined batch: fold it now and rescore its accounts (it is quarantined again if it
    fails again). Returns how many batches were folded."""
    batch = store.pending_retry(workspace=workspace, batch_id=batch_id)
    account_ids = sorted({row[0] for row in batch.deltas})
    accounts_score(workspace=workspace, account_ids=account_ids)
    return int(not PendingBatch.objects.filter(pk=batch.pk).exists())


def workspace_rescore(*, workspace: Workspace, now: datetime | None = None) -> list[int]:
    """Rescore every account: decay, momentum, breadth windows and stages move with time, not only with events."""
    ids = Account.objects.for_workspace(workspace).values_list("pk", flat=True)
    return accounts_score(workspace=workspace, account_ids=list(ids), now=now)


def scores_recompute(
    *,
    workspace: Workspace,
    now: datetime | None = None,
    rebuild_days: bool = True,
    change: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Full recompute: recount days and components from every event, then rescore every account.

    ``change`` names the configuration change that caused it (see ``engagement_config_update``): the after-scoring
    hooks then receive it with the stage moves, and hold back per-account alerts unless it asks for them.
    ``progress`` is called with the number of accounts scored after each chunk.

    Holds the workspace's scoring lock exclusively, so no batch is half-applied under it. ``rebuild_days=False``
    skips recounting the days, for a caller that has just done it (the demo loader).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locks.account_references(workspace.pk, shared=True)  # first (see ``_score_in_transaction``)
        config = store.config_lock(workspace=workspace, exclusive=True)
        rules = ScoringRules.from_config(config)
        # Every committed batch is in the events: rebuilding from them counts the pending ones too.
        PendingBatch.objects.for_workspace(workspace).delete()
        if rebuild_days:
            store.days_rebuild(workspace=workspace)
        store.components_rebuild(workspace=workspace, rules=rules)
        ids = Account.objects.for_workspace(workspace).values_list("pk", flat=True)
        return _score_in_transaction(
            workspace=workspace, account_ids=list(ids), rules=rules, now=now, change=change, progress=progress
        )


def scores_rescore_state(*, now: datetime | None = None) -> dict[str, Any]:
    """The state :func:`scores_recompute_step` starts scoring from without rebuilding components first: stepping
    from it rescores every account from its stored components (what :func:`workspace_rescore` does at once)."""
    return {"now": (now or timezone.now()).isoformat(), "after": 0, "done": 0, "changed": [], "moves": []}


def scores_recompute_step(
    *,
    workspace: Workspace,
    state: dict[str, Any] | None,
    deadline: float | None = None,
    change: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> tuple[dict[str, Any], bool]:
    """One bounded step of a full recompute; returns the state to resume from and whether the recompute is done.

    The same result as :func:`scores_recompute`, in steps a task can run within minutes (``deadline``, a
    ``time.monotonic()`` value, is checked after each chunk of accounts; every step does at least one unit of work):

    1. ``state`` None: drop the pending batches (as :func:`scores_recompute` does: the events hold them), then
       recount days and components from the events ``REBUILD_CHUNK`` accounts at a time in id order, each range
       its own transaction holding the scoring lock exclusively; ``state["rebuild"]["after"]`` is the last
       account id recounted. A batch ingested meanwhile stays pending for the accounts already recounted and
       loses the increments of each range recounted after it (its events are counted there), so every event
       counts once. Mid-rebuild, readers see the old scores (scores are written in stage 2); an incremental
       pass meanwhile may score an account not yet recounted from its old components with the new rules, and
       stage 2 rescores it.
    2. Then the accounts in id order, ``CHUNK`` at a time, each chunk its own transaction under the shared scoring
       lock, folding any batch ingested since (so components stay current); ``state["after"]`` is the last account
       id scored, so a repeated or next step goes on after it and no account is scored twice.
    3. When none is left, the after-scoring hooks get every changed account and, for a configuration change, all
       the stage moves at once (one summary notice, as with the one-transaction recompute).

    ``state`` is JSON (the job keeps it in ``params``): ``now`` (scoring time, fixed for the whole recompute),
    ``rebuild`` (while stage 1 lasts), ``after``, ``done`` (accounts scored), ``changed`` and ``moves``.
    """
    if state is None:
        state = {**scores_rescore_state(now=now), "rebuild": {"after": 0}}
        with transaction.atomic():
            store.config_lock(workspace=workspace, exclusive=True)
            # Every committed batch is in the events: the rebuild counts them (later ones are trimmed per range).
            PendingBatch.objects.for_workspace(workspace).delete()
    while "rebuild" in state:
        state = _rebuild_range(workspace=workspace, state=state)
        if deadline is not None and time.monotonic() >= deadline:
            return state, False
    state = dict(state)
    at = datetime.fromisoformat(state["now"])
    moves: list[tuple[int, str, str]] = [(m[0], m[1], m[2]) for m in state["moves"]]
    while True:
        with transaction.atomic():
            locks.account_references(workspace.pk, shared=True)  # first (see ``_score_in_transaction``)
            store.pending_apply(workspace=workspace)  # also takes the shared scoring lock until this commit
            rules = scoring_rules(workspace=workspace)
            chunk = list(
                Account.objects.for_workspace(workspace)
                .filter(pk__gt=state["after"])
                .order_by("pk")
                .values_list("pk", flat=True)[:CHUNK]
            )
            if not chunk:
                break
            state["changed"] += _score_chunk(
                workspace=workspace, chunk=chunk, rules=rules, now=at, moves=moves, change=change
            )
        state["after"], state["done"] = chunk[-1], state["done"] + len(chunk)
        state["moves"] = [list(m) for m in moves]
        if len(chunk) < CHUNK:
            break  # the last accounts
        if deadline is not None and time.monotonic() >= deadline:
            return state, False
    if state["changed"]:
        config_change = None
        if change is not None:
            config_change = {**change, "at": state["now"], "moves": state["moves"]}
        _after_scoring(workspace.pk, state["changed"], config_change=config_change)
    return state, True


def _rebuild_range(*, workspace: Workspace, state: dict[str, Any]) -> dict[str, Any]:
    """Recount the days and components of the next ``REBUILD_CHUNK`` accounts (in id order) from the events, in
    one transaction holding the scoring lock exclusively; the pending increments of those accounts are dropped
    (their events are counted). The last range has no upper bound, so accounts created meanwhile are included."""
    after = int(state["rebuild"]["after"])
    with transaction.atomic():
        config = store.config_lock(workspace=workspace, exclusive=True)
        rules = ScoringRules.from_config(config)
        ids = list(
            Account.objects.for_workspace(workspace)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:REBUILD_CHUNK]
        )
        upto = ids[-1] if len(ids) == REBUILD_CHUNK else None
        account_range = (after, upto)
        store.pending_drop_range(workspace=workspace, account_range=account_range)
        store.days_rebuild(workspace=workspace, account_range=account_range)
        store.components_rebuild(workspace=workspace, rules=rules, account_range=account_range)
    state = {key: value for key, value in state.items() if key != "rebuild"}
    if upto is not None:
        state["rebuild"] = {"after": upto}
    return state


@dataclass
class StagePreview:
    stages: list[tuple[str, str, int, int]]  # key, name, accounts now, accounts with the candidate rules
    entering: dict[str, int]  # stage key -> accounts that would move into it
    leaving: dict[str, int]
    moves: dict[int, tuple[str, str]] = field(default_factory=dict)  # account id -> (stage now, stage after)
    scores: dict[int, tuple[float, float]] = field(default_factory=dict)  # account id -> (score, momentum) after
    # What the recompute would write (for ``scores_dry_run``), and when it was computed.
    results: dict[int, AccountResult] = field(default_factory=dict, repr=False)
    contacts: dict[int, ContactResult] = field(default_factory=dict, repr=False)
    rules: ScoringRules | None = field(default=None, repr=False)
    now: datetime | None = None

    @property
    def moved(self) -> int:
        return len(self.moves)


def scores_preview(*, workspace: Workspace, rules: ScoringRules, now: datetime | None = None) -> StagePreview:
    """What a candidate configuration would do: accounts per stage now and with ``rules`` (nothing written)."""
    now = now or timezone.now()
    components = [
        (a, c, t, log_sum, last_at)
        for a, c, t, log_sum, _, last_at in store.components_compute(workspace=workspace, rules=rules)
    ]
    current = dict(Account.objects.for_workspace(workspace).values_list("pk", "journey_stage"))
    results, contacts = scores_evaluate(
        workspace=workspace, account_ids=list(current), rules=rules, now=now, components=components
    )
    before: dict[str, int] = defaultdict(int)
    after: dict[str, int] = defaultdict(int)
    entering: dict[str, int] = defaultdict(int)
    leaving: dict[str, int] = defaultdict(int)
    moves: dict[int, tuple[str, str]] = {}
    for account_id, stage in current.items():
        new = results[account_id].stage
        before[stage] += 1
        after[new] += 1
        if new != stage:
            entering[new] += 1
            leaving[stage] += 1
            moves[account_id] = (stage, new)
    names = rules.stage_names()
    return StagePreview(
        stages=[(key, name, before[key], after[key]) for key, name in names.items()],
        entering=dict(entering),
        leaving=dict(leaving),
        moves=moves,
        scores={pk: (r.score, r.momentum) for pk, r in results.items()},
        results=results,
        contacts=contacts,
        rules=rules,
        now=now,
    )


T = TypeVar("T")


def scores_dry_run(*, workspace: Workspace, preview: StagePreview, probe: Callable[[list[int], datetime], T]) -> T:
    """Write what the recompute with the candidate configuration would write (scores, stages, stage changes),
    call ``probe`` with the ids of the accounts that changed (what the after-scoring hooks would receive) and the
    time, then roll everything back: the previews run the real activation pass over the would-be state, so they
    count exactly what saving would do, and nothing is kept (rows, alerts, deliveries, after-commit tasks).

    The account rows are locked for the length of the probe (as by a scoring pass)."""
    if preview.rules is None or preview.now is None:
        raise ValueError("scores_dry_run needs a preview from scores_preview")
    with transaction.atomic():
        # Before the accounts are locked: the probe's rule evaluation takes it too (``abe.locks``, lock order).
        locks.account_references(workspace.pk, shared=True)
        changed: list[int] = []
        ids = sorted(preview.results)
        for n, chunk in enumerate(_chunks(ids)):
            changed += _write(
                workspace=workspace,
                rules=preview.rules,
                now=preview.now,
                accounts={pk: preview.results[pk] for pk in chunk},
                contacts=preview.contacts if n == 0 else {},
            )
        try:
            return probe(changed, preview.now)
        finally:
            transaction.set_rollback(True)
