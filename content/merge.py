"""Logic-free merge fields for outreach templates: ``{{ contact.first_name }}`` and nothing else.

Safety by construction, not by sandboxing a general template engine:

- the only syntax is ``{{ group.field }}`` from the fixed list ``FIELDS``; anything else that looks like
  template syntax (``{%``, ``{#``, filters, calls, indexes, dunder names) is an error when the template is
  saved, so a template that renders was checked in full;
- values come from a plain ``dict[str, str]`` built by :func:`merge_values` from explicit fields, never from
  attribute lookups driven by the template text, so no object, method or attribute is reachable;
- substitution is a single pass: a value that itself contains ``{{ ... }}`` is inserted as text, never
  expanded; output is plain text (HTML pages escape it when showing it; ``mailto:`` links URL-encode it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FIELDS: dict[str, Any] = {  # what each field holds, lazily translated
    "contact.first_name": _("The contact's first name"),
    "contact.last_name": _("The contact's last name"),
    "contact.full_name": _("The contact's full name"),
    "contact.title": _("The contact's job title"),
    "account.name": _("The account's name"),
    "account.industry": _("The account's industry"),
    "account.city": _("The account's city"),
    "persona.name": _("The contact's persona"),
    "persona.challenge": _("The persona's first listed challenge"),
    "persona.goal": _("The persona's first listed goal"),
    "owner.first_name": _("The account owner's first name"),
    "owner.full_name": _("The account owner's full name"),
    "owner.email": _("The account owner's email"),
    "similar.name": _("The nearest won customer (same industry, closest size)"),
    "similar.industry": _("That customer's industry"),
    "similar.result": _("The result that customer achieved (written by the team on the customer's account)"),
}

FIELD_RE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
# Anything that opens template syntax; checked after removing the valid fields.
SYNTAX_RE = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


class MergeError(ValueError):
    pass


def merge_check(text: str) -> list[str]:
    """The fields a text uses; raises :class:`MergeError` naming every unknown field or bad piece of syntax."""
    used, problems = [], []
    for match in re.finditer(r"\{\{(.*?)\}\}", text, flags=re.S):
        name = match.group(1).strip()
        if FIELD_RE.fullmatch(match.group(0)) and name in FIELDS:
            used.append(name)
        else:
            problems.append(gettext("unknown merge field “%(field)s”") % {"field": "{{ " + name + " }}"})
    rest = re.sub(r"\{\{(.*?)\}\}", "", text, flags=re.S)
    if SYNTAX_RE.search(rest):
        problems.append(gettext("template logic ({%% … %%}, {# … #} or an unclosed {{ ) is not allowed") % {})
    if problems:
        raise MergeError(
            gettext("%(problems)s. Available fields: %(fields)s.")
            % {"problems": "; ".join(problems), "fields": ", ".join(FIELDS)}
        )
    return used


def merge_render(text: str, values: Mapping[str, str]) -> str:
    """Fill the fields in one pass; the text must have passed :func:`merge_check`."""
    merge_check(text)
    return FIELD_RE.sub(lambda m: str(values.get(m.group(1), "")), text)


def first_item(text: str) -> str:
    """The first line (bullet marks removed) of a free-text list such as a persona's challenges."""
    for line in (text or "").splitlines():
        line = line.strip().lstrip("-*•").strip().rstrip(".;")
        if line:
            return line if line[:2].isupper() else line[:1].lower() + line[1:]
    return ""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    empty_fields: list[str]
