"""Forms of the import pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from ..models import ImportKind
from .presets import PRESETS


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportKind.choices, label=gettext_lazy("What the file holds"))
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Salesforce, HubSpot, Pipedrive, Zoho CRM, Microsoft Dynamics 365, any other CRM's export, or this "
            "portal's CSV."
        ),
    )
    preset = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Format"),
        choices=[("", gettext_lazy("Recognise automatically"))] + [(k, p.label) for k, p in PRESETS.items()],
    )
