from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
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
    for entry in nav_entries(request_role(request)):
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # the app serving it is not installed
            continue
        badge = ""
        if entry.badge_url_name:
            try:
                badge = reverse(entry.badge_url_name)
            except NoReverseMatch:
                badge = ""
        score = max((len(p) for p in entry.active_prefixes if here.startswith(p)), default=0)
        items.append({"label": gettext(entry.label), "url": url, "badge_url": badge, "score": score})
    best = max((int(i["score"]) for i in items), default=0)
    for item in items:
        item["active"] = best > 0 and item["score"] == best
    return items
