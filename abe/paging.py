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
from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import HttpRequest

PAGE_SIZES: tuple[int, ...] = (25, 50, 100)
# Totals above this are shown as "1,000+": counting further would read every matching row on every page view.
COUNT_CAP = 1000


def page_size(request: HttpRequest, *, key: str, default: int = 25) -> int:
    """The page size for list ``key``: ``?per_page=`` when it is one of :data:`PAGE_SIZES` (then remembered in
    the session), else the size this user chose last time, else ``default``."""
    session_key = f"per_page:{key}"
    raw = request.GET.get("per_page") or request.GET.get("page_size", "")
    size = whole_number(raw)
    if size is not None and size in PAGE_SIZES:
        if hasattr(request, "session") and request.session.get(session_key) != size:
            request.session[session_key] = size
        return size
    stored = request.session.get(session_key) if hasattr(request, "session") else None
    return stored if stored in PAGE_SIZES else default


def _valid_page(raw: str) -> bool:
    number = whole_number(raw, max_digits=11)
    return number is not None and number >= 1


def ignored_params(request: HttpRequest, *, invalid: Iterable[str] = ()) -> list[str]:
    """``name=value`` of each query parameter a list page ignored: a page number or size that is not one, and the
    filters in ``invalid`` (those its filter form refused). Pages show them in a short notice
    (``includes/ignored_params.html``) rather than dropping them silently; each value is cut to 40 characters."""
    names: list[str] = []
    if "page" in request.GET and not _valid_page(request.GET.get("page", "")):
        names.append("page")
    for name in ("per_page", "page_size"):
        raw = request.GET.get(name)
        if raw is not None and whole_number(raw) not in PAGE_SIZES:
            names.append(name)
    names += [n for n in invalid if n in request.GET and n not in names]
    return [f"{name}={request.GET.get(name, '')[:40]}" for name in names]


def whole_number(raw: str | None, *, max_digits: int = 18) -> int | None:
    """``raw`` as a whole number when it is one written in ASCII digits (at most ``max_digits``: 18 fit a
    PostgreSQL ``bigint``), else None. ``str.isdigit`` alone also accepts digits such as "²", which ``int()``
    refuses: ``?page=²`` was a server error on every list."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= max_digits:
        return int(raw)
    return None


def signed_number(raw: str | None, *, max_digits: int = 18) -> int | None:
    """:func:`whole_number`, with one leading minus sign allowed ("-5"; "--5" is no number: ``int()`` refuses it)."""
    text = (raw or "").strip()
    number = whole_number(text[1:] if text.startswith("-") else text, max_digits=max_digits)
    return None if number is None else (-number if text.startswith("-") else number)


def text_param(request: HttpRequest, *, name: str = "q", limit: int = 100) -> str:
    """A text parameter of the query (the list's search box by default) as typed, trimmed and at most ``limit``
    characters, without NUL characters (a PostgreSQL string cannot hold them: ``?q=%00`` was a server error)."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:limit]


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    number = whole_number(raw, max_digits=11)
    return 1 if number is None else max(1, min(number, 10**6))


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


def _capped_count(queryset: QuerySet[Any], cap: int, *, in_order: bool = False) -> int:
    """How many rows ``queryset`` has, up to ``cap + 1``. ``in_order``: counted in the ordering the queryset states
    (an index's), not unordered. Unordered, PostgreSQL may take ``LIMIT cap + 1`` over a scan of the whole table for
    cheap when it expects many matches, which a condition that is common in the table but rare in one workspace
    (a date range) makes it expect; in the index's order that plan must sort every match first, and the range read
    of the index wins (docs/performance.md, "Every goal on the twenty-ninth session's machine": lists beside
    another large workspace)."""
    return int((queryset if in_order else queryset.order_by())[: cap + 1].count())


class AscendingInTwoParts(OrderBy):
    """``column ASC NULLS LAST`` for a column that has one index, ``(…, column DESC NULLS LAST, id DESC)``.

    A b-tree read backwards gives ``ASC NULLS FIRST``, so no index serves ``ASC NULLS LAST`` as one scan; a second
    index per nullable sort column would (the lists had one), but every index is one more entry to write for each
    account a rescore changes (docs/performance.md, "Rescore"). As the leading term of a list's ordering it is read
    by :func:`ordered_rows` in two parts, each one range of that index in its order: the rows that have a value,
    then those that have none. The SQL order is the same as ``F(column).asc(nulls_last=True)``."""

    def __init__(self, column: str) -> None:
        super().__init__(F(column), descending=False, nulls_last=True)
        self.column = column


def ordered_rows(queryset: QuerySet[Any], start: int, stop: int) -> list[Any]:
    """``list(queryset[start:stop])``; when the ordering starts with :class:`AscendingInTwoParts`, read as the rows
    with a value (``ASC NULLS FIRST`` on them is the same order, and the index's) followed by the rows without.

    One query while the slice lies among the rows that have a value (every first page of a list mostly scored);
    one more for the rows without a value when the slice reaches them, and one bounded count when it starts
    past the rows with a value."""
    order = queryset.query.order_by
    first = order[0] if order else None
    if not isinstance(first, AscendingInTwoParts) or first.descending or not first.nulls_last or stop <= start:
        return list(queryset[start:stop])
    column = first.column
    same_order = (F(column).asc(nulls_first=True), *order[1:])
    known = queryset.filter(**{f"{column}__isnull": False}).order_by(*same_order)
    rows = list(known[start:stop])
    if len(rows) == stop - start:
        return rows
    # The rows with a value end inside this slice (or before it): how many come before the first without one.
    before = start + len(rows) if rows or not start else int(known.order_by()[:start].count())
    unknown = queryset.filter(**{f"{column}__isnull": True}).order_by(*same_order)
    return rows + list(unknown[max(0, start - before) : stop - before])


def bounded_page(
    queryset: QuerySet[Any],
    *,
    number: int,
    per_page: int,
    total: int | None = None,
    cap: int | None = None,
    counted: QuerySet[Any] | None = None,
) -> BoundedPage:
    """Page ``number`` of ``queryset`` (ordered) in one query plus one bounded count.

    ``total`` when the caller knows it exactly (it is then trusted, not counted). ``counted``: the same rows
    without what only orders them (a join to a sort table), counted instead of ``queryset`` when given, and in the
    ordering it states, if it states one (``order_by``: one of its indexes'; see ``_capped_count``). A page
    past the end shows the last page, as Django's ``Paginator.get_page`` does. The count comes first, so that a
    page past the end of a short list (a stale link, a filter narrowed on page 2) is found without a third query:
    two queries whatever the list holds, three only past the end of a list of more than ``cap`` rows.
    """
    cap = COUNT_CAP if cap is None else cap
    number = max(1, number)
    counter = queryset if counted is None else counted
    if total is None:
        found = _capped_count(counter, cap, in_order=counted is not None and bool(counted.query.order_by))
        if found <= cap:
            total = found
    if total is not None:
        number = min(number, max(1, -(-total // per_page)))
    offset = (number - 1) * per_page
    rows = ordered_rows(queryset, offset, offset + per_page + 1)
    if not rows and number > 1:
        # Past the end of a list longer than the cap: go to the last page, counting exactly once.
        known = counter.order_by().count()
        return bounded_page(queryset, number=number, per_page=per_page, total=known, cap=cap)
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    seen = offset + len(rows)
    capped = total is None
    if total is None:
        total = max(cap, seen)  # deep pages: "1,226–1,250 of 1,250+"
    return BoundedPage(
        object_list=rows, number=number, per_page=per_page, has_next=has_next, total=total, total_capped=capped
    )


# How many rows of a list a search reads at most before falling back to the full query (:func:`searched_page`).
SEARCH_WINDOW = 2000


def _order_terms(queryset: QuerySet[Any]) -> list[tuple[str, bool, bool | None]]:
    """The queryset's ordering as (field name, descending, nulls last?) from plain names or ``F(...)`` orderings."""
    terms: list[tuple[str, bool, bool | None]] = []
    for item in queryset.query.order_by:
        if isinstance(item, str):
            terms.append((item.lstrip("-"), item.startswith("-"), None))
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            nulls = True if item.nulls_last else (False if item.nulls_first else None)
            terms.append((str(item.expression.name), item.descending, nulls))  # type: ignore[attr-defined]
        else:
            raise ValueError(f"searched_page cannot window the ordering {item!r}")
    return terms


def searched_page(
    queryset: QuerySet[Any],
    *,
    base: QuerySet[Any],
    search: Q,
    number: int,
    per_page: int,
    cap: int | None = None,
    window: int | None = None,
) -> BoundedPage:
    """Page ``number`` of a searched list (``queryset`` = ``base`` filtered by ``search``, ordered), reading at most
    ``window`` (:data:`SEARCH_WINDOW`) rows of ``base`` when the search matches often enough.

    A "contains" search cannot use a b-tree, and PostgreSQL estimates its selectivity badly (a pattern matching
    10% of 100,000 accounts is estimated at a few dozen rows), so it reads every account of the workspace and
    sorts them to show 25. Here the page is read from the first ``window`` rows of ``base`` in the list's order
    (the sort index, stopping as soon as the page is full), and the count from the same rows (the whole window):

    - every row of ``base`` fits the window: page and total are exact (the total capped at ``cap`` as usual);
    - the window holds the whole page: the page is exact (the first matches in sort order are in the first rows
      in sort order) and the total is a lower bound, shown with "+";
    - otherwise (a rare term in a large list): the plain :func:`bounded_page` over ``queryset``.

    Three queries in the first two cases (page ids, window count, the page's rows), whatever the list holds.
    """
    cap = COUNT_CAP if cap is None else cap
    window = SEARCH_WINDOW if window is None else window
    number = max(1, number)
    offset = (number - 1) * per_page
    terms = _order_terms(queryset)
    if not terms:  # no explicit order to walk: nothing to window
        return bounded_page(queryset, number=number, per_page=per_page, cap=cap)
    hit = ExpressionWrapper(search, output_field=BooleanField())
    ordered = base.order_by(*queryset.query.order_by).annotate(
        _w_pk=F("pk"), _w_hit=hit, **{f"_w_s{i}": F(name) for i, (name, _, _) in enumerate(terms)}
    )
    inner = ordered.values("_w_pk", "_w_hit", *[f"_w_s{i}" for i in range(len(terms))])[: window + 1]
    inner_sql, inner_params = inner.query.sql_with_params()
    connection = connections[queryset.db]
    qn = connection.ops.quote_name
    order_sql = ", ".join(
        f"w.{qn(f'_w_s{i}')} {'DESC' if desc else 'ASC'}"
        + ("" if nulls is None else (" NULLS LAST" if nulls else " NULLS FIRST"))
        for i, (_, desc, nulls) in enumerate(terms)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.{qn('_w_pk')} FROM ({inner_sql}) w WHERE w.{qn('_w_hit')} ORDER BY {order_sql} "
            "LIMIT %s OFFSET %s",
            (*inner_params, per_page + 1, offset),
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN w.{qn('_w_hit')} THEN 1 ELSE 0 END), 0) FROM ({inner_sql}) w",
            inner_params,
        )
        seen, matched = cursor.fetchone()
    complete = seen <= window
    if complete and not ids and number > 1:
        # Past the end of a list the window holds whole: its last page (the total is exact).
        last = max(1, -(-matched // per_page))
        if last < number:
            return searched_page(
                queryset, base=base, search=search, number=last, per_page=per_page, cap=cap, window=window
            )
    if not complete and len(ids) <= per_page:
        # The window does not hold the whole page (a rare term in a long list): the full query decides, in one
        # pass that reads the ids of the first ``cap + 1`` matches in order (page and total from the same scan).
        if offset + per_page + 1 > cap + 1:
            return bounded_page(queryset, number=number, per_page=per_page, cap=cap)
        matches = list(queryset.values_list("pk", flat=True)[: cap + 1])
        if not matches[offset : offset + 1] and number > 1:
            last = max(1, -(-min(len(matches), cap) // per_page))
            return bounded_page(queryset, number=last, per_page=per_page, total=len(matches))
        ids = matches[offset : offset + per_page + 1]
        complete, matched = len(matches) <= cap, len(matches)
    found = {row.pk: row for row in queryset.order_by().filter(pk__in=ids[:per_page])} if ids else {}
    rows = [found[i] for i in ids[:per_page] if i in found]
    has_next = len(ids) > per_page
    if complete and matched <= cap:
        total, capped = matched, False
    else:
        # Above the cap, or a lower bound: at least the rows matched in the window, at least those up to here.
        total, capped = (cap, True) if matched > cap else (max(matched, offset + len(rows)), True)
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
