"""The engagement columns of each account (score, momentum, journey stage and when it changed) copied into
``AccountEngagementRank``, with the tier, owner and name, kept by triggers (``accounts.rank_sync``); the five indexes
that sorted and filtered by them move there, so that a scoring pass updates the accounts it scores in place
(docs/performance.md, "Goal 2: the engagement columns in their own table")."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from abe.storage import PostgresOnlyAddIndex, PostgresOnlyRemoveIndex, set_fillfactor

# Every pass rewrites the copy's row of each account it scores: room on its page for the new version.
fill_forwards, fill_backwards = set_fillfactor({"accounts_accountengagementrank": 80})

# Frozen here (a migration must not depend on app code that will change): the columns copied at this point.
COPIED_COLUMNS = (
    "workspace_id",
    "engagement_score",
    "engagement_momentum",
    "journey_stage",
    "journey_stage_changed_at",
    "tier",
    "owner_id",
    "name",
)


def copy_and_sync(apps, schema_editor):  # type: ignore[no-untyped-def]
    from accounts import rank_sync

    rank_sync.backfill(schema_editor.connection, COPIED_COLUMNS, rank_sync.ENGAGEMENT)
    rank_sync.install(schema_editor.connection, COPIED_COLUMNS, rank_sync.ENGAGEMENT)
    if schema_editor.connection.vendor == "postgresql":
        # Lists read the copy in bounded ranges (a page, a capped count), as they read ``AccountRank``.
        schema_editor.execute("ALTER TABLE accounts_accountengagementrank SET (parallel_workers = 0)")


def unsync(apps, schema_editor):  # type: ignore[no-untyped-def]
    from accounts import rank_sync

    rank_sync.uninstall(schema_editor.connection, rank_sync.ENGAGEMENT)


class Migration(migrations.Migration):
    dependencies = [
        ("abe", "0006_job_progressed_at"),
        ("accounts", "0026_tierproposal_priority_nan_to_null"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountEngagementRank",
            fields=[
                (
                    "account",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="engagement_rank",
                        serialize=False,
                        to="accounts.account",
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="abe.workspace",
                    ),
                ),
                ("engagement_score", models.FloatField(default=0.0)),
                ("engagement_momentum", models.FloatField(null=True)),
                ("journey_stage", models.CharField(max_length=40)),
                ("journey_stage_changed_at", models.DateTimeField(null=True)),
                ("tier", models.CharField(max_length=20)),
                (
                    "owner",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("name", models.CharField(max_length=255)),
            ],
        ),
        migrations.RunPython(fill_forwards, fill_backwards, elidable=False),
        # Filled before its indexes are built (one sort each instead of an entry per row).
        migrations.RunPython(copy_and_sync, unsync, elidable=False),
        migrations.AddIndex(
            model_name="accountengagementrank",
            index=models.Index(
                models.F("workspace"), models.F("engagement_score"), models.F("account"), name="erank_ws_engagement"
            ),
        ),
        PostgresOnlyAddIndex(
            model_name="accountengagementrank",
            index=models.Index(
                models.F("workspace"),
                models.OrderBy(models.F("engagement_momentum"), descending=True, nulls_last=True),
                models.OrderBy(models.F("account"), descending=True),
                name="erank_ws_momentum_d",
            ),
        ),
        migrations.AddIndex(
            model_name="accountengagementrank",
            index=models.Index(
                models.F("workspace"), models.F("journey_stage"), models.F("account"), name="erank_ws_stage"
            ),
        ),
        migrations.AddIndex(
            model_name="accountengagementrank",
            index=models.Index(
                models.F("workspace"),
                models.F("journey_stage_changed_at"),
                models.F("account"),
                condition=models.Q(("journey_stage_changed_at__isnull", False)),
                name="erank_ws_stage_changed",
            ),
        ),
        migrations.AddIndex(
            model_name="accountengagementrank",
            index=models.Index(
                fields=["workspace", "tier", "journey_stage", "owner", "name", "account"], name="erank_ws_tier_stage"
            ),
        ),
        migrations.RemoveIndex(model_name="account", name="account_ws_stage_id"),
        migrations.RemoveIndex(model_name="account", name="account_ws_engagement_id"),
        PostgresOnlyRemoveIndex(model_name="account", name="account_ws_momentum_d"),
        migrations.RemoveIndex(model_name="account", name="account_ws_tier_stage_owner"),
        migrations.RemoveIndex(model_name="account", name="account_ws_stage_changed"),
    ]
