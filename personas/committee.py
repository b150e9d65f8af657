"""Buying-committee coverage, free of the database: which required roles an account has, and how well.

A committee template lists requirements (a buying role, optionally narrowed to a persona or a department, or a
department alone, e.g. finance or procurement) and how many people each needs. For an account:

- a contact **fills** a requirement when they match it (role, persona, department as given) and have not left
  the company; one contact may fill several requirements (a finance influencer fills "influencer" and "finance");
- a requirement is **known** to the extent that ``min(matching contacts, count)`` and **engaged** to the extent
  that ``min(matching contacts engaged in the last N days, count)``;
- **coverage** = ``(Σ min(known, count) + Σ min(engaged, count)) / (2 · Σ count)``: a required person who is
  known counts half, known and engaged counts fully; 0 with nothing mapped, 1 with every seat engaged;
- **single-threaded**: exactly one person of the account is engaged (everything hangs on one relationship).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from abe.labels import ChoiceLabels

from .models import BuyingRole, Department

DEFAULT_ENGAGED_DAYS = 30

_CORE = [
    {"role": BuyingRole.DECISION_MAKER, "count": 1},
    {"role": BuyingRole.ECONOMIC_BUYER, "count": 1},
    {"role": BuyingRole.CHAMPION, "count": 1},
]
# Seeds 001/003: the average committee has 5.4 to 8.2 people; bigger deals (strategic) add finance and
# procurement and more than one influencer and end user.
DEFAULT_REQUIREMENTS: dict[str, list[dict[str, Any]]] = {
    "strategic": [
        *_CORE,
        {"role": BuyingRole.INFLUENCER, "count": 2},
        {"role": BuyingRole.TECHNICAL_EVALUATOR, "count": 1},
        {"role": BuyingRole.END_USER, "count": 1},
        {"department": Department.FINANCE, "count": 1},
        {"department": Department.PROCUREMENT, "count": 1},
    ],
    "priority": [
        *_CORE,
        {"role": BuyingRole.INFLUENCER, "count": 1},
        {"role": BuyingRole.TECHNICAL_EVALUATOR, "count": 1},
        {"role": BuyingRole.END_USER, "count": 1},
    ],
    "standard": [*_CORE, {"role": BuyingRole.TECHNICAL_EVALUATOR, "count": 1}],
}
TIERS = ("strategic", "priority", "standard")
ROLE_LABELS = ChoiceLabels(BuyingRole)
DEPARTMENT_LABELS = ChoiceLabels(Department)


@dataclass(frozen=True)
class Requirement:
    role: str = ""
    department: str = ""
    persona: int | None = None
    count: int = 1
    persona_name: str = ""

    @property
    def key(self) -> str:
        """The name of this requirement in the API and CSV: ``economic_buyer``, ``finance``, ``influencer/it``."""
        parts = [p for p in (self.role, self.department) if p]
        if self.persona is not None:
            parts.append(f"persona:{self.persona}")
        return "/".join(parts)

    @property
    def label(self) -> str:
        """What the pages call it, in the reader's language: "Champion", "Finance", "Influencer in IT",
        "Champion (Head of Demand Generation)"."""
        role = ROLE_LABELS.get(self.role, self.role) if self.role else ""
        department = DEPARTMENT_LABELS.get(self.department, self.department) if self.department else ""
        text = (
            gettext("%(role)s in %(department)s") % {"role": role, "department": department}
            if role and department
            else role or department
        )
        if self.persona is not None:
            name = self.persona_name or gettext("persona %(id)s") % {"id": self.persona}
            text = f"{text} ({name})" if text else f"({name})"
        return text

    def matches(self, person: Person) -> bool:
        if self.role and person.role != self.role:
            return False
        if self.department and person.department != self.department:
            return False
        return self.persona is None or person.persona == self.persona

    def as_dict(self) -> dict[str, Any]:
        return {"role": self.role, "department": self.department, "persona": self.persona, "count": self.count}


def requirement_of_key(key: str) -> Requirement | None:
    """The requirement a stored key names (``Requirement.key``: ``economic_buyer``, ``finance``, ``influencer/it``,
    ``champion/persona:12``), to name it in the reader's language (with its persona's name set by the caller,
    ``dataclasses.replace``); None for a key of no known shape."""
    role = department = ""
    persona = None
    for part in key.split("/"):
        if part in BuyingRole.values and not role:
            role = part
        elif part in Department.values and not department:
            department = part
        elif part.startswith("persona:") and part[8:].isascii() and part[8:].isdigit() and persona is None:
            persona = int(part[8:])
        else:
            return None
    if not (role or department or persona is not None):
        return None
    return Requirement(role=role, department=department, persona=persona)


def requirements_from(
    raw: Iterable[Mapping[str, Any]], persona_names: Mapping[int, str] | None = None
) -> list[Requirement]:
    names = persona_names or {}
    return [
        Requirement(
            role=r.get("role") or "",
            department=r.get("department") or "",
            persona=r.get("persona"),
            count=int(r.get("count") or 1),
            persona_name=names.get(r.get("persona") or 0, ""),
        )
        for r in raw
    ]


def requirements_validate(raw: Any, persona_ids: set[int]) -> list[dict[str, Any]]:
    """Clean a requirements list; raise ``ValueError`` with a message a person can act on."""
    if not isinstance(raw, list) or not raw:
        raise ValueError("List at least one required role.")
    cleaned, seen = [], set()
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise ValueError(f"Requirement {i}: give an object with role, department, persona and count.")
        extra = set(item) - {"role", "department", "persona", "count"}
        if extra:
            raise ValueError(f"Requirement {i}: unknown field(s) {', '.join(sorted(map(str, extra)))}.")
        role, department, persona = item.get("role") or "", item.get("department") or "", item.get("persona")
        if role and role not in ROLE_LABELS:
            raise ValueError(f"Requirement {i}: unknown role “{role}”; choose one of {', '.join(ROLE_LABELS)}.")
        if department and department not in DEPARTMENT_LABELS:
            raise ValueError(f"Requirement {i}: unknown department “{department}”.")
        if persona is not None and (
            isinstance(persona, bool) or not isinstance(persona, int) or persona not in persona_ids
        ):
            raise ValueError(f"Requirement {i}: no persona with id {persona} in this workspace.")
        if not (role or department or persona is not None):
            raise ValueError(f"Requirement {i}: name a role, a department or a persona.")
        count = item.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 20:
            raise ValueError(f"Requirement {i}: count must be a whole number from 1 to 20.")
        req = Requirement(role=role, department=department, persona=persona, count=count)
        if req.key in seen:
            raise ValueError(f"Requirement {i}: “{req.key}” is listed twice.")
        seen.add(req.key)
        cleaned.append(req.as_dict())
    return cleaned


@dataclass(frozen=True)
class Person:
    id: int
    role: str
    department: str
    persona: int | None
    last_engaged_at: datetime | None
    left: bool = False


STATUS_LABELS = {"engaged": _("Engaged"), "known": _("Known"), "missing": _("Missing")}


@dataclass
class RoleCoverage:
    requirement: Requirement
    known: int
    engaged: int
    people: list[int] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.engaged >= self.requirement.count:
            return "engaged"
        if self.known > 0:
            return "known"
        return "missing"

    @property
    def status_label(self) -> str:
        """The status in the reader's language (the key stays English for CSS and the API)."""
        return str(STATUS_LABELS[self.status])

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.requirement.key,
            "required": self.requirement.count,
            "known": self.known,
            "engaged": self.engaged,
        }


@dataclass
class Coverage:
    roles: list[RoleCoverage]
    engaged_people: int

    @property
    def figure(self) -> float:
        total = sum(r.requirement.count for r in self.roles)
        if not total:
            return 0.0
        filled = sum(min(r.known, r.requirement.count) + min(r.engaged, r.requirement.count) for r in self.roles)
        return round(filled / (2 * total), 4)

    @property
    def single_threaded(self) -> bool:
        return self.engaged_people == 1

    @property
    def gaps(self) -> list[RoleCoverage]:
        return [r for r in self.roles if r.known < r.requirement.count]

    def as_dict(self) -> dict[str, Any]:
        return {"coverage": self.figure, "roles": [r.as_dict() for r in self.roles]}


def coverage_compute(
    *, requirements: Sequence[Requirement], people: Iterable[Person], now: datetime, engaged_days: int
) -> Coverage:
    cutoff = now - timedelta(days=engaged_days)
    present = [p for p in people if not p.left]
    engaged_ids = {p.id for p in present if p.last_engaged_at is not None and p.last_engaged_at >= cutoff}
    roles = []
    for req in requirements:
        matching = [p for p in present if req.matches(p)]
        roles.append(
            RoleCoverage(
                requirement=req,
                known=len(matching),
                engaged=sum(1 for p in matching if p.id in engaged_ids),
                people=[p.id for p in matching],
            )
        )
    return Coverage(roles=roles, engaged_people=len(engaged_ids))
