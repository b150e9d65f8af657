"""Outreach reads: templates, and the merge values of a contact (built field by field, nothing dynamic)."""

from __future__ import annotations

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Abs, Coalesce

from abe.models import Workspace
from accounts.models import Account, Contact, Lifecycle, Opportunity

from ..merge import first_item
from ..models import CustomerResult, OutreachTemplate


def outreach_template_list(*, workspace: Workspace) -> QuerySet[OutreachTemplate]:
    return OutreachTemplate.objects.for_workspace(workspace).order_by("name", "pk")


def similar_won_account(*, account: Account) -> Account | None:
    """The nearest won customer: same industry first, then the closest head count; never the account itself."""
    won = Opportunity.objects.filter(account=OuterRef("pk"), status="won")
    size = account.employees or 0
    return (
        Account.objects.for_workspace(account.workspace)
        .exclude(pk=account.pk)
        .filter(Q(lifecycle=Lifecycle.CUSTOMER) | Exists(won))
        .annotate(
            same_industry=Case(
                When(industry=account.industry, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            distance=Abs(Coalesce(F("employees"), Value(0)) - Value(size)),
        )
        .order_by("same_industry", "distance", "name", "pk")
        .first()
    )


def merge_values(*, contact: Contact) -> dict[str, str]:
    """The value of every merge field for one contact, as plain strings."""
    account = contact.account
    persona = contact.persona
    owner = account.owner
    similar = similar_won_account(account=account)
    result = ""
    if similar is not None:
        found = CustomerResult.objects.for_workspace(account.workspace).filter(account=similar).first()
        result = found.result if found else ""
    owner_name = (owner.get_full_name() or owner.username) if owner else ""
    return {
        "contact.first_name": contact.first_name,
        "contact.last_name": contact.last_name,
        "contact.full_name": contact.full_name,
        "contact.title": contact.title,
        "account.name": account.name,
        "account.industry": account.industry,
        "account.city": account.city,
        "persona.name": persona.name if persona else "",
        "persona.challenge": first_item(persona.challenges) if persona else "",
        "persona.goal": first_item(persona.goals) if persona else "",
        "owner.first_name": (owner.first_name or owner.username) if owner else "",
        "owner.full_name": owner_name,
        "owner.email": owner.email if owner else "",
        "similar.name": similar.name if similar else "",
        "similar.industry": similar.industry if similar else "",
        "similar.result": result,
    }
