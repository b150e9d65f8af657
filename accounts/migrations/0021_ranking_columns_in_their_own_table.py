"""The ranking columns of each account copied into ``AccountRank``, kept by triggers (``accounts.rank_sync``), with
the six indexes that sorted and filtered by them moved there; the accounts table keeps room on each page so that a
rescore's rewrite of the scores is an update in place (fillfactor 50; docs/performance.md, "Rescore: the ranking
columns in their own table"; docs/operations.md, "Room for updates in place")."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from abe.storage import PostgresOnlyAddIndex, PostgresOnlyRemoveIndex, set_fillfactor

fill_forwards, fill_backwards = set_fillfactor({"accounts_account": 50})


# Frozen here (a migration must not depend on app code that will change): the columns copied at this point.
COPIED_COLUMNS = (
    "workspace_id",
    "tier",
    "priority",
    "fit_score",
    "fit_grade",
    "win_probability",
    "country",
    "industry",
    "lifecycle",
    "owner_id",
    "tier_locked",
)


def copy_and_sync(apps, schema_editor):  # type: ignore[no-untyped-def]
    from accounts import rank_sync

    rank_sync.backfill(schema_editor.connection, COPIED_COLUMNS)
    rank_sync.install(schema_editor.connection, COPIED_COLUMNS)
    if schema_editor.connection.vendor == "postgresql":
        # Lists read the copy in bounded ranges (a page, a capped count): a parallel plan only adds the workers'
        # start-up to each (docs/performance.md, "Rescore: the ranking columns in their own table").
        schema_editor.execute("ALTER TABLE accounts_accountrank SET (parallel_workers = 0)")


def unsync(apps, schema_editor):  # type: ignore[no-untyped-def]
    from accounts import rank_sync

    rank_sync.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("abe", "0004_workspace_language_currency_user_preference"),
        ("accounts", "0020_contact_room_for_updates_in_place"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountRank",
            fields=[
                (
                    "account",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="rank",
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
                ("tier", models.CharField(max_length=20)),
                ("priority", models.FloatField(null=True)),
                ("fit_score", models.FloatField(null=True)),
                ("fit_grade", models.CharField(blank=True, max_length=1)),
                ("win_probability", models.FloatField(null=True)),
                ("country", models.CharField(blank=True, max_length=2)),
                ("industry", models.CharField(blank=True, max_length=100)),
                ("lifecycle", models.CharField(blank=True, max_length=20)),
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
                ("tier_locked", models.BooleanField(default=False)),
            ],
        ),
        migrations.RunPython(copy_and_sync, unsync, elidable=False),
        PostgresOnlyRemoveIndex(
            model_name="account",
            name="account_ws_priority_d",
        ),
        PostgresOnlyRemoveIndex(
            model_name="account",
            name="account_ws_fit_d",
        ),
        PostgresOnlyRemoveIndex(
            model_name="account",
            name="account_ws_win_d",
        ),
        PostgresOnlyRemoveIndex(
            model_name="account",
            name="account_ws_grade_a",
        ),
        PostgresOnlyRemoveIndex(
            model_name="account",
            name="account_ws_grade_d",
        ),
        PostgresOnlyRemoveIndex(
            model_name="account",
            name="account_ws_tier_priority_d",
        ),
        PostgresOnlyAddIndex(
            model_name="accountrank",
            index=models.Index(
                models.F("workspace"),
                models.OrderBy(models.F("priority"), descending=True, nulls_last=True),
                models.OrderBy(models.F("account"), descending=True),
                name="rank_ws_priority_d",
            ),
        ),
        PostgresOnlyAddIndex(
            model_name="accountrank",
            index=models.Index(
                models.F("workspace"),
                models.OrderBy(models.F("fit_score"), descending=True, nulls_last=True),
                models.OrderBy(models.F("account"), descending=True),
                name="rank_ws_fit_d",
            ),
        ),
        PostgresOnlyAddIndex(
            model_name="accountrank",
            index=models.Index(
                models.F("workspace"),
                models.OrderBy(models.F("win_probability"), descending=True, nulls_last=True),
                models.OrderBy(models.F("account"), descending=True),
                name="rank_ws_win_d",
            ),
        ),
        PostgresOnlyAddIndex(
            model_name="accountrank",
            index=models.Index(
                models.F("workspace"),
                models.F("fit_grade"),
                models.OrderBy(models.F("priority"), descending=True, nulls_last=True),
                models.F("account"),
                name="rank_ws_grade_a",
            ),
        ),
        PostgresOnlyAddIndex(
            model_name="accountrank",
            index=models.Index(
                models.F("workspace"),
                models.OrderBy(models.F("fit_grade"), descending=True),
                models.OrderBy(models.F("priority"), nulls_last=True),
                models.OrderBy(models.F("account"), descending=True),
                name="rank_ws_grade_d",
            ),
        ),
        PostgresOnlyAddIndex(
            model_name="accountrank",
            index=models.Index(
                models.F("workspace"),
                models.F("tier"),
                models.OrderBy(models.F("priority"), descending=True, nulls_last=True),
                models.OrderBy(models.F("account"), descending=True),
                name="rank_ws_tier_priority_d",
            ),
        ),
        PostgresOnlyAddIndex(
            model_name="accountrank",
            index=models.Index(
                models.F("workspace"),
                models.F("fit_grade"),
                models.OrderBy(models.F("fit_score"), descending=True, nulls_last=True),
                models.OrderBy(models.F("account"), descending=True),
                name="rank_ws_grade_fit_d",
            ),
        ),
        migrations.AddIndex(
            model_name="accountrank",
            index=models.Index(fields=["workspace", "industry", "account"], name="rank_ws_industry"),
        ),
        migrations.AddIndex(
            model_name="accountrank",
            index=models.Index(fields=["workspace", "country", "account"], name="rank_ws_country"),
        ),
        migrations.AddIndex(
            model_name="accountrank",
            index=models.Index(fields=["workspace", "lifecycle", "account"], name="rank_ws_lifecycle"),
        ),
        migrations.AddIndex(
            model_name="accountrank",
            index=models.Index(fields=["workspace", "owner"], name="rank_ws_owner"),
        ),
        migrations.AddIndex(
            model_name="accountrank",
            index=models.Index(
                models.F("workspace"),
                models.F("account"),
                condition=models.Q(("tier_locked", True)),
                name="rank_ws_pinned",
            ),
        ),
        migrations.RunPython(fill_forwards, fill_backwards, elidable=False),
    ]
