"""``import_events`` and ``engagement_recompute`` management commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Account
from engagement.models import AccountScoreSnapshot, EngagementEvent
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_import_events_reports_lines_and_is_safe_to_rerun(workspace, tmp_path):
    account = AccountFactory(workspace=workspace, domain="globex.com")
    path = tmp_path / "events.csv"
    path.write_text(
        "source,external_id,type,occurred_at,account_domain\n"
        "crm,x1,meeting,2026-05-01T10:00:00Z,globex.com\n"
        "crm,x2,meeting,not a date,globex.com\n"
    )
    out, err = StringIO(), StringIO()

    call_command("import_events", "acme", str(path), stdout=out, stderr=err)
    call_command("import_events", "acme", str(path), stdout=out, stderr=err)

    assert "2 rows: 1 accepted, 0 duplicates, 1 rejected (upload" in out.getvalue()
    assert "2 rows: 0 accepted, 1 duplicates, 1 rejected (upload" in out.getvalue()
    assert "line 3: occurred_at:" in err.getvalue()
    assert EngagementEvent.objects.filter(account=account).count() == 1


def test_import_events_refuses_an_unknown_workspace(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_events", "nope", str(tmp_path / "x.csv"))


def test_recompute_with_history_rebuilds_the_trend(workspace, tmp_path):
    account = AccountFactory(workspace=workspace, domain="globex.com")
    path = tmp_path / "events.csv"
    path.write_text(
        "source,external_id,type,occurred_at,account_id\n"
        + "".join(f"crm,h{i},meeting,2026-01-{i + 1:02d}T10:00:00Z,{account.pk}\n" for i in range(20))
    )
    call_command("import_events", "acme", str(path), stdout=StringIO(), stderr=StringIO())

    call_command("engagement_recompute", "acme", "--history", "30", stdout=StringIO())

    snapshots = AccountScoreSnapshot.objects.filter(account=account).order_by("day")
    assert snapshots.count() == 31  # 30 past days and today
    score = Account.objects.get(pk=account.pk).engagement_score
    assert score > 0 and snapshots.last().score == pytest.approx(score)


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql", reason="PostgreSQL only (txid_current)"
)
@pytest.mark.django_db(transaction=True)
def test_recompute_commits_in_steps_and_says_how_far_it_got(workspace, monkeypatch):
    # One transaction for the whole workspace held every event batch and account delete waiting until the end.
    from django.db import connection

    from engagement.management.commands import engagement_recompute
    from engagement.services import events_ingest, scoring

    accounts = [AccountFactory(workspace=workspace) for _ in range(5)]
    events_ingest(
        workspace=workspace,
        events=[
            {
                "source": "crm",
                "external_id": f"s{a.pk}",
                "type": "meeting",
                "occurred_at": "2026-01-05T10:00:00Z",
                "account_id": a.pk,
            }
            for a in accounts
        ],
    )
    monkeypatch.setattr(scoring, "CHUNK", 2)
    monkeypatch.setattr(engagement_recompute, "PROGRESS_SECONDS", 0.0)  # a line after every chunk
    transactions = set()
    real = scoring._score_chunk

    def chunk_in_its_transaction(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT txid_current()")
            transactions.add(cursor.fetchone()[0])
        return real(**kwargs)

    monkeypatch.setattr(scoring, "_score_chunk", chunk_in_its_transaction)
    out = StringIO()

    call_command("engagement_recompute", "acme", stdout=out)

    assert len(transactions) == 3  # 2 + 2 + 1 accounts
    assert "Rescoring: 2 of 5 accounts…" in out.getvalue()
    assert "Recomputed; 5 accounts changed score, momentum or stage." in out.getvalue()
    assert all(a.engagement_score > 0 for a in Account.objects.filter(pk__in=[a.pk for a in accounts]))
