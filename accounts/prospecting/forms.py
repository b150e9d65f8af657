"""Forms of the prospecting pages: they validate shapes; the services own the rules."""

from __future__ import annotations

import json
from typing import cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from abe import l10n
from abe.forms import FastSelect
from abe.paging import whole_number

from ..forms import owner_filter_choices, with_given_choice, workspace_value_choices
from ..models import Lifecycle, Tier
from .icp import GRADES


class BoardFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or domain")}),
    )
    tier = forms.ChoiceField(
        label=_("Tier"), required=False, widget=FastSelect, choices=[("", _("Any tier")), *Tier.choices]
    )
    grade = forms.ChoiceField(
        label=_("Grade"), required=False, widget=FastSelect, choices=[("", _("Any grade"))] + [(g, g) for g in GRADES]
    )
    industry = forms.ChoiceField(label=_("Industry"), required=False, widget=FastSelect)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=FastSelect)
    lifecycle = forms.ChoiceField(
        label=_("Lifecycle"), required=False, widget=FastSelect, choices=[("", _("Any lifecycle")), *Lifecycle.choices]
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False, widget=FastSelect)
    criterion = forms.ChoiceField(required=False, widget=FastSelect, label=_("ICP criterion met"))
    pinned = forms.BooleanField(required=False, label=_("Pinned only"))
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, options: dict, users, criteria: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["industry"]).choices = workspace_value_choices(
            self, "industry", options["industries"], anything=_("Any industry")
        )
        cast(forms.ChoiceField, self.fields["country"]).choices = workspace_value_choices(
            self, "country", options["countries"], anything=_("Any country")
        )
        cast(forms.ChoiceField, self.fields["owner"]).choices = owner_filter_choices(self, users)
        # An index the active ICP has no criterion for filters the list to nothing; the select says so.
        cast(forms.ChoiceField, self.fields["criterion"]).choices = with_given_choice(
            self,
            "criterion",
            [("", _("Any"))] + [(str(i), c["label"]) for i, c in enumerate(criteria)],
            lambda v: gettext("Not an active criterion (#%(index)s)") % {"index": v},
            digits=True,
        )


class TierPinForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.TextInput(attrs={"placeholder": _("Why, for the history")})
    )


class BulkForm(forms.Form):
    ACTIONS = [("owner", _("Assign owner")), ("tier", _("Pin to tier"))]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    ids = forms.CharField(widget=forms.HiddenInput, required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", "—"), *Tier.choices])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, users, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = [("", _("No owner"))] + [
            (str(u.pk), u.get_full_name() or u.username) for u in users
        ]

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        account_ids = []
        for part in self.data.getlist("account") if hasattr(self.data, "getlist") else []:
            if (number := whole_number(str(part))) is not None:
                account_ids.append(number)
        data["matching"] = self.data.get("scope") == "matching"
        if not account_ids and not data["matching"]:
            raise forms.ValidationError(_("Select at least one account."))
        data["account_ids"] = account_ids
        if data.get("action") == "tier" and not data.get("tier"):
            self.add_error("tier", _("Choose the tier."))
        return data


class IcpForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"full": "1"}))
    criteria = forms.CharField(
        label=_("Criteria"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code", "full": "1"}),
        help_text=_("A JSON list of criteria; see the reference beside the editor."),
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        label=_("What changed (for the history)"),
        widget=forms.TextInput(attrs={"full": "1"}),
    )

    def clean_criteria(self) -> list:
        try:
            value = json.loads(self.cleaned_data["criteria"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                gettext("Not valid JSON: %(problem)s at line %(line)s, column %(column)s.")
                % {"problem": exc.msg, "line": exc.lineno, "column": exc.colno}
            ) from None
        weights = [c.get("weight") for c in value if isinstance(c, dict)] if isinstance(value, list) else []
        if weights and all(isinstance(w, int | float) and not isinstance(w, bool) for w in weights):
            total = sum(float(w) for w in weights if w is not None)
            # Weights are shares of 100 points: the editor, the receipt and the tier board then show the same
            # numbers. A profile whose weights do not add up is refused here rather than silently rescaled.
            if abs(total - 100) > 0.01:
                raise forms.ValidationError(
                    gettext(
                        "The weights add up to %(total)s; they must add up to 100 (press “Normalise to 100” to "
                        "rescale them)."
                    )
                    % {"total": l10n.number(total, 2).rstrip("0").rstrip(".,") if total % 1 else l10n.number(total)}
                )
        return value


class ProspectingSettingsForm(forms.Form):
    fit_weight = forms.FloatField(min_value=0, max_value=100, label=_("Weight of fit"))
    predictive_weight = forms.FloatField(min_value=0, max_value=100, label=_("Weight of win probability"))
    strategic_capacity = forms.IntegerField(min_value=0, max_value=100_000, label=_("Strategic capacity"))
    priority_capacity = forms.IntegerField(min_value=0, max_value=100_000, label=_("Priority capacity"))
