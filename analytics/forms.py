from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier

from .models import SpendCategory


class SpendEntryForm(forms.Form):
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}))
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", _("Whole programme")), *Tier.choices], required=False)
    category = forms.ChoiceField(label=_("Category"), choices=SpendCategory.choices)
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("The period must end on or after its start."))
        return data


class EconomicsSettingsForm(forms.Form):
    gross_margin = forms.FloatField(label=_("Gross margin"), min_value=0.01, max_value=1, help_text=_("0.75 for 75%"))
    annual_churn = forms.FloatField(
        label=_("Annual churn"), min_value=0.01, max_value=1, help_text=_("Share of customers lost a year")
    )
    sla_strategic = forms.FloatField(min_value=0.1, label=_("Alert SLA, strategic (hours)"))
    sla_priority = forms.FloatField(min_value=0.1, label=_("Alert SLA, priority (hours)"))
    sla_standard = forms.FloatField(min_value=0.1, label=_("Alert SLA, standard (hours)"))
