"""A contact's place in the buying committee read from a CRM's columns: buying role, seniority, department.

Each cell is matched, case, accents, punctuation and spacing ignored, against the portal's own values
(``decision_maker``), their labels in every language the portal speaks ("Decision maker", "Decisor", "Factor de
decizie"), and the words CRMs and data vendors export them under:

- buying roles: HubSpot's *Buying Role* property (Budget Holder, Decision Maker, Champion, Blocker, End User,
  Influencer), Salesforce's opportunity contact roles (Economic Buyer, Economic Decision Maker, Evaluator,
  Technical Buyer, Business User), Dynamics 365's contact *Role* (Decision Maker, Influencer);
- seniority: LinkedIn Sales Navigator's and the data vendors' levels (CXO, C-Suite, Owner, Founder, Partner, VP,
  Head, Director, Manager, Senior, Entry);
- departments: the usual names of functions (Information Technology, Engineering, Human Resources, Purchasing,
  Revenue Operations...).

A value none of them names is not guessed: the cell is left blank with a warning that lists what is accepted, and
an empty cell never clears a stored value (as every other column of the import).
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_noop

from abe import texts as tx
from personas.models import BuyingRole, Department, Seniority

from ..normalise import normalise_name
from .parsing import CellError

# CRM and vendor vocabularies, folded (lower case, no accents or punctuation).
_EXTRA: dict[str, dict[str, str]] = {
    "buying_role": {
        "budget holder": BuyingRole.ECONOMIC_BUYER,
        "economic decision maker": BuyingRole.ECONOMIC_BUYER,
        "economic buyer": BuyingRole.ECONOMIC_BUYER,
        "decision maker": BuyingRole.DECISION_MAKER,
        "evaluator": BuyingRole.TECHNICAL_EVALUATOR,
        "technical buyer": BuyingRole.TECHNICAL_EVALUATOR,
        "technical decision maker": BuyingRole.TECHNICAL_EVALUATOR,
        "business user": BuyingRole.END_USER,
        "user": BuyingRole.END_USER,
        "end user": BuyingRole.END_USER,
        "influencer": BuyingRole.INFLUENCER,
        "champion": BuyingRole.CHAMPION,
        "blocker": BuyingRole.BLOCKER,
        "detractor": BuyingRole.BLOCKER,
        "gatekeeper": BuyingRole.GATEKEEPER,
        # Salesforce's opportunity contact role of the senior person who backs the purchase inside the account.
        "executive sponsor": BuyingRole.CHAMPION,
    },
    "seniority": {
        "c level": Seniority.C_LEVEL,
        "c suite": Seniority.C_LEVEL,
        "cxo": Seniority.C_LEVEL,
        "executive": Seniority.C_LEVEL,
        "owner": Seniority.C_LEVEL,
        "founder": Seniority.C_LEVEL,
        "partner": Seniority.C_LEVEL,
        "vp": Seniority.VP,
        "vice president": Seniority.VP,
        "svp": Seniority.VP,
        "evp": Seniority.VP,
        "head": Seniority.DIRECTOR,
        "director": Seniority.DIRECTOR,
        "manager": Seniority.MANAGER,
        "senior": Seniority.INDIVIDUAL,
        "entry": Seniority.INDIVIDUAL,
        "individual contributor": Seniority.INDIVIDUAL,
        "staff": Seniority.INDIVIDUAL,
    },
    "department": {
        "c suite": Department.EXECUTIVE,
        "executive": Department.EXECUTIVE,
        "management": Department.EXECUTIVE,
        "information technology": Department.IT,
        "it": Department.IT,
        "engineering": Department.IT,
        "human resources": Department.HR,
        "hr": Department.HR,
        "people": Department.HR,
        "purchasing": Department.PROCUREMENT,
        "procurement": Department.PROCUREMENT,
        "sales operations": Department.SALES_OPS,
        "sales ops": Department.SALES_OPS,
        "revenue operations": Department.SALES_OPS,
        "revops": Department.SALES_OPS,
        "product management": Department.PRODUCT,
        "accounting": Department.FINANCE,
    },
}
CHOICES: dict[str, type[models.TextChoices]] = {
    "buying_role": BuyingRole,
    "seniority": Seniority,
    "department": Department,
}
LABELS = {
    "buying_role": gettext_noop("Buying role"),
    "seniority": gettext_noop("Seniority"),
    "department": gettext_noop("Department"),
}


@cache
def _table(field: str) -> dict[str, str]:
    """Folded name -> value: the CRM words, then the values and their labels in every language (a label wins)."""
    choices = CHOICES[field]
    table = dict(_EXTRA[field])
    for value in choices.values:
        table[normalise_name(value)] = value
    for language, _ in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                table[normalise_name(str(label))] = value
    return table


def _department_within(folded: str) -> str | None:
    """A CRM's department is free text ("Marketing Operations", "IT Infrastructure", "Finance & Accounting"): the one
    department whose name the cell holds as whole words; None when it names none, or two different ones ("Sales &
    Marketing" is not guessed). A name inside a longer one found too counts once ("Sales Operations" is sales
    operations, not also sales), and "operations" after another department qualifies it ("Marketing Operations")."""
    table = _table("department")
    words = f" {folded} "
    found = [name for name in table if f" {name} " in words]
    kept = [name for name in found if not any(name != other and f" {name} " in f" {other} " for other in found)]
    values = {table[name] for name in kept}
    if len(values) > 1:
        values.discard(Department.OPERATIONS)
    return values.pop() if len(values) == 1 else None


def committee_value(field: str, cell: str) -> str:
    """The value of ``field`` a cell names, "" for an empty cell; anything else is a ``CellError`` (the columns are
    optional: the import leaves the cell blank and warns)."""
    if not (cell or "").strip():
        return ""
    folded = normalise_name(cell)
    found = _table(field).get(folded)
    if found is None and field == "department":
        found = _department_within(folded)
    if found is None:
        with translation.override("en"):  # the msgids, each translated when the warning is read
            accepted = tx.joined([tx.label(str(label)) for label in CHOICES[field].labels], sep=", ")
        raise CellError(
            tx.msg(
                gettext_noop("%(field)s “%(value)s” is not one the portal knows (%(accepted)s)"),
                field=tx.label(LABELS[field]),
                value=cell.strip(),
                accepted=accepted,
            )
        )
    return found


# What a CRM writes for "no particular role" on a deal (Salesforce's "Other"): no role, and nothing to warn about.
NO_DEAL_ROLE = {"other", "none", "no role", "n a", "na", "unknown", "otro", "outro", "altul", "altele"}


def deal_role(cell: str) -> str:
    """A contact's role on one deal (an opportunity contact role): a buying role as ``committee_value`` reads it, or
    "" for the CRM's "Other"; anything else is a ``CellError`` (the import leaves it blank and warns)."""
    if normalise_name(cell or "") in NO_DEAL_ROLE:
        return ""
    return committee_value("buying_role", cell)
