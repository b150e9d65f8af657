"""A BRIN index on the event time, on PostgreSQL only (the event table is append-only, so time follows the heap)."""

from django.db import migrations


def create_brin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS event_occurred_brin ON engagement_engagementevent USING brin (occurred_at)"
        )


def drop_brin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS event_occurred_brin")


class Migration(migrations.Migration):
    dependencies = [("engagement", "0002_scoring_state")]

    operations = [migrations.RunPython(create_brin, drop_brin)]
