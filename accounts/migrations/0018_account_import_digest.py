"""``Account.import_digest`` and the PostgreSQL trigger that clears it whenever another write changes an imported
field (docs/import.md, "Re-importing the same file"). The column list is the importer's
(``accounts.imports.services.AccountUpserter.fields``); tests/accounts/test_import_fingerprints.py fails when the
two differ. SQLite gets the column only: the importer never trusts a digest there."""

from django.db import migrations, models

# Frozen here (a migration must not import app code that will change): the columns the account import writes.
IMPORTED_COLUMNS = [
    "external_id",
    "name",
    "domain",
    "industry",
    "country",
    "region",
    "city",
    "employees",
    "annual_revenue",
    "ownership_type",
    "number_of_offices",
    "founded_year",
    "technologies",
    "lifecycle",
    "trigger_event",
    "trigger_event_date",
    "owner_id",
    "parent_id",
]
_OLD = ", ".join(f"OLD.{c}" for c in IMPORTED_COLUMNS)
_NEW = ", ".join(f"NEW.{c}" for c in IMPORTED_COLUMNS)

# WHEN is evaluated without calling the function, and UPDATE OF skips the trigger for statements that set none
# of these columns (the rescore's score writes), so other updates pay nothing.
CREATE = f"""
CREATE OR REPLACE FUNCTION accounts_account_import_digest_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.import_digest := NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER accounts_account_import_digest_clear
BEFORE UPDATE OF {", ".join(IMPORTED_COLUMNS)} ON accounts_account
FOR EACH ROW
WHEN (
    OLD.import_digest IS NOT NULL
    AND NEW.import_digest IS NOT DISTINCT FROM OLD.import_digest
    AND ROW({_OLD}) IS DISTINCT FROM ROW({_NEW})
)
EXECUTE FUNCTION accounts_account_import_digest_clear();
"""
DROP = """
DROP TRIGGER IF EXISTS accounts_account_import_digest_clear ON accounts_account;
DROP FUNCTION IF EXISTS accounts_account_import_digest_clear();
"""


def trigger_create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def trigger_drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0017_i18n_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="import_digest",
            field=models.BinaryField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(trigger_create, trigger_drop),
    ]
