"""Texts written once and read in many languages: a message key (the English text, marked for translation) with
its parameters, stored as JSON and rendered in the reader's language when shown (issue 16).

An alert is created by a background job that speaks no language, and read later by people who each speak their
own. The alert keeps its English title and message (the API's words, unchanged) and, beside them, the same
texts as keys and parameters::

    title = msg(gettext_noop("%(account)s crossed engagement %(threshold)s"), account=a.name, threshold=num(t))
    alert.title = title.english()     # as before: English
    alert.texts = {"title": title.spec()}
    render(alert.texts.get("title"), alert.title)   # in the active language; the English text if it cannot

Parameters are plain values (names, dates: shown as stored), ``num(x, digits)`` (a number in the reader's
format), ``label(msgid)`` (a word translated when shown: a choice label, a default stage name), ``stage(key)``
(a journey stage) or another ``msg`` (a sentence of its own).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, ngettext

from . import l10n


@dataclass(frozen=True)
class Msg:
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    plural: str = ""
    count: int | None = None

    def spec(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "params": {k: _stored(v) for k, v in self.params.items()}}
        if self.plural:
            out["plural"], out["count"] = self.plural, self.count
        return out

    def english(self) -> str:
        """The text as stored (the API's words)."""
        with translation.override("en"):
            return render(self.spec(), self.key)

    def __str__(self) -> str:  # in the active language (a preview, a page)
        return render(self.spec(), self.key)


def english(text: str | Msg) -> str:
    return text.english() if isinstance(text, Msg) else text


def specs(**texts: str | Msg) -> dict[str, Any]:
    """The keys and parameters of those texts that have them (for a model's ``texts`` field)."""
    return {name: text.spec() for name, text in texts.items() if isinstance(text, Msg)}


def msg(key: str, **params: Any) -> Msg:
    """A sentence: ``key`` is its English text with ``%(name)s`` placeholders, marked with ``gettext_noop``."""
    return Msg(key, params)


def ngettext_noop(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural text for translation without translating it (``makemessages`` knows this name)."""
    return singular, plural


# Counts several stored sentences share, as ``msg_plural`` parameters ("3 alerts on 1 account").
ACCOUNTS = ngettext_noop("%(count)s account", "%(count)s accounts")
ALERTS = ngettext_noop("%(count)s alert", "%(count)s alerts")
ACCOUNTS_RESCORED = ngettext_noop("%(count)s account rescored", "%(count)s accounts rescored")


def msg_plural(forms: tuple[str, str], count: int, **params: Any) -> Msg:
    """A sentence whose form follows ``count`` (``%(count)s`` is given to it as a number);
    ``forms`` from ``ngettext_noop``."""
    return Msg(forms[0], {"count": num(count), **params}, forms[1], count)


def num(value: float | int | None, digits: int | None = 0) -> dict[str, Any]:
    """A number in the reader's format; ``digits=None``: as few decimals as it needs (at most two), like ``:g``.
    NaN and infinity are stored as unknown (JSON has no such numbers: PostgreSQL refused the whole row) and read
    "—"."""
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    return {"num": value, "digits": digits}


def label(msgid: str, lower: bool = False) -> dict[str, Any]:
    """A word translated when shown (its English text is a msgid of the catalogue); ``lower``: in lower case."""
    return {"label": str(msgid), "lower": True} if lower else {"label": str(msgid)}


def stage(key: str | None) -> dict[str, Any]:
    return {"stage": key or ""}


def joined(items: list[Any], sep: str = "; ") -> dict[str, Any]:
    """Several parameters (e.g. one ``msg`` per event) shown one after the other."""
    return {"join": [_stored(i) for i in items], "sep": sep}


def _stored(value: Any) -> Any:
    if isinstance(value, Msg):
        return {"msg": value.spec()}
    if isinstance(value, float) and not math.isfinite(value):
        return None  # not JSON (see ``num``)
    if isinstance(value, dict | str | int | float | bool) or value is None:
        return value
    return str(value)


def _shown(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "num" in value:
        digits = value.get("digits")
        if digits is None and value["num"] is not None:
            x = float(value["num"])
            digits = next((d for d in (0, 1) if round(x, d) == round(x, 2)), 2)
        return l10n.number(value["num"], int(digits or 0))
    if "label" in value:
        word = gettext(value["label"]) if value["label"] else ""
        return word.lower() if value.get("lower") else word
    if "stage" in value:
        from .labels import stage_label

        return stage_label(value["stage"]) if value["stage"] else gettext("no stage")
    if "msg" in value:
        return render(value["msg"], "")
    if "join" in value:
        return str(value.get("sep", "; ")).join(str(_shown(v)) for v in value["join"])
    return str(value)


def shown(obj: Any, name: str) -> str:
    """A model's stored text ``name`` in the active language: its key in ``obj.texts[name]`` when it has one, else
    the column as stored (English, or what a person typed)."""
    return render((getattr(obj, "texts", None) or {}).get(name), getattr(obj, name))


def render(spec: dict[str, Any] | None, fallback: str) -> str:
    """The text in the active language; ``fallback`` (the stored English) when there is no key or it breaks."""
    if not spec or not spec.get("key"):
        return fallback
    try:
        params = {k: _shown(v) for k, v in (spec.get("params") or {}).items()}
        if spec.get("plural"):
            text = ngettext(spec["key"], spec["plural"], int(spec.get("count") or 0))
        else:
            text = gettext(spec["key"])
        return text % params
    except (KeyError, TypeError, ValueError):
        return fallback
