"""Writes on accounts, contacts, account teams and opportunities. Every one validates and is atomic."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from abe import locks
from abe.models import Membership, Workspace

from .models import (
    ACCOUNT_EDITABLE_FIELDS,
    LIST_COLUMNS,
    Account,
    AccountTeamMember,
    ColumnChoice,
    Contact,
    Opportunity,
    OpportunityContact,
    Product,
    SavedView,
    SavedViewList,
)
from .normalise import normalise_domain, normalise_email
from .selectors import board_stats_invalidate, list_settings_invalidate

ACCOUNT_FIELDS = set(ACCOUNT_EDITABLE_FIELDS)
CONTACT_FIELDS = {
    "account",
    "first_name",
    "last_name",
    "email",
    "title",
    "department",
    "seniority",
    "buying_role",
    "persona",
    "do_not_contact",
    "external_id",
    "influence",
    "stance",
    "reports_to",
    "left_at",
}
OPPORTUNITY_FIELDS = {
    "account",
    "name",
    "amount",
    "stage",
    "type",
    "created_date",
    "close_date",
    "status",
    "external_id",
    "product",
    "gross_margin",
    "gross_margin_pct",
    "contract_start",
    "contract_end",
}
PRODUCT_FIELDS = {"name", "family", "list_price", "is_active"}
OPPORTUNITY_CONTACT_FIELDS = {"opportunity", "contact", "role", "is_primary", "external_id"}


def _unknown(data: dict[str, Any], allowed: set[str]) -> None:
    extra = set(data) - allowed
    if extra:
        raise ValidationError({field: "Unknown field." for field in sorted(extra)})


def _check_same_workspace(workspace: Workspace, **related: Any) -> None:
    for field, obj in related.items():
        if obj is not None and getattr(obj, "workspace_id", workspace.pk) != workspace.pk:
            raise ValidationError({field: gettext("Not found in this workspace.")})


def _check_member(workspace: Workspace, field: str, user: User | None) -> None:
    if user is not None and not Membership.objects.filter(workspace=workspace, user=user).exists():
        raise ValidationError({field: gettext("This user is not a member of the workspace.")})


def _taken(obj: Account | Contact | Opportunity | OpportunityContact | Product, field: str) -> bool:
    """Whether another row of the same workspace already holds ``obj``'s value of ``field``."""
    others = type(obj).objects.for_workspace(obj.workspace_id).filter(**{field: getattr(obj, field)})
    return others.exclude(pk=obj.pk).exists() if obj.pk else others.exists()


def _clean_account(account: Account) -> None:
    account.name = (account.name or "").strip()
    account.domain = normalise_domain(account.domain) if account.domain else ""
    account.country = (account.country or "").strip().upper()
    account.technologies = sorted({str(t).strip() for t in (account.technologies or []) if str(t).strip()})
    errors: dict[str, str] = {}
    if not account.name:
        errors["name"] = gettext("An account needs a name.")
    if account.parent_id and account.parent_id == account.pk:
        errors["parent"] = gettext("An account cannot be its own parent.")
    if account.domain and _taken(account, "domain"):
        errors["domain"] = gettext("Another account already uses the domain %(domain)s.") % {"domain": account.domain}
    if account.external_id and _taken(account, "external_id"):
        errors["external_id"] = gettext("Another account already has this CRM id.")
    if errors:
        raise ValidationError(errors)
    account.full_clean(exclude=["workspace", "parent", "owner"], validate_unique=False, validate_constraints=False)


@transaction.atomic
def account_create(*, workspace: Workspace, by: User | None = None, **data: Any) -> Account:
    _unknown(data, ACCOUNT_FIELDS)
    _check_same_workspace(workspace, parent=data.get("parent"))
    _check_member(workspace, "owner", data.get("owner"))
    account = Account(workspace=workspace, **data)
    _clean_account(account)
    account.save()
    _stats_changed(account)
    return account


@transaction.atomic
def account_update(account: Account, *, by: User | None = None, **data: Any) -> Account:
    _unknown(data, ACCOUNT_FIELDS)
    _check_same_workspace(account.workspace, parent=data.get("parent"))
    if "owner" in data:
        _check_member(account.workspace, "owner", data["owner"])
    for field, value in data.items():
        setattr(account, field, value)
    _clean_account(account)
    _save_edited(account, data)
    if {"tier", "tier_locked", "industry", "country"} & data.keys():
        _stats_changed(account)
    return account


@transaction.atomic
def account_delete(account: Account, *, by: User | None = None) -> None:
    # Before any row: wait for the passes, rescores and evaluations writing rows that name it (``abe.locks``).
    locks.account_references(account.workspace_id, shared=False)
    account.delete()
    _stats_changed(account)


def _save_edited(obj: Account | Contact, data: dict[str, Any]) -> None:
    """Write the columns the edit sets and ``updated_at``, nothing else. A whole-row save would write back every
    other column as it was read at the start of the request, undoing what a scoring pass, a rescore or a bulk change
    committed meanwhile (the engagement score and stage, fit, priority, tier); those rows are rewritten every few
    seconds while events arrive."""
    obj.save(update_fields=sorted({*data, "updated_at"}))


def _stats_changed(account: Account) -> None:
    """Drop the cached tier counts and filter options of the account's workspace (now and after commit)."""
    workspace = account.workspace  # an object, not an id: the cache key needs no query
    board_stats_invalidate(workspace=workspace)
    transaction.on_commit(lambda: board_stats_invalidate(workspace=workspace))


def _clean_contact(contact: Contact) -> None:
    contact.email = normalise_email(contact.email)
    contact.first_name = (contact.first_name or "").strip()
    contact.last_name = (contact.last_name or "").strip()
    errors: dict[str, str] = {}
    if not (contact.first_name or contact.last_name or contact.email):
        errors["last_name"] = gettext("Give the contact a name or an email address.")
    if contact.email and _taken(contact, "email"):
        errors["email"] = gettext("Another contact already uses %(email)s.") % {"email": contact.email}
    if contact.external_id and _taken(contact, "external_id"):
        errors["external_id"] = gettext("Another contact already has this CRM id.")
    if contact.reports_to_id is not None:
        problem = _reports_to_problem(contact)
        if problem:
            errors["reports_to"] = problem
    if errors:
        raise ValidationError(errors)
    contact.full_clean(exclude=["workspace", "account", "persona"], validate_unique=False, validate_constraints=False)


def _reports_to_problem(contact: Contact) -> str:
    """A manager is a contact of the same account, and following managers upwards never comes back."""
    manager = contact.reports_to
    if manager is None or manager.workspace_id != contact.workspace_id or manager.account_id != contact.account_id:
        return "Choose a contact of the same account."
    seen = {contact.pk} if contact.pk else set()
    while manager is not None:
        if manager.pk in seen:
            return "This would make a reporting loop."
        seen.add(manager.pk)
        manager = manager.reports_to
    return ""


@transaction.atomic
def contact_create(*, workspace: Workspace, by: User | None = None, **data: Any) -> Contact:
    _unknown(data, CONTACT_FIELDS)
    if data.get("account") is None:
        raise ValidationError({"account": gettext("A contact belongs to an account.")})
    _check_same_workspace(workspace, account=data.get("account"), persona=data.get("persona"))
    contact = Contact(workspace=workspace, **data)
    _clean_contact(contact)
    contact.save()
    return contact


@transaction.atomic
def contact_update(contact: Contact, *, by: User | None = None, **data: Any) -> Contact:
    _unknown(data, CONTACT_FIELDS)
    _check_same_workspace(contact.workspace, account=data.get("account"), persona=data.get("persona"))
    for field, value in data.items():
        setattr(contact, field, value)
    _clean_contact(contact)
    _save_edited(contact, data)
    return contact


@transaction.atomic
def contact_delete(contact: Contact, *, by: User | None = None) -> None:
    locks.account_references(contact.workspace_id, shared=False)  # as in ``account_delete`` (alerts name contacts)
    contact.delete()


@transaction.atomic
def team_member_create(
    *,
    workspace: Workspace,
    account: Account,
    user: User,
    team_role: str,
    by: User | None = None,
) -> AccountTeamMember:
    _check_same_workspace(workspace, account=account)
    _check_member(workspace, "user", user)
    if AccountTeamMember.objects.filter(account=account, user=user, team_role=team_role).exists():
        raise ValidationError({"user": gettext("This person already has that role on the account team.")})
    member = AccountTeamMember(workspace=workspace, account=account, user=user, team_role=team_role)
    member.full_clean(exclude=["workspace", "account", "user"], validate_unique=False, validate_constraints=False)
    member.save()
    return member


@transaction.atomic
def team_member_update(member: AccountTeamMember, *, by: User | None = None, **data: Any) -> AccountTeamMember:
    _unknown(data, {"account", "user", "team_role"})
    _check_same_workspace(member.workspace, account=data.get("account"))
    if "user" in data:
        _check_member(member.workspace, "user", data["user"])
    for field, value in data.items():
        setattr(member, field, value)
    clash = AccountTeamMember.objects.filter(
        account=member.account, user=member.user, team_role=member.team_role
    ).exclude(pk=member.pk)
    if clash.exists():
        raise ValidationError({"user": gettext("This person already has that role on the account team.")})
    member.save()
    return member


@transaction.atomic
def team_member_delete(member: AccountTeamMember, *, by: User | None = None) -> None:
    member.delete()


def _clean_opportunity(opportunity: Opportunity) -> None:
    errors: dict[str, str] = {}
    if not (opportunity.name or "").strip():
        errors["name"] = gettext("An opportunity needs a name.")
    if opportunity.amount is not None and opportunity.amount < 0:
        errors["amount"] = gettext("The amount cannot be negative.")
    if opportunity.close_date and opportunity.created_date and opportunity.close_date < opportunity.created_date:
        errors["close_date"] = gettext("The close date cannot be before the created date.")
    if opportunity.external_id and _taken(opportunity, "external_id"):
        errors["external_id"] = gettext("Another opportunity already has this CRM id.")
    if opportunity.gross_margin_pct is not None and not (-100 <= opportunity.gross_margin_pct <= 100):
        errors["gross_margin_pct"] = gettext("A margin percentage lies between -100 and 100.")
    if (
        opportunity.gross_margin is not None
        and opportunity.amount is not None
        and opportunity.gross_margin > opportunity.amount
    ):
        errors["gross_margin"] = gettext("The gross margin cannot exceed the amount.")
    if (
        opportunity.contract_start
        and opportunity.contract_end
        and opportunity.contract_end < opportunity.contract_start
    ):
        errors["contract_end"] = gettext("The contract cannot end before it starts.")
    if opportunity.product is not None and opportunity.product.workspace_id != opportunity.workspace_id:
        errors["product"] = gettext("Not found in this workspace.")
    if errors:
        raise ValidationError(errors)
    opportunity.full_clean(exclude=["workspace", "account"], validate_unique=False, validate_constraints=False)


@transaction.atomic
def opportunity_create(*, workspace: Workspace, by: User | None = None, **data: Any) -> Opportunity:
    _unknown(data, OPPORTUNITY_FIELDS)
    if data.get("account") is None:
        raise ValidationError({"account": gettext("An opportunity belongs to an account.")})
    _check_same_workspace(workspace, account=data.get("account"))
    opportunity = Opportunity(workspace=workspace, **data)
    _clean_opportunity(opportunity)
    opportunity.save()
    return opportunity


@transaction.atomic
def opportunity_update(opportunity: Opportunity, *, by: User | None = None, **data: Any) -> Opportunity:
    _unknown(data, OPPORTUNITY_FIELDS)
    _check_same_workspace(opportunity.workspace, account=data.get("account"))
    for field, value in data.items():
        setattr(opportunity, field, value)
    _clean_opportunity(opportunity)
    opportunity.save()
    return opportunity


@transaction.atomic
def opportunity_delete(opportunity: Opportunity, *, by: User | None = None) -> None:
    opportunity.delete()


def _clean_opportunity_contact(role: OpportunityContact) -> None:
    errors: dict[str, str] = {}
    if role.opportunity_id is None:
        errors["opportunity"] = gettext("Name the deal.")
    elif role.opportunity.workspace_id != role.workspace_id:
        errors["opportunity"] = gettext("Not found in this workspace.")
    if role.contact_id is None:
        errors["contact"] = gettext("Name the contact.")
    elif role.contact.workspace_id != role.workspace_id:
        errors["contact"] = gettext("Not found in this workspace.")
    elif (
        role.opportunity_id is not None
        and OpportunityContact.objects.filter(opportunity_id=role.opportunity_id, contact_id=role.contact_id)
        .exclude(pk=role.pk)
        .exists()
    ):
        errors["contact"] = gettext("This contact is already on this deal.")
    if role.external_id and _taken(role, "external_id"):
        errors["external_id"] = gettext("Another deal contact role already has this CRM id.")
    if errors:
        raise ValidationError(errors)
    role.full_clean(exclude=["workspace", "opportunity", "contact"], validate_unique=False, validate_constraints=False)


def _one_primary(role: OpportunityContact) -> None:
    """A deal has one primary contact (as in Salesforce): marking one clears the others."""
    if role.is_primary:
        OpportunityContact.objects.filter(opportunity_id=role.opportunity_id, is_primary=True).exclude(
            pk=role.pk
        ).update(is_primary=False)


@transaction.atomic
def opportunity_contact_create(*, workspace: Workspace, by: User | None = None, **data: Any) -> OpportunityContact:
    """Put a contact on a deal with the role they play in it."""
    _unknown(data, OPPORTUNITY_CONTACT_FIELDS)
    role = OpportunityContact(workspace=workspace, **data)
    _clean_opportunity_contact(role)
    role.save()
    _one_primary(role)
    return role


@transaction.atomic
def opportunity_contact_update(role: OpportunityContact, *, by: User | None = None, **data: Any) -> OpportunityContact:
    _unknown(data, OPPORTUNITY_CONTACT_FIELDS)
    for field, value in data.items():
        setattr(role, field, value)
    _clean_opportunity_contact(role)
    role.save()
    _one_primary(role)
    return role


@transaction.atomic
def opportunity_contact_delete(role: OpportunityContact, *, by: User | None = None) -> None:
    role.delete()


SAVED_VIEW_DROP = ("page", "export", "view", "csrfmiddlewaretoken")


@transaction.atomic
def saved_view_save(
    *,
    workspace: Workspace,
    owner: User,
    name: str,
    list_name: str,
    query: str,
    shared: bool = False,
    hidden_columns: list[str] | None = None,
) -> SavedView:
    """Save (or overwrite, by name) the current filters, sort and columns of a list as a named view."""
    from django.http import QueryDict

    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("Name the view.")})
    if len(name) > 100:
        raise ValidationError({"name": gettext("Keep the name under 100 characters.")})
    if list_name not in SavedViewList.values:
        raise ValidationError({"list": gettext("Views are saved for the accounts list or the tier board.")})
    params = QueryDict(query or "", mutable=True)
    for key in SAVED_VIEW_DROP:
        params.pop(key, None)
    columns = [str(c)[:40] for c in (hidden_columns or [])][:40]
    view, _ = SavedView.objects.update_or_create(
        workspace=workspace,
        owner=owner,
        list_name=list_name,
        name=name,
        defaults={"query": params.urlencode()[:4000], "shared": bool(shared), "hidden_columns": columns},
    )
    list_settings_invalidate(workspace=workspace)
    return view


def saved_view_delete(*, view: SavedView, by: User) -> None:
    if view.owner_id != by.pk:
        raise ValidationError(gettext("Only the person who saved a view deletes it."))
    workspace = view.workspace
    view.delete()
    list_settings_invalidate(workspace=workspace)


def _clean_product(product: Product) -> None:
    product.name = (product.name or "").strip()
    product.family = (product.family or "").strip()
    errors: dict[str, str] = {}
    if not product.name:
        errors["name"] = gettext("A product needs a name.")
    elif _taken(product, "name"):
        errors["name"] = gettext("Another product already has this name.")
    if product.list_price is not None and product.list_price < 0:
        errors["list_price"] = gettext("The list price cannot be negative.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def product_create(*, workspace: Workspace, by: User | None = None, **data: Any) -> Product:
    _unknown(data, PRODUCT_FIELDS)
    product = Product(workspace=workspace, **data)
    _clean_product(product)
    product.save()
    return product


@transaction.atomic
def product_update(product: Product, *, by: User | None = None, **data: Any) -> Product:
    _unknown(data, PRODUCT_FIELDS)
    for field, value in data.items():
        setattr(product, field, value)
    _clean_product(product)
    product.save()
    return product


@transaction.atomic
def product_delete(product: Product, *, by: User | None = None) -> None:
    """Delete a product; its opportunities keep their figures and lose the product link."""
    product.delete()


@transaction.atomic
def column_choice_save(*, workspace: Workspace, user: User, list_name: str, hidden_columns: list[str]) -> ColumnChoice:
    """Remember the columns this person hides in a list (server-side: the choice follows them to any browser)."""
    known = dict(LIST_COLUMNS.get(list_name, []))
    if not known:
        raise ValidationError({"list": gettext("“%(list_name)s” has no column chooser.") % {"list_name": list_name}})
    unknown = [c for c in hidden_columns if c not in known]
    if unknown:
        raise ValidationError(
            {"hidden_columns": gettext("Unknown column(s): %(values)s.") % {"values": ", ".join(unknown)}}
        )
    if len(set(hidden_columns)) >= len(known):
        raise ValidationError({"hidden_columns": gettext("Keep at least one column.")})
    ordered = [key for key in known if key in set(hidden_columns)]
    choice, _ = ColumnChoice.objects.update_or_create(
        workspace=workspace, user=user, list_name=list_name, defaults={"hidden_columns": ordered}
    )
    list_settings_invalidate(workspace=workspace)
    return choice
