from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier

from .models import SpendCategory


class SpendEntryForm(forms.Form):
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    tier = forms.ChoiceField(choices=[("", "Whole programme"), *Tier.choices], required=False)
    category = forms.ChoiceField(choices=SpendCategory.choices)
    amount = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    note = forms.CharField(max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", "The period must end on or after its start.")
        return data


class EconomicsSettingsForm(forms.Form):
    gross_margin = forms.FloatField(min_value=0.01, max_value=1, help_text=_("0.75 for 75%"))
    annual_churn = forms.FloatField(min_value=0.01, max_value=1, help_text=_("Share of customers lost a year"))
    sla_strategic = forms.FloatField(min_value=0.1, label=_("Alert SLA, strategic (hours)"))
    sla_priority = forms.FloatField(min_value=0.1, label=_("Alert SLA, priority (hours)"))
    sla_standard = forms.FloatField(min_value=0.1, label=_("Alert SLA, standard (hours)"))
