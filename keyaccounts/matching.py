"""Matching news entries to accounts: whole words, case-insensitive, with exclusions (no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AccountTerms:
    account_id: int
    terms: tuple[str, ...]
    exclusions: tuple[str, ...] = field(default=())


def _pattern(term: str) -> re.Pattern[str]:
    # Whole words: no letter or digit right before or after (so "Acme" matches "Acme's" but not "Acmez").
    return re.compile(r"(?<![\w])" + re.escape(term.strip()) + r"(?![\w])", re.IGNORECASE)


def terms_for(
    *, account_id: int, name: str, domain: str, aliases: list[str], exclusions: list[str], ignored_names: set[str]
) -> AccountTerms:
    """The terms that identify an account; a name listed as ambiguous is matched only through aliases or domain."""
    terms = []
    if name.strip() and name.strip().lower() not in ignored_names and len(name.strip()) >= 2:
        terms.append(name.strip())
    terms += [a.strip() for a in aliases if a and a.strip() and a.strip().lower() not in ignored_names]
    if domain.strip():
        terms.append(domain.strip())
    return AccountTerms(account_id, tuple(dict.fromkeys(terms)), tuple(e.strip() for e in exclusions if e.strip()))


class Matcher:
    """One alternation of every term (longest first), so an entry is scanned once whatever the account count."""

    def __init__(self, accounts: list[AccountTerms]) -> None:
        self.by_term: dict[str, list[int]] = {}
        self.exclusions: dict[int, list[re.Pattern[str]]] = {}
        for a in accounts:
            for term in a.terms:
                self.by_term.setdefault(term.lower(), []).append(a.account_id)
            if a.exclusions:
                self.exclusions[a.account_id] = [_pattern(e) for e in a.exclusions]
        terms = sorted(self.by_term, key=lambda t: (-len(t), t))
        self.pattern = (
            re.compile(r"(?<![\w])(" + "|".join(re.escape(t) for t in terms) + r")(?![\w])", re.IGNORECASE)
            if terms
            else None
        )

    def match(self, text: str) -> list[tuple[int, str]]:
        """The accounts the text is about, with the term that matched (first match per account)."""
        if self.pattern is None or not text:
            return []
        found: dict[int, str] = {}
        for hit in self.pattern.finditer(text):
            for account_id in self.by_term.get(hit.group(1).lower(), []):
                found.setdefault(account_id, hit.group(1))
        return [
            (account_id, term)
            for account_id, term in found.items()
            if not any(p.search(text) for p in self.exclusions.get(account_id, []))
        ]
