"""Every word people read is in the translation system, and the Spanish, Portuguese and Romanian catalogues
translate all of it (issue 16). After merging template changes: ``make messages``, then translate what
``msgattrib --untranslated locale/es/LC_MESSAGES/django.po`` lists."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from abe.template_text import find_untranslated, mark, template_files

TEMPLATES = Path(settings.BASE_DIR) / "templates"
LOCALE = Path(settings.BASE_DIR) / "locale"
CHECKED = ("es", "pt", "ro")
DOMAINS = ("django", "djangojs")


def test_no_template_shows_text_outside_the_translation_system():
    findings = [f for path in template_files(TEMPLATES) for f in find_untranslated(path)]

    listing = "\n".join(f"{f.path}:{f.line}: {f.where}: {f.text}" for f in findings)
    assert not findings, f"Untranslated template text (python manage.py templates_i18n --mark):\n{listing}"


@pytest.mark.parametrize(
    "source, found",
    [
        ("<p>Hello</p>", ["Hello"]),
        ('<button title="Close it">×</button>', ["Close it"]),
        ('<td>{{ value|default:"never" }}</td>', ["never"]),
        ("<a onclick=\"return confirm('Delete it?')\">x</a>", ["Delete it?"]),
        ("<h1>Hi, {{ name }}</h1>", ["Hi, {…}"]),
        ('{% load i18n %}<p>{% translate "Hello" %}</p><p>{{ name }}</p><p>·</p>', []),
        ("{% load i18n %}<p>{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}</p>", []),
        ("<script>const a = 'Not text';</script><p>{{ a }} / {{ b }}</p><code>x.y</code>", []),
        ('<input type="submit" value="Send">', ["Send"]),
        ('{% include "s.html" with key="name" label="Account" cls="num hide" %}', ["Account"]),
        ('{% include "s.html" with key="win" label="win prob." %}', ["win prob."]),
        ('{% include "s.html" with key="name" label=_("Account") cls="num" col="account" %}', []),
    ],
)
def test_the_check_finds_text_people_read(source, found, tmp_path):
    assert [f.text for f in find_untranslated(tmp_path / "t.html", source)] == found


def test_marking_translates_the_labels_given_to_an_include(tmp_path):
    source = '<tr>{% include "s.html" with key="name" label="Account" cls="num" %}</tr>'

    marked = mark(source)

    assert '<tr>{% include "s.html" with key="name" label=_("Account") cls="num" %}</tr>' in marked
    assert find_untranslated(tmp_path / "t.html", marked) == []


def test_marking_wraps_text_and_keeps_the_markup(tmp_path):
    source = (
        '{% extends "base.html" %}\n{% block content %}<h1 title="Your list">Hi, {{ user.first_name }}</h1>'
        "<p>{% if x %}Open{% else %}Closed{% endif %}</p>{% endblock %}"
    )

    marked = mark(source)

    assert marked.startswith('{% extends "base.html" %}\n{% load i18n %}')
    assert '<h1 title="{% translate "Your list" %}">' in marked
    assert "{% blocktranslate with first_name=user.first_name %}Hi, {{ first_name }}{% endblocktranslate %}" in marked
    assert '{% translate "Open" %}{% else %}{% translate "Closed" %}' in marked
    assert find_untranslated(tmp_path / "t.html", marked) == []


def _untranslated(po: Path) -> list[str]:
    out = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    entries = [block for block in (out + "\n\n" + fuzzy).split("\n\n") if "msgid" in block]
    return [e for e in entries if 'msgid ""\nmsgstr ""' not in e or "msgid_plural" in e]


@pytest.mark.skipif(not shutil.which("msgattrib"), reason="needs gettext (apt-get install gettext)")
def test_makemessages_leaves_nothing_untranslated_in_spanish_portuguese_and_romanian(tmp_path):
    """Re-extract every string as CI would; restore the committed catalogues afterwards."""
    files = [LOCALE / lang / "LC_MESSAGES" / f"{domain}.po" for lang in CHECKED for domain in DOMAINS]
    saved = {po: po.read_bytes() for po in files}
    try:
        call_command(
            "makemessages",
            locale=list(CHECKED),
            extensions=["html", "txt", "py"],
            ignore_patterns=[".venv", "staticfiles", "tests", "bench", "static"],
            no_obsolete=True,
            add_location="file",
            verbosity=0,
        )
        call_command(  # the words of static/js (JavaScriptCatalog)
            "makemessages",
            domain="djangojs",
            locale=list(CHECKED),
            ignore_patterns=[".venv", "staticfiles", "tests", "bench", "static/vendor"],
            no_obsolete=True,
            add_location="file",
            verbosity=0,
        )
        missing = {f"{po.parent.parent.name}/{po.name}": _untranslated(po) for po in files}
        check = {
            po.name: subprocess.run(
                ["msgfmt", "--check-format", "-o", "/dev/null", str(po)], capture_output=True, text=True
            )
            for po in files
        }
    finally:
        for po, content in saved.items():
            po.write_bytes(content)

    report = {lang: [e.split("msgid ", 1)[-1][:80] for e in entries][:20] for lang, entries in missing.items()}
    assert all(not entries for entries in missing.values()), f"untranslated (run `make messages`): {report}"
    assert all(r.returncode == 0 for r in check.values()), {name: r.stderr for name, r in check.items()}


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="needs gettext (apt-get install gettext)")
@pytest.mark.parametrize("po", sorted(LOCALE.glob("*/LC_MESSAGES/*.po")), ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_every_catalogue_passes_msgfmts_full_check(po):
    """Every plural message has as many forms as its language's header says: six Spanish ones had two of three,
    so "5 cuentas" read "5 accounts" (gettext falls back to English for a missing form); compilemessages only
    checks the format strings."""
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_spanish_plurals_read_spanish_for_every_count():
    from django.utils import translation
    from django.utils.translation import ngettext

    with translation.override("es"):
        assert [ngettext("%(count)s account", "%(count)s accounts", n) % {"count": n} for n in (1, 2, 5)] == [
            "1 cuenta",
            "2 cuentas",
            "5 cuentas",
        ]
