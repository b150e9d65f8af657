"""One pager for every list page: page size chosen by the user (kept per list in the session), page number from
the query string, and the figures the shared ``includes/pager.html`` shows.

Views call :func:`paginate` (a Django ``Page``) or :func:`page_size` (lists that page themselves, e.g. the tier
board's bounded count); the template builds its links with the ``page_url`` / ``per_page_url`` tags, which keep
every other parameter of the request (filters, sort) and never add a second ``?``.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZES: tuple[int, ...] = (25, 50, 100)


def page_size(request: HttpRequest, *, key: str, default: int = 25) -> int:
    """The page size for list ``key``: ``?per_page=`` when it is one of :data:`PAGE_SIZES` (then remembered in
    the session), else the size this user chose last time, else ``default``."""
    session_key = f"per_page:{key}"
    raw = request.GET.get("per_page", "")
    if raw.isdigit() and int(raw) in PAGE_SIZES:
        size = int(raw)
        if hasattr(request, "session") and request.session.get(session_key) != size:
            request.session[session_key] = size
        return size
    stored = request.session.get(session_key) if hasattr(request, "session") else None
    return stored if stored in PAGE_SIZES else default


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() else 1


def paginate(request: HttpRequest, queryset: Any, *, key: str, default: int = 25) -> Page[Any]:
    """The requested page of ``queryset`` (the last page when the number is too high, page 1 when it is junk)."""
    size = page_size(request, key=key, default=default)
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    page.page_sizes = PAGE_SIZES  # type: ignore[attr-defined]
    return page
