"""Browser pages for accounts: the list (htmx filters, sorting, pagination), the account page, and forms.

Views only check access, validate forms and call the same services as the API.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext
from django.views.decorators.http import require_POST

from abe import permissions as rules
from abe.forms import form_add_service_errors
from abe.http import MemberRequest
from abe.paging import ignored_params, page_number, page_size, paginate, text_param
from abe.registry import account_panels
from abe.rows import rendered_rows
from abe.selectors import member_names
from abe.views import workspace_required
from personas.models import BuyingRole

from . import selectors, services
from .forms import (
    AccountFilterForm,
    AccountForm,
    ContactForm,
    OpportunityContactForm,
    OpportunityForm,
    TeamMemberForm,
)
from .imports.export import (
    account_contacts_response,
    accounts_csv_response,
    contacts_csv_response,
    export_is_neutral,
)
from .models import LIST_COLUMNS, Account, Contact

PAGE_SIZE = 25


def _account_or_404(request: MemberRequest, pk: int) -> Account:
    return get_object_or_404(selectors.account_list(workspace=request.workspace), pk=pk)


def _require_edit(request: MemberRequest, account: Account) -> None:
    if not rules.can_edit_object(request, account):
        raise PermissionDenied(gettext("You can only edit accounts you own or are on the team of."))


def account_row_values(a: Account) -> tuple[object, ...]:
    """Everything ``accounts/partials/account_row.html`` reads from an account: its cache key (``abe.rows``)."""
    owner = a.owner
    return (
        a.pk,
        a.name,
        a.domain,
        a.industry,
        a.country,
        a.employees,
        a.annual_revenue,
        a.tier,
        a.fit_score,
        a.fit_grade,
        a.engagement_score,
        a.engagement_momentum,
        a.journey_stage,
        (owner.get_full_name(), owner.username) if owner is not None else None,
    )


@workspace_required
def account_list_view(request: MemberRequest) -> HttpResponseBase:
    filterset = selectors.account_filterset(
        workspace=request.workspace,
        params=request.GET,
        user=request.user,
        queryset=selectors.account_rows(workspace=request.workspace),
    )
    if request.GET.get("export") == "csv":
        return accounts_csv_response(filterset.qs, "accounts.csv", neutral=export_is_neutral(request))
    if request.GET.get("export") == "contacts":  # the buying committees of the accounts the filters keep
        return account_contacts_response(request, filterset.qs)
    users = member_names(workspace=request.workspace)  # the filter bar: not read by the exports above
    form = AccountFilterForm(
        request.GET or None, options=selectors.account_filter_options(workspace=request.workspace), users=users
    )
    form.is_valid()
    page_obj = selectors.account_page(
        filterset=filterset,
        number=page_number(request),
        per_page=page_size(request, key="accounts", default=PAGE_SIZE),
    )
    context = {
        "form": form,
        "page_obj": page_obj,
        **saved_views_context(request, "accounts"),
        "sort": filterset.sort_key,
        "filtered": filterset.active,
        "ignored": ignored_params(request, invalid=filterset.ignored),
    }
    context["rows"] = rendered_rows(
        "accounts/partials/account_row.html", page_obj.object_list, values=account_row_values, name="account"
    )
    template = "accounts/partials/account_table.html" if request.htmx else "accounts/list.html"
    return render(request, template, context)


# The contacts page's sorts: key -> ordering (the id last, so that pages never overlap).
CONTACT_SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "engagement": ("-engagement_score", "id"),
    "last_engaged": (F("last_engaged_at").desc(nulls_last=True), "id"),
    "name": ("last_name", "first_name", "id"),
    "account": ("account__name", "account_id", "last_name", "first_name", "id"),
}


@workspace_required
def contact_list_view(request: MemberRequest) -> HttpResponseBase:
    """Every contact of the workspace across its accounts (the people a campaign or an SDR works through): search,
    filters by the account's tier and by the committee seat, four sorts, pages, and the filtered contacts as CSV."""
    from personas.models import Department, Persona, Seniority

    from .models import Tier

    # The page's rows first, from the contacts alone (a top-N sort of the workspace's contacts), then their accounts
    # and personas for those rows: joined before the sort, every contact's account was read to show 25 (0.6 s at
    # 600,000 contacts).
    qs = Contact.objects.for_workspace(request.workspace).prefetch_related("account", "persona")
    personas = list(Persona.objects.for_workspace(request.workspace).order_by("name").values_list("pk", "name"))
    choices = {
        "tier": Tier.values,
        "buying_role": BuyingRole.values,
        "seniority": Seniority.values,
        "department": Department.values,
        "persona": [str(pk) for pk, _ in personas],
        "sort": list(CONTACT_SORTS),
    }
    given = {key: request.GET.get(key, "") for key in choices}
    # A value outside a filter's choices is ignored and named (it matches nothing; a page never fails on it).
    chosen = {key: value if value in choices[key] else "" for key, value in given.items()}
    field_of = {"tier": "account__tier", "persona": "persona_id"}
    for key in ("tier", "buying_role", "seniority", "department", "persona"):
        if chosen[key]:
            qs = qs.filter(**{field_of.get(key, key): chosen[key]})
    q = text_param(request)
    if q:
        qs = qs.filter(
            Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(email__icontains=q) | Q(title__icontains=q)
        )
    left = request.GET.get("left") == "on"
    if not left:
        qs = qs.filter(left_at__isnull=True)
    if request.GET.get("export") == "contacts":
        return contacts_csv_response(qs.order_by("account__name", "account_id", "last_name", "first_name", "id"),
                                     "contacts.csv", neutral=export_is_neutral(request))  # fmt: skip
    sort = chosen["sort"] or "engagement"
    page_obj = paginate(request, qs.order_by(*CONTACT_SORTS[sort]), key="contacts")
    return render(
        request,
        "accounts/contacts.html",
        {
            "page_obj": page_obj,
            "chosen": chosen,
            "sort": sort,
            "q": q,
            "left": left,
            "filtered": bool(q or left or any(chosen[k] for k in choices if k != "sort")),
            "ignored": ignored_params(request, invalid=[k for k, v in given.items() if v and not chosen[k]]),
            "tiers": Tier.choices,
            "roles": BuyingRole.choices,
            "seniorities": Seniority.choices,
            "departments": Department.choices,
            "personas": personas,
            "sorts": [
                ("engagement", gettext("Most engaged")),
                ("last_engaged", gettext("Last engaged")),
                ("name", gettext("Name")),
                ("account", gettext("Account")),
            ],
        },
    )


@workspace_required
def account_detail_view(request: MemberRequest, pk: int) -> HttpResponse:
    try:
        account = selectors.account_detail(workspace=request.workspace, pk=pk)
    except Account.DoesNotExist:
        raise Http404("No such account.") from None
    context = {
        "account": account,
        "contacts": selectors.account_contacts(account=account),
        "team": selectors.account_team(account=account),
        "opportunities": selectors.account_opportunities(account=account),
        "can_edit": rules.can_edit_object(request, account),
        "panels": [reverse(name, kwargs={"pk": account.pk}) for name in account_panels()],
    }
    return render(request, "accounts/detail.html", context)


@workspace_required
def account_create_view(request: MemberRequest) -> HttpResponse:
    if not rules.can_write(request):
        raise PermissionDenied(gettext("Viewers cannot add accounts."))
    form = AccountForm(request.POST or None, workspace=request.workspace, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(workspace=request.workspace, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, gettext("Account “%(name)s” created.") % {"name": account.name})
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/form.html", {"form": form, "title": gettext("New account")})


@workspace_required
def account_edit_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    _require_edit(request, account)
    form = AccountForm(request.POST or None, instance=account, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(account, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, gettext("Account saved."))
            return redirect("accounts:detail", pk=account.pk)
    return render(
        request,
        "accounts/form.html",
        {"form": form, "title": gettext("Edit %(name)s") % {"name": account.name}, "account": account},
    )


@workspace_required
def account_delete_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    _require_edit(request, account)
    if request.method == "POST":
        services.account_delete(account, by=request.user)
        messages.success(request, gettext("Account “%(name)s” deleted.") % {"name": account.name})
        return redirect("accounts:list")
    return render(
        request,
        "confirm_delete.html",
        {
            "object": account,
            "kind": pgettext("deleted object", "account"),
            "cancel_url": reverse("accounts:detail", args=[account.pk]),
            "consequence": gettext("Its contacts, team assignments and opportunities are deleted with it."),
        },
    )


def _child_form_view(request, account, form_class, title, service, instance=None, **form_kwargs):
    form = form_class(request.POST or None, instance=instance, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            service(form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request, gettext("%(what)s saved.") % {"what": capfirst(form_class.Meta.model._meta.verbose_name)}
            )
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/child_form.html", {"form": form, "title": title, "account": account})


@workspace_required
def contact_form_view(request: MemberRequest, pk: int, contact_pk: int | None = None) -> HttpResponse:
    account = _account_or_404(request, pk)
    _require_edit(request, account)
    contact = get_object_or_404(account.contacts.all(), pk=contact_pk) if contact_pk else None
    if contact is None:

        def save(data):
            return services.contact_create(workspace=request.workspace, by=request.user, account=account, **data)

        title = gettext("Add a contact to %(account)s") % {"account": account.name}
    else:

        def save(data):
            return services.contact_update(contact, by=request.user, **data)

        title = gettext("Edit contact %(contact)s") % {"contact": contact}
    return _child_form_view(
        request, account, ContactForm, title, save, instance=contact, workspace=request.workspace, for_account=account
    )


@workspace_required
def contact_delete_view(request: MemberRequest, pk: int, contact_pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    _require_edit(request, account)
    contact = get_object_or_404(account.contacts.all(), pk=contact_pk)
    if request.method == "POST":
        services.contact_delete(contact, by=request.user)
        messages.success(request, gettext("Contact %(contact)s removed.") % {"contact": contact})
        return redirect("accounts:detail", pk=account.pk)
    return render(
        request,
        "confirm_delete.html",
        {
            "object": contact,
            "kind": pgettext("deleted object", "contact"),
            "cancel_url": reverse("accounts:detail", args=[account.pk]),
            "consequence": gettext("%(contact)s leaves the buying committee of %(account)s.")
            % {"contact": contact, "account": account.name}
            + _deals_too(contact),
        },
    )


def _deals_too(contact: Contact) -> str:
    """What else a contact's deletion takes: their places on deals (the won/lost analysis reads them)."""
    deals = contact.deal_roles.count()
    if not deals:
        return ""
    return " " + ngettext(
        "They are taken off the %(count)s deal they are on.",
        "They are taken off the %(count)s deals they are on.",
        deals,
    ) % {"count": deals}


@workspace_required
def team_member_add_view(request: MemberRequest, pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    _require_edit(request, account)

    def save(data):
        return services.team_member_create(workspace=request.workspace, account=account, by=request.user, **data)

    return _child_form_view(
        request,
        account,
        TeamMemberForm,
        gettext("Add to the team of %(account)s") % {"account": account.name},
        save,
        workspace=request.workspace,
    )


@workspace_required
def team_member_remove_view(request: MemberRequest, pk: int, member_pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    _require_edit(request, account)
    member = get_object_or_404(account.team_members.select_related("user"), pk=member_pk)
    if request.method == "POST":
        services.team_member_delete(member, by=request.user)
        messages.success(request, gettext("%(person)s removed from the account team.") % {"person": member.user})
        return redirect("accounts:detail", pk=account.pk)
    return render(
        request,
        "confirm_delete.html",
        {
            "object": member,
            "kind": pgettext("deleted object", "team assignment"),
            "cancel_url": reverse("accounts:detail", args=[account.pk]),
            "consequence": gettext("%(user)s will no longer be on the team of %(account)s.")
            % {"user": member.user, "account": account.name},
        },
    )


@workspace_required
def opportunity_form_view(request: MemberRequest, pk: int, opportunity_pk: int | None = None) -> HttpResponse:
    account = _account_or_404(request, pk)
    _require_edit(request, account)
    opportunity = get_object_or_404(account.opportunities.all(), pk=opportunity_pk) if opportunity_pk else None
    if opportunity is None:

        def save(data):
            return services.opportunity_create(workspace=request.workspace, by=request.user, account=account, **data)

        title = gettext("New opportunity for %(account)s") % {"account": account.name}
    else:

        def save(data):
            return services.opportunity_update(opportunity, by=request.user, **data)

        title = gettext("Edit opportunity %(opportunity)s") % {"opportunity": opportunity}
    return _child_form_view(
        request, account, OpportunityForm, title, save, instance=opportunity, workspace=request.workspace
    )


@workspace_required
def opportunity_contact_add_view(request: MemberRequest, pk: int, opportunity_pk: int) -> HttpResponse:
    """Put one of the account's contacts on a deal, with their role in it."""
    account = _account_or_404(request, pk)
    _require_edit(request, account)
    opportunity = get_object_or_404(account.opportunities.all(), pk=opportunity_pk)

    def save(data):
        return services.opportunity_contact_create(
            workspace=request.workspace, by=request.user, opportunity=opportunity, **data
        )

    title = gettext("Add a person to the deal %(opportunity)s") % {"opportunity": opportunity}
    # ``?role=``: the seat an alert found missing, chosen already (a value that is no buying role is left out).
    role = request.GET.get("role", "")
    initial = {"role": role} if role in BuyingRole.values else {}
    return _child_form_view(request, account, OpportunityContactForm, title, save, for_account=account, initial=initial)


@workspace_required
def opportunity_contact_remove_view(request: MemberRequest, pk: int, opportunity_pk: int, role_pk: int) -> HttpResponse:
    account = _account_or_404(request, pk)
    _require_edit(request, account)
    role = get_object_or_404(
        selectors.opportunity_contact_list(workspace=request.workspace).filter(
            opportunity__account=account, opportunity_id=opportunity_pk
        ),
        pk=role_pk,
    )
    if request.method == "POST":
        services.opportunity_contact_delete(role, by=request.user)
        messages.success(
            request,
            gettext("%(contact)s taken off the deal %(opportunity)s.")
            % {"contact": role.contact, "opportunity": role.opportunity},
        )
        return redirect(reverse("accounts:detail", args=[account.pk]) + "#opportunities")
    return render(
        request,
        "confirm_delete.html",
        {
            "object": role,
            "kind": pgettext("deleted object", "deal contact role"),
            "cancel_url": reverse("accounts:detail", args=[account.pk]) + "#opportunities",
            "consequence": gettext(
                "%(contact)s stays a contact of the account; the won/lost analysis no longer counts them on this deal."
            )
            % {"contact": role.contact},
        },
    )


SAVED_VIEW_PAGES = {"accounts": "accounts:list", "tier_board": "accounts:tier_board"}


@workspace_required
def saved_view_open_view(request: MemberRequest, pk: int) -> HttpResponse:
    """A saved view's own URL: the list it belongs to, with its filters and sort."""
    view = get_object_or_404(selectors.saved_view_list(workspace=request.workspace, user=request.user), pk=pk)
    if view.list_name in LIST_COLUMNS:  # the view's columns become the person's columns of that list
        try:
            services.column_choice_save(
                workspace=request.workspace,
                user=request.user,
                list_name=view.list_name,
                hidden_columns=list(view.hidden_columns),
            )
        except ValidationError:
            pass  # a view saved with columns that no longer exist keeps the person's own choice
    query = view.query + ("&" if view.query else "") + f"view={view.pk}"
    return redirect(reverse(SAVED_VIEW_PAGES[view.list_name]) + "?" + query)


@require_POST
@workspace_required
def column_choice_view(request: MemberRequest, list_name: str) -> HttpResponse:
    """Save the columns the signed-in person hides in a list (``hidden``: comma-separated keys). 204, or 400."""
    hidden = [c for c in request.POST.get("hidden", "").split(",") if c]
    try:
        services.column_choice_save(
            workspace=request.workspace, user=request.user, list_name=list_name, hidden_columns=hidden
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(status=204)


@require_POST
@workspace_required
def saved_view_save_view(request: MemberRequest) -> HttpResponse:
    list_name = request.POST.get("list", "")
    back = reverse(SAVED_VIEW_PAGES.get(list_name, "accounts:list"))
    try:
        view = services.saved_view_save(
            workspace=request.workspace,
            owner=request.user,
            name=request.POST.get("name", ""),
            list_name=list_name,
            query=request.POST.get("query", ""),
            shared=request.POST.get("shared") == "on",
            hidden_columns=[c for c in request.POST.get("hidden_columns", "").split(",") if c],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back + "?" + request.POST.get("query", ""))
    if view.shared:
        messages.success(request, gettext("View “%(name)s” saved and shared with the workspace.") % {"name": view.name})
    else:
        messages.success(request, gettext("View “%(name)s” saved.") % {"name": view.name})
    return redirect("accounts:saved_view", pk=view.pk)


@require_POST
@workspace_required
def saved_view_delete_view(request: MemberRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(selectors.saved_view_list(workspace=request.workspace, user=request.user), pk=pk)
    try:
        services.saved_view_delete(view=view, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("View “%(name)s” deleted.") % {"name": view.name})
    return redirect(SAVED_VIEW_PAGES[view.list_name])


def saved_views_context(request: MemberRequest, list_name: str) -> dict:
    """What the saved-views strip beside a list needs: the views, and the one open (to apply its columns)."""
    views, hidden = selectors.list_settings(workspace=request.workspace, user=request.user, list_name=list_name)
    raw = request.GET.get("view", "")
    current = next((v for v in views if str(v.pk) == raw), None)
    return {"saved_views": views, "current_view": current, "saved_view_list": list_name, "hidden_columns": hidden}
