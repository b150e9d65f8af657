"""Every field a person sees carries a translatable label.

A form field without ``label=`` gets Django's label made from its name ("Due date", "Goals"), which is never
translated: the plan editor, the action form, the rule editor's settings and a dozen filters read English in
Spanish, Portuguese and Romanian. A model form's field takes its model field's ``verbose_name``, which must be
marked the same way.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from django import forms
from django.apps import apps
from django.conf import settings
from django.utils.functional import Promise


def _project_forms() -> list[type[forms.BaseForm]]:
    base = str(settings.BASE_DIR)
    found: dict[str, type[forms.BaseForm]] = {}
    for app in apps.get_app_configs():
        if not app.path.startswith(base) or "/.venv/" in app.path:
            continue
        for module in pkgutil.walk_packages([app.path], prefix=f"{app.name}."):
            name = module.name
            if ".migrations" in name or ".management" in name or "tests" in name:
                continue
            if not any(part in name for part in ("form", "views")):
                continue
            loaded = importlib.import_module(name)
            for _, cls in inspect.getmembers(loaded, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == loaded.__name__:
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def test_every_visible_field_has_a_translatable_label():
    checked = _project_forms()
    untranslated = [
        f"{cls.__module__}.{cls.__qualname__}.{name}: {field.label!r}"
        for cls in checked
        for name, field in cls.base_fields.items()
        if not field.widget.is_hidden and not isinstance(field.label, Promise)
    ]
    assert len(checked) > 30  # the walk found the project's forms
    assert untranslated == []
