"""Local formats shared by pages, emails and exports: numbers and money in the active language, the workspace's
currency, and the language and time zone each person reads in.

The API never uses these: it keeps machine formats (ISO dates, dot decimals) whatever the language.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import pgettext

DEFAULT_CURRENCY = "USD"
SYMBOLS = {"EUR": "€", "USD": "$", "BRL": "R$", "RON": "lei", "GBP": "£", "MXN": "MX$", "CHF": "CHF"}

_currency: contextvars.ContextVar[str] = contextvars.ContextVar("abe_currency", default=DEFAULT_CURRENCY)


def active_currency() -> str:
    return _currency.get()


def currency_activate(code: str | None) -> contextvars.Token[str]:
    return _currency.set(code or DEFAULT_CURRENCY)


def currency_reset(token: contextvars.Token[str]) -> None:
    _currency.reset(token)


@contextmanager
def currency_override(code: str | None) -> Iterator[None]:
    token = currency_activate(code)
    try:
        yield
    finally:
        currency_reset(token)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None  # NaN and infinity are unknown ("—"), not an error


def number(value: Any, digits: int = 0) -> str:
    """A number in the active language's format with thousands grouped (1,234.5 / 1.234,5); "—" if unknown."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    return formats.number_format(round(amount, digits), digits, use_l10n=True, force_grouping=True)


def _with_symbol(amount: str, currency: str) -> str:
    symbol = SYMBOLS.get(currency, currency)
    # Translators: where the currency symbol goes around an amount ("$1,234" in English, "1.234 €" in Spanish).
    pattern = pgettext("money: symbol and amount", "%(symbol)s%(amount)s")
    return pattern.replace("%(symbol)s", symbol).replace("%(amount)s", amount).replace(" ", "\u00a0")


def money(value: Any, digits: int = 0, currency: str | None = None) -> str:
    """An amount in the workspace's currency, in the active language's format ("€1,234" / "1.234 €")."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    text = number(abs(amount), digits)
    return ("−" if amount < 0 else "") + _with_symbol(text, currency or active_currency())


def compact_money(value: Any, currency: str | None = None) -> str:
    """A short amount for tight cells: $1.2M, 350k € ..., in the workspace's currency."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    steps = (
        (Decimal(1_000_000_000), pgettext("compact number suffix: billions", "B")),
        (Decimal(1_000_000), pgettext("compact number suffix: millions", "M")),
        (Decimal(1_000), pgettext("compact number suffix: thousands", "k")),
    )
    for threshold, suffix in steps:
        if abs(amount) >= threshold:
            scaled = number(abs(amount) / threshold, 1)
            text = f"{scaled}{suffix}"  # translators add a space before the suffix where their language wants one
            break
    else:
        text = number(abs(amount), 0)
    return ("−" if amount < 0 else "") + _with_symbol(text, currency or active_currency())


def percent(value: Any, digits: int = 0) -> str:
    amount = _decimal(value)
    if amount is None:
        return "—"
    # Translators: a percentage; Spanish, Portuguese and Romanian put a space before the sign ("12 %").
    pattern = pgettext("percent", "%(number)s%%")
    return (pattern % {"number": number(amount * 100, digits)}).replace(" ", "\u00a0")


def supported_language(code: str | None) -> str | None:
    """The configured language code for ``code`` ("pt-BR" -> "pt-br"), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.lower())
    except LookupError:
        return None


def user_language(user: Any, workspace: Any = None) -> str:
    """The language one person reads emails in: their preference, else the workspace's, else the default."""
    pref = _preference(user)
    chosen = supported_language(pref.language if pref else None)
    if chosen is None and workspace is not None:
        chosen = supported_language(getattr(workspace, "language", ""))
    return chosen or settings.LANGUAGE_CODE


def _preference(user: Any) -> Any:
    from .models import UserPreference

    if user is None or not getattr(user, "pk", None):
        return None
    try:
        return user.preference
    except UserPreference.DoesNotExist:
        return None


def user_time_zone(user: Any) -> ZoneInfo | None:
    pref = _preference(user)
    return time_zone(pref.time_zone if pref else "")


def time_zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@cache
def time_zone_choices() -> tuple[tuple[str, str], ...]:
    """The zones a person can pick (~550), read once per process: ``available_timezones()`` walks the tz database
    on disk each time it is called (5-12 ms)."""
    return tuple(
        (name, name.replace("_", " ")) for name in sorted(available_timezones()) if "/" in name or name == "UTC"
    )


def recipients_locales(users: Iterable[Any], workspace: Any = None) -> dict[int, tuple[str, ZoneInfo | None]]:
    """Each recipient's (language, time zone) for emails, with one query for all their preferences."""
    from .models import UserPreference

    users = list(users)
    prefs = {p.user_id: p for p in UserPreference.objects.filter(user_id__in=[u.pk for u in users])}
    fallback = supported_language(getattr(workspace, "language", "")) or settings.LANGUAGE_CODE
    out: dict[int, tuple[str, ZoneInfo | None]] = {}
    for user in users:
        pref = prefs.get(user.pk)
        language = supported_language(pref.language if pref else None) or fallback
        out[user.pk] = (language, time_zone(pref.time_zone) if pref else None)
    return out


@contextmanager
def email_locale(language: str, tz: ZoneInfo | None = None, currency: str | None = None) -> Iterator[None]:
    """Render for one recipient: their language and time zone, the workspace's currency."""
    from django.utils import timezone

    with translation.override(language), currency_override(currency), timezone.override(tz or UTC):
        yield


@contextmanager
def recipient_locale(user: Any, workspace: Any = None) -> Iterator[str]:
    """Render an email for one recipient (see :func:`email_locale`)."""
    language = user_language(user, workspace)
    with email_locale(language, user_time_zone(user), getattr(workspace, "currency", None)):
        yield language
