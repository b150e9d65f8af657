"""Plug-in points: how an upper app shows or triggers something in a lower one without being imported by it.

Each app registers its entries in its ``AppConfig.ready()``; the lower app reads the registry at request or
task time. Settings hold configuration only, not wiring.

- :func:`account_panel_register`: a URL name taking the account ``pk``; the account page loads it with htmx.
- :func:`nav_register`: an entry of the main navigation.
- :func:`settings_link_register`: a link on the settings page, shown only to the roles that may use it.
- :func:`home_section_register`: a fragment (URL name, no arguments) the home page loads with htmx for the
  given roles.
- :func:`after_scoring_register`: a dotted path to a Celery task called with ``workspace_id`` and
  ``account_ids`` after an engagement scoring pass commits; a pass caused by a configuration change also passes
  ``config_change`` (a dict: ``key``, ``label``, ``by``, ``per_account_alerts``, ``at`` and ``moves``, a list of
  ``[account_id, from_stage, to_stage]``), so tasks registered there accept that keyword.
- :func:`alert_forecast_register`: a dotted path to a function called with ``workspace_id``, ``account_ids`` and
  ``now`` inside a transaction the caller rolls back, after writing the state a change would give those accounts;
  it answers how many alerts would fire on them (the settings previews show it before saving).
- :func:`tier_changed_register`: a callable run in the transaction that moves accounts between tiers (key
  accounts re-date plan reviews to the new tier's cadence).
- :func:`job_restart_register`: a kind of job (``abe.models.Job.kind``) whose task resumes from the state it saved,
  so a failed job of that kind can be started again from its page (the roles allowed, the task's dotted path).
- :func:`account_measure_register`: the history of a figure an upper app computes per account (key accounts'
  health score), so a lower app (an activation condition) can read it without importing that app.

Entries are kept in ``order`` (then registration order); registering the same name twice replaces it, so
``ready()`` may run more than once (tests) without duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ALL_ROLES: tuple[str, ...] = ("admin", "marketing", "sales", "viewer")


@dataclass(frozen=True)
class AccountPanel:
    url_name: str
    order: int = 100


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    # The URL namespaces (or "namespace:url_name" prefixes) under which this entry is highlighted.
    active_prefixes: tuple[str, ...] = ()
    order: int = 100
    roles: tuple[str, ...] = ALL_ROLES
    badge_url_name: str = ""


@dataclass(frozen=True)
class SettingsLink:
    label: str
    url_name: str
    description: str = ""
    order: int = 100
    roles: tuple[str, ...] = ALL_ROLES


@dataclass(frozen=True)
class HomeSection:
    url_name: str
    title: str
    order: int = 100
    roles: tuple[str, ...] = ALL_ROLES


@dataclass(frozen=True)
class JobRestart:
    task: str  # the dotted path of the Celery task that takes the job's id
    roles: tuple[str, ...]


@dataclass
class _Registry:
    account_panels: dict[str, AccountPanel] = field(default_factory=dict)
    nav: dict[str, NavEntry] = field(default_factory=dict)
    settings_links: dict[str, SettingsLink] = field(default_factory=dict)
    home_sections: dict[str, HomeSection] = field(default_factory=dict)
    after_scoring: dict[str, int] = field(default_factory=dict)
    job_restarts: dict[str, JobRestart] = field(default_factory=dict)


_registry = _Registry()


def account_panel_register(url_name: str, *, order: int = 100) -> None:
    _registry.account_panels[url_name] = AccountPanel(url_name=url_name, order=order)


def account_panels() -> list[str]:
    return [p.url_name for p in sorted(_registry.account_panels.values(), key=lambda p: p.order)]


def nav_register(
    label: str,
    url_name: str,
    *,
    active_prefixes: Iterable[str] = (),
    order: int = 100,
    roles: Iterable[str] = ALL_ROLES,
    badge_url_name: str = "",
) -> None:
    _registry.nav[url_name] = NavEntry(
        label=label,
        url_name=url_name,
        active_prefixes=tuple(active_prefixes),
        order=order,
        roles=tuple(roles),
        badge_url_name=badge_url_name,
    )


def nav_entries(role: str | None = None) -> list[NavEntry]:
    entries = sorted(_registry.nav.values(), key=lambda e: e.order)
    return [e for e in entries if role is None or role in e.roles]


def settings_link_register(
    label: str, url_name: str, *, description: str = "", order: int = 100, roles: Iterable[str] = ALL_ROLES
) -> None:
    _registry.settings_links[url_name] = SettingsLink(
        label=label, url_name=url_name, description=description, order=order, roles=tuple(roles)
    )


def settings_links(role: str | None = None) -> list[SettingsLink]:
    links = sorted(_registry.settings_links.values(), key=lambda link: link.order)
    return [link for link in links if role is None or role in link.roles]


def home_section_register(url_name: str, *, title: str, order: int = 100, roles: Iterable[str] = ALL_ROLES) -> None:
    _registry.home_sections[url_name] = HomeSection(url_name=url_name, title=title, order=order, roles=tuple(roles))


def home_sections(role: str | None = None) -> list[HomeSection]:
    sections = sorted(_registry.home_sections.values(), key=lambda s: s.order)
    return [s for s in sections if role is None or role in s.roles]


def job_restart_register(kind: str, *, task: str, roles: Iterable[str]) -> None:
    _registry.job_restarts[kind] = JobRestart(task=task, roles=tuple(roles))


def job_restart(kind: str) -> JobRestart | None:
    return _registry.job_restarts.get(kind)


def after_scoring_register(task_path: str, *, order: int = 100) -> None:
    _registry.after_scoring[task_path] = order


def after_scoring_tasks() -> list[str]:
    return [path for path, _ in sorted(_registry.after_scoring.items(), key=lambda item: item[1])]


# Alert forecasts: how many alerts a configuration change would set off, for the previews of lower apps.
_alert_forecasts: dict[str, int] = {}


def alert_forecast_register(function_path: str, *, order: int = 100) -> None:
    """A dotted path to ``f(*, workspace_id, account_ids, now) -> int``: called by a preview inside a transaction
    it then rolls back, after writing the state a change would give these accounts (scores, stages, stage changes,
    tiers); the function may write as the real pass does (it is a dry run) and answers how many alerts would be
    delivered."""
    _alert_forecasts[function_path] = order


def alert_forecasts() -> list[str]:
    return [path for path, _ in sorted(_alert_forecasts.items(), key=lambda item: item[1])]


# Tasks completed: upper apps that create tasks (plays) react when a person completes one of theirs.
_task_completed: dict[str, int] = {}


def task_completed_register(task_path: str, *, order: int = 100) -> None:
    """A dotted path to a Celery task called with ``task_id`` after a task is marked done (on commit)."""
    _task_completed[task_path] = order


def task_completed_tasks() -> list[str]:
    return [path for path, _ in sorted(_task_completed.items(), key=lambda item: item[1])]


# Account measures: a figure an upper app computes per account over time (key accounts: the health score).
@dataclass(frozen=True)
class MeasureReading:
    """One computation of a measure for one account, with its receipt (``[[component, points, max, why], ...]``)."""

    at: datetime
    value: float
    explanation: list[Any] = field(default_factory=list)
    whys: list[Any] = field(default_factory=list)  # each row's reason as an abe.texts key and parameters


@dataclass(frozen=True)
class AccountMeasure:
    """``history(account_id, since, until)``: the readings in that window, oldest first.
    ``accounts_with_readings(workspace_id, since, until)``: a queryset of ``account_id`` values (usable in
    ``pk__in``) of the accounts with at least one reading in the window."""

    name: str
    label: str
    history: Callable[[int, datetime, datetime], list[MeasureReading]]
    accounts_with_readings: Callable[[int, datetime, datetime], Any]


_measures: dict[str, AccountMeasure] = {}


def account_measure_register(
    name: str,
    *,
    label: str,
    history: Callable[[int, datetime, datetime], list[MeasureReading]],
    accounts_with_readings: Callable[[int, datetime, datetime], Any],
) -> None:
    _measures[name] = AccountMeasure(
        name=name, label=label, history=history, accounts_with_readings=accounts_with_readings
    )


def account_measure(name: str) -> AccountMeasure | None:
    """The registered measure, or None when the app that computes it is not installed."""
    return _measures.get(name)


# Tier changes: an upper app reacts in the same transaction when accounts move between tiers.
TierMoves = dict[int, tuple[str, str]]  # account id -> (old tier, new tier)
_tier_changed: dict[str, tuple[int, Callable[..., object]]] = {}


def tier_changed_register(name: str, callback: Callable[..., object], *, order: int = 100) -> None:
    """``callback(workspace_id=..., moves={account_id: (old_tier, new_tier)}, by_id=user id or None)``, called by
    every service that changes tiers (automatic tiering, override, bulk move, accepted proposal) after the new tiers
    are written, inside its transaction: what the callback writes commits or rolls back with the move."""
    _tier_changed[name] = (order, callback)


def tier_changed_callbacks() -> list[Callable[..., object]]:
    return [callback for _, callback in sorted(_tier_changed.values(), key=lambda item: item[0])]
