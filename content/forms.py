from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from abe.forms import ServiceModelForm
from personas.models import Persona

from .models import ContentAsset

TIER_CHOICES = [("strategic", "Strategic"), ("priority", "Priority"), ("standard", "Standard")]


class ContentAssetForm(ServiceModelForm):
    url = forms.URLField(required=False, max_length=500, assume_scheme="https", label=_("URL"))
    tiers = forms.MultipleChoiceField(
        label=_("Tiers"),
        choices=TIER_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every tier."),
    )

    class Meta:
        model = ContentAsset
        fields = ["title", "url", "format", "stage", "effort", "tiers", "personas", "description"]
        widgets = {
            "personas": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3, "full": True}),
        }

    def __init__(self, *args, workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["personas"]).queryset = Persona.objects.for_workspace(workspace)
