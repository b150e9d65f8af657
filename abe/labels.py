"""Words people read instead of keys, and one number format, shared by templates, messages and alert texts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from . import l10n

# The names of the default journey stages (engagement.rules.DEFAULT_STAGES): shown in the reader's language as
# long as an admin has not renamed the stage; a name typed by an admin is shown as typed.
DEFAULT_STAGE_NAMES: dict[str, str] = {
    "customer": gettext_noop("Customer"),
    "opportunity": gettext_noop("Opportunity"),
    "mqa": gettext_noop("MQA"),
    "engaged": gettext_noop("Engaged"),
    "aware": gettext_noop("Aware"),
    "unaware": gettext_noop("Unaware"),
}


def stage_name(key: str, name: str) -> str:
    """A configured stage's name as people read it: the default name translated, an admin's own name as typed."""
    if name and DEFAULT_STAGE_NAMES.get(key) == name:
        return gettext(name)
    return name or stage_label(key)


def stage_label(key: str | None) -> str:
    """A journey-stage key as people read it: ``mqa`` -> ``MQA``, ``sales_ready`` -> ``Sales ready``; "—" if none.
    The default stages' keys read as their names in the active language."""
    if not key:
        return "—"
    if key in DEFAULT_STAGE_NAMES:
        return gettext(DEFAULT_STAGE_NAMES[key])
    text = key.replace("_", " ").strip()
    return text.upper() if len(text) <= 3 else text[:1].upper() + text[1:]


def number(value: float | int | str | None, digits: int = 0) -> str:
    """Thousands grouped in the active language's format (1,234.5 / 1.234,5); "—" when unknown."""
    return l10n.number(value, digits)


def signed_percent(value: float | str | None, digits: int = 0) -> str:
    """A change as a signed percentage (``+12%``, ``−4%``, ``0%``), or "—" when unknown."""
    if value is None or value == "":
        return "—"
    pct = float(value) * 100
    text = l10n.percent(abs(pct) / 100, digits)
    if round(pct, digits) > 0:
        return "+" + text
    if round(pct, digits) < 0:
        return "−" + text
    return text


class ChoiceLabels(Mapping[str, str]):
    """The labels of a choices class as plain strings in the active language, read when used (not at import).

    Module-level ``dict(X.choices)`` would hold lazy translations, which ``", ".join`` and JSON refuse.
    """

    def __init__(self, choices: type[models.Choices]) -> None:
        self._choices = choices

    def __getitem__(self, key: str) -> str:
        for value, label in self._choices.choices:
            if value == key:
                return str(label)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(str(value) for value in self._choices.values)

    def __len__(self) -> int:
        return len(self._choices.values)


def english_label(labels: Mapping[str, Any], value: str | None, default: str = "") -> str:
    """A choice's English label (its msgid), whatever language is active: what ``abe.texts.label()`` stores so that
    a page shows it in its reader's language. ``labels``: a ``ChoiceLabels``, or a field's ``dict(flatchoices)``."""
    with translation.override("en"):
        return str(labels.get(value or "", default))
