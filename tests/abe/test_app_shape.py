"""One app shape (docs/architecture.md): no ``*_views.py`` beside ``views.py``, sub-packages shaped like apps."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "abe",
    "personas",
    "accounts",
    "work",
    "content",
    "engagement",
    "activation",
    "keyaccounts",
    "analytics",
    "home",
]
SUB_PACKAGES = ["accounts/prospecting", "accounts/imports"]
SHAPE = ["services.py", "selectors.py", "views.py", "forms.py", "urls.py", "tasks.py", "api/views.py", "api/urls.py"]


def test_no_module_of_pages_or_api_beside_the_ones_the_shape_names():
    stray = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if path.stem.endswith(("_views", "_forms", "_urls", "_selectors", "_serializers"))
    ]
    assert stray == []


def test_sub_packages_have_the_shape_of_an_app():
    missing = [
        f"{package}/{module}" for package in SUB_PACKAGES for module in SHAPE if not (ROOT / package / module).exists()
    ]
    assert missing == []
