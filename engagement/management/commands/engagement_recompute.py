"""``manage.py engagement_recompute WORKSPACE_SLUG [--history DAYS]``: full recompute, optionally the trend too."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from abe.models import Workspace
from engagement.services import scores_recompute
from engagement.services.history import history_backfill
from engagement.services.store import days_rebuild


class Command(BaseCommand):
    help = "Recount and rescore every event of a workspace; --history rebuilds past snapshots and stage changes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("workspace", help="Workspace slug")
        parser.add_argument("--history", type=int, default=0, help="Rebuild this many days of daily snapshots.")

    def handle(self, *args, workspace: str, history: int, **options) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug “{workspace}”.")
        now = timezone.now()
        if history:
            days_rebuild(workspace=ws)
            snapshots = history_backfill(workspace=ws, until=now.date(), days=history)
            self.stdout.write(f"{snapshots} daily snapshots rebuilt.")
        changed = scores_recompute(workspace=ws, now=now)
        self.stdout.write(f"Recomputed; {len(changed)} accounts changed score, momentum or stage.")
