"""Rollups: the daily fact tables every analytics page and endpoint reads.

Set-based SQL: one ``INSERT ... SELECT ... ON CONFLICT DO UPDATE`` per table and range, on PostgreSQL and
(same statements, with the date and interval functions of the vendor) on SQLite, the embedded default.
A refresh first deletes the rows of its range (and accounts), then inserts what the sources say, in one
transaction: repeating or overlapping refreshes give the same rows, and ``ON CONFLICT`` keeps two workers
refreshing the same range from failing on each other.

Sources (none is the raw event table): ``EngagementDay`` (events per contact, type and day, kept by the
scoring workers), opportunities, alerts, tasks, journey stage changes and account score snapshots.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Min, QuerySet
from django.utils import timezone, translation

from abe.models import Workspace
from accounts.models import Opportunity
from activation.models import Alert
from engagement.content_hooks import TOUCH_SOURCE
from engagement.models import EngagementDay, EngagementEvent, JourneyStageChange
from engagement.services.scoring import scoring_rules
from work.models import Task

from ..models import (
    MEASURES,
    AccountDayFact,
    AccountStageReach,
    AlertSegmentFact,
    CommitteeSegmentFact,
    EventTypeDay,
    RollupState,
    SegmentDayFact,
    StageStandFact,
    TierActiveGap,
    TierDayFact,
    TierDaySnapshot,
)

# Days re-rolled for the accounts of a scoring pass: new events land in the recent past. Older backfills (a CSV
# of last quarter's events) reach the rollups with the nightly reconciliation.
SCORING_WINDOW_DAYS = 7
ACCOUNT_CHUNK = 2000

TOUCH_TYPES = ("email_open", "email_click")
CONVERSATION_TYPES = ("reply", "form_submission")
CONTENT_TYPES = ("content_download", "webinar_attendance")
ENGAGED_STAGES = ("engaged", "mqa", "opportunity", "customer")
# An attempt counts as answered when a conversation follows within ANSWER_DAYS, as leading to a meeting when one
# follows within MEETING_DAYS. Late answers reach older days with the nightly rebuild.
ANSWER_DAYS = 14
MEETING_DAYS = 30


@dataclass(frozen=True)
class _Sql:
    """The few expressions that differ between PostgreSQL and SQLite."""

    postgres: bool

    def day(self, column: str) -> str:
        return f"(({column}) AT TIME ZONE 'UTC')::date" if self.postgres else f"date({column})"

    def seconds(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS BIGINT)"
        return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"

    def plus_days(self, day: str, days: int) -> str:
        return f"({day} + {int(days)})" if self.postgres else f"date({day}, '+{int(days)} days')"

    def days_between(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _sql() -> _Sql:
    return _Sql(postgres=connection.vendor == "postgresql")


def _in(column: str, values: Sequence[Any], params: list[Any]) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _row(measures: dict[str, str]) -> str:
    """The measure columns of one UNION branch, in MEASURES order; absent ones are 0."""
    return ", ".join(f"CAST({measures.get(name, '0')} AS {_type(name)}) AS {name}" for name in MEASURES)


def _type(name: str) -> str:
    return "NUMERIC" if name in ("pipeline_created", "won_amount") else "BIGINT"


def _case_sum(types: Iterable[str], params: list[Any]) -> str:
    values = list(types)
    params.extend(values)
    return f"SUM(CASE WHEN type IN ({', '.join(['%s'] * len(values))}) THEN count ELSE 0 END)"


def _stage_rank(column: str, stages: list[str], params: list[Any]) -> str:
    # Stages are configured top (customer) down; a lower index is a later stage. Unknown stages rank last.
    whens = " ".join("WHEN %s THEN " + str(i) for i in range(len(stages)))
    params.extend(stages)
    return f"(CASE {column} {whens} ELSE {len(stages)} END)"


def _account_facts_sql(
    *, workspace_id: int, start: date, end: date, account_ids: Sequence[int] | None, stages: list[str]
) -> tuple[str, list[Any]]:
    sql = _sql()
    params: list[Any] = []
    branches: list[str] = []

    def scope(alias_account: str = "account_id") -> str:
        clause = "workspace_id = %s"
        params.append(workspace_id)
        if account_ids is not None:
            clause += " AND " + _in(alias_account, account_ids, params)
        return clause

    def between(expr: str) -> str:
        params.extend([start, end])
        return f"{expr} BETWEEN %s AND %s"

    # Engagement: the day counts of the scoring workers.
    measures = {
        "events": "SUM(count)",
        "touches": _case_sum(TOUCH_TYPES, params),
        "conversations": _case_sum(CONVERSATION_TYPES, params),
        "meetings": _case_sum(("meeting",), params),
        "content_downloads": _case_sum(CONTENT_TYPES, params),
    }
    select = _row(measures)
    branches.append(
        f"SELECT account_id, day, {select} FROM {EngagementDay._meta.db_table} "
        f"WHERE {scope()} AND {between('day')} GROUP BY account_id, day"
    )
    # Attempts: the team's outbound touches (logged by the portal itself, so read through the idempotency key's
    # (workspace, source) prefix, never a scan of the event table), each with its outcome: a conversation
    # (reply, form) or a meeting from the account in the days after it, from the workers' day counts.
    touch_day = sql.day("e.occurred_at")
    day_table = EngagementDay._meta.db_table

    def followed_by(types: tuple[str, ...], days: int) -> str:
        listed = ", ".join(f"'{t}'" for t in types)
        return (
            f"CASE WHEN EXISTS (SELECT 1 FROM {day_table} d WHERE d.account_id = e.account_id AND d.type IN "
            f"({listed}) AND d.day BETWEEN {touch_day} AND {sql.plus_days(touch_day, days)}) THEN 1 ELSE 0 END"
        )

    select = _row(
        {
            "attempts": "1",
            "attempts_answered": followed_by(CONVERSATION_TYPES, ANSWER_DAYS),
            "attempts_to_meeting": followed_by(("meeting",), MEETING_DAYS),
        }
    )
    branches.append(
        f"SELECT e.account_id, {touch_day} AS day, {select} FROM {EngagementEvent._meta.db_table} e "
        f"WHERE e.{scope('e.account_id')} AND e.source = '{TOUCH_SOURCE}' AND e.type = 'outbound_touch' "
        f"AND {between(touch_day)}"
    )
    opp = Opportunity._meta.db_table
    select = _row({"opps_created": "1", "pipeline_created": "COALESCE(amount, 0)"})
    branches.append(
        f"SELECT account_id, created_date AS day, {select} FROM {opp} WHERE {scope()} AND {between('created_date')}"
    )
    cycle = sql.days_between("close_date", "created_date")
    select = _row(
        {
            "opps_won": "CASE WHEN status = 'won' THEN 1 ELSE 0 END",
            "won_amount": "CASE WHEN status = 'won' THEN COALESCE(amount, 0) ELSE 0 END",
            "new_customers_won": "CASE WHEN status = 'won' AND type = 'new_business' THEN 1 ELSE 0 END",
            "opps_lost": "CASE WHEN status = 'lost' THEN 1 ELSE 0 END",
            "won_cycle_days": f"CASE WHEN status = 'won' THEN {cycle} ELSE 0 END",
        }
    )
    branches.append(
        f"SELECT account_id, close_date AS day, {select} FROM {opp} "
        f"WHERE {scope()} AND status IN ('won', 'lost') AND close_date IS NOT NULL AND {between('close_date')}"
    )
    alert = Alert._meta.db_table
    for stamp, measures in (
        ("created_at", {"alerts_created": "1"}),
        ("acknowledged_at", {"alerts_acknowledged": "1", "ack_seconds": sql.seconds("acknowledged_at", "created_at")}),
        ("resolved_at", {"alerts_resolved": "1", "resolve_seconds": sql.seconds("resolved_at", "created_at")}),
    ):
        branches.append(
            f"SELECT account_id, {sql.day(stamp)} AS day, {_row(measures)} FROM {alert} "
            f"WHERE {scope()} AND account_id IS NOT NULL AND status NOT IN ('suppressed', 'held_back') "
            f"AND {stamp} IS NOT NULL "
            f"AND {between(sql.day(stamp))}"
        )
    task = Task._meta.db_table
    branches.append(
        f"SELECT account_id, {sql.day('created_at')} AS day, {_row({'tasks_created': '1'})} FROM {task} "
        f"WHERE {scope()} AND {between(sql.day('created_at'))}"
    )
    branches.append(
        f"SELECT account_id, {sql.day('completed_at')} AS day, {_row({'tasks_done': '1'})} FROM {task} "
        f"WHERE {scope()} AND status = 'done' AND completed_at IS NOT NULL AND {between(sql.day('completed_at'))}"
    )
    change = JourneyStageChange._meta.db_table
    rank_to = _stage_rank("to_stage", stages, params)
    rank_from = _stage_rank("from_stage", stages, params)
    measures = {
        "stage_entries": "1",
        "stage_advances": f"CASE WHEN from_stage <> '' AND {rank_to} < {rank_from} THEN 1 ELSE 0 END",
        "mqa_entries": "CASE WHEN to_stage = 'mqa' THEN 1 ELSE 0 END",
    }
    # Parameters are appended in the order the SQL text reads them (MEASURES order): advances, then regressions.
    rank_to2 = _stage_rank("to_stage", stages, params)
    rank_from2 = _stage_rank("from_stage", stages, params)
    measures["stage_regressions"] = f"CASE WHEN from_stage <> '' AND {rank_to2} > {rank_from2} THEN 1 ELSE 0 END"
    branches.append(
        f"SELECT account_id, {sql.day('changed_at')} AS day, {_row(measures)} FROM {change} "
        f"WHERE {scope()} AND {between(sql.day('changed_at'))}"
    )
    sums = ", ".join(f"SUM({name})" for name in MEASURES)
    names = ", ".join(MEASURES)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in MEASURES)
    union = " UNION ALL ".join(branches)
    statement = (
        f"INSERT INTO {AccountDayFact._meta.db_table} (workspace_id, account_id, day, {names}) "
        f"SELECT {int(workspace_id)}, s.account_id, s.day, {sums} FROM ({union}) s WHERE TRUE "
        f"GROUP BY s.account_id, s.day "
        f"ON CONFLICT (workspace_id, account_id, day) DO UPDATE SET {updates}"
    )
    return statement, params


def _segment_sql(*, workspace_id: int, start: date, end: date) -> tuple[str, list[Any]]:
    from accounts.models import Account

    names = ", ".join(MEASURES)
    sums = ", ".join(f"SUM(f.{name})" for name in MEASURES)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in (*MEASURES, "accounts_active"))
    statement = (
        f"INSERT INTO {SegmentDayFact._meta.db_table} "
        f"(workspace_id, day, tier, owner_key, industry, {names}, accounts_active) "
        f"SELECT {int(workspace_id)}, f.day, a.tier, COALESCE(a.owner_id, 0), a.industry, {sums}, "
        f"SUM(CASE WHEN f.events > 0 THEN 1 ELSE 0 END) "
        f"FROM {AccountDayFact._meta.db_table} f JOIN {Account._meta.db_table} a ON a.id = f.account_id "
        f"WHERE f.workspace_id = %s AND f.day BETWEEN %s AND %s "
        f"GROUP BY f.day, a.tier, COALESCE(a.owner_id, 0), a.industry "
        f"ON CONFLICT (workspace_id, day, tier, owner_key, industry) DO UPDATE SET {updates}"
    )
    return statement, [workspace_id, start, end]


def _tier_fact_sql(*, workspace_id: int, start: date, end: date) -> tuple[str, list[Any]]:
    columns = (*MEASURES, "accounts_active")
    names = ", ".join(columns)
    sums = ", ".join(f"SUM({name})" for name in columns)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in columns)
    statement = (
        f"INSERT INTO {TierDayFact._meta.db_table} (workspace_id, day, tier, {names}) "
        f"SELECT {int(workspace_id)}, day, tier, {sums} FROM {SegmentDayFact._meta.db_table} "
        f"WHERE workspace_id = %s AND day BETWEEN %s AND %s GROUP BY day, tier "
        f"ON CONFLICT (workspace_id, day, tier) DO UPDATE SET {updates}"
    )
    return statement, [workspace_id, start, end]


def _tier_snapshot_sql(*, workspace_id: int, start: date, end: date) -> tuple[str, list[Any]]:
    from accounts.models import Account
    from engagement.models import AccountScoreSnapshot

    params: list[Any] = [*ENGAGED_STAGES, workspace_id, start, end]
    engaged = ", ".join(["%s"] * len(ENGAGED_STAGES))
    statement = (
        f"INSERT INTO {TierDaySnapshot._meta.db_table} (workspace_id, day, tier, accounts, score_sum, engaged, mqa) "
        f"SELECT {int(workspace_id)}, s.day, a.tier, COUNT(*), SUM(s.score), "
        f"SUM(CASE WHEN s.stage IN ({engaged}) THEN 1 ELSE 0 END), SUM(CASE WHEN s.stage = 'mqa' THEN 1 ELSE 0 END) "
        f"FROM {AccountScoreSnapshot._meta.db_table} s JOIN {Account._meta.db_table} a ON a.id = s.account_id "
        f"WHERE s.workspace_id = %s AND s.day BETWEEN %s AND %s GROUP BY s.day, a.tier "
        f"ON CONFLICT (workspace_id, day, tier) DO UPDATE SET accounts = EXCLUDED.accounts, "
        f"score_sum = EXCLUDED.score_sum, engaged = EXCLUDED.engaged, mqa = EXCLUDED.mqa"
    )
    return statement, params


def _reach_sql(*, workspace_id: int, account_ids: Sequence[int] | None, stages: list[str]) -> tuple[str, list[Any]]:
    """Per account: its entry into the journey (first recorded stage change) and, per stage, the days from then to
    its first arrival there or at a later stage (``stages`` in travel order, first stage first). An account has
    reached a stage when it arrived there or further on (a jump from aware to MQA passes engaged), or started its
    first recorded change from there."""
    sql = _sql()
    table = JourneyStageChange._meta.db_table
    params: list[Any] = [v for i, key in enumerate(stages) for v in (key, i)]
    ranks = " UNION ALL ".join(["SELECT CAST(%s AS VARCHAR(40)) AS stage, %s AS pos"] * len(stages))
    scope = "workspace_id = %s"
    params.append(workspace_id)
    if account_ids is not None:
        scope += " AND " + _in("account_id", account_ids, params)
    params += [workspace_id, workspace_id]
    days = (
        "EXTRACT(EPOCH FROM (r.at - c.entered)) / 86400.0"
        if sql.postgres
        else "(julianday(r.at) - julianday(c.entered))"
    )
    statement = (
        f"WITH ranks AS ({ranks}), "
        f"c AS (SELECT account_id, MIN(changed_at) AS entered FROM {table} WHERE {scope} GROUP BY account_id), "
        f"arrivals AS (SELECT j.account_id, j.to_stage AS stage, j.changed_at AS at FROM {table} j "
        f"JOIN c ON c.account_id = j.account_id WHERE j.workspace_id = %s "
        f"UNION ALL SELECT j.account_id, j.from_stage, j.changed_at FROM {table} j "
        f"JOIN c ON c.account_id = j.account_id AND j.changed_at = c.entered WHERE j.workspace_id = %s), "
        f"r AS (SELECT a.account_id, x.stage, MIN(a.at) AS at FROM arrivals a "
        f"JOIN ranks ra ON ra.stage = a.stage JOIN ranks x ON x.pos <= ra.pos GROUP BY a.account_id, x.stage) "
        f"INSERT INTO {AccountStageReach._meta.db_table} (workspace_id, account_id, stage, entered_at, days) "
        f"SELECT {int(workspace_id)}, s.account_id, s.stage, s.entered, s.days FROM ("
        f"SELECT c.account_id, r.stage, c.entered, {days} AS days FROM c JOIN r ON r.account_id = c.account_id "
        f"UNION ALL SELECT c.account_id, '', c.entered, 0.0 FROM c) s WHERE TRUE "
        f"ON CONFLICT (workspace_id, account_id, stage) DO UPDATE SET entered_at = EXCLUDED.entered_at, "
        f"days = EXCLUDED.days"
    )
    return statement, params


def _stand_sql(*, workspace_id: int) -> tuple[str, list[Any]]:
    from accounts.models import Account

    sql = _sql()
    since = sql.day("journey_stage_changed_at")
    statement = (
        f"INSERT INTO {StageStandFact._meta.db_table} "
        f"(workspace_id, tier, owner_key, industry, stage, since_day, accounts) "
        f"SELECT {int(workspace_id)}, tier, COALESCE(owner_id, 0), industry, journey_stage, {since}, COUNT(*) "
        f"FROM {Account._meta.db_table} WHERE workspace_id = %s "
        f"GROUP BY tier, COALESCE(owner_id, 0), industry, journey_stage, {since}"
    )
    return statement, [workspace_id]


def _alert_segment_sql(*, workspace_id: int, start: date, end: date) -> tuple[str, list[Any]]:
    from accounts.models import Account

    sql = _sql()
    alert = Alert._meta.db_table
    acked = "al.acknowledged_at IS NOT NULL"
    seconds = sql.seconds("al.acknowledged_at", "al.created_at")
    columns = ("raised", "acknowledged", "ack_seconds")
    statement = (
        f"INSERT INTO {AlertSegmentFact._meta.db_table} (workspace_id, day, tier, owner_key, industry, rule_key, "
        f"severity, assignee_key, {', '.join(columns)}) "
        f"SELECT {int(workspace_id)}, {sql.day('al.created_at')}, a.tier, COALESCE(a.owner_id, 0), a.industry, "
        f"COALESCE(al.rule_id, 0), al.severity, COALESCE(al.assignee_id, 0), COUNT(*), "
        f"SUM(CASE WHEN {acked} THEN 1 ELSE 0 END), SUM(CASE WHEN {acked} THEN {seconds} ELSE 0 END) "
        f"FROM {alert} al JOIN {Account._meta.db_table} a ON a.id = al.account_id "
        f"WHERE al.workspace_id = %s AND al.status NOT IN ('suppressed', 'held_back') "
        f"AND al.created_at >= %s AND al.created_at < %s "
        f"GROUP BY {sql.day('al.created_at')}, a.tier, COALESCE(a.owner_id, 0), a.industry, COALESCE(al.rule_id, 0), "
        f"al.severity, COALESCE(al.assignee_id, 0) "
        f"ON CONFLICT (workspace_id, day, tier, owner_key, industry, rule_key, severity, assignee_key) "
        f"DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in columns)}"
    )
    since = datetime.combine(start, datetime.min.time(), UTC)
    until = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
    return statement, [workspace_id, since, until]


def _active_gap_sql(*, workspace_id: int, start: date, end: date) -> tuple[str, list[Any]]:
    """Per (day, tier) of ``[start, end]``: active accounts counted by their previous active day (the last one
    before ``start`` looked up per account through the facts' unique key, then ``LAG`` within the range)."""
    from accounts.models import Account

    fact = AccountDayFact._meta.db_table
    statement = (
        f"WITH r AS (SELECT account_id, day FROM {fact} "
        f"WHERE workspace_id = %s AND events > 0 AND day BETWEEN %s AND %s), "
        f"p AS (SELECT b.account_id, (SELECT MAX(f.day) FROM {fact} f WHERE f.workspace_id = %s "
        f"AND f.account_id = b.account_id AND f.day < %s AND f.events > 0) AS day "
        f"FROM (SELECT DISTINCT account_id FROM r) b), "
        f"x AS (SELECT account_id, day, LAG(day) OVER (PARTITION BY account_id ORDER BY day) AS prev FROM "
        f"(SELECT account_id, day FROM r UNION ALL SELECT account_id, day FROM p WHERE day IS NOT NULL) u) "
        f"INSERT INTO {TierActiveGap._meta.db_table} (workspace_id, day, tier, prev_day, accounts) "
        f"SELECT {int(workspace_id)}, x.day, a.tier, x.prev, COUNT(*) FROM x "
        f"JOIN {Account._meta.db_table} a ON a.id = x.account_id WHERE x.day >= %s "
        f"GROUP BY x.day, a.tier, x.prev"
    )
    return statement, [workspace_id, start, end, workspace_id, start, start]


def _event_type_sql(
    *, workspace_id: int, start: date, end: date, account_ids: Sequence[int] | None
) -> tuple[str, list[Any]]:
    params: list[Any] = [workspace_id, start, end]
    scope = ""
    if account_ids is not None:
        scope = " AND " + _in("account_id", account_ids, params)
    statement = (
        f"INSERT INTO {EventTypeDay._meta.db_table} (workspace_id, day, type) "
        f"SELECT DISTINCT {int(workspace_id)}, day, type FROM {EngagementDay._meta.db_table} "
        f"WHERE workspace_id = %s AND day BETWEEN %s AND %s{scope} AND count > 0 "
        f"ON CONFLICT (workspace_id, day, type) DO NOTHING"
    )
    return statement, params


def committee_refresh(*, workspace: Workspace) -> int:
    """Rebuild the committee coverage per segment from the current contacts (one statement, the rows stored)."""
    from accounts.models import Account

    from ..selectors.committee import committee_segment_rows

    rows = CommitteeSegmentFact.objects.for_workspace(workspace)
    rows._raw_delete(rows.db)
    # The labels stored in English whatever language runs the refresh (a worker, or in-process the request that
    # caused it); the pages name each role from its key in the reader's language (``committee_by_tier``).
    with translation.override(None):
        computed = committee_segment_rows(workspace=workspace, accounts=Account.objects.for_workspace(workspace))
    CommitteeSegmentFact.objects.bulk_create(
        [CommitteeSegmentFact(workspace=workspace, **row) for row in computed], batch_size=1000
    )
    return len(computed)


def stand_refresh(*, workspace: Workspace) -> int:
    """Rebuild "where accounts stand now" for the workspace (one grouped statement over its accounts).

    Called inside a refresh's transaction, after the workspace's ``RollupState`` row was locked, so two refreshes
    never interleave their delete and insert."""
    rows = StageStandFact.objects.for_workspace(workspace)
    rows._raw_delete(rows.db)
    return _execute(*_stand_sql(workspace_id=workspace.pk))


def rollup_version_bump(*, workspace: Workspace) -> None:
    """Move the workspace's rollup version on: the dashboards' cached figures (``analytics.selectors.cache``)
    are keyed by it, so the next request reads the new rollups."""
    if not RollupState.objects.filter(workspace=workspace).update(version=F("version") + 1):
        RollupState.objects.get_or_create(workspace=workspace, defaults={"version": 1})


def _execute(statement: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return int(cursor.rowcount)


def _lock_state(workspace: Workspace) -> None:
    """Serialise the refreshes of one workspace (its ``RollupState`` row, locked to the end of the transaction):
    the tables rebuilt whole or by range are deleted and re-inserted without two refreshes interleaving."""
    RollupState.objects.get_or_create(workspace=workspace)
    list(RollupState.objects.select_for_update().filter(workspace=workspace).values_list("pk", flat=True))


def _stage_keys(workspace: Workspace) -> list[str]:
    return [stage.key for stage in scoring_rules(workspace=workspace).stages]


@transaction.atomic
def facts_refresh(
    *,
    workspace: Workspace,
    start: date,
    end: date,
    account_ids: Sequence[int] | None = None,
    snapshots_from: date | None = None,
) -> int:
    """Rebuild the facts of ``[start, end]`` (of these accounts, or all) and the segment rows of those days.

    Tier snapshots (from the accounts' daily score snapshots) are rebuilt from ``snapshots_from`` (default
    ``start``): the incremental paths only redo the last two days, which are the only ones scoring writes.

    Safe to repeat: the range is deleted and re-inserted from the sources in one transaction.
    """
    stages = _stage_keys(workspace)
    _lock_state(workspace)
    if connection.vendor == "postgresql":
        # The grouping of a whole workspace's day counts spills to disk at the default 4 MB; this transaction only.
        _execute("SET LOCAL work_mem = '64MB'", [])
    chunks: list[Sequence[int] | None] = [None]
    if account_ids is not None:
        ids = sorted(set(account_ids))
        if not ids:
            return 0
        chunks = [ids[i : i + ACCOUNT_CHUNK] for i in range(0, len(ids), ACCOUNT_CHUNK)]
    written = 0
    for chunk in chunks:
        stale = AccountDayFact.objects.for_workspace(workspace).filter(day__range=(start, end))
        if chunk is not None:
            stale = stale.filter(account_id__in=chunk)
        stale._raw_delete(stale.db)
        statement, params = _account_facts_sql(
            workspace_id=workspace.pk, start=start, end=end, account_ids=chunk, stages=stages
        )
        written += _execute(statement, params)
        _execute(*_event_type_sql(workspace_id=workspace.pk, start=start, end=end, account_ids=chunk))
        # The journeys of the accounts with a stage change in the range (an account's journey only changes when
        # a change is recorded; a backfill of older changes reaches it with the nightly rebuild).
        moved: Sequence[int] | None = chunk
        if chunk is not None:
            since = datetime.combine(start, datetime.min.time(), UTC)
            moved = sorted(
                JourneyStageChange.objects.for_workspace(workspace)
                .filter(account_id__in=chunk, changed_at__gte=since)
                .order_by()
                .values_list("account_id", flat=True)
                .distinct()
            )
        if moved is None or moved:
            reach = AccountStageReach.objects.for_workspace(workspace)
            if moved is not None:
                reach = reach.filter(account_id__in=moved)
            reach._raw_delete(reach.db)
            journey = list(reversed(stages))
            _execute(*_reach_sql(workspace_id=workspace.pk, account_ids=moved, stages=journey))
    segments = SegmentDayFact.objects.for_workspace(workspace).filter(day__range=(start, end))
    segments._raw_delete(segments.db)
    _execute(*_segment_sql(workspace_id=workspace.pk, start=start, end=end))
    tier_facts = TierDayFact.objects.for_workspace(workspace).filter(day__range=(start, end))
    tier_facts._raw_delete(tier_facts.db)
    _execute(*_tier_fact_sql(workspace_id=workspace.pk, start=start, end=end))
    snapshot_start = max(start, snapshots_from or start)
    snapshots = TierDaySnapshot.objects.for_workspace(workspace).filter(day__range=(snapshot_start, end))
    snapshots._raw_delete(snapshots.db)
    _execute(*_tier_snapshot_sql(workspace_id=workspace.pk, start=snapshot_start, end=end))
    gaps = TierActiveGap.objects.for_workspace(workspace).filter(day__range=(start, end))
    gaps._raw_delete(gaps.db)
    _execute(*_active_gap_sql(workspace_id=workspace.pk, start=start, end=end))
    alert_rows = AlertSegmentFact.objects.for_workspace(workspace).filter(day__range=(start, end))
    alert_rows._raw_delete(alert_rows.db)
    _execute(*_alert_segment_sql(workspace_id=workspace.pk, start=start, end=end))
    stand_refresh(workspace=workspace)
    committee_refresh(workspace=workspace)
    rollup_version_bump(workspace=workspace)
    return written


def _first_day(workspace: Workspace) -> date:
    """The earliest day any source has data for (today when the workspace is empty)."""
    from engagement.models import AccountScoreSnapshot

    candidates: list[date] = [timezone.now().date()]
    for value in (
        EngagementDay.objects.for_workspace(workspace).aggregate(v=Min("day"))["v"],
        Opportunity.objects.for_workspace(workspace).aggregate(v=Min("created_date"))["v"],
        AccountScoreSnapshot.objects.for_workspace(workspace).aggregate(v=Min("day"))["v"],
    ):
        if value is not None:
            candidates.append(value)
    for model, field in ((Alert, "created_at"), (Task, "created_at"), (JourneyStageChange, "changed_at")):
        value = model.objects.for_workspace(workspace).aggregate(v=Min(field))["v"]
        if value is not None:
            candidates.append(value.astimezone(UTC).date())
    return min(candidates)


def facts_rebuild(*, workspace: Workspace, now: datetime | None = None) -> dict[str, Any]:
    """Rebuild every fact of the workspace from the sources (``analytics_rebuild``, the nightly reconciliation)."""
    now = now or timezone.now()
    started = time.monotonic()
    start, end = _first_day(workspace), now.date() + timedelta(days=1)
    with transaction.atomic():
        for whole in (AccountDayFact, AccountStageReach, AlertSegmentFact, TierActiveGap, EventTypeDay):
            everything = whole.objects.for_workspace(workspace)
            everything._raw_delete(everything.db)
        rows = facts_refresh(workspace=workspace, start=start, end=end)
        seconds = time.monotonic() - started
        RollupState.objects.update_or_create(
            workspace=workspace,
            defaults={"watermark": now, "last_rebuild_at": now, "last_rebuild_seconds": seconds},
        )
    if connection.vendor == "postgresql":
        # A rebuild replaces the tables' contents: fresh statistics keep the dashboards' plans right at once,
        # without waiting for autovacuum (ANALYZE samples rows, so it costs little).
        for model in (
            AccountDayFact,
            SegmentDayFact,
            TierDayFact,
            TierDaySnapshot,
            AccountStageReach,
            StageStandFact,
            AlertSegmentFact,
            TierActiveGap,
            CommitteeSegmentFact,
        ):
            _execute(f"ANALYZE {model._meta.db_table}", [])
    return {"rows": rows, "start": start.isoformat(), "end": end.isoformat(), "seconds": round(seconds, 3)}


def facts_refresh_accounts(*, workspace: Workspace, account_ids: Sequence[int], now: datetime | None = None) -> int:
    """After a scoring pass: re-roll the recent days of the accounts it touched."""
    now = now or timezone.now()
    start = now.date() - timedelta(days=SCORING_WINDOW_DAYS)
    return facts_refresh(
        workspace=workspace,
        start=start,
        end=now.date() + timedelta(days=1),
        account_ids=account_ids,
        snapshots_from=now.date() - timedelta(days=1),
    )


def facts_refresh_changes(*, workspace: Workspace, now: datetime | None = None) -> int:
    """Re-roll the accounts whose opportunities, alerts, tasks or stages changed since the watermark.

    Safe to repeat: the watermark only moves forward after the refresh committed, and a refresh is idempotent.
    """
    now = now or timezone.now()
    state, _ = RollupState.objects.get_or_create(workspace=workspace)
    since = state.watermark
    if since is None:
        facts_rebuild(workspace=workspace, now=now)
        return -1
    accounts: set[int] = set()
    first: date = now.date()
    changed: list[tuple[QuerySet[Any], str]] = [
        (Opportunity.objects.for_workspace(workspace).filter(updated_at__gt=since), "created_date"),
        (Alert.objects.for_workspace(workspace).filter(updated_at__gt=since, account__isnull=False), "created_at"),
        (Task.objects.for_workspace(workspace).filter(updated_at__gt=since), "created_at"),
        (JourneyStageChange.objects.for_workspace(workspace).filter(changed_at__gt=since), "changed_at"),
        # Outbound touches are never scored, so no scoring pass refreshes them: picked up here (the idempotency
        # key's (workspace, source) prefix finds them without scanning the event table).
        (
            EngagementEvent.objects.for_workspace(workspace).filter(
                source=TOUCH_SOURCE, type="outbound_touch", received_at__gt=since
            ),
            "occurred_at",
        ),
    ]
    for queryset, field in changed:
        ids = set(queryset.values_list("account_id", flat=True).distinct())
        if not ids:
            continue
        accounts |= ids
        earliest = queryset.aggregate(v=Min(field))["v"]
        earliest_day = earliest.date() if isinstance(earliest, datetime) else earliest
        first = min(first, earliest_day)
    written = 0
    with transaction.atomic():
        if accounts:
            written = facts_refresh(
                workspace=workspace,
                start=first,
                end=now.date() + timedelta(days=1),
                account_ids=sorted(accounts),
                snapshots_from=now.date() - timedelta(days=1),
            )
        else:
            # Tier, owner and stage edits reach "where accounts stand now", contact edits the committee coverage,
            # within the poll's interval.
            _lock_state(workspace)
            stand_refresh(workspace=workspace)
            committee_refresh(workspace=workspace)  # contacts' roles and engagement change without a rollup
        # Tasks overdue, committees and the maturity and rollout facts are read live: a new version every refresh
        # keeps the dashboards' cache no older than the refresh interval even when no rollup row changed.
        RollupState.objects.filter(pk=state.pk).update(watermark=now, last_refresh_at=now, version=F("version") + 1)
    return written
