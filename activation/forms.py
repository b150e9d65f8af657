"""Browser forms for activation. They only validate input shapes; the services check meaning and save."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from abe.forms import ServiceModelForm, UtcIsoDateTimeField
from accounts.models import Lifecycle, TeamRole, Tier
from engagement.models import SCORED_EVENT_CHOICES, TriggerKind
from personas.models import BuyingRole

from .models import ConditionType, EmailMode, Rule, Severity, WebhookFormat, WebhookSubscription
from .services.rules import PARAM_SPECS

# Form field -> (condition types it belongs to, params key). The editor shows only the current type's fields.
PARAM_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "subject": ((ConditionType.SCORE_THRESHOLD,), "subject"),
    "threshold": ((ConditionType.SCORE_THRESHOLD,), "threshold"),
    "ratio": ((ConditionType.SPIKE,), "ratio"),
    "min_score": ((ConditionType.SPIKE,), "min_score"),
    "members": ((ConditionType.COMMITTEE_BREADTH,), "members"),
    "buying_role": (
        (ConditionType.ROLE_ENGAGED, ConditionType.MISSING_ROLE, ConditionType.DEAL_MISSING_ROLE),
        "buying_role",
    ),
    "event_type": ((ConditionType.ROLE_ENGAGED,), "event_type"),
    "stage": ((ConditionType.STAGE_ENTERED,), "stage"),
    "kinds": ((ConditionType.TRIGGER_EVENT,), "kinds"),
    "percent": ((ConditionType.ENGAGEMENT_DROP, ConditionType.RENEWAL_RISK), "percent"),
    "missed": ((ConditionType.MISSED_CHECK_INS,), "missed"),
    "points": ((ConditionType.HEALTH_DROP,), "points"),
    "min_events": ((ConditionType.ENGAGEMENT_DROP,), "min_events"),
    "days": (tuple(PARAM_SPECS), "days"),
}
STAGE_SUGGESTIONS = ["aware", "engaged", "mqa", "opportunity", "customer"]


def _person(user: Any) -> str:
    """People are shown by full name (the username only when there is no name)."""
    return str(user.get_full_name() or user.username)


class RuleForm(ServiceModelForm):
    subject = forms.ChoiceField(
        label=gettext_lazy("Subject"),
        choices=[("account", gettext_lazy("Account score")), ("contact", gettext_lazy("Any contact's score"))],
        required=False,
        initial="account",
    )
    threshold = forms.FloatField(
        label=gettext_lazy("Threshold"),
        required=False,
        min_value=0,
        help_text=gettext_lazy("Fires when the score rises to this or above."),
    )
    ratio = forms.FloatField(
        label=gettext_lazy("Ratio"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Momentum: 2 means twice the usual week."),
    )
    min_score = forms.FloatField(
        label=gettext_lazy("Minimum score"),
        required=False,
        min_value=0,
        help_text=gettext_lazy("Ignore spikes on accounts below this score."),
    )
    members = forms.IntegerField(
        label=gettext_lazy("Members"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Distinct committee members engaged."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Days"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=gettext_lazy("Window in days (look-back, grace period, or how near a deal is to its close date)."),
    )
    buying_role = forms.ChoiceField(
        label=gettext_lazy("Buying role"), choices=[("", "—"), *BuyingRole.choices], required=False
    )
    event_type = forms.ChoiceField(
        label=gettext_lazy("Event type"),
        choices=[("", gettext_lazy("Any interaction")), *SCORED_EVENT_CHOICES],
        required=False,
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        required=False,
        choices=[],
        help_text=gettext_lazy("A stage of the configured journey."),
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds"),
        choices=TriggerKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None = any kind."),
    )
    percent = forms.FloatField(
        label=gettext_lazy("Percent"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=gettext_lazy("Drop in interactions, in %."),
    )
    min_events = forms.IntegerField(
        label=gettext_lazy("Minimum events"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Ignore accounts quieter than this before."),
    )
    missed = forms.IntegerField(
        label=gettext_lazy("Missed check-ins"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Open check-ins past their due date."),
    )
    points = forms.FloatField(
        label=gettext_lazy("Points"),
        required=False,
        min_value=0.1,
        max_value=100,
        help_text=gettext_lazy("Fall of the health score (0–100), in points."),
    )
    filter_tiers = forms.MultipleChoiceField(
        label=gettext_lazy("Tiers (none = all)"),
        choices=Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    filter_lifecycles = forms.MultipleChoiceField(
        label=gettext_lazy("Lifecycles (none = all)"),
        choices=Lifecycle.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notify_team_roles = forms.MultipleChoiceField(
        label=gettext_lazy("…and these account-team roles"),
        choices=TeamRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Rule
        fields = [
            "name",
            "condition_type",
            "severity",
            "cooldown_hours",
            "is_active",
            "description",
            "recommended_action",
            "filter_owner",
            "notify_owner",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "recommended_action": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "cooldown_hours": gettext_lazy("At most one alert per account within this many hours (0 = no cool-down)."),
            "recommended_action": gettext_lazy(
                "What the account team should do; a sensible default is used when empty."
            ),
        }

    def __init__(self, *args, workspace=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["filter_owner"]).queryset = (
            get_user_model().objects.filter(memberships__workspace=workspace).order_by("username")
        )
        owner_field = cast(forms.ModelChoiceField, self.fields["filter_owner"])
        owner_field.label_from_instance = _person  # type: ignore[method-assign,assignment]
        self.fields["filter_owner"].required = False
        self.fields["filter_owner"].label = gettext_lazy("Only accounts owned by")
        self.fields["notify_owner"].label = gettext_lazy("Notify the account owner")
        self.fields["notify_team_roles"].label = gettext_lazy("…and these account-team roles")
        self.fields["filter_tiers"].label = gettext_lazy("Tiers (none = all)")
        self.fields["filter_lifecycles"].label = gettext_lazy("Lifecycles (none = all)")
        self.fields["condition_type"].widget.attrs["data-condition-select"] = "1"
        if workspace is not None:
            from .services.rules import journey_stage_names

            stages = list(journey_stage_names(workspace=workspace).items())
            cast(forms.ChoiceField, self.fields["stage"]).choices = [("", "—"), *stages]
            from .services.rules import configured_event_types

            scored = list(configured_event_types(workspace=workspace).items())
            cast(forms.ChoiceField, self.fields["event_type"]).choices = [
                ("", gettext_lazy("Any interaction")),
                *scored,
            ]
        if self.instance.pk:
            for name in ("filter_tiers", "filter_lifecycles", "notify_team_roles"):
                self.initial[name] = getattr(self.instance, name)
            for name, (_, key) in PARAM_FIELDS.items():
                if key in (self.instance.params or {}):
                    self.initial[name] = self.instance.params[key]
        for name, (types, _) in PARAM_FIELDS.items():
            self.fields[name].widget.attrs["data-for"] = " ".join(types)

    def param_fields(self) -> list:
        return [self[name] for name in PARAM_FIELDS]

    def filter_fields(self) -> list:
        return [self[n] for n in ("filter_tiers", "filter_lifecycles", "filter_owner")]

    def delivery_fields(self) -> list:
        return [self[n] for n in ("notify_owner", "notify_team_roles", "recommended_action")]

    def rule_data(self) -> dict:
        """The cleaned data as the service takes it: params of the chosen condition only."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        condition = data["condition_type"]
        params = {}
        for name, (types, key) in PARAM_FIELDS.items():
            value = self.cleaned_data.get(name)
            if condition in types and key in PARAM_SPECS[condition] and value not in (None, "", []):
                params[key] = value
        data["params"] = params
        for name in ("filter_tiers", "filter_lifecycles", "notify_team_roles"):
            data[name] = list(self.cleaned_data.get(name) or [])
        return data


class PreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(choices=EmailMode.choices, label=gettext_lazy("Email me"))


class SnoozeForm(forms.Form):
    # In UTC: a pasted "…+20:33" is a time Python reads and PostgreSQL refuses (abe.forms.UtcIsoDateTimeField).
    until = UtcIsoDateTimeField(
        label=gettext_lazy("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Assignee"), queryset=None, required=False, empty_label=gettext_lazy("Nobody")
    )

    def __init__(self, *args, workspace=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = (
            get_user_model().objects.filter(memberships__workspace=workspace).order_by("first_name", "last_name")
        )
        assignee = cast(forms.ModelChoiceField, self.fields["assignee"])
        assignee.label_from_instance = _person  # type: ignore[method-assign,assignment]


class WebhookSubscriptionForm(ServiceModelForm):
    secret = forms.CharField(
        label=gettext_lazy("Secret"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Signing secret. Leave empty to generate one (or keep the current one)."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "format", "min_severity", "secret", "is_active"]
        help_texts = {
            "url": gettext_lazy("Your endpoint, or a Slack incoming-webhook URL (hooks.slack.com)."),
            "min_severity": gettext_lazy("Only alerts of this severity or above are sent."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["format"]).choices = WebhookFormat.choices
        cast(forms.ChoiceField, self.fields["min_severity"]).choices = Severity.choices
        if self.instance.pk:
            self.initial["secret"] = ""
