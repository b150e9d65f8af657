from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from abe.forms import ServiceModelForm
from abe.models import Workspace
from accounts.models import Contact, Product, Tier
from accounts.selectors import workspace_users

from .models import ActivityKind, BantCriterion, BantStatus, PlanObjective, PlanRisk

TEXTAREA = {"rows": 3}


class PersonChoiceField(forms.ModelChoiceField):
    """A workspace member, shown by full name (else username)."""

    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class AccountPlanForm(forms.Form):
    goals = forms.CharField(
        label=_("Goals"),
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "full": True}),
        help_text=_("What the customer wants to achieve"),
    )
    plans = forms.CharField(
        label=_("Plans"),
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "full": True}),
        help_text=_("How they intend to get there"),
    )
    challenges = forms.CharField(
        label=_("Challenges"),
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "full": True}),
        help_text=_("What stands in the way"),
    )
    stakes = forms.CharField(
        label=_("Stakes"),
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "full": True}),
        help_text=_("What is at stake for them (and for us)"),
    )
    timeline = forms.CharField(
        label=_("Timeline"),
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "full": True}),
        help_text=_("When things must happen"),
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=None, required=False)

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = workspace_users(workspace=workspace)


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = PlanObjective
        fields = ["title", "metric", "baseline", "target", "current", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}


class RiskForm(forms.ModelForm):
    class Meta:
        model = PlanRisk
        fields = ["title", "likelihood", "impact", "mitigation", "status"]
        widgets = {"mitigation": forms.TextInput()}


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=200)
    assignee = PersonChoiceField(queryset=None, required=False, label=_("Owner"))
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = workspace_users(workspace=workspace)


class ReviewForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Review note"))


class BantForm(forms.Form):
    criterion = forms.ChoiceField(choices=BantCriterion.choices, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=BantStatus.choices)
    evidence = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.TextInput(attrs={"placeholder": _("What confirms it")})
    )
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False, label=_("Who (at the customer)"))
    checked_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("When"))

    def __init__(self, *args: Any, contacts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = contacts


class ProposeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    proposed_tier = forms.ChoiceField(label=_("Proposed tier"), choices=Tier.choices[:2], initial=Tier.STRATEGIC)


class ParetoForm(forms.Form):
    start = forms.DateField(label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("End"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label=_("Rank by"), choices=[("revenue", _("Won revenue")), ("margin", _("Gross margin"))], required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(gettext("The start lies after the end."))
        return data


class RecurringActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    every_days = forms.IntegerField(min_value=7, max_value=730, initial=91, label=_("Every (days)"))
    next_due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Next on"))
    assignee = PersonChoiceField(queryset=None, required=False, label=_("Owner"))

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = workspace_users(workspace=workspace)


class SettingsForm(forms.Form):
    strategic_review_days = forms.IntegerField(min_value=1, max_value=3650, label=_("Strategic: review every (days)"))
    priority_review_days = forms.IntegerField(min_value=1, max_value=3650, label=_("Priority: review every (days)"))
    standard_review_days = forms.IntegerField(min_value=1, max_value=3650, label=_("Standard: review every (days)"))
    winback_after_days = forms.IntegerField(min_value=1, max_value=3650, label=_("Win-back after (days)"))
    news_ignored_names = forms.CharField(
        label=_("Names to ignore in the news"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: account names too common to match news on their own (aliases still match)."),
    )


class FeedForm(forms.Form):
    url = forms.URLField(max_length=500, label=_("Feed URL (RSS or Atom, https)"), assume_scheme="https")
    name = forms.CharField(label=_("Name"), max_length=200, required=False)


class NewsTermsForm(forms.Form):
    aliases = forms.CharField(
        label=_("Aliases"), required=False, help_text=_("Comma-separated other names, e.g. brands, tickers")
    )
    exclusions = forms.CharField(
        label=_("Exclusions"), required=False, help_text=_("Comma-separated phrases that mean another thing")
    )


class ProductForm(ServiceModelForm):
    class Meta:
        model = Product
        fields = ["name", "family", "list_price", "is_active"]
