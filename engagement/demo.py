"""Demo engagement: about 500,000 events over the last 180 days, then a full score recompute and stage history.

Accounts enter the journey on different days: about 40% were engaging before the 180 days began, the others
start on a day spread over the period, so the stage history (recorded over the 180 days) gives monthly cohorts.

Accounts get an engagement profile: a few hot ones (bursts, most of the committee engaged), warming ones
(activity rising over the last weeks), steady, cooling (busy months ago, quiet now) and many quiet ones
(the odd email open). Some accounts also get third-party intent and trigger events (funding, executive
hire...). Events go in with PostgreSQL COPY (SQLite: one executemany), and every event is a valid row of the
ingest API, so replaying them through ``events_ingest`` adds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, timedelta

import numpy as np
from django.db import connection

from abe.bulk import bulk_load, lines_copy
from abe.demo import DemoContext
from accounts.models import Contact
from content.models import ContentAsset

from .models import (
    AccountEngagement,
    AccountScoreSnapshot,
    Channel,
    EngagementDay,
    EngagementEvent,
    EventType,
    JourneyStageChange,
    ScoreComponent,
    TriggerKind,
)
from .services import store
from .services.history import history_backfill
from .services.scoring import scores_recompute

DAYS = 180
# Daily snapshots rebuilt for the trend: the last 90 days (the snapshot table is the demo's largest write after
# the events; 180 days would double it and most of the load time budget).
HISTORY_DAYS = 90
TARGET_EVENTS = 500_000
# profile: (share of accounts, relative volume, share of the committee that engages)
PROFILES = {
    "hot": (0.05, 9.0, 0.9),
    "warming": (0.10, 3.5, 0.7),
    "steady": (0.25, 1.6, 0.5),
    "cooling": (0.12, 2.2, 0.5),
    "quiet": (0.48, 0.22, 0.25),
}
# per event type: (share of person-level events, channel, source)
PERSON_TYPES = {
    EventType.EMAIL_OPEN: (0.30, Channel.EMAIL, "marketo"),
    EventType.WEB_VISIT: (0.28, Channel.WEB, "web"),
    EventType.EMAIL_CLICK: (0.11, Channel.EMAIL, "marketo"),
    EventType.CONTENT_DOWNLOAD: (0.06, Channel.WEB, "web"),
    EventType.PRICING_PAGE_VISIT: (0.04, Channel.WEB, "web"),
    EventType.WEBINAR_REGISTRATION: (0.035, Channel.WEBINAR, "zoom"),
    EventType.WEBINAR_ATTENDANCE: (0.02, Channel.WEBINAR, "zoom"),
    EventType.EVENT_ATTENDANCE: (0.01, Channel.EVENT, "salesforce"),
    EventType.MEETING: (0.015, Channel.PHONE, "salesforce"),
    EventType.REPLY: (0.025, Channel.EMAIL, "salesforce"),
    EventType.FORM_SUBMISSION: (0.02, Channel.WEB, "web"),
    EventType.INTENT_SIGNAL: (0.04, Channel.THIRD_PARTY, "bombora"),  # account level (no contact)
}
SESSION_TYPES = {EventType.EMAIL_OPEN, EventType.WEB_VISIT, EventType.EMAIL_CLICK, EventType.INTENT_SIGNAL}
SESSION_P = 0.45  # events per session ~ geometric, mean 1 / 0.45
PAGES = ["/", "/product", "/integrations", "/customers", "/blog/abm-metrics", "/blog/buying-committee", "/docs"]
# Share of this step done after each stage (for the loading page of `make run`; measured on SQLite).
PROGRESS = {"events": 0.3, "days": 0.45, "history": 0.65, "scores": 0.85}
NULL = "\\N"  # COPY's text format for NULL; the metadata JSON has no tab, newline or backslash to escape
# When accounts start engaging: a share were engaging before the 180 days began, the others enter the journey on
# a day spread over the period (the latest three weeks ago), so the journey funnel has a cohort per month.
LONG_STANDING = 0.4
LATEST_ENTRY = DAYS - 21
TOPICS = ["account-based marketing", "sales engagement", "intent data", "revenue operations", "marketing automation"]


def _intensity(profile: str, rng: np.random.Generator, start: int = 0) -> np.ndarray:
    """Relative activity on each of the last DAYS days (index 0 = 179 days ago, DAYS − 1 = today); none before
    ``start``, the day the account first engages."""
    t = np.arange(DAYS, dtype=float)
    if profile == "hot":
        curve = np.full(DAYS, 0.6)
        for _ in range(3):  # bursts: campaigns, a webinar, an evaluation
            centre = rng.integers(20, DAYS)
            curve += 3.0 * np.exp(-(((t - centre) / rng.uniform(3, 8)) ** 2))
        curve += 3.0 * np.exp(-(((t - (DAYS - rng.integers(2, 10))) / 5.0) ** 2))  # and one right now
    elif profile == "warming":
        curve = 0.15 + np.exp((t - DAYS) / rng.uniform(12, 25))
    elif profile == "cooling":
        curve = 0.05 + np.exp(-(((t - rng.integers(30, 110)) / rng.uniform(15, 30)) ** 2))
    else:
        curve = np.full(DAYS, 1.0) + rng.uniform(0, 0.3, DAYS)
    weekday = np.array([1.0 if (DAYS - 1 - i) % 7 not in (0, 6) else 0.35 for i in range(DAYS)])
    curve[:start] = 0.0
    return curve * weekday


@dataclass
class _Columns:
    """The generated events, one array per column (vectorised: half a million rows in a couple of seconds)."""

    account: list[int]
    contact: list[int]  # 0: an account-level signal
    type: list[int]  # index into EVENT_TYPES
    asset: list[int]  # 0: none
    micros: np.ndarray  # occurred_at, microseconds since the Unix epoch (UTC)
    meta: list[int]  # index into the metadata strings


EVENT_TYPES = [*PERSON_TYPES, EventType.TRIGGER_EVENT]
SOURCES = {**{t: v[2] for t, v in PERSON_TYPES.items()}, EventType.TRIGGER_EVENT: "news"}
CHANNELS = {**{t: v[1] for t, v in PERSON_TYPES.items()}, EventType.TRIGGER_EVENT: Channel.THIRD_PARTY}


def _metadata(language: str = "en") -> list[dict]:
    """Every metadata object the demo uses; events point at one by index (a trigger's headline in the demo's
    language: it is what a press item would say)."""
    headline = "Anunciado en la prensa" if language == "es" else "Announced in the press"
    return (
        [{}]
        + [{"url": page} for page in PAGES]
        + [{"url": "/pricing"}]
        + [{"topic": topic, "strength": strength} for topic in TOPICS for strength in range(40, 100, 5)]
        + [{"kind": kind, "headline": headline} for kind in TriggerKind.values]
    )


def _generate(ctx: DemoContext) -> _Columns:
    rng = np.random.default_rng(ctx.rng.randint(0, 2**31))
    ws = ctx.workspace
    contacts: dict[int, list[int]] = {}
    for pk, account_id in Contact.objects.for_workspace(ws).order_by("pk").values_list("pk", "account_id"):
        contacts.setdefault(account_id, []).append(pk)
    account_ids = sorted(ctx.data.get("account_ids") or contacts)
    assets = np.array(list(ContentAsset.objects.for_workspace(ws).values_list("pk", flat=True)) or [0])
    names = list(PROFILES)
    profiles = rng.choice(names, size=len(account_ids), p=[PROFILES[n][0] for n in names])
    volume = np.array([PROFILES[p][1] for p in profiles]) * rng.lognormal(0, 0.35, len(account_ids))
    per_account = np.rint(volume / volume.sum() * TARGET_EVENTS).astype(int)
    intent = EVENT_TYPES.index(EventType.INTENT_SIGNAL)
    person_codes = np.array([i for i, t in enumerate(EVENT_TYPES[:-1]) if i != intent])
    type_p = np.array([PERSON_TYPES[EVENT_TYPES[i]][0] for i in person_codes])
    type_p /= type_p.sum()
    with_asset = np.array(
        [
            EVENT_TYPES[i] in (EventType.CONTENT_DOWNLOAD, EventType.WEBINAR_REGISTRATION, EventType.WEBINAR_ATTENDANCE)
            for i in range(len(EVENT_TYPES))
        ]
    )
    in_sessions = np.array([t in SESSION_TYPES for t in EVENT_TYPES])
    session_mean = 1 / SESSION_P
    mean_session = sum(PERSON_TYPES[t][0] * (session_mean if t in SESSION_TYPES else 1.0) for t in PERSON_TYPES) / sum(
        PERSON_TYPES[t][0] for t in PERSON_TYPES
    )
    web = EVENT_TYPES.index(EventType.WEB_VISIT)
    pricing = EVENT_TYPES.index(EventType.PRICING_PAGE_VISIT)
    today_start = ctx.now.replace(hour=0, minute=0, second=0, microsecond=0)
    start_us = int((today_start - timedelta(days=DAYS - 1)).timestamp()) * 1_000_000
    seconds_today = max((ctx.now - today_start).total_seconds(), 1.0)
    starts = np.where(
        rng.random(len(account_ids)) < LONG_STANDING, 0, rng.integers(1, LATEST_ENTRY + 1, size=len(account_ids))
    )
    parts: dict[str, list] = {k: [] for k in ("account", "contact", "type", "day", "offset")}
    for account_id, profile, n, start in zip(account_ids, profiles, per_account, starts, strict=True):
        people = contacts.get(account_id, [])
        # Sessions: a visit is several pages, an email is opened more than once (and daily caps matter).
        n = max(1, round(n / mean_session))
        n_intent = int(n * PERSON_TYPES[EventType.INTENT_SIGNAL][0]) if profile in ("hot", "warming") else 0
        n_person = n - n_intent if people else 0
        curve = _intensity(profile, rng, int(start))
        days = rng.choice(DAYS, size=n_person + n_intent, p=curve / curve.sum())
        who = np.zeros(n_person + n_intent, dtype=np.int64)
        if n_person:
            engaged = rng.choice(people, size=max(1, round(len(people) * PROFILES[profile][2])), replace=False)
            share = 1.0 / np.arange(1, len(engaged) + 1) ** 0.8  # a few people do most of the clicking
            who[:n_person] = engaged[rng.choice(len(engaged), size=n_person, p=share / share.sum())]
        types = np.full(n_person + n_intent, intent)
        types[:n_person] = rng.choice(person_codes, size=n_person, p=type_p)
        repeat = np.where(in_sessions[types], np.minimum(rng.geometric(SESSION_P, size=len(types)), 8), 1)
        parts["account"].append(np.full(int(repeat.sum()), account_id))
        parts["contact"].append(np.repeat(who, repeat))
        parts["type"].append(np.repeat(types, repeat))
        parts["day"].append(np.repeat(days, repeat))
        parts["offset"].append(rng.uniform(0, 1, size=int(repeat.sum())))
    # Trigger events on one account in eight (once it engages): funding rounds, executive hires, launches...
    triggered = np.array(account_ids[::8])
    parts["account"].append(triggered)
    parts["contact"].append(np.zeros(len(triggered), dtype=np.int64))
    parts["type"].append(np.full(len(triggered), len(EVENT_TYPES) - 1))
    parts["day"].append(rng.integers(starts[::8], DAYS - 1, size=len(triggered)))
    parts["offset"].append(rng.uniform(0, 1, size=len(triggered)))
    account, contact, types, days, offset = (np.concatenate(parts[k]) for k in parts)
    day_seconds = np.where(days == DAYS - 1, seconds_today, 86_400.0)  # nothing later than now today
    micros = start_us + days.astype(np.int64) * 86_400_000_000 + (offset * day_seconds * 1e6).astype(np.int64)
    serial = np.arange(len(account))
    meta = np.zeros(len(account), dtype=np.int64)
    meta[types == web] = 1 + serial[types == web] % len(PAGES)
    meta[types == pricing] = 1 + len(PAGES)
    first_intent_meta, per_topic = 2 + len(PAGES), len(range(40, 100, 5))
    is_intent = types == intent
    meta[is_intent] = first_intent_meta + rng.integers(0, len(TOPICS) * per_topic, size=int(is_intent.sum()))
    is_trigger = types == len(EVENT_TYPES) - 1
    meta[is_trigger] = first_intent_meta + len(TOPICS) * per_topic + serial[is_trigger] % len(TriggerKind.values)
    asset = np.where(with_asset[types], assets[serial % len(assets)], 0)
    return _Columns(account.tolist(), contact.tolist(), types.tolist(), asset.tolist(), micros, meta.tolist())


def _load(ctx: DemoContext) -> int:
    columns = _generate(ctx)
    ws = ctx.workspace.pk
    types = [str(t) for t in EVENT_TYPES]
    sources = [SOURCES[t] for t in EVENT_TYPES]
    channels = [str(CHANNELS[t]) for t in EVENT_TYPES]
    metas = [json.dumps(m, ensure_ascii=False) for m in _metadata(ctx.language)]
    if connection.vendor == "postgresql":
        times = np.datetime_as_string(columns.micros.astype("datetime64[us]"), unit="us", timezone="UTC").tolist()
        now = ctx.now.isoformat()
        lines_copy(
            EngagementEvent,
            [
                "workspace",
                "account",
                "contact",
                "type",
                "channel",
                "content_asset",
                "occurred_at",
                "source",
                "external_id",
                "metadata",
                "received_at",
            ],
            (
                f"{ws}\t{a}\t{c or NULL}\t{types[t]}\t{channels[t]}\t{x or NULL}\t{at}\t{sources[t]}\tdemo-{i:07d}\t"
                f"{metas[m]}\t{now}\n"
                for i, (a, c, t, x, at, m) in enumerate(
                    zip(columns.account, columns.contact, columns.type, columns.asset, times, columns.meta, strict=True)
                )
            ),
        )
        return len(times)
    # Django keeps SQLite datetimes as naive UTC text ("YYYY-MM-DD HH:MM:SS.ffffff"); write them the same way.
    times = np.datetime_as_string(columns.micros.astype("datetime64[us]"), unit="us").tolist()
    now = str(ctx.now.astimezone(UTC).replace(tzinfo=None))
    rows = [
        (
            ws,
            a,
            c or None,
            types[t],
            channels[t],
            x or None,
            at.replace("T", " "),
            sources[t],
            f"demo-{i}",
            metas[m],
            now,
        )
        for i, (a, c, t, x, at, m) in enumerate(
            zip(columns.account, columns.contact, columns.type, columns.asset, times, columns.meta, strict=True)
        )
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO engagement_engagementevent (workspace_id, account_id, contact_id, type, channel,"
            " content_asset_id, occurred_at, source, external_id, metadata, received_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    return len(rows)


def build(ctx: DemoContext) -> str:
    with bulk_load(
        [EngagementEvent, EngagementDay, ScoreComponent, AccountScoreSnapshot, JourneyStageChange, AccountEngagement]
    ):
        events = _load(ctx)
        ctx.progress(PROGRESS["events"])
        store.days_rebuild(workspace=ctx.workspace)
        ctx.progress(PROGRESS["days"])
        # Snapshots for the trend over 90 days; stage changes over the whole 180 days (cohorts by month entered).
        history_backfill(workspace=ctx.workspace, until=ctx.today, days=HISTORY_DAYS, stage_days=DAYS)
        ctx.progress(PROGRESS["history"])
        scores_recompute(workspace=ctx.workspace, now=ctx.now, rebuild_days=False)
    ctx.progress(PROGRESS["scores"])
    # Content: performance of the assets the events reference, then plays (they need journey stages).
    from content.demo import after_engagement

    from .services.content_performance import asset_performance_refresh

    measured = asset_performance_refresh(workspace=ctx.workspace, now=ctx.now)
    plays = after_engagement(ctx)
    return (
        f"{events} engagement events over {DAYS} days, {HISTORY_DAYS} days of score history; "
        f"{measured} asset performance rows; {plays}"
    )
