"""BANT per opportunity: each criterion's status, the evidence, who confirmed it at the customer, and when."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Contact, Opportunity

from ..models import BantCriterion, BantItem, BantStatus


@transaction.atomic
def bant_set(
    *,
    opportunity: Opportunity,
    criterion: str,
    status: str,
    evidence: str = "",
    contact: Contact | None = None,
    checked_on: dt.date | None = None,
    by: User | None = None,
) -> BantItem:
    """Record one BANT criterion of an opportunity (creating or replacing its row)."""
    errors: dict[str, str] = {}
    if criterion not in BantCriterion.values:
        errors["criterion"] = gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(BantCriterion.values)}
    if status not in BantStatus.values:
        errors["status"] = gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(BantStatus.values)}
    if contact is not None and contact.account_id != opportunity.account_id:
        errors["contact"] = gettext("This contact belongs to another account.")
    evidence = (evidence or "").strip()
    if len(evidence) > 5000:
        errors["evidence"] = gettext("At most 5000 characters.")
    if status == BantStatus.CONFIRMED and not evidence:
        errors["evidence"] = gettext("Say what confirms it (e.g. “budget approved in the Q3 plan, per the CFO”).")
    if errors:
        raise ValidationError(errors)
    item, _ = BantItem.objects.update_or_create(
        workspace_id=opportunity.workspace_id,
        opportunity=opportunity,
        criterion=criterion,
        defaults={
            "status": status,
            "evidence": evidence,
            "contact": contact,
            "checked_on": checked_on or (timezone.localdate() if status != BantStatus.UNKNOWN else None),
            "checked_by": by if by is not None and by.is_authenticated else None,
        },
    )
    return item
