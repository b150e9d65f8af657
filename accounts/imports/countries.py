"""Country names and codes as CRMs write them -> ISO 3166-1 alpha-2 (``US``, ``United States``, ``USA`` -> ``US``).

The list is complete: every ISO 3166-1 country from pycountry, by alpha-2 and alpha-3 code, English name,
official and common name, and its Spanish and Portuguese names (``Alemania``, ``Alemanha``, ``Estados Unidos``),
plus the colloquial names and common misspellings CRMs are full of (``UK``, ``Holland``, ``Philipines``).
Matching ignores case, accents and punctuation (``Côte d'Ivoire`` = ``cote divoire``).
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache, lru_cache

import pycountry

EXTRA_NAMES = {
    "u.s.": "US",
    "u.s.a.": "US",
    "america": "US",
    "united states": "US",
    "united states of america": "US",
    "untied states": "US",
    "unites states": "US",
    "usa": "US",
    "us": "US",
    "eeuu": "US",
    "ee.uu.": "US",
    "eua": "US",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "uk": "GB",
    "u.k.": "GB",
    "reino unido": "GB",
    "inglaterra": "GB",
    "holland": "NL",
    "holanda": "NL",
    "the netherlands": "NL",
    "deutschland": "DE",
    "espana": "ES",
    "italia": "IT",
    "brasil": "BR",
    "czech republic": "CZ",
    "south korea": "KR",
    "korea": "KR",
    "north korea": "KP",
    "russia": "RU",
    "turkiye": "TR",
    "turkey": "TR",
    "vietnam": "VN",
    "taiwan": "TW",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "macedonia": "MK",
    "ivory coast": "CI",
    "cape verde": "CV",
    "swaziland": "SZ",
    "burma": "MM",
    "palestine": "PS",
    "vatican": "VA",
    "kosovo": "XK",
    "uae": "AE",
    "emirates": "AE",
    "hong kong": "HK",
    "macau": "MO",
    "people's republic of china": "CN",
    "prc": "CN",
    "republic of korea": "KR",
    # Common misspellings.
    "philipines": "PH",
    "phillipines": "PH",
    "phillippines": "PH",
    "philippine": "PH",
    "filipinas": "PH",
    "columbia": "CO",
    "argentinia": "AR",
    "brazill": "BR",
    "brasilia": "BR",
    "mexiko": "MX",
    "méxico": "MX",
    "peru": "PE",
    "perú": "PE",
    "panama": "PA",
    "panamá": "PA",
    "jordan": "JO",
    "jordania": "JO",
    "jordânia": "JO",
    "singapur": "SG",
    "singapura": "SG",
    "malasia": "MY",
    "malaysa": "MY",
    "indonesa": "ID",
    "thailande": "TH",
    "tailandia": "TH",
    "switzerland": "CH",
    "swizerland": "CH",
    "switzland": "CH",
    "suiza": "CH",
    "suíça": "CH",
    "belgum": "BE",
    "netherland": "NL",
    "nederland": "NL",
    "austrailia": "AU",
    "australa": "AU",
    "new zeland": "NZ",
    "newzealand": "NZ",
    "south afica": "ZA",
    "isreal": "IL",
    "egipt": "EG",
    "kenia": "KE",
    "nigera": "NG",
    "marocco": "MA",
    "morroco": "MA",
    "saudi": "SA",
    "saudia arabia": "SA",
    "quatar": "QA",
    "luxemburg": "LU",
    "portugual": "PT",
    "ukrain": "UA",
    "romainia": "RO",
    "rumania": "RO",
    "hungry": "HU",
    "polska": "PL",
    "sweeden": "SE",
    "norwey": "NO",
    "danmark": "DK",
    "finnland": "FI",
    "irland": "IE",
    "grece": "GR",
    "kazakstan": "KZ",
}


def _fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces: ``Côte d'Ivoire`` -> ``cote d ivoire``."""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ")
    return re.sub(r"[\W_]+", " ", text).strip()


def _translator(language: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:  # a pycountry build without that locale: English names still work
        return gettext.NullTranslations()


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    translators = [_translator(lang) for lang in ("es", "pt", "pt_BR")]
    for country in pycountry.countries:
        code = country.alpha_2
        variants = {country.name, getattr(country, "official_name", ""), getattr(country, "common_name", "")}
        for t in translators:
            variants |= {t.gettext(v) for v in list(variants) if v}
        for variant in variants:
            if variant:
                names.setdefault(_fold(variant), code)
                # "Bolivia, Plurinational State of" -> also "Bolivia"
                head = variant.split(",")[0].split("(")[0]
                names.setdefault(_fold(head), code)
    for name, code in EXTRA_NAMES.items():
        names[_fold(name)] = code
    return names


@cache
def _codes() -> tuple[frozenset[str], dict[str, str]]:
    alpha2 = frozenset(c.alpha_2 for c in pycountry.countries) | {"XK"}
    alpha3 = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
    return alpha2, alpha3


ISO2, _ = _codes()


@lru_cache(maxsize=4096)
def country_to_iso2(value: str | None) -> str | None:
    """The ISO-2 code, ``""`` for an empty value, or ``None`` when the value is not a country we know."""
    text = (value or "").strip()
    if not text:
        return ""
    alpha2, alpha3 = _codes()
    upper = text.upper()
    if len(upper) == 2 and upper in alpha2:
        return upper
    if upper == "UK":
        return "GB"
    if len(upper) == 3 and upper in alpha3:
        return alpha3[upper]
    return _names().get(_fold(text))
