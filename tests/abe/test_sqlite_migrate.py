"""The embedded default must migrate from scratch: `make run` starts on SQLite (README quick start), while the
suite runs on PostgreSQL, so a PostgreSQL-only index or SQL in a migration would break the quick start unseen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["DATABASE_URL"] = f"sqlite:///{database}"
    return env


def _shell(database: Path, script: str) -> subprocess.CompletedProcess[str]:
    """``manage.py shell -c script`` on the SQLite file ``database``."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=_env(database),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    database = tmp_path_factory.mktemp("sqlite") / "fresh.sqlite3"
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=_env(database),
        capture_output=True,
        text=True,
        timeout=600,
    )
    return database, done


def test_a_fresh_sqlite_database_migrates(migrated: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    database, done = migrated
    assert done.returncode == 0, done.stderr[-3000:]
    assert database.stat().st_size > 0


# The content performance rollup (run after the demo load and by beat) looks up each reached account's stage
# changes and opportunities. On a never-analysed SQLite file the planner took the workspace index for those
# (every row of the workspace per look-up: 63 s of the demo load); they must go through the account index.
PLAN = r"""
from django.db import connection
from django.utils import timezone
from engagement.services.content_performance import _statement
stages = ["customer", "mqa", "aware"]
statement, params = _statement(workspace_id=1, stages=stages, movement_days=30, now=timezone.now())
with connection.cursor() as cursor:
    cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
    print("\n".join(row[3] for row in cursor.fetchall()))
"""


def test_sqlite_reads_stage_changes_and_opportunities_by_account(
    migrated: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    database, done = migrated
    assert done.returncode == 0, done.stderr[-3000:]
    plan = _shell(database, PLAN)
    assert plan.returncode == 0, plan.stderr[-3000:]
    searches = [line for line in plan.stdout.splitlines() if line.startswith(("SEARCH c ", "SEARCH o "))]
    # the stage at the first touch (two look-ups), the top stage's new deal, the movement, the pipeline
    assert len(searches) == 5, plan.stdout
    assert all("account_id" in line and "workspace_id" not in line for line in searches), plan.stdout


# The account import on the embedded default: no trigger clears ``Account.import_digest`` there, so the import
# never stores or trusts one (every line takes the full path) and an edit made between two imports is restored.
IMPORT = r"""
import json
from abe.models import Workspace
from accounts.imports.services import import_file
from accounts.models import Account
workspace = Workspace.objects.create(name="SQLite import", slug="sqlite-import")
data = b"crm,company,sector\nA1,Acme,Retail\nB1,Beta,Media\n"
mapping = {"external_id": "crm", "name": "company", "industry": "sector"}
first = import_file(workspace=workspace, kind="accounts", data=data, mapping=mapping)[0].summary()
Account.objects.filter(external_id="A1").update(industry="Edited")
second = import_file(workspace=workspace, kind="accounts", data=data, mapping=mapping)[0].summary()
third = import_file(workspace=workspace, kind="accounts", data=data, mapping=mapping)[0].summary()
industries = sorted(Account.objects.values_list("industry", flat=True))
digests = Account.objects.filter(import_digest__isnull=False).count()
print(json.dumps([first["created"], second["updated"], second["unchanged"], third["unchanged"], industries, digests]))
"""


def test_sqlite_imports_take_the_full_path(migrated: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    database, done = migrated
    assert done.returncode == 0, done.stderr[-3000:]
    run = _shell(database, IMPORT)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().splitlines()[-1] == '[2, 1, 1, 2, ["Media", "Retail"], 0]'


# The ranking columns' copy (``AccountRank``) is kept by row triggers on the embedded default, also after a later
# migration rebuilt the accounts table (SQLite drops a table's triggers then; ``migrate`` installs them again).
RANK = r"""
import json
from django.core.management import call_command
from django.db import connection
from abe.models import Workspace
from accounts.models import Account, AccountRank
workspace = Workspace.objects.create(name="SQLite rank", slug="sqlite-rank")
a = Account.objects.create(workspace=workspace, name="A", priority=10.0, fit_grade="B")
Account.objects.bulk_create([Account(workspace=workspace, name="B"), Account(workspace=workspace, name="C")])
Account.objects.filter(pk=a.pk).update(priority=70.0, tier="strategic", fit_grade="A")
Account.objects.filter(name="C").delete()
with connection.cursor() as cursor:
    cursor.execute("DROP TRIGGER accounts_rank_updated")  # as a table rebuild would
call_command("migrate", verbosity=0)
Account.objects.filter(name="B").update(win_probability=0.25)
copies = sorted(
    AccountRank.objects.filter(workspace=workspace).values_list(
        "account__name", "tier", "priority", "fit_grade", "win_probability"
    )
)
print(json.dumps(copies))
"""


def test_sqlite_keeps_the_ranking_copy(migrated: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    database, done = migrated
    assert done.returncode == 0, done.stderr[-3000:]
    run = _shell(database, RANK)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().splitlines()[-1] == (
        '[["A", "strategic", 70.0, "A", null], ["B", "standard", null, "", 0.25]]'
    )
