"""``manage.py engagement_recompute WORKSPACE_SLUG [--history DAYS]``: full recompute, optionally the trend too.

The recompute runs in the same steps as the product's own (``scores_recompute_step``): days and components
recounted 5,000 accounts per transaction, then the accounts rescored 1,000 per transaction, with a progress line
every few seconds. One transaction for the whole workspace held every event batch and every account delete of it
waiting until the end (about a minute at 100,000 accounts: longer than a web request may wait)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from abe.models import Workspace
from accounts.models import Account
from engagement.services.history import history_backfill
from engagement.services.scoring import scores_recompute_step
from engagement.services.store import days_rebuild

PROGRESS_SECONDS = 5.0


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
        total = Account.objects.for_workspace(ws).count()
        state, done = self._step(ws, None, now)
        while not done:
            if "rebuild" in state:
                self.stdout.write(f"Recounting events: accounts up to id {state['rebuild']['after']} done…")
            else:
                self.stdout.write(f"Rescoring: {state['done']} of {total} accounts…")
            state, done = self._step(ws, state, now)
        self.stdout.write(f"Recomputed; {len(state['changed'])} accounts changed score, momentum or stage.")

    @staticmethod
    def _step(ws: Workspace, state: dict[str, Any] | None, now: datetime) -> tuple[dict[str, Any], bool]:
        return scores_recompute_step(workspace=ws, state=state, now=now, deadline=time.monotonic() + PROGRESS_SECONDS)
