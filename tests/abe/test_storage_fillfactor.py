"""Tables the scoring pass (and, for accounts, the rescore) rewrites keep room on each page for updates in place
(``abe.storage``, migrations ``accounts/0020``, ``accounts/0021``, ``engagement/0010`` and ``engagement/0016``)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

EXPECTED = {
    "accounts_account": 50,
    "accounts_contact": 85,
    "engagement_engagementday": 80,
    "engagement_scorecomponent": 80,
    "engagement_accountengagement": 80,
    "engagement_accountscoresnapshot": 90,
}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL storage parameter")
def test_rewritten_tables_have_their_fillfactor():
    # given the migrated database, when the tables' storage parameters are read
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [list(EXPECTED)])
        options = {name: opts or [] for name, opts in cursor.fetchall()}
    # then each has the fillfactor its migration set
    assert {name: options.get(name) for name in EXPECTED} == {
        name: [f"fillfactor={percent}"] for name, percent in EXPECTED.items()
    }


def test_the_migration_helper_does_nothing_on_other_databases():
    # given the helper's pair and a schema editor of another database
    from abe.storage import set_fillfactor

    forwards, backwards = set_fillfactor({"accounts_contact": 85})
    # when it runs both ways, then it sends nothing
    assert _sent_on_sqlite(forwards, backwards) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL column setting")
def test_a_batch_summary_is_compressed_with_lz4_and_reads_back_whole(workspace):
    # given the migrated database (engagement/0013), when the batches' summary column is read from the catalog
    from engagement.models import PendingBatch

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = 'engagement_pendingbatch'::regclass"
            " AND attname = 'deltas'"
        )
        (method,) = cursor.fetchone()
    # then it is lz4 ('l'), and a summary large enough to be compressed reads back as it was written
    assert method == "l"
    deltas = [[n, None, "web_visit", "2026-03-01", 1, "2026-03-01T10:00:00+00:00"] for n in range(3000)]
    batch = PendingBatch.objects.create(workspace=workspace, deltas=deltas)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_compression(deltas) FROM engagement_pendingbatch WHERE id = %s", [batch.pk])
        assert cursor.fetchone() == ("lz4",)
    assert PendingBatch.objects.get(pk=batch.pk).deltas == deltas


def test_the_compression_helper_does_nothing_on_other_databases():
    from abe.storage import set_compression

    forwards, backwards = set_compression({("engagement_pendingbatch", "deltas"): "lz4"})
    assert _sent_on_sqlite(forwards, backwards) == []


def _sent_on_sqlite(*operations) -> list[str]:
    """What a migration's ``RunPython`` functions send through a schema editor of another database."""
    executed: list[str] = []

    class Editor:
        class connection:  # noqa: N801 - stands for a schema editor's connection
            vendor = "sqlite"

        def execute(self, sql):
            executed.append(sql)

    for operation in operations:
        operation(None, Editor())
    return executed
