"""What content needs from the engagement app, which sits above it in the layer order.

Engagement registers its implementations in its ``AppConfig.ready()``; content calls them through these
functions and never imports engagement. Without a registration (engagement not installed) reads answer
"nothing consumed" and logging a touch is refused with a clear message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext


class TouchLogger(Protocol):
    def __call__(
        self,
        *,
        workspace: Any,
        account: Any,
        contact: Any,
        channel: str,
        occurred_at: datetime,
        external_id: str,
        metadata: dict[str, Any],
        asset: Any = None,
    ) -> Any: ...


_touch_logger: TouchLogger | None = None
_consumed_reader: Callable[..., dict[int, set[int]]] | None = None


def touch_logger_register(func: TouchLogger) -> None:
    global _touch_logger
    _touch_logger = func


def consumed_reader_register(func: Callable[..., dict[int, set[int]]]) -> None:
    global _consumed_reader
    _consumed_reader = func


def touch_log(**kwargs: Any) -> Any:
    """Record an outbound touch (an email sent, a call made) as an engagement event; returns the event."""
    if _touch_logger is None:
        raise ValidationError(gettext("Touches cannot be logged: the engagement module is not installed."))
    return _touch_logger(**kwargs)


def consumed_assets(*, workspace: Any, contact_ids: Iterable[int]) -> dict[int, set[int]]:
    """Contact id -> ids of the assets that contact already consumed (events referencing them)."""
    ids = list(contact_ids)
    if _consumed_reader is None or not ids:
        return {}
    return _consumed_reader(workspace=workspace, contact_ids=ids)


# Journey stages (engagement's configuration) and the stage history, for mapping and movement figures.
_stages_reader: Callable[..., list[tuple[str, str]]] | None = None
_stage_at_reader: Callable[..., dict[int, str]] | None = None
_engaged_before_reader: Callable[..., dict[tuple[int, Any], set[int]]] | None = None


def stages_reader_register(func: Callable[..., list[tuple[str, str]]]) -> None:
    global _stages_reader
    _stages_reader = func


def stage_at_reader_register(func: Callable[..., dict[int, str]]) -> None:
    global _stage_at_reader
    _stage_at_reader = func


def engaged_before_reader_register(func: Callable[..., dict[tuple[int, Any], set[int]]]) -> None:
    global _engaged_before_reader
    _engaged_before_reader = func


FALLBACK_STAGES = [
    ("customer", "Customer"),
    ("opportunity", "Opportunity"),
    ("mqa", "MQA"),
    ("engaged", "Engaged"),
    ("aware", "Aware"),
    ("unaware", "Unaware"),
]


def journey_stages(*, workspace: Any) -> list[tuple[str, str]]:
    """The configured journey stages, top stage first, as (key, name)."""
    if _stages_reader is None:
        return list(FALLBACK_STAGES)
    return _stages_reader(workspace=workspace)


def stages_at(*, workspace: Any, account_ids: Iterable[int], when: datetime) -> dict[int, str]:
    """Account id -> its journey stage at ``when`` (accounts with no recorded change are left out)."""
    ids = list(account_ids)
    if _stage_at_reader is None or not ids:
        return {}
    return _stage_at_reader(workspace=workspace, account_ids=ids, when=when)


def engaged_before(*, workspace: Any, deals: list[tuple[int, Any]], days: int) -> dict[tuple[int, Any], set[int]]:
    """For (account id, close date) pairs: (account id, close date) -> the account's contacts engaged in the ``days``
    before that close."""
    if _engaged_before_reader is None or not deals:
        return {}
    return _engaged_before_reader(workspace=workspace, deals=deals, days=days)
