"""CSV export of any filtered account list, or of those accounts' contacts, with formulas neutralised.

Two formats (issue 16): *neutral*, the portal's own import format (column keys, dot decimals, comma delimiter;
the API always answers it, and the pages offer it for re-import), and *local*, for people reading it in a
spreadsheet in their language (translated headers, the language's decimal separator, and a semicolon delimiter
where the decimal separator is a comma). Pages in English export the neutral file, which already is English.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so that a
spreadsheet shows it as text instead of running it (CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import formats, translation
from django.utils.translation import gettext, gettext_noop

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


# Column headers of the local format (translated where shown).
ACCOUNT_LABELS = {
    "external_id": gettext_noop("CRM id"),
    "name": gettext_noop("Name"),
    "domain": gettext_noop("Domain"),
    "industry": gettext_noop("Industry"),
    "country": gettext_noop("Country"),
    "region": gettext_noop("Region"),
    "city": gettext_noop("City"),
    "employees": gettext_noop("Employees"),
    "annual_revenue": gettext_noop("Annual revenue"),
    "ownership_type": gettext_noop("Ownership"),
    "number_of_offices": gettext_noop("Offices"),
    "founded_year": gettext_noop("Founded"),
    "technologies": gettext_noop("Technologies"),
    "lifecycle": gettext_noop("Lifecycle"),
    "owner": gettext_noop("Owner"),
    "tier": gettext_noop("Tier"),
    "tier_locked": gettext_noop("Pinned"),
    "fit_score": gettext_noop("Fit"),
    "fit_grade": gettext_noop("Grade"),
    "win_probability": gettext_noop("Win probability"),
    "priority": gettext_noop("Priority"),
}


def export_is_neutral(request: Any) -> bool:
    """A page's CSV export is neutral when asked (``?format=neutral``) or when the page is in English."""
    return request.GET.get("format") == "neutral" or (translation.get_language() or "en").startswith("en")


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


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]], *, delimiter: str = ",") -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=delimiter)
    yield "\ufeff" + writer.writerow(header)  # BOM: Excel opens UTF-8 correctly
    for row in rows:
        yield writer.writerow([csv_safe(v) for v in row])


def _local_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")  # the import reads these words too
    if value is None:
        return value
    if isinstance(value, float | Decimal):
        return formats.number_format(value, use_l10n=True)
    return value


def _local_lines(
    rows: Iterable[list[Any]], language: str | None, columns: list[str] = ACCOUNT_COLUMNS, labels: dict | None = None
) -> Iterator[str]:
    # A streaming response is read after the view returns: keep the page's language for the rows too.
    labels = ACCOUNT_LABELS if labels is None else labels
    with translation.override(language):
        delimiter = ";" if formats.get_format("DECIMAL_SEPARATOR") == "," else ","
        header = [gettext(labels[c]) for c in columns]
        yield from csv_lines(header, ([_local_cell(v) for v in row] for row in rows), delimiter=delimiter)


def account_rows(qs: QuerySet) -> Iterator[list[Any]]:
    for a in qs.iterator(chunk_size=2000):
        owner = a.owner.email or a.owner.username if a.owner_id else ""
        yield [getattr(a, c) if c != "owner" else owner for c in ACCOUNT_COLUMNS]


def accounts_csv_response(qs: QuerySet, filename: str, *, neutral: bool = True) -> StreamingHttpResponse:
    lines = (
        csv_lines(ACCOUNT_COLUMNS, account_rows(qs))
        if neutral
        else _local_lines(account_rows(qs), translation.get_language())
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The contacts of a filtered account list: the portal's contacts import format first (so the neutral file re-imports
# as is, each contact to its account by CRM id or domain), then what the portal adds (the engagement).
CONTACT_COLUMNS = [
    "external_id",
    "first_name",
    "last_name",
    "email",
    "title",
    "account_external_id",
    "account_domain",
    "account_name",
    "do_not_contact",
    "buying_role",
    "seniority",
    "department",
    "persona",
    "reports_to_external_id",
    "reports_to",
    "created_date",
    "engagement_score",
    "last_engaged_at",
    "left_at",
]
CONTACT_LABELS = {
    "external_id": gettext_noop("CRM id"),
    "first_name": gettext_noop("First name"),
    "last_name": gettext_noop("Last name"),
    "email": gettext_noop("Email"),
    "title": gettext_noop("Job title"),
    "account_external_id": gettext_noop("Account CRM id"),
    "account_domain": gettext_noop("Account domain"),
    "account_name": gettext_noop("Account name"),
    "do_not_contact": gettext_noop("Do not contact"),
    "buying_role": gettext_noop("Buying role"),
    "seniority": gettext_noop("Seniority"),
    "department": gettext_noop("Department"),
    "persona": gettext_noop("Persona"),
    "reports_to_external_id": gettext_noop("Reports to (CRM id)"),
    "reports_to": gettext_noop("Reports to"),
    "created_date": gettext_noop("Created date"),
    "engagement_score": gettext_noop("Engagement"),
    "last_engaged_at": gettext_noop("Last engaged"),
    "left_at": gettext_noop("Left the company"),
}
# What each column reads (the account's through its foreign key).
_CONTACT_READ = [
    {
        "account_external_id": "account__external_id",
        "account_domain": "account__domain",
        "account_name": "account__name",
        "persona": "persona__name",
        "reports_to_external_id": "reports_to__external_id",
        "reports_to": "reports_to__email",  # the manager's email, else their name (read after the columns)
        "created_date": "created_at",  # its day (UTC): when the portal counts the contact as known
    }.get(column, column)
    for column in CONTACT_COLUMNS
] + ["reports_to__first_name", "reports_to__last_name"]


def contact_rows(qs: QuerySet, *, local: bool = False) -> Iterator[list[Any]]:
    """One row per contact, in ``CONTACT_COLUMNS`` order; ``local``: the choices as their labels in the active
    language (the import reads those too), else their keys."""
    from personas.models import BuyingRole, Department, Seniority

    at = CONTACT_COLUMNS.index
    choices = {
        at("buying_role"): dict(BuyingRole.choices),
        at("seniority"): dict(Seniority.choices),
        at("department"): dict(Department.choices),
    }
    score, engaged, manager, created, width = (
        at("engagement_score"),
        at("last_engaged_at"),
        at("reports_to"),
        at("created_date"),
        len(CONTACT_COLUMNS),
    )
    for row in qs.values_list(*_CONTACT_READ).iterator(chunk_size=2000):
        cells = list(row[:width])
        if not cells[manager]:
            cells[manager] = f"{row[width] or ''} {row[width + 1] or ''}".strip()
        cells[created] = cells[created].date().isoformat()
        cells[score] = round(cells[score], 2)  # the score as the pages show it, not 240.84346335418084
        if cells[engaged] is not None:
            cells[engaged] = cells[engaged].isoformat(timespec="seconds")
        if local:
            for i, labels in choices.items():
                cells[i] = str(labels.get(cells[i], cells[i])) if cells[i] else ""
        yield cells


def contacts_csv_response(qs: QuerySet, filename: str, *, neutral: bool = True) -> StreamingHttpResponse:
    language = translation.get_language()

    def local_rows() -> Iterator[list[Any]]:
        with translation.override(language):
            yield from contact_rows(qs, local=True)

    lines = (
        csv_lines(CONTACT_COLUMNS, contact_rows(qs))
        if neutral
        else _local_lines(local_rows(), language, CONTACT_COLUMNS, CONTACT_LABELS)
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def account_contacts_response(request: Any, accounts: QuerySet) -> StreamingHttpResponse:
    """``?export=contacts`` of a filtered account list (the accounts list, the tier board): the contacts of the
    accounts the filters keep, by account."""
    from ..models import Contact

    contacts = (
        Contact.objects.for_workspace(request.workspace)
        .filter(account__in=accounts.values("pk"))
        .order_by("account__name", "account_id", "last_name", "first_name", "id")
    )
    return contacts_csv_response(contacts, "contacts.csv", neutral=export_is_neutral(request))


def import_problems_response(job: Any) -> StreamingHttpResponse:
    """Every rejected and warned line of an import job, with the original row, as a CSV download."""
    # The rows are written while the response streams, after the view has returned: in the request's language.
    response = StreamingHttpResponse(
        _problem_lines(job, translation.get_language()), content_type="text/csv; charset=utf-8"
    )
    stem = job.filename.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-problems.csv"'
    return response


def _problem_lines(job: Any, language: str | None) -> Iterator[str]:
    from .services import import_problem_rows

    with translation.override(language):
        rows = iter(import_problem_rows(job=job))
        header = next(rows)
        yield from csv_lines(header, rows)
