"""A proposal for an account without a priority stored NaN (``_proposals_refresh``), which the proposals API could
not answer (JSON has no NaN) and which identical refreshes kept: store it as unknown (NULL), as the code now does."""

from django.db import migrations


def nan_to_null(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":  # SQLite stores a NaN as NULL already
        return
    schema_editor.execute("UPDATE accounts_tierproposal SET priority = NULL WHERE priority = 'NaN'::float8")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0025_importjob_texts")]

    operations = [migrations.RunPython(nan_to_null, migrations.RunPython.noop)]
