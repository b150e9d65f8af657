"""CSV export of any filtered account list, in the portal's own import format, with formulas neutralised.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so that a
spreadsheet shows it as text instead of running it (CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ACCOUNT_COLUMNS = [
    "external_id",
    "name",
    "domain",
    "industry",
    "country",
    "region",
    "city",
    "employees",
    "annual_revenue",
    "ownership_type",
    "number_of_offices",
    "founded_year",
    "technologies",
    "lifecycle",
    "owner",
    "tier",
    "tier_locked",
    "fit_score",
    "fit_grade",
    "win_probability",
    "priority",
]


def csv_safe(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)  # BOM: Excel opens UTF-8 correctly
    for row in rows:
        yield writer.writerow([csv_safe(v) for v in row])


def account_rows(qs: QuerySet) -> Iterator[list[Any]]:
    for a in qs.iterator(chunk_size=2000):
        owner = a.owner.email or a.owner.username if a.owner_id else ""
        yield [getattr(a, c) if c != "owner" else owner for c in ACCOUNT_COLUMNS]


def accounts_csv_response(qs: QuerySet, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(ACCOUNT_COLUMNS, account_rows(qs)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def import_problems_response(job: Any) -> StreamingHttpResponse:
    """Every rejected and warned line of an import job, with the original row, as a CSV download."""
    response = StreamingHttpResponse(_problem_lines(job), content_type="text/csv; charset=utf-8")
    stem = job.filename.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-problems.csv"'
    return response


def _problem_lines(job: Any) -> Iterator[str]:
    from .services import import_problem_rows

    rows = iter(import_problem_rows(job=job))
    header = next(rows)
    yield from csv_lines(header, rows)
