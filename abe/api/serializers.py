"""Serializers of the core app's API: background jobs."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..models import Job


class JobSerializer(serializers.ModelSerializer[Job]):
    """A background job as its page shows it. ``label`` and ``message`` are English (the pages read them in the
    reader's language); ``message`` is the summary when ``done``, the reason when ``failed``. ``progressed_at``: the
    last sign of progress (a job queued or running without one for ``ABE_JOB_STALL_SECONDS`` is failed).
    ``restartable``: a failed job of a kind that resumes from the state it saved (``POST …/restart/``)."""

    progress_percent = serializers.IntegerField(read_only=True)
    restartable = serializers.SerializerMethodField()
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The username of who started it; null for a job started by an API key or by the system.",
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "label",
            "status",
            "total",
            "processed",
            "progress_percent",
            "message",
            "result",
            "created_by",
            "created_at",
            "started_at",
            "progressed_at",
            "finished_at",
            "restartable",
        ]
        read_only_fields = fields

    def get_restartable(self, job: Job) -> bool:
        from ..jobs import job_resumable

        return job_resumable(job)
