"""Country names and codes as CRMs write them -> ISO 3166-1 alpha-2 (``US``, ``United States``, ``USA`` -> ``US``)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ISO2 = set(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY "
    "BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM "
    "FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT "
    "JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN "
    "MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT "
    "PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL "
    "TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW".split()
)
ALPHA3 = {
    "USA": "US",
    "GBR": "GB",
    "CAN": "CA",
    "DEU": "DE",
    "FRA": "FR",
    "ESP": "ES",
    "ITA": "IT",
    "NLD": "NL",
    "BEL": "BE",
    "CHE": "CH",
    "AUT": "AT",
    "IRL": "IE",
    "PRT": "PT",
    "SWE": "SE",
    "NOR": "NO",
    "DNK": "DK",
    "FIN": "FI",
    "POL": "PL",
    "ROU": "RO",
    "BRA": "BR",
    "MEX": "MX",
    "ARG": "AR",
    "CHL": "CL",
    "COL": "CO",
    "JPN": "JP",
    "CHN": "CN",
    "IND": "IN",
    "AUS": "AU",
    "NZL": "NZ",
    "SGP": "SG",
    "KOR": "KR",
    "ZAF": "ZA",
    "ISR": "IL",
    "ARE": "AE",
    "TUR": "TR",
    "RUS": "RU",
    "HKG": "HK",
    "TWN": "TW",
    "CZE": "CZ",
    "HUN": "HU",
    "GRC": "GR",
    "LUX": "LU",
}
NAMES = {
    "united states": "US",
    "united states of america": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "america": "US",
    "united kingdom": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "uk": "GB",
    "u.k.": "GB",
    "canada": "CA",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "spain": "ES",
    "espana": "ES",
    "italy": "IT",
    "italia": "IT",
    "netherlands": "NL",
    "the netherlands": "NL",
    "holland": "NL",
    "belgium": "BE",
    "switzerland": "CH",
    "austria": "AT",
    "ireland": "IE",
    "portugal": "PT",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "poland": "PL",
    "romania": "RO",
    "romania ": "RO",
    "czech republic": "CZ",
    "czechia": "CZ",
    "hungary": "HU",
    "greece": "GR",
    "luxembourg": "LU",
    "iceland": "IS",
    "brazil": "BR",
    "brasil": "BR",
    "mexico": "MX",
    "argentina": "AR",
    "chile": "CL",
    "colombia": "CO",
    "peru": "PE",
    "japan": "JP",
    "china": "CN",
    "people's republic of china": "CN",
    "india": "IN",
    "australia": "AU",
    "new zealand": "NZ",
    "singapore": "SG",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "south africa": "ZA",
    "israel": "IL",
    "united arab emirates": "AE",
    "uae": "AE",
    "turkey": "TR",
    "turkiye": "TR",
    "russia": "RU",
    "russian federation": "RU",
    "hong kong": "HK",
    "taiwan": "TW",
    "ukraine": "UA",
    "egypt": "EG",
    "nigeria": "NG",
    "kenya": "KE",
    "morocco": "MA",
    "saudi arabia": "SA",
    "qatar": "QA",
    "indonesia": "ID",
    "malaysia": "MY",
    "thailand": "TH",
    "vietnam": "VN",
    "viet nam": "VN",
    "philippines": "PH",
    "pakistan": "PK",
    "bangladesh": "BD",
    "puerto rico": "PR",
    "costa rica": "CR",
    "uruguay": "UY",
    "venezuela": "VE",
    "ecuador": "EC",
    "bulgaria": "BG",
    "croatia": "HR",
    "serbia": "RS",
    "slovakia": "SK",
    "slovenia": "SI",
    "estonia": "EE",
    "latvia": "LV",
    "lithuania": "LT",
    "moldova": "MD",
    "cyprus": "CY",
    "malta": "MT",
}


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).strip().lower()


@lru_cache(maxsize=4096)
def country_to_iso2(value: str | None) -> str | None:
    """The ISO-2 code, ``""`` for an empty value, or ``None`` when the value is not a country we know."""
    text = (value or "").strip()
    if not text:
        return ""
    upper = text.upper()
    if len(upper) == 2 and upper in ISO2:
        return upper
    if upper == "UK":
        return "GB"
    if len(upper) == 3 and upper in ALPHA3:
        return ALPHA3[upper]
    return NAMES.get(_fold(text))
