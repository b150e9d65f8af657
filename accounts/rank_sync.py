"""The database triggers that keep the accounts' copies equal to their account: :class:`accounts.models.AccountRank`
(the ranking columns) and :class:`accounts.models.AccountEngagementRank` (the engagement columns, ``ENGAGEMENT``).

``AccountRank`` holds a copy of ``workspace_id``, ``tier``, ``priority``, ``fit_score``, ``fit_grade`` and
``win_probability`` of every account, with the indexes that sort lists by them, and of the columns the lists
filter by (``country``, ``industry``, ``lifecycle``, ``owner_id``, ``tier_locked``). The copy lets the
account's own row drop those six indexes: a rescore rewrites the score columns of nearly every account, and an
update that changes no indexed column of the account stays on its page (a HOT update under the table's
``fillfactor``) instead of adding an entry to each of its 19 other indexes (docs/performance.md, "Rescore: the
ranking columns in their own table").

No application code writes ``AccountRank``: the triggers below do, in the same statement as the account write,
so every path that creates, updates or deletes accounts (the ORM, ``bulk_create``, COPY, raw SQL) keeps it exact.

- PostgreSQL: statement-level ``AFTER INSERT / UPDATE / DELETE`` triggers with transition tables, one set-based
  statement per account statement (a COPY of 100,000 accounts adds one ``INSERT … SELECT``); the update writes
  only rows whose copied values differ, and does not read the copy at all when the statement changed none of the
  copied columns (comparing its old and new rows: with the copy's statistics stale, a scoring pass's update of
  1,000 accounts hashed the whole copy, ~45 ms at 100,000 accounts, to find nothing to write; ~5 ms analysed).
  They fire ``ALWAYS``, also under ``session_replication_role = replica``: an import writes its new accounts
  with that role to leave out the per-row foreign-key checks (``accounts.imports.services.
  _accounts_insert_unchecked``), and the copies must follow every write. A logical-replication subscriber
  therefore fills its copies from the accounts it receives: publish ``accounts_account``, not the copies.
- SQLite: row triggers (``AFTER UPDATE OF`` the copied columns only).

:func:`install` is idempotent (it replaces the triggers). Migration ``accounts/0021`` calls it with the columns
frozen there; every ``migrate`` calls it with today's (``post_migrate`` in ``accounts.apps``), which also repairs
a SQLite database: SQLite drops a table's triggers when a later migration rebuilds the table. A change to
:data:`COLUMNS` needs a migration that adds the column to ``AccountRank`` and fills it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Copy:
    """One copy table of the accounts: its table and the name its triggers and trigger functions carry
    (``accounts_<name>_inserted`` / ``_updated`` / ``_deleted``)."""

    table: str
    name: str


TABLE = "accounts_accountrank"
RANK = Copy(TABLE, "rank")
COLUMNS = (
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

#: The engagement copy (``AccountEngagementRank``): what a scoring pass rewrites, and what its indexes need besides.
ENGAGEMENT = Copy("accounts_accountengagementrank", "engagement_rank")
ENGAGEMENT_COLUMNS = (
    "workspace_id",
    "engagement_score",
    "engagement_momentum",
    "journey_stage",
    "journey_stage_changed_at",
    "tier",
    "owner_id",
    "name",
)


def _pg_create(columns: tuple[str, ...], copy: Copy) -> str:
    table, name = copy.table, copy.name
    listed = ", ".join(columns)
    assign = ", ".join(f"{c} = n.{c}" for c in columns)
    differs = (
        f"ROW({', '.join('r.' + c for c in columns)}) IS DISTINCT FROM ROW({', '.join('n.' + c for c in columns)})"
    )
    # EXECUTE: planned for each call with the transition table's real size (a cached plan made for a one-row update
    # would walk the primary key 100,000 times for a rescore).
    return f"""
CREATE OR REPLACE FUNCTION accounts_{name}_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'INSERT INTO {table} (account_id, {listed}) SELECT id, {listed} FROM new_rows';
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION accounts_{name}_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Most account updates (a scoring pass, an edit of the name) change no copied column: then the copy is not
    -- read at all. Joining the changed rows to the copy, PostgreSQL may hash the whole copy for a 1,000-row update.
    -- (EXCEPT: a hash of both sides; an EXISTS over their join was planned as a nested loop, 1,000 x 1,000.)
    IF NOT EXISTS (SELECT id, {listed} FROM new_rows EXCEPT SELECT id, {listed} FROM old_rows) THEN
        RETURN NULL;
    END IF;
    EXECUTE 'UPDATE {table} AS r SET {assign} FROM new_rows AS n WHERE r.account_id = n.id AND {differs}';
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION accounts_{name}_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'DELETE FROM {table} WHERE account_id IN (SELECT id FROM old_rows)';
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS accounts_{name}_inserted ON accounts_account;
DROP TRIGGER IF EXISTS accounts_{name}_updated ON accounts_account;
DROP TRIGGER IF EXISTS accounts_{name}_deleted ON accounts_account;
CREATE TRIGGER accounts_{name}_inserted AFTER INSERT ON accounts_account REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_{name}_inserted();
CREATE TRIGGER accounts_{name}_updated AFTER UPDATE ON accounts_account
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_{name}_updated();
CREATE TRIGGER accounts_{name}_deleted AFTER DELETE ON accounts_account REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_{name}_deleted();
ALTER TABLE accounts_account ENABLE ALWAYS TRIGGER accounts_{name}_inserted;
ALTER TABLE accounts_account ENABLE ALWAYS TRIGGER accounts_{name}_updated;
ALTER TABLE accounts_account ENABLE ALWAYS TRIGGER accounts_{name}_deleted;
"""


def _pg_drop(copy: Copy) -> str:
    whats = ("inserted", "updated", "deleted")
    return "".join(f"DROP TRIGGER IF EXISTS accounts_{copy.name}_{w} ON accounts_account;\n" for w in whats) + "".join(
        f"DROP FUNCTION IF EXISTS accounts_{copy.name}_{w}();\n" for w in whats
    )


def _sqlite_drop(copy: Copy) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS accounts_{copy.name}_{what}" for what in ("inserted", "updated", "deleted")]


def _sqlite_create(columns: tuple[str, ...], copy: Copy) -> list[str]:
    listed = ", ".join(columns)
    table, name = copy.table, copy.name
    return [
        *_sqlite_drop(copy),
        f"""CREATE TRIGGER accounts_{name}_inserted AFTER INSERT ON accounts_account BEGIN
            INSERT INTO {table} (account_id, {listed}) VALUES (NEW.id, {", ".join("NEW." + c for c in columns)});
        END""",
        f"""CREATE TRIGGER accounts_{name}_updated AFTER UPDATE OF {listed} ON accounts_account BEGIN
            UPDATE {table} SET {", ".join(f"{c} = NEW.{c}" for c in columns)} WHERE account_id = NEW.id;
        END""",
        f"""CREATE TRIGGER accounts_{name}_deleted AFTER DELETE ON accounts_account BEGIN
            DELETE FROM {table} WHERE account_id = OLD.id;
        END""",
    ]


def _has_table(connection: Any, copy: Copy) -> bool:
    with connection.cursor() as cursor:
        return copy.table in connection.introspection.table_names(cursor)


def install(connection: Any, columns: tuple[str, ...] = COLUMNS, copy: Copy = RANK) -> None:
    """Create (or replace) the triggers on ``accounts_account`` copying ``columns`` into ``copy``; nothing when the
    copy's table does not exist (a database migrated back before it). A migration passes the columns as they are at
    its point in the history (frozen there); ``post_migrate`` passes today's (:func:`install_all`)."""
    if not _has_table(connection, copy):
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_pg_create(columns, copy))
        elif connection.vendor == "sqlite":
            for statement in _sqlite_create(columns, copy):
                cursor.execute(statement)
        else:
            # Lists would sort by copies nothing keeps current: refuse the database instead.
            raise ImproperlyConfigured(
                f"The accounts' ranking copy is kept by PostgreSQL or SQLite triggers; {connection.vendor} is not "
                "supported (docs/operations.md)."
            )


def install_all(connection: Any) -> None:
    """Both copies' triggers with today's columns (``post_migrate``)."""
    install(connection, COLUMNS, RANK)
    install(connection, ENGAGEMENT_COLUMNS, ENGAGEMENT)


def uninstall(connection: Any, copy: Copy = RANK) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_pg_drop(copy))
        elif connection.vendor == "sqlite":
            for statement in _sqlite_drop(copy):
                cursor.execute(statement)


def backfill(connection: Any, columns: tuple[str, ...] = COLUMNS, copy: Copy = RANK) -> None:
    """Copy ``columns`` of every account (the table must be empty: the migration that creates it, or a rebuild)."""
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {copy.table} (account_id, {listed}) SELECT id, {listed} FROM accounts_account")
