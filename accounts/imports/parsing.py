"""Reading CRM CSV files (encoding, delimiter, line numbers) and turning their cells into typed values.

Each parser returns the value or raises ``CellError`` with a message for the row report.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..models import Lifecycle, OpportunityType, OwnershipType
from ..normalise import normalise_domain, normalise_email
from .countries import country_to_iso2

csv.field_size_limit(10_000_000)


class CellError(ValueError):
    pass


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which is what Salesforce's samples and Excel write."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def read_csv(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and an iterator of (line number, cells); line numbers count the header as line 1."""
    sample = text[:16384]
    reader = csv.reader(io.StringIO(text), _dialect(sample))
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], iter(())

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                yield start, cells
            start = reader.line_num + 1

    return headers, rows()


def text(value: str, limit: int) -> str:
    return value.strip()[:limit]


_NUMBER_JUNK = re.compile(r"[\s,$€£]")


def number(value: str, label: str) -> float | None:
    cleaned = _NUMBER_JUNK.sub("", value or "")
    if not cleaned:
        return None
    try:
        result = float(cleaned)
    except ValueError:
        raise CellError(f"{label} “{value.strip()}” is not a number") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise CellError(f"{label} “{value.strip()}” is not a number")
    if result < 0:
        raise CellError(f"{label} cannot be negative ({value.strip()})")
    return result


def integer(value: str, label: str, maximum: int = 2_000_000_000) -> int | None:
    result = number(value, label)
    if result is None:
        return None
    if result > maximum:
        raise CellError(f"{label} {value.strip()} is too large")
    return int(round(result))


def money(value: str, label: str) -> Decimal | None:
    result = number(value, label)
    if result is None:
        return None
    if result >= 1e15:
        raise CellError(f"{label} {value.strip()} is too large")
    try:  # 8.48E10 -> 84800000000.00, exactly as written
        return Decimal(_NUMBER_JUNK.sub("", value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal(str(result)).quantize(Decimal("0.01"))


def boolean(value: str, label: str) -> bool | None:
    v = (value or "").strip().lower()
    if not v:
        return None
    if v in {"true", "t", "yes", "y", "1", "x"}:
        return True
    if v in {"false", "f", "no", "n", "0"}:
        return False
    raise CellError(f"{label} “{value.strip()}” is not true/false")


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M")


def day(value: str, label: str) -> date | None:
    v = (value or "").strip()
    if not v:
        return None
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise CellError(f"{label} “{v}” is not a date (use YYYY-MM-DD)")


def country(value: str) -> str:
    code = country_to_iso2(value)
    if code is None:
        raise CellError(f"Unknown country “{value.strip()}”")
    return code


def domain(value: str) -> str:
    if not (value or "").strip():
        return ""
    result = normalise_domain(value)
    if not result:
        raise CellError(f"Website “{value.strip()}” is not a domain")
    return result


def email(value: str) -> str:
    result = normalise_email(value)
    if result and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", result):
        raise CellError(f"Email “{value.strip()}” is not an email address")
    return result[:254]


_OWNERSHIP = {
    "public": OwnershipType.PUBLIC,
    "private": OwnershipType.PRIVATE,
    "subsidiary": OwnershipType.SUBSIDIARY,
    "government": OwnershipType.GOVERNMENT,
    "non-profit": OwnershipType.NON_PROFIT,
    "nonprofit": OwnershipType.NON_PROFIT,
    "non profit": OwnershipType.NON_PROFIT,
    "other": OwnershipType.OTHER,
    "public_company": OwnershipType.PUBLIC,
    "private_company": OwnershipType.PRIVATE,
}


def ownership(value: str) -> str:
    v = (value or "").strip().lower()
    return "" if not v else _OWNERSHIP.get(v, OwnershipType.OTHER)


def lifecycle(value: str) -> str:
    """Salesforce ``TYPE`` (Customer - Direct, Prospect...) or HubSpot lifecycle stage -> our lifecycle."""
    v = (value or "").strip().lower()
    if not v:
        return ""
    if "former" in v or "churn" in v:
        return Lifecycle.FORMER_CUSTOMER
    if v.startswith("customer") or v == "evangelist":
        return Lifecycle.CUSTOMER
    return Lifecycle.PROSPECT


def technologies(value: str) -> list[str]:
    return sorted({t.strip()[:100] for t in re.split(r"[;,|]", value or "") if t.strip()})


def opportunity_type(value: str) -> str:
    v = (value or "").strip().lower()
    if "renew" in v:
        return OpportunityType.RENEWAL
    if "upgrade" in v or "up-sell" in v or "upsell" in v or "up sell" in v:
        return OpportunityType.UP_SELL
    if "cross" in v:
        return OpportunityType.CROSS_SELL
    return OpportunityType.NEW_BUSINESS
