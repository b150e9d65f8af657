"""Each app's migrations up to December 2026 are squashed into one (``<app>/migrations/0001_squashed_*``): a new
database runs the squashes, a database that applied the old migrations takes them as applied, and one part of the
way through runs the rest of the old ones (docs/operations.md, "Migrations"). Both paths must end in the same
tables: the same model state, and on PostgreSQL the same database-only parts (storage settings, triggers, the
indexes SQLite cannot build), which the squashes create with ``RunPython``."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ModelState

PROJECT_APPS = {
    "abe",
    "personas",
    "accounts",
    "work",
    "activation",
    "analytics",
    "keyaccounts",
    "content",
    "engagement",
}


def _shape(model: ModelState) -> tuple[Any, ...]:
    """What a model state means for its table (indexes and constraints in any order)."""
    options = {k: v for k, v in model.options.items() if not (k == "abstract" and v is False)}
    for key in ("indexes", "constraints"):
        options[key] = sorted(repr(item.deconstruct()) for item in options.get(key, []))
    return (
        {name: field.deconstruct()[1:] for name, field in model.fields.items()},
        {key: repr(value) for key, value in options.items()},
        [repr(base) for base in model.bases],
    )


def _project_state(*, squashed: bool) -> dict[tuple[str, str], tuple[Any, ...]]:
    """The model state at the end of the squashes, or at the end of the migrations they replace (alone: with the
    replacements off, the graph holds both, and the squashes must not be part of the replaced path's plan).
    Migrations added after a squash (which depend on it) are left out of both."""
    loader = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=squashed)
    graph = loader.graph
    squashes = {key for key, migration in loader.disk_migrations.items() if migration.replaces}
    if squashed:
        state = graph.make_state(nodes=sorted(squashes), at_end=True, real_apps=loader.unmigrated_apps)
    else:
        later = {key for key in graph.node_map if key not in squashes and squashes & set(graph.forwards_plan(key))}
        leaves = [
            key
            for key, node in graph.node_map.items()
            if key not in squashes | later and all(child.key in squashes | later for child in node.children)
        ]
        assert not squashes & {key for leaf in leaves for key in graph.forwards_plan(leaf)}
        state = graph.make_state(nodes=leaves, at_end=True, real_apps=loader.unmigrated_apps)
    return {key: _shape(model) for key, model in state.models.items() if key[0] in PROJECT_APPS}


def test_the_squashed_migrations_replace_every_migration_of_their_app() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)
    squashes = {key: m for key, m in loader.disk_migrations.items() if m.replaces}
    assert {app for app, _ in squashes} == PROJECT_APPS
    for (app, name), migration in squashes.items():
        older = {key for key in loader.disk_migrations if key[0] == app and key != (app, name)}
        # A migration added after the squash depends on it and is not replaced: only those may be left out.
        later = {key for key in older if (app, name) in loader.graph.forwards_plan(key)}
        assert set(migration.replaces) == older - later, app


def test_the_squashed_and_the_replaced_migrations_give_the_same_models() -> None:
    squashed, replaced = _project_state(squashed=True), _project_state(squashed=False)
    assert squashed.keys() == replaced.keys()
    differ = [key for key in squashed if squashed[key] != replaced[key]]
    assert not differ, differ


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database-only parts are PostgreSQL's")
def test_a_new_database_has_what_the_replaced_migrations_built_outside_the_models() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [
                [
                    "accounts_account",
                    "accounts_contact",
                    "accounts_accountrank",
                    "accounts_accountengagementrank",
                    "engagement_engagementday",
                    "engagement_scorecomponent",
                    "engagement_accountengagement",
                    "engagement_accountscoresnapshot",
                ]
            ],
        )
        options = {name: set(reloptions or []) for name, reloptions in cursor.fetchall()}
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
        indexes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'accounts_account'::regclass AND NOT tgisinternal"
        )
        triggers = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT attcompression FROM pg_attribute"
            " WHERE attrelid = 'engagement_pendingbatch'::regclass AND attname = 'deltas'"
        )
        compression = cursor.fetchone()[0]
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        has_lz4 = cursor.fetchone() is not None

    assert options == {
        "accounts_account": {"fillfactor=50"},
        "accounts_contact": {"fillfactor=85"},
        "accounts_accountrank": {"parallel_workers=0"},
        "accounts_accountengagementrank": {"fillfactor=80", "parallel_workers=0"},
        "engagement_engagementday": {"fillfactor=80"},
        "engagement_scorecomponent": {"fillfactor=80"},
        "engagement_accountengagement": {"fillfactor=80"},
        "engagement_accountscoresnapshot": {"fillfactor=90"},
    }
    assert "USING brin (occurred_at)" in indexes["event_occurred_brin"]
    for name in ("rank_ws_priority_d", "rank_ws_grade_a", "erank_ws_momentum_d", "account_ws_revenue_d"):
        assert "NULLS LAST" in indexes[name], name
    assert triggers == {
        "accounts_account_import_digest_clear",
        *(
            f"accounts_{copy}_{what}"
            for copy in ("rank", "engagement_rank")
            for what in ("inserted", "updated", "deleted")
        ),
    }
    assert compression == ("l" if has_lz4 else "")
