"""Reading CRM CSV files (encoding, delimiter, line numbers) and turning their cells into typed values.

Each parser returns the value or raises ``CellError`` with a message for the row report: a message key
(``abe.texts``), so the report reads in each reader's language while ``str()`` of the error stays English.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext, gettext_noop

from abe import texts as tx

from ..models import Lifecycle, OpportunityType, OwnershipType
from ..normalise import normalise_domain, normalise_email
from .countries import country_to_iso2

csv.field_size_limit(10_000_000)


class CellError(ValueError):
    """A cell (or line) that cannot be read. ``text`` is the message as a key and parameters (``abe.texts``), or a
    plain string; ``str()`` is its English (the API's words, stored in the import's problems)."""

    def __init__(self, text: str | tx.Msg) -> None:
        self.text = text
        super().__init__(tx.english(text))


class UnreadableFile(ValueError):
    """The file is not a CSV we can read at all (binary, empty, header only); the message says why."""


_MAGIC = {
    b"PK\x03\x04": gettext_noop("an Excel workbook or a zip archive (save it as CSV)"),
    b"\xd0\xcf\x11\xe0": gettext_noop("an old Excel workbook (save it as CSV)"),
    b"%PDF": gettext_noop("a PDF"),
    b"\x89PNG": gettext_noop("a PNG image"),
    b"\xff\xd8\xff": gettext_noop("a JPEG image"),
    b"GIF8": gettext_noop("a GIF image"),
    b"\x1f\x8b": gettext_noop("a gzip archive"),
    b"SQLite format": gettext_noop("a SQLite database"),
}


def utf16_unreadable() -> str:
    """The message for a file that starts as UTF-16 and cannot be read as it (translated when raised)."""
    return gettext("This file is not text: it could not be read as UTF-16.")


def refuse_binary(data: bytes) -> None:
    """``UnreadableFile`` saying what the file is when it starts like a workbook, a PDF, an image or an archive, or
    when its first 8 KB hold binary data (a file that is not UTF-16: there every other byte of Latin text is NUL)."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise UnreadableFile(gettext("This file is not a CSV: it looks like %(what)s.") % {"what": gettext(what)})
    head = data[:8192]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if head and controls > max(8, len(head) // 20):
        raise UnreadableFile(gettext("This file is not a CSV: it contains binary data."))


#: The byte-order marks of UTF-16 (Excel's "Unicode text" starts with one).
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: How much of a file is decoded at a time while its encoding is checked.
_CHUNK = 1 << 20


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8, checked a megabyte at a time (no decoded copy of the whole file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(view[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def encoding_of(data: bytes) -> tuple[str, str]:
    """How to decode an upload, as ``(encoding, errors)``: UTF-16 with a byte-order mark; else UTF-8 (with or without
    BOM) when every byte of it is; else Windows-1252 (Salesforce's samples, old Excel), an unknown byte replaced.
    A binary file raises ``UnreadableFile`` saying what it is (``refuse_binary``)."""
    if data.startswith(UTF16_BOMS):
        return "utf-16", "strict"
    refuse_binary(data)
    return ("utf-8-sig", "strict") if _is_utf8(data) else ("cp1252", "replace")


def decode(data: bytes) -> str:
    """The upload as text, in the encoding ``encoding_of`` finds.

    NUL bytes are dropped (the database cannot store them and they never mean anything in a CSV), and a binary
    file raises ``UnreadableFile`` instead of being read as garbage.
    """
    encoding, errors = encoding_of(data)
    try:
        return _without_nul(data.decode(encoding, errors))
    except UnicodeDecodeError:  # only UTF-16 is decoded strictly without being checked first
        raise UnreadableFile(utf16_unreadable()) from None


def _without_nul(text: str) -> str:
    return text.replace("\x00", "") if "\x00" in text else text  # no second copy of a text without NUL


def _delimiter(text: str) -> str:
    """The delimiter of the header line (the most frequent of ``, ; TAB |`` outside quotes), comma by default."""
    header, quoted = [], False
    for ch in text[:65536]:
        if ch == '"':
            quoted = not quoted
        elif ch == "\n" and not quoted:
            break
        header.append(ch)
    line = "".join(header)
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class _Dialect(csv.excel):
    pass


#: One line with its LF, or the last line without one.
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with universal newlines (CRLF and a lone CR read as LF, also inside quoted cells; a
    form feed or a Unicode line separator in a cell is no line end, unlike ``str.splitlines``), one at a time.

    One copy of the text when it holds a CR, none otherwise: ``io.StringIO`` keeps four bytes a character, and
    reading the text through one with universal newlines took two such copies (ten times an accounts file's size).
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return map(re.Match.group, _LINE.finditer(text))


def _head(text: str) -> str:
    """The first 64 K characters with universal newlines (enough for any header line)."""
    return text[:65536].replace("\r\n", "\n").replace("\r", "\n")


def read_csv(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and an iterator of (line number, cells); line numbers count the header as line 1.

    LF, CRLF and CR-only line endings are all read (universal newlines); quoted cells may span lines.
    """
    dialect = type("Sniffed", (_Dialect,), {"delimiter": _delimiter(_head(text))})
    reader = csv.reader(_lines(text), dialect)
    try:
        headers = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        return [], iter(())
    except csv.Error as exc:
        raise UnreadableFile(gettext("The header row cannot be read: %(error)s.") % {"error": exc}) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:  # a malformed line: report it as a row with no cells (rejected by the engine)
                yield start, []
                start = reader.line_num + 1
                continue
            if any(map(str.strip, cells)):
                yield start, cells
            start = reader.line_num + 1

    return headers, rows()


def file_delimiter(text: str) -> str:
    return _delimiter(_head(text))


def read_checked(data: bytes) -> tuple[str, list[str], Iterator[tuple[int, list[str]]]]:
    """Decode and open a CSV upload; ``UnreadableFile`` when it is binary, empty or has a header and no rows."""
    if not data or not data.strip():
        raise UnreadableFile(gettext("The file is empty."))
    text = decode(data)
    headers, rows = read_csv(text)
    if not any(h for h in headers):
        raise UnreadableFile(gettext("No header row: the first line must name the columns."))
    if len(headers) == 1 and len(text) > 200 and "\n" not in text.strip() and "\r" not in text.strip():
        raise UnreadableFile(gettext("This file has a single line and no delimiter: it is not a CSV."))
    first = next(rows, None)
    if first is None:
        raise UnreadableFile(gettext("The file has a header row but no data rows."))
    return text, headers, itertools.chain([first], rows)


def text(value: str, limit: int) -> str:
    return value.strip()[:limit]


_NUMBER_JUNK = re.compile(r"[\s\u00a0\u202f'$€£¥%]|USD|EUR|GBP", re.IGNORECASE)
_THOUSANDS_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+$")
_THOUSANDS_DOT = re.compile(r"^-?\d{1,3}(\.\d{3}){2,}$")
_THOUSANDS_DOT_ONE = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def plain_number(value: str, decimal_comma: bool = False) -> str:
    """``1.234,56`` / ``1,234.56`` / ``1 234,56`` / ``$8.48E10`` -> ``1234.56`` / ``8.48E10`` (a string float() reads).

    With both separators the last one is the decimal mark. A lone comma is a decimal comma in files whose
    delimiter is ``;`` (European Excel, ``decimal_comma``) and unless it groups thousands (``1,234,567``)
    otherwise; dots grouping thousands twice or more (``1.234.567``), or once in a decimal-comma file
    (``1.200``), are thousands separators.
    """
    v = _NUMBER_JUNK.sub("", value or "")
    if "," in v and "." in v:
        if v.rfind(",") > v.rfind("."):
            v = v.replace(".", "").replace(",", ".")
        else:
            v = v.replace(",", "")
    elif "," in v:
        if v.count(",") > 1 or (not decimal_comma and _THOUSANDS_COMMA.match(v)):
            v = v.replace(",", "")
        else:
            v = v.replace(",", ".")
    elif _THOUSANDS_DOT.match(v) or (decimal_comma and _THOUSANDS_DOT_ONE.match(v)):
        v = v.replace(".", "")
    return v


def number(value: str, label: str, decimal_comma: bool = False) -> float | None:
    return _number(value, plain_number(value, decimal_comma), label)


def _number(value: str, cleaned: str, label: str) -> float | None:
    if not cleaned:
        return None
    try:
        result = float(cleaned)
    except ValueError:
        raise CellError(
            tx.msg(gettext_noop("%(field)s “%(value)s” is not a number"), field=tx.label(label), value=value.strip())
        ) from None
    if result != result or result in (float("inf"), float("-inf")):
        raise CellError(
            tx.msg(gettext_noop("%(field)s “%(value)s” is not a number"), field=tx.label(label), value=value.strip())
        )
    if result < 0:
        raise CellError(
            tx.msg(gettext_noop("%(field)s cannot be negative (%(value)s)"), field=tx.label(label), value=value.strip())
        )
    return result


def integer(value: str, label: str, maximum: int = 2_000_000_000, decimal_comma: bool = False) -> int | None:
    result = number(value, label, decimal_comma)
    if result is None:
        return None
    if result > maximum:
        raise CellError(
            tx.msg(gettext_noop("%(field)s %(value)s is too large"), field=tx.label(label), value=value.strip())
        )
    return int(round(result))


_CENT = Decimal("0.01")


def money(value: str, label: str, decimal_comma: bool = False) -> Decimal | None:
    cleaned = plain_number(value, decimal_comma)
    result = _number(value, cleaned, label)
    if result is None:
        return None
    if result >= 1e15:
        raise CellError(
            tx.msg(gettext_noop("%(field)s %(value)s is too large"), field=tx.label(label), value=value.strip())
        )
    try:  # 8.48E10 -> 84800000000.00, exactly as written
        return Decimal(cleaned).quantize(_CENT)
    except InvalidOperation:
        return Decimal(str(result)).quantize(_CENT)


# Also the words of the portal's other languages, which its own export writes in them (Sí/No, Sim/Não, Da/Nu).
_TRUE = {"true", "t", "yes", "y", "1", "x", "sí", "si", "verdadero", "sim", "verdadeiro", "da", "adevărat", "adevarat"}
_FALSE = {"false", "f", "no", "n", "0", "falso", "não", "nao", "nu", "fals"}


def boolean(value: str, label: str) -> bool | None:
    v = (value or "").strip().lower()
    if not v:
        return None
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise CellError(
        tx.msg(gettext_noop("%(field)s “%(value)s” is not true/false"), field=tx.label(label), value=value.strip())
    )


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
# A time after the date, as CRMs write a date-time column: "10/1/2026 9:15 AM" (Dynamics 365), "1/15/2026, 9:15 AM"
# (a Salesforce report), "15.01.2026 09:15:30", with or without seconds, AM/PM or a zone. Only the date is kept.
_TIME_TAIL = re.compile(
    r"(?:,\s*|\s+)(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:\s*[AaPp]\.?\s?[Mm]\.?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5}))?$"
)


def day(value: str, label: str) -> date | None:
    v = (value or "").strip()
    if not v:
        return None
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    tail = _TIME_TAIL.search(v)
    the_date = v if tail is None else v[: tail.start()]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(the_date, fmt).date()
        except ValueError:
            continue
    raise CellError(
        tx.msg(gettext_noop("%(field)s “%(value)s” is not a date (use YYYY-MM-DD)"), field=tx.label(label), value=v)
    )


def country(value: str) -> str:
    code = country_to_iso2(value)
    if code is None:
        raise CellError(tx.msg(gettext_noop("Unknown country “%(value)s”"), value=value.strip()))
    return code


def domain(value: str) -> str:
    if not (value or "").strip():
        return ""
    result = normalise_domain(value)
    if not result:
        raise CellError(tx.msg(gettext_noop("Website “%(value)s” is not a domain"), value=value.strip()))
    return result


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ADDRESS_LIST = re.compile(r"\s*[,;]\s*")


def email(value: str) -> str:
    """One address. A cell holding several (``a@x.com, b@y.com``, ``a@x.com; b@y.com``: CRMs and spreadsheets
    join a person's addresses of one kind so) gives its first, when every one is an address."""
    result = normalise_email(value)
    if result and ("," in result or ";" in result):
        addresses = [address for address in _ADDRESS_LIST.split(result) if address]
        if addresses and all(_EMAIL.fullmatch(address) for address in addresses):
            result = addresses[0]
    if result and not _EMAIL.fullmatch(result):
        raise CellError(tx.msg(gettext_noop("Email “%(value)s” is not an email address"), value=value.strip()))
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


def _signed(value: str) -> tuple[str, int]:
    """A leading minus (a loss-making deal has a negative margin) split from the number."""
    v = (value or "").strip()
    return (v[1:], -1) if v.startswith(("-", "\u2212")) else (v, 1)


def margin_amount(value: str, label: str, decimal_comma: bool = False) -> Decimal | None:
    """A gross margin in money, negative for a loss; a percentage here is refused rather than read as money
    (``35%`` is not 35)."""
    if "%" in (value or ""):
        raise CellError(
            tx.msg(
                gettext_noop("%(field)s “%(value)s” is a percentage: map this column to Gross margin %%"),
                field=tx.label(label),
                value=value.strip(),
            )
        )
    unsigned, sign = _signed(value)
    result = money(unsigned, label, decimal_comma)
    return None if result is None else result * sign


def percent(value: str, label: str, decimal_comma: bool = False) -> Decimal | None:
    """``35`` / ``35%`` / ``35,5 %`` / ``-5%`` -> Decimal("35.50"); between -100 and 100 (the API's range)."""
    unsigned, sign = _signed(value)
    result = number(unsigned, label, decimal_comma)
    if result is None:
        return None
    if result > 100:
        raise CellError(
            tx.msg(
                gettext_noop("%(field)s “%(value)s” is not between -100%% and 100%%"),
                field=tx.label(label),
                value=value.strip(),
            )
        )
    return Decimal(plain_number(unsigned, decimal_comma)).quantize(Decimal("0.01")) * sign


def value_counts(values: Iterable[str]) -> list[tuple[str, int]]:
    """The distinct non-blank values of a column (stripped), most frequent first, then alphabetically, with their
    counts: what the mapping page lists of the stage and owner columns."""
    counts = Counter(v.strip() for v in values if v and v.strip())
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
