"""An ingested batch's day-count summary (``PendingBatch.deltas``, ~400 kB of JSON per 5,000 events) is stored
with lz4 instead of pglz where the server has it: the insert in the ingest transaction took 13-19 ms with pglz and
6-8 ms with lz4 (docs/performance.md, "Ingest: what a batch pays beyond COPY")."""

from django.db import migrations

from abe.storage import set_compression

forwards, backwards = set_compression({("engagement_pendingbatch", "deltas"): "lz4"})


class Migration(migrations.Migration):
    dependencies = [("engagement", "0012_day_counts_read_through_their_key")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
