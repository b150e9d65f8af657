"""Words people read instead of keys, and one number format, shared by templates, messages and alert texts."""

from __future__ import annotations


def stage_label(key: str | None) -> str:
    """A journey-stage key as people read it: ``mqa`` -> ``MQA``, ``sales_ready`` -> ``Sales ready``; "—" if none."""
    if not key:
        return "—"
    text = key.replace("_", " ").strip()
    return text.upper() if len(text) <= 3 else text[:1].upper() + text[1:]


def number(value: float | int | str | None, digits: int = 0) -> str:
    """Thousands separators; "—" when unknown."""
    if value is None or value == "":
        return "—"
    return f"{float(value):,.{digits}f}"


def signed_percent(value: float | str | None, digits: int = 0) -> str:
    """A change as a signed percentage (``+12%``, ``−4%``, ``0%``), or "—" when unknown."""
    if value is None or value == "":
        return "—"
    pct = float(value) * 100
    text = f"{abs(pct):,.{digits}f}%"
    if round(pct, digits) > 0:
        return "+" + text
    if round(pct, digits) < 0:
        return "−" + text
    return text
