"""Normalisation of the keys that accounts and contacts are matched on (domain, email)."""

from __future__ import annotations

import re
import unicodedata

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


def normalise_domain(value: str | None) -> str:
    """``https://WWW.Example.com:443/about`` -> ``example.com``; anything without a dot -> ``""``."""
    if not value:
        return ""
    text = value.strip().lower()
    text = _SCHEME.sub("", text)
    if "@" in text:  # an email address given where a website was expected
        text = text.rsplit("@", 1)[1]
    text = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].split(":", 1)[0]
    text = text.strip(". ")
    if text.startswith("www."):
        text = text[4:]
    if "." not in text or " " in text or not re.fullmatch(r"[a-z0-9.-]+", text):
        return ""
    return text


def normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()


_NON_WORD = re.compile(r"[\W_]+")


def normalise_name(value: str | None) -> str:
    """Company names as matched on import: case, accents, punctuation and spacing ignored.

    ``Acme, Inc.`` = ``ACME Inc`` = ``acme inc``; ``Café & Co`` = ``cafe and co``. Legal suffixes are kept
    (``Acme Inc`` and ``Acme Ltd`` stay two companies).
    """
    text = value or ""
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = text.lower()
    if "&" in text:
        text = text.replace("&", " and ")
    return _NON_WORD.sub(" ", text).strip()
