"""Forms of the import pages."""

from __future__ import annotations

from django import forms

from ..models import ImportKind
from .presets import PRESETS


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportKind.choices, label="What the file holds")
    file = forms.FileField(
        label="CSV file", help_text="Salesforce, HubSpot, any other CRM's export, or this portal's CSV."
    )
    preset = forms.ChoiceField(
        required=False,
        label="Format",
        choices=[("", "Recognise automatically")] + [(k, p.label) for k, p in PRESETS.items()],
    )
