from rest_framework import serializers

from ..models import Channel, Persona


class PersonaSerializer(serializers.ModelSerializer):
    preferred_channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), required=False)
    contact_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Persona
        fields = [
            "id",
            "name",
            "department",
            "seniority",
            "typical_buying_role",
            "challenges",
            "goals",
            "career_goals",
            "information_sources",
            "preferred_channels",
            "contact_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []
