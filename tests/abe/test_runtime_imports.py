"""The portal runs on its runtime dependencies alone (`make run` installs no development extra): no module of the
portal imports a development-only package outside ``if TYPE_CHECKING:``. An import of ``django_stubs_ext`` for a
type annotation would make every page a server error on a fresh `make run`."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# Development-only packages by the name they are imported under.
DEV_ONLY = {"django_stubs_ext", "rest_framework_stubs", "pytest", "factory", "hypothesis", "schemathesis", "playwright"}


def _top_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    found = []
    for node in tree.body:  # module level only: an import inside ``if TYPE_CHECKING:`` or a function is not here
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_no_module_imports_a_development_only_package_at_run_time():
    dev = PROJECT["project"]["optional-dependencies"]["dev"]
    assert any(d.startswith("django-stubs") for d in dev)  # the list below is about these packages
    problems = []
    for app in PROJECT["tool"]["importlinter"]["root_packages"]:  # every app of the portal
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for line, name in _top_level_imports(ast.parse(path.read_text(), str(path))):
                if name in DEV_ONLY:
                    problems.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert problems == []
