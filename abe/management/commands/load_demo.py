"""Build the demo workspace: each installed app's ``demo.build(ctx)`` runs in dependency order.

Deterministic for a given day (seeded random numbers; dates are relative to today). Refuses to run twice
unless ``--reset`` drops the existing demo workspace first; ``--if-empty`` makes it a no-op when the
database already has a workspace (what ``make run`` uses). ``--progress`` records how far the load is for the
"demo data still loading" page (``abe.demo_loading``), ``--migrate`` applies the migrations first: ``make run``
starts the server while this runs.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from abe.demo import DEMO_SLUG, DEMO_USERS, demo_password, demo_workspace_create
from abe.demo_loading import StepProgress, progress_clear
from abe.models import Workspace


class Command(BaseCommand):
    help = "Load the deterministic demo workspace 'demo' (accounts, committees, teams, opportunities...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Delete the existing demo workspace first.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any workspace exists.")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--language",
            choices=["en", "es"],
            default="en",
            help="Language of the demo's texts (personas, content, templates, rules) and of the workspace.",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Record the progress for the 'demo data still loading' page (make run serves while this runs).",
        )
        parser.add_argument(
            "--migrate", action="store_true", help="Apply the migrations first (make run, beside the server)."
        )

    def handle(
        self,
        *args: Any,
        reset: bool,
        if_empty: bool,
        seed: int,
        language: str = "en",
        progress: bool = False,
        migrate: bool = False,
        **options: Any,
    ) -> None:
        tracker = StepProgress(enabled=progress, started=time.time(), migrating=migrate)
        tracker.report(0.0)
        try:
            if migrate:
                tracker.begin("migrate")
                call_command("migrate", interactive=False, verbosity=options.get("verbosity", 1))
                tracker.finish("migrate")
            # One transaction: the demo appears whole or not at all. The record goes once it is committed.
            with transaction.atomic():
                self._load(reset=reset, if_empty=if_empty, seed=seed, language=language, tracker=tracker)
        finally:
            if progress:
                progress_clear()

    def _analyze_written(self, seen: dict[tuple[str, str], int]) -> float:
        """Planner statistics for the tables this transaction wrote since the last call (PostgreSQL); seconds spent.

        Called after each step, inside the load's transaction: ANALYZE samples the rows this transaction wrote and
        leaves out the ones it deleted (a ``--reset``'s old workspace), so the next steps' queries plan from
        statistics that know the new workspace, and the pages find them once the load commits. Without them (the
        first load, or ``--reset`` after an ANALYZE: the statistics know only the old workspace id, so the new one
        is estimated at one row), the alert rules' candidate queries walked every event of the workspace per
        account (minutes), and the pages planned as if the tables were empty. ``pg_stat_xact_user_tables`` counts
        this transaction's inserted, updated and deleted rows per table: a table is analysed after each step that
        changed it, and only then.
        """
        if connection.vendor != "postgresql":
            return 0.0
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT schemaname, relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
                " WHERE schemaname NOT LIKE 'pg_temp%'"  # no parameters: the % is SQL's
            )
            counts = {(schema, table): int(n) for schema, table, n in cursor.fetchall()}
            for (schema, table), n in sorted(counts.items()):
                if n != seen.get((schema, table), 0):
                    quote = connection.ops.quote_name
                    cursor.execute(f"ANALYZE {quote(schema)}.{quote(table)}")
        seen.update(counts)
        return time.monotonic() - started

    def _load(self, *, reset: bool, if_empty: bool, seed: int, language: str, tracker: StepProgress) -> None:
        if if_empty and Workspace.objects.exists():
            self.stdout.write("Database already has data; demo not loaded.")
            return
        existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
        if existing is not None:
            if not reset:
                raise CommandError("The demo workspace exists already; use --reset to rebuild it.")
            existing.delete()
        started = time.monotonic()
        ctx = demo_workspace_create(seed=seed)
        ctx.language = language
        ctx.progress = tracker.report
        if language != "en":
            # The workspace reads and counts in that language from the start, so what the build sends (the alert
            # emails of the last step) is in it too.
            ctx.workspace.language, ctx.workspace.currency = language, "EUR"
            ctx.workspace.save(update_fields=["language", "currency"])
        translators = []
        written: dict[tuple[str, str], int] = {}
        analyzed = 0.0
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            if hasattr(module, "translate"):
                translators.append((config.label, module.translate))
            if not hasattr(module, "build"):
                continue
            step_started = time.monotonic()
            tracker.begin(config.label)
            summary = module.build(ctx)
            analyzed += self._analyze_written(written)
            tracker.finish(config.label)
            self.stdout.write(f"  {config.label:<12} {summary}  ({time.monotonic() - step_started:.1f}s)")
        if language != "en":
            # Each app renames its own demo rows once every cross-reference is built.
            for label, translate in translators:
                self.stdout.write(f"  {label:<12} {translate(ctx)}")
        analyzed += self._analyze_written(written)  # the translations and the workspace's language
        if analyzed:
            self.stdout.write(f"  {'statistics':<12} ANALYZE of the tables each step wrote  ({analyzed:.1f}s)")
        self.stdout.write(self.style.SUCCESS(f"Demo workspace ready in {time.monotonic() - started:.1f}s."))
        logins = ", ".join(username for username, *_ in DEMO_USERS[:4])
        self.stdout.write(f"Log in as {logins} with password “{demo_password()}”.")
