"""Opportunity stage values -> open / won / lost, from synonyms covering the CRMs people export from.

Salesforce (``Closed Won``, ``Closed Lost``), HubSpot (``closedwon``, ``Closed won``), Pipedrive (``Won``,
``Lost``), plain words, Spanish (``Ganado/Ganada``, ``Perdido/Perdida``) and Portuguese (``Ganho``,
``Perdido``). Anything else (``Prospecting``, ``Engaging``, ``Negotiation``) is an open deal. The mapping step
shows every distinct value found with its suggestion, and a user's choice (``--stage VALUE=STATUS``) wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from .parsing import value_counts

STATUSES = ("open", "won", "lost")
WON = {
    "won",
    "closed won",
    "closedwon",
    "win",
    "closed win",
    "deal won",
    "booked",
    "signed",
    "contract signed",
    "ganado",
    "ganada",
    "cerrado ganado",
    "cerrada ganada",
    "ganho",
    "fechado ganho",
    "fechada ganha",
    "gagne",
    "gewonnen",
}
LOST = {
    "lost",
    "closed lost",
    "closedlost",
    "loss",
    "closed lose",
    "deal lost",
    "closed no decision",
    "no decision",
    "disqualified",
    "closed disqualified",
    "dead",
    "perdido",
    "perdida",
    "cerrado perdido",
    "cerrada perdida",
    "fechado perdido",
    "fechada perdida",
    "perdu",
    "verloren",
}


OPEN = {
    "open",
    "prospecting",
    "prospect",
    "engaging",
    "qualification",
    "qualified",
    "needs analysis",
    "discovery",
    "value proposition",
    "id decision makers",
    "perception analysis",
    "proposal",
    "proposal price quote",
    "negotiation",
    "negotiation review",
    "appointment scheduled",
    "qualified to buy",
    "presentation scheduled",
    "decision maker bought in",
    "contract sent",
    "lead in",
    "contact made",
    "demo scheduled",
    "proposal made",
    "negotiations started",
    "abierto",
    "abierta",
    "en curso",
    "aberto",
    "aberta",
    "em andamento",
}


def stage_key(value: str) -> str:
    """Case, accents, punctuation and spacing ignored: ``Closed-Won`` = ``closed won`` = ``CLOSED_WON``."""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", value or "") if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def stage_suggest(value: str) -> str | None:
    """``won``/``lost`` for a known closing stage, ``None`` for anything else (an open stage or unknown)."""
    key = stage_key(value)
    if key in WON or key.replace(" ", "") in {w.replace(" ", "") for w in WON}:
        return "won"
    if key in LOST or key.replace(" ", "") in {w.replace(" ", "") for w in LOST}:
        return "lost"
    return None


def stage_status(value: str, stage_map: dict[str, str]) -> str:
    """The status of a stage: the user's mapping (by normalised key), else the synonyms, else open."""
    key = stage_key(value)
    if key in stage_map:
        return stage_map[key]
    return stage_suggest(value) or "open"


def stage_map_clean(mapping: dict[str, str]) -> dict[str, str]:
    """``{"Closed Won": "won"}`` -> ``{"closed won": "won"}``; ValueError naming a bad status."""
    out = {}
    for value, status in mapping.items():
        status = (status or "").strip().lower()
        if status not in STATUSES:
            raise ValueError(f"Stage “{value}”: choose open, won or lost (not “{status}”).")
        out[stage_key(value)] = status
    return out


def stage_values(values: Iterable[str]) -> list[dict[str, object]]:
    """Distinct stage values (most frequent first) with their count, suggestion and whether it is known."""
    out = []
    for value, n in value_counts(values):
        suggestion = stage_suggest(value)
        known = suggestion is not None or stage_key(value) in OPEN
        out.append({"value": value, "count": n, "suggested": suggestion or "open", "known": known})
    return out
