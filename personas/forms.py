from django import forms
from django.utils.translation import gettext_lazy as _

from abe.forms import ServiceModelForm

from .models import Channel, Persona


class PersonaForm(ServiceModelForm):
    preferred_channels = forms.MultipleChoiceField(
        label=_("Preferred channels"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Persona
        fields = [
            "name",
            "department",
            "seniority",
            "typical_buying_role",
            "challenges",
            "goals",
            "career_goals",
            "information_sources",
            "preferred_channels",
        ]
        widgets = {
            f: forms.Textarea(attrs={"rows": 3, "full": True})
            for f in ["challenges", "goals", "career_goals", "information_sources"]
        }
