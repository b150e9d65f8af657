from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext

from .permissions import can_admin, can_write, request_role
from .registry import nav_entries


def workspace(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    workspaces = [m.workspace for m in getattr(request, "memberships", [])] if membership is not None else []
    return {
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": membership,
        "user_workspaces": workspaces,
        "can_write": can_write(request),
        "can_admin": can_admin(request),
        "nav_items": nav_items(request),
    }


def nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    """The main navigation for the request's role, from the registry; the entry whose ``active_prefixes`` match
    the current page most specifically is highlighted."""
    if getattr(request, "membership", None) is None:
        return []
    match = getattr(request, "resolver_match", None)
    here = f"{match.namespace}:{match.url_name}" if match and match.namespace else (match.url_name if match else "")
    items: list[dict[str, Any]] = []
    urls = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    for entry in nav_entries(request_role(request)):
        url = _reversed(entry.url_name, *urls)
        if url is None:  # the app serving it is not installed
            continue
        badge = (_reversed(entry.badge_url_name, *urls) or "") if entry.badge_url_name else ""
        score = max((len(p) for p in entry.active_prefixes if here.startswith(p)), default=0)
        items.append({"label": gettext(entry.label), "url": url, "badge_url": badge, "score": score})
    best = max((int(i["score"]) for i in items), default=0)
    for item in items:
        item["active"] = best > 0 and item["score"] == best
    return items


@lru_cache(maxsize=512)
def _reversed(url_name: str, urlconf: str, script_prefix: str) -> str | None:
    """``reverse(url_name)`` (no arguments), or None; remembered per URLconf and script prefix, since the menu's
    links are the same on every page (about 15 ``reverse`` calls per request otherwise)."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None
