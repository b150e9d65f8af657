"""Ready to distribute by workspace (Citus): every unique key of a workspace-owned table includes the workspace.

A distributed table can only enforce uniqueness on keys that contain its distribution column, so each
``unique=True`` field, ``OneToOneField``, ``unique_together`` and ``UniqueConstraint`` of a ``WorkspaceOwned``
model must name ``workspace``, unless the model is a documented reference table (docs/architecture.md).
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from abe.models import WorkspaceOwned

# Reference tables: replicated to every node rather than distributed (docs/architecture.md, "Scale path").
REFERENCE_TABLES = {
    # Looked up by the hash of the raw key before the request's workspace is known; a few rows per workspace.
    "abe.ApiKey",
}


def keys_without_workspace(model: type[models.Model]) -> list[str]:
    problems = []
    for field in model._meta.local_fields:
        if field.unique and not field.primary_key:
            problems.append(f"unique field {field.name}")
    for fields in model._meta.unique_together:
        if "workspace" not in fields:
            problems.append(f"unique_together {fields}")
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and "workspace" not in constraint.fields:
            problems.append(f"constraint {constraint.name} {constraint.fields or constraint.expressions}")
    return problems


def test_every_unique_key_of_a_workspace_owned_table_includes_the_workspace():
    owned = [m for m in apps.get_models() if issubclass(m, WorkspaceOwned)]
    assert len(owned) > 20  # the walk sees the apps' models

    offenders = {
        model._meta.label: problems
        for model in owned
        if model._meta.label not in REFERENCE_TABLES and (problems := keys_without_workspace(model))
    }

    assert offenders == {}


@isolate_apps("abe")
def test_the_check_catches_a_key_without_the_workspace():
    class Leaky(WorkspaceOwned):
        code = models.CharField(max_length=10, unique=True)
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "abe"
            constraints = [models.UniqueConstraint(fields=["name"], name="leaky_unique_name")]

    assert keys_without_workspace(Leaky) == ["unique field code", "constraint leaky_unique_name ('name',)"]


def test_reference_tables_exist_and_are_workspace_owned():
    for label in REFERENCE_TABLES:
        assert issubclass(apps.get_model(label), WorkspaceOwned)
