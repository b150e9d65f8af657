"""Forms only validate input shapes; the services own the rules (uniqueness, workspace, roles)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from abe.forms import FastSelect, ServiceModelForm, UtcIsoDateTimeField
from abe.models import Workspace
from abe.paging import whole_number
from personas.models import BuyingRole, Persona

from .models import (
    ACCOUNT_EDITABLE_FIELDS,
    Account,
    AccountTeamMember,
    Contact,
    Lifecycle,
    Opportunity,
    OpportunityContact,
    Product,
    Tier,
)
from .selectors import workspace_users

Choices = list[tuple[str, str | Promise]]


def with_given_choice(
    form: forms.Form, name: str, choices: Choices, label: Callable[[str], str], *, digits: bool = False
) -> Choices:
    """``choices`` and, when the query gives ``name`` a value that is none of them (a link from elsewhere, an edited
    address; with ``digits``, only an id), that value under ``label(value)``. The list filters by it all the same
    (the filterset reads the query, not the select): without it among the options the select would show "Any…"
    over a filtered list. With ``digits``, a number is shown as the filter reads it (``007`` as 7)."""
    given = str(form.data.get(name) or "") if form.is_bound else ""
    if not given:
        return choices
    if digits:
        number = whole_number(given)
        if number is None:
            return choices
        if given != str(number):
            # ``007`` filters by 7: the form's value is made the option's, so the select shows 7 (or "User #7").
            given = str(number)
            data: dict[str, Any] = form.data.copy() if isinstance(form.data, QueryDict) else dict(form.data)
            data[name] = given
            form.data = data
    if given in {value for value, _label in choices}:
        return choices
    return [*choices, (given, label(given))]


def workspace_value_choices(form: forms.Form, name: str, values: list[str], *, anything: str | Promise) -> Choices:
    """The choices of a filter whose options are the values the workspace's accounts have (industries,
    countries): ``anything``, the values, and a value asked for that no account has (shown as it is, cut to 40
    characters)."""
    return with_given_choice(
        form, name, [("", anything)] + [(v, v) for v in values], lambda v: v if len(v) <= 40 else v[:39] + "…"
    )


def owner_filter_choices(form: forms.Form, users: Any) -> Choices:
    """The choices of the lists' owner filter: anyone, me, no owner, then the workspace's people by name. A user id
    asked for that is none of them (someone who has left the workspace and still owns accounts) shows as "User
    #id", without a name: the id may be anyone's."""
    choices: Choices = [("", _("Any owner")), ("me", _("My accounts")), ("none", _("No owner"))]
    choices += [(str(u.pk), _person(u)) for u in users]
    return with_given_choice(form, "owner", choices, lambda v: gettext("User #%(id)s") % {"id": v}, digits=True)


def _person(user: Any) -> str:
    """People are shown by full name everywhere (the username only when there is no name)."""
    return str(user.get_full_name() or user.username)


class AccountForm(ServiceModelForm):
    technologies = forms.CharField(
        label=_("Technologies"),
        required=False,
        help_text=_("Comma-separated, e.g. Salesforce, HubSpot, Snowflake."),
        max_length=2000,
    )

    class Meta:
        model = Account
        fields = list(ACCOUNT_EDITABLE_FIELDS)
        labels = {"external_id": _("CRM id"), "annual_revenue": _("Annual revenue (USD)")}

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parents = Account.objects.for_workspace(workspace).order_by("name")
        parent = cast(forms.ModelChoiceField, self.fields["parent"])
        parent.queryset = parents.exclude(pk=self.instance.pk) if self.instance.pk else parents
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = workspace_users(workspace=workspace)
        cast(forms.ModelChoiceField, self.fields["owner"]).label_from_instance = _person  # type: ignore[method-assign,assignment]
        if self.instance.pk:
            self.initial["technologies"] = ", ".join(self.instance.technologies or [])
        # A select over thousands of accounts is unusable; the parent is chosen by id from the API or CRM.
        self.fields["parent"].widget = forms.NumberInput(attrs={"placeholder": _("Parent account id")})
        self.fields["parent"].help_text = _("Id of the parent account (optional).")
        self.fields["country"].help_text = _("Two-letter code, e.g. US, DE, ES.")

    def clean_technologies(self) -> list[str]:
        raw = self.cleaned_data.get("technologies") or ""
        return [t.strip() for t in raw.split(",") if t.strip()]

    def clean_country(self) -> str:
        value = (self.cleaned_data.get("country") or "").strip().upper()
        if value and (len(value) != 2 or not value.isalpha()):
            raise forms.ValidationError(_("Use the two-letter country code (e.g. US)."))
        return value


class ContactForm(ServiceModelForm):
    class Meta:
        model = Contact
        fields = [
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
        ]
        labels = {"external_id": _("CRM id"), "left_at": _("Left the company on")}
        widgets = {"left_at": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, workspace: Workspace, for_account: Account | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["persona"]).queryset = Persona.objects.for_workspace(workspace)
        account_id = for_account.pk if for_account is not None else self.instance.account_id
        managers = Contact.objects.for_workspace(workspace).filter(account_id=account_id)
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
        cast(forms.ModelChoiceField, self.fields["reports_to"]).queryset = managers


class TeamMemberForm(ServiceModelForm):
    class Meta:
        model = AccountTeamMember
        fields = ["user", "team_role"]

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = workspace_users(workspace=workspace)
        cast(forms.ModelChoiceField, self.fields["user"]).label_from_instance = _person  # type: ignore[method-assign,assignment]


class OpportunityContactForm(ServiceModelForm):
    """A person on a deal: one of the account's contacts (those who left too: an old deal had them), their role."""

    class Meta:
        model = OpportunityContact
        fields = ["contact", "role", "is_primary"]
        help_texts = {
            "role": _("Their part in this deal, which may differ from their usual buying role."),
            "is_primary": _("The deal's main contact (one per deal: marking this one clears the others)."),
        }

    def __init__(self, *args, for_account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        contact = cast(forms.ModelChoiceField, self.fields["contact"])
        contact.queryset = for_account.contacts.order_by("last_name", "first_name", "id")
        role = cast(forms.ChoiceField, self.fields["role"])
        role.required = False
        role.choices = [("", _("No particular role")), *BuyingRole.choices]


class OpportunityForm(ServiceModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "name",
            "amount",
            "stage",
            "type",
            "status",
            "created_date",
            "close_date",
            "external_id",
            "product",
            "gross_margin",
            "gross_margin_pct",
            "contract_start",
            "contract_end",
        ]
        widgets = {
            "created_date": forms.DateInput(attrs={"type": "date"}),
            "close_date": forms.DateInput(attrs={"type": "date"}),
            "contract_start": forms.DateInput(attrs={"type": "date"}),
            "contract_end": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {
            "external_id": _("CRM id"),
            "gross_margin": _("Gross margin (amount)"),
            "gross_margin_pct": _("Gross margin (%)"),
        }

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["product"]).queryset = Product.objects.for_workspace(workspace).filter(
            is_active=True
        )


class AccountFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, domain or city")}),
    )
    industry = forms.ChoiceField(label=_("Industry"), required=False, widget=FastSelect)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=FastSelect)
    lifecycle = forms.ChoiceField(
        label=_("Lifecycle"), required=False, widget=FastSelect, choices=[("", _("Any lifecycle")), *Lifecycle.choices]
    )
    tier = forms.ChoiceField(
        label=_("Tier"), required=False, widget=FastSelect, choices=[("", _("Any tier")), *Tier.choices]
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False, widget=FastSelect)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    # Set by the link of a configuration-change notice: kept while the other filters change.
    stage_changed_since = UtcIsoDateTimeField(required=False, widget=forms.HiddenInput)
    config_change = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def stage_changed_label(self) -> str:
        """The time of the stage-change filter as the list applies it (in UTC), for people ("" when absent or not
        a time the filter takes: the page then says the value was ignored, and shows no filter for it). Read from
        the cleaned form: the view validates it before rendering."""
        when = getattr(self, "cleaned_data", {}).get("stage_changed_since")
        return when.strftime("%Y-%m-%d %H:%M %Z").strip() if when else ""

    def config_change_label(self) -> str:
        """The configuration change of the ``config_change`` filter, for people ("" when absent)."""
        value = str(self.data.get("config_change") or "")[:80] if self.is_bound else ""
        what, _sep, version = value.partition(":v")
        if what == "engagement_settings" and version.isdigit():
            return _("the engagement scoring settings, version %(version)s") % {"version": version}
        return value

    def __init__(self, *args, options: dict[str, list[str]], users, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["industry"]).choices = workspace_value_choices(
            self, "industry", sorted(options["industries"]), anything=_("Any industry")
        )
        cast(forms.ChoiceField, self.fields["country"]).choices = workspace_value_choices(
            self, "country", sorted(options["countries"]), anything=_("Any country")
        )
        cast(forms.ChoiceField, self.fields["owner"]).choices = owner_filter_choices(self, users)
