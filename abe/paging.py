"""One pager for every list page: page size chosen by the user (kept per list in the session), page number from
the query string, and the figures the shared ``includes/pager.html`` shows.

Views call :func:`paginate`. For a queryset it returns a :class:`BoundedPage`: the page is fetched with one extra
row (that row says whether there is a next page), and the total is counted only up to :data:`COUNT_CAP` + 1 rows
(``SELECT COUNT(*) FROM (... LIMIT 1001)``), so no page of a list over 100,000 rows counts them all: the pager
then says "1–25 of 1,000+". Every page costs the same two queries whatever the list holds; a view that already
knows the total (e.g. the tier board's cached counts per tier) passes ``total=``. Plain Python lists
still go through Django's ``Paginator``. The template builds its links with the ``page_url`` / ``per_page_url``
tags, which keep every other parameter of the request (filters, sort) and never add a second ``?``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZES: tuple[int, ...] = (25, 50, 100)
# Totals above this are shown as "1,000+": counting further would read every matching row on every page view.
COUNT_CAP = 1000


def page_size(request: HttpRequest, *, key: str, default: int = 25) -> int:
    """The page size for list ``key``: ``?per_page=`` when it is one of :data:`PAGE_SIZES` (then remembered in
    the session), else the size this user chose last time, else ``default``."""
    session_key = f"per_page:{key}"
    raw = request.GET.get("per_page") or request.GET.get("page_size", "")
    if raw.isdigit() and int(raw) in PAGE_SIZES:
        size = int(raw)
        if hasattr(request, "session") and request.session.get(session_key) != size:
            request.session[session_key] = size
        return size
    stored = request.session.get(session_key) if hasattr(request, "session") else None
    return stored if stored in PAGE_SIZES else default


def _valid_page(raw: str) -> bool:
    return raw.isdigit() and len(raw) < 12 and int(raw) >= 1


def ignored_params(request: HttpRequest, *, invalid: Iterable[str] = ()) -> list[str]:
    """``name=value`` of each query parameter a list page ignored: a page number or size that is not one, and the
    filters in ``invalid`` (those its filter form refused). Pages show them in a short notice
    (``includes/ignored_params.html``) rather than dropping them silently; each value is cut to 40 characters."""
    names: list[str] = []
    if "page" in request.GET and not _valid_page(request.GET.get("page", "")):
        names.append("page")
    for name in ("per_page", "page_size"):
        raw = request.GET.get(name)
        if raw is not None and not (raw.isdigit() and int(raw) in PAGE_SIZES):
            names.append(name)
    names += [n for n in invalid if n in request.GET and n not in names]
    return [f"{name}={request.GET.get(name, '')[:40]}" for name in names]


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(1, min(int(raw), 10**6)) if raw.isdigit() and len(raw) < 12 else 1


@dataclass
class BoundedPage:
    """One page of a list. ``total`` is exact up to :data:`COUNT_CAP`; above it ``total_capped`` is set and
    ``total`` is the cap (the pager shows "1,000+" and no page count)."""

    object_list: list[Any]
    number: int
    per_page: int
    has_next: bool
    total: int
    total_capped: bool
    page_sizes: tuple[int, ...] = field(default=PAGE_SIZES)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index: int) -> Any:
        return self.object_list[index]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def num_pages(self) -> int | None:
        return None if self.total_capped else max(1, -(-self.total // self.per_page))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def _capped_count(queryset: QuerySet[Any], cap: int) -> int:
    return int(queryset.order_by()[: cap + 1].count())


def bounded_page(
    queryset: QuerySet[Any], *, number: int, per_page: int, total: int | None = None, cap: int | None = None
) -> BoundedPage:
    """Page ``number`` of ``queryset`` (ordered) in one query plus one bounded count.

    ``total`` when the caller knows it exactly (it is then trusted, not counted). A page past the end shows the
    last page, as Django's ``Paginator.get_page`` does.
    """
    cap = COUNT_CAP if cap is None else cap
    number = max(1, number)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    if not rows and number > 1:
        # Past the end (a stale link or a hand-typed number): go to the last page, counting exactly once.
        known = total if total is not None else queryset.order_by().count()
        last = max(1, -(-known // per_page))
        if last < number:
            return bounded_page(queryset, number=last, per_page=per_page, total=known, cap=cap)
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    seen = offset + len(rows)
    if total is not None:
        capped = False
    else:
        # Counted even when this page could tell (the last page, or a page past the cap): one bounded query on
        # every page keeps the number of queries the same whatever the list holds.
        counted = max(_capped_count(queryset, cap), min(seen, cap + 1))
        capped = counted > cap
        total = max(cap, seen) if capped else counted  # deep pages: "1,226–1,250 of 1,250+"
    return BoundedPage(
        object_list=rows, number=number, per_page=per_page, has_next=has_next, total=total, total_capped=capped
    )


def paginate(request: HttpRequest, queryset: Any, *, key: str, default: int = 25) -> Any:
    """The requested page of ``queryset`` (the last page when the number is too high, page 1 when it is junk):
    a :class:`BoundedPage` for a queryset, a Django ``Page`` for a list."""
    size = page_size(request, key=key, default=default)
    if isinstance(queryset, QuerySet):
        return bounded_page(queryset, number=page_number(request), per_page=size)
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    page.page_sizes = PAGE_SIZES  # type: ignore[attr-defined]
    return page
