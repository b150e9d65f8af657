from __future__ import annotations

from rest_framework import serializers

from abe.api.base import WorkspaceRelatedField
from accounts.api.serializers import WorkspaceUserField
from accounts.models import Account, Contact

from ..models import Task


class TaskSerializer(serializers.ModelSerializer):
    account = WorkspaceRelatedField(Account)
    contact = WorkspaceRelatedField(Contact, required=False, allow_null=True)
    assignee = WorkspaceUserField(required=False, allow_null=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "account",
            "account_name",
            "contact",
            "assignee",
            "due_date",
            "status",
            "outcome",
            "source",
            "source_ref",
            "overdue",
            "created_at",
            "updated_at",
            "completed_at",
        ]
        read_only_fields = ["completed_at", "created_at", "updated_at"]

    def get_overdue(self, task: Task) -> bool:
        from django.utils import timezone

        return bool(task.status == "open" and task.due_date and task.due_date < timezone.localdate())


class TaskCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
