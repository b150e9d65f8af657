"""Forms of the engagement pages: scoring settings (one field per number), event CSV upload, timeline filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from personas.models import BuyingRole, Seniority

from .models import SCORED_EVENT_CHOICES, SCORED_EVENT_TYPES, EngagementConfig, EventType
from .rules import OPPORTUNITY_CONDITIONS, ScoringRules


class ScoringSettingsForm(forms.Form):
    """Flat fields (``weight__email_open``, ``stage_2__min_score``...) that ``config_data()`` folds back."""

    breadth_bonus_per_role = forms.FloatField(
        min_value=0,
        max_value=5,
        label=gettext_lazy("Breadth bonus per extra buying role"),
        help_text=gettext_lazy(
            "0.15: each distinct role engaged in 30 days beyond the first adds 15 percent to the people's points."
        ),
    )
    create_unknown_contacts = forms.BooleanField(
        required=False, label=gettext_lazy("Create unknown contacts at known account domains")
    )
    per_account_alerts = forms.BooleanField(
        required=False,
        label=gettext_lazy("Send per-account alerts"),
        help_text=gettext_lazy(
            "Off: the rescore records every stage change and the admins and owners get one summary notice "
            "with a link to the affected accounts. On: every rule crossing alerts its account team."
        ),
    )

    def __init__(self, *args: Any, config: EngagementConfig, **kwargs: Any) -> None:
        rules = ScoringRules.from_config(config)
        initial = {
            "breadth_bonus_per_role": rules.breadth_bonus_per_role,
            "create_unknown_contacts": config.create_unknown_contacts,
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.type_rows = []
        for value, label in SCORED_EVENT_CHOICES:
            names = (f"weight__{value}", f"half_life__{value}", f"cap__{value}")
            self.fields[names[0]] = forms.FloatField(min_value=0, max_value=1000, initial=rules.weights[value])
            self.fields[names[1]] = forms.FloatField(min_value=0.25, max_value=3650, initial=rules.half_lives[value])
            self.fields[names[2]] = forms.IntegerField(min_value=1, max_value=10_000, initial=rules.caps[value])
            for name, what in zip(names, (_("points"), _("half-life (days)"), _("daily cap")), strict=True):
                self.fields[name].widget.attrs["aria-label"] = f"{label}: {what}"
            self.type_rows.append((label, [self[n] for n in names]))
        multiplier = _("multiplier")
        self.role_rows = []
        for value, label in [(v, str(text)) for v, text in BuyingRole.choices]:
            name = f"role__{value}"
            self.fields[name] = forms.FloatField(min_value=0, max_value=10, initial=rules.role_multipliers[value])
            self.fields[name].widget.attrs["aria-label"] = f"{label}: {multiplier}"
            self.role_rows.append((label, self[name]))
        self.seniority_rows = []
        for value, label in [(v, str(text)) for v, text in Seniority.choices]:
            name = f"seniority__{value}"
            self.fields[name] = forms.FloatField(min_value=0, max_value=10, initial=rules.seniority_multipliers[value])
            self.fields[name].widget.attrs["aria-label"] = f"{label}: {multiplier}"
            self.seniority_rows.append((label, self[name]))
        self.stage_keys = [s.key for s in rules.stages]
        self.stage_rows = []
        for i, stage in enumerate(rules.stages):
            last = i == len(rules.stages) - 1
            fields = {
                "name": forms.CharField(max_length=40, initial=stage.name),
                "opportunity": forms.ChoiceField(
                    choices=[(k, _(v) if k else v) for k, v in OPPORTUNITY_CONDITIONS.items()],
                    required=False,
                    initial=stage.opportunity,
                    disabled=last,
                ),
                "min_score": forms.FloatField(min_value=0, required=False, initial=stage.min_score, disabled=last),
                "min_breadth": forms.IntegerField(
                    min_value=0, required=False, initial=stage.min_breadth, disabled=last
                ),
            }
            readable = {
                "name": _("name"),
                "opportunity": _("opportunity"),
                "min_score": _("minimum score"),
                "min_breadth": _("minimum roles"),
            }
            for key, field in fields.items():
                field.widget.attrs["aria-label"] = _("Stage %(stage)s: %(what)s") % {
                    "stage": stage.key,
                    "what": readable[key],
                }
                self.fields[f"stage_{i}__{key}"] = field
            self.stage_rows.append((stage.key, [self[f"stage_{i}__{k}"] for k in fields]))

    def config_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "weights": {t: data[f"weight__{t}"] for t in SCORED_EVENT_TYPES},
            "half_lives": {t: data[f"half_life__{t}"] for t in SCORED_EVENT_TYPES},
            "daily_caps": {t: data[f"cap__{t}"] for t in SCORED_EVENT_TYPES},
            "role_multipliers": {r: data[f"role__{r}"] for r in BuyingRole.values},
            "seniority_multipliers": {s: data[f"seniority__{s}"] for s in Seniority.values},
            "breadth_bonus_per_role": data["breadth_bonus_per_role"],
            "create_unknown_contacts": data["create_unknown_contacts"],
            "stages": [
                {
                    "key": key,
                    "name": data[f"stage_{i}__name"],
                    "opportunity": data.get(f"stage_{i}__opportunity") or "",
                    "min_score": data.get(f"stage_{i}__min_score"),
                    "min_breadth": data.get(f"stage_{i}__min_breadth"),
                }
                for i, key in enumerate(self.stage_keys)
            ],
        }


class EventUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: source, external_id, type, occurred_at, and account_id, account_domain, contact_email or "
            "contact_external_id; optional channel, content_asset_id, metadata (JSON)."
        ),
    )


class TimelineFilterForm(forms.Form):
    contact = forms.TypedChoiceField(label=gettext_lazy("Contact"), coerce=int, required=False, empty_value=None)
    type = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=[("", gettext_lazy("All types")), *EventType.choices], required=False
    )
    before = forms.CharField(label=gettext_lazy("Before"), required=False)

    def __init__(self, *args: Any, contacts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["contact"]).choices = [("", gettext_lazy("Everyone")), *contacts]
