from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def url_if_exists(name: str) -> str:
    """The URL of a named page, or "" while the app that serves it is not installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


@register.filter
def compact_money(value: Any) -> str:
    if value is None or value == "":
        return "—"
    amount = float(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= threshold:
            return f"${amount / threshold:.1f}{suffix}"
    return f"${amount:,.0f}"


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def sort_query(context: Any, key: str) -> str:
    """The query string that sorts by ``key`` (toggling direction if already sorted by it), on page 1."""
    request = context["request"]
    current = context.get("sort") or ""
    params = request.GET.copy()
    params["sort"] = f"-{key}" if current == key else key
    params.pop("page", None)
    return "?" + str(params.urlencode())


@register.filter
def person(user: Any) -> str:
    """A user's full name, else username, else an em dash."""
    if user is None:
        return "—"
    return str(user.get_full_name() or user.username)


@register.filter
def stage_label(key: str | None) -> str:
    """A journey-stage key as people read it: ``mqa`` -> ``MQA``, ``sales_ready`` -> ``Sales ready``."""
    if not key:
        return "—"
    text = key.replace("_", " ").strip()
    return text.upper() if len(text) <= 3 else text[:1].upper() + text[1:]
