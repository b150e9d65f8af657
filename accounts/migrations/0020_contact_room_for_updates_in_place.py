"""Room on each contact page for the scoring pass's in-place updates of ``engagement_score`` and
``last_engaged_at`` (neither indexed; ``abe.storage``)."""

from django.db import migrations

from abe.storage import set_fillfactor

forwards, backwards = set_fillfactor({"accounts_contact": 85})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0019_one_index_per_nullable_sort_column")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
