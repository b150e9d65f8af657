"""Room on each page of the score snapshots for a day's later passes (``abe.storage``): the first pass of a day
inserts each account's snapshot, every later pass that day rewrites its score, momentum and stage, none of them
indexed. On full pages those rewrites were not in place (1,974 updates of an incremental pass, 0-369 of them HOT:
three index entries each); at 90 the pass's snapshot upsert took 10 ms per 1,000 accounts instead of 17-26
(docs/performance.md, goal 2 on the twenty-third session's machine)."""

from django.db import migrations

from abe.storage import set_fillfactor

forwards, backwards = set_fillfactor({"engagement_accountscoresnapshot": 90})


class Migration(migrations.Migration):
    dependencies = [("engagement", "0015_eventimport_texts")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
