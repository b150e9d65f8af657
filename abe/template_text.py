"""Find (and mark) user-facing text in templates that is outside the translation system.

A template's words reach people as text between HTML tags, as the values of the attributes people read or
hear (``title``, ``placeholder``, ``aria-label``, ``alt``, a button's ``value``) and as the strings of
``confirm('…')`` dialogs. Each of those must come from ``{% translate %}`` or ``{% blocktranslate %}``; the
check (``find_untranslated``) lists the ones that do not, and ``mark`` rewrites a template so that they do,
touching nothing but those strings (``python manage.py templates_i18n --mark``).

Django's lexer splits the source; each tag or variable becomes one private-use character, the HTML parser then
sees plain HTML, and positions map back to the source.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import DebugLexer, TokenType

READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description", "data-confirm"}
BUTTON_VALUE_TYPES = {"submit", "button", "reset"}
SKIP_ELEMENTS = {"script", "style", "code", "pre"}
# Words that are the same in every language: the product's name and mark, and symbols.
ALLOWED = {"ABE Portal", "AB", "ABE", "OK", "CSV", "API", "URL", "HMAC-SHA256", "JSON", "UTC", "ID", "htmx", "x", "×"}
LETTER = re.compile(r"[^\W\d_]")
PLACEHOLDER_BASE = 0xE000
CONFIRM = re.compile(r"confirm\((['\"])(.+?)\1\)")


@dataclass
class _Token:
    kind: TokenType
    start: int
    end: int
    contents: str


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str
    where: str  # "text", "attribute title", "confirm"


@dataclass
class _Flat:
    text: str  # the template with each tag/variable as one placeholder character
    starts: list[int]  # source offset where each character of ``text`` starts
    ends: list[int]  # ... and ends
    tokens: dict[str, _Token]  # placeholder character -> its token


def _flatten(source: str) -> _Flat:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    placeholders: dict[str, _Token] = {}
    skip_depth = 0  # inside {% blocktranslate %}, {% comment %}, {% verbatim %}: already handled or not shown
    for index, raw in enumerate(DebugLexer(source).tokenize()):
        if raw.position is None:
            continue
        token = _Token(raw.token_type, raw.position[0], raw.position[1], raw.contents)
        words = token.contents.split()
        name = words[0] if token.kind == TokenType.BLOCK and words else ""
        if name in ("blocktranslate", "blocktrans", "comment", "verbatim"):
            skip_depth += 1
        elif name in ("endblocktranslate", "endblocktrans", "endcomment", "endverbatim"):
            skip_depth = max(0, skip_depth - 1)
        if token.kind == TokenType.TEXT and skip_depth == 0:
            chars.append(source[token.start : token.end])
            starts.extend(range(token.start, token.end))
            ends.extend(range(token.start + 1, token.end + 1))
        else:
            mark = chr(PLACEHOLDER_BASE + index % 6000)
            placeholders[mark] = token
            chars.append(mark)
            starts.append(token.start)
            ends.append(token.end)
    return _Flat("".join(chars), starts, ends, placeholders)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[int, int, str]] = []  # (line, col, text) in the flattened source
        self.attrs_found: list[tuple[int, str, str]] = []  # (line, attribute, value)
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_ELEMENTS:
            self._skip += 1
        line = self.getpos()[0]
        values = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and (values.get("type") or "") in BUTTON_VALUE_TYPES
            ):
                self.attrs_found.append((line, f"attribute {name}", value))
            elif name.startswith("on"):
                for match in CONFIRM.finditer(value):
                    self.attrs_found.append((line, "confirm", match.group(2)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in SKIP_ELEMENTS:
            self._skip -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_ELEMENTS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            line, col = self.getpos()
            self.found.append((line, col, data))


def _is_text(value: str) -> bool:
    plain = "".join(ch for ch in html.unescape(value) if not PLACEHOLDER_BASE <= ord(ch) < PLACEHOLDER_BASE + 6000)
    plain = " ".join(plain.split())
    if not LETTER.search(plain) or re.fullmatch(r"[\w.:-]*/[\w./:?=&-]*", plain):
        return False  # no words, or a path or address
    return plain.strip(" .:·—-/()+*") not in ALLOWED


def _is_placeholder(ch: str) -> bool:
    return PLACEHOLDER_BASE <= ord(ch) < PLACEHOLDER_BASE + 6000


def _scan(source: str) -> tuple[_Flat, _Collector]:
    flat = _flatten(source)
    collector = _Collector()
    collector.feed(flat.text)
    collector.close()
    return flat, collector


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _pieces(flat: _Flat, start: int, data: str) -> Iterator[tuple[int, int]]:
    """Spans (in ``flat.text``) of a text node split at template tags, whitespace trimmed, variables kept."""
    piece_start = start
    for i, ch in enumerate(data + "\x00"):
        here = start + i
        token = flat.tokens.get(ch)
        if ch == "\x00" or (token is not None and token.kind != TokenType.VAR):
            a, b = piece_start, here
            while a < b and flat.text[a].isspace():
                a += 1
            while b > a and flat.text[b - 1].isspace():
                b -= 1
            if a < b:
                yield a, b
            piece_start = here + 1


def find_untranslated(path: Path, source: str | None = None) -> list[Finding]:
    source = path.read_text() if source is None else source
    flat, collector = _scan(source)
    offsets = _line_offsets(flat.text)
    findings = []
    for line, col, data in collector.found:
        for a, b in _pieces(flat, offsets[line - 1] + col, data):
            if _is_text(flat.text[a:b]):
                source_line = source.count("\n", 0, flat.starts[a]) + 1
                findings.append(Finding(str(path), source_line, _readable(flat.text[a:b]), "text"))
    for line, where, value in collector.attrs_found:
        if _is_text(value):
            findings.append(Finding(str(path), line, _readable(value), where))
    for match in DEFAULT_LITERAL.finditer(source):
        findings.append(Finding(str(path), source.count("\n", 0, match.start()) + 1, match.group(1), "default"))
    for match in _include_literals(source):
        line = source.count("\n", 0, match.start()) + 1
        findings.append(Finding(str(path), line, match.group("value"), f"include {match.group('name')}"))
    return findings


# {% include "x.html" with label="Account" %} shows words; label=_("Account") translates them. Keys, classes and
# column names (lower-case: key="name" cls="num hide-tablet") are not text, unless passed as a label or title.
TEXT_ARGUMENTS = {"label", "title", "text", "heading", "help", "help_text", "placeholder", "empty", "message"}
INCLUDE_TAG = re.compile(r"{%\s*include\s[^%]*%}")
INCLUDE_LITERAL = re.compile(r'(?<=\s)(?P<name>\w+)="(?P<value>[^"]*)"')


def _include_literals(source: str) -> Iterator[re.Match[str]]:
    for tag in INCLUDE_TAG.finditer(source):
        for match in INCLUDE_LITERAL.finditer(source, tag.start(), tag.end()):
            value = match.group("value")
            if LETTER.search(value) and (value != value.lower() or match.group("name") in TEXT_ARGUMENTS):
                yield match


# {{ value|default:"never" }} shows words; {{ value|default:_("never") }} translates them.
DEFAULT_LITERAL = re.compile(r'\|default:"([^"]*[^\W\d_][^"]*)"')


ATTRIBUTE = re.compile(
    r'(?P<name>title|placeholder|aria-label|alt|data-confirm)="(?P<value>(?:[^"{}<>]|{{[^{}%]*}})*)"'
)
CONFIRM_SOURCE = re.compile(r"confirm\('(?P<value>(?:[^'{}]|{{[^{}%]*}})*)'\)")


def _alias(expression: str, taken: set[str]) -> str:
    base = expression.split("|")[0].split(".")[-1]
    base = re.sub(r"\W+", "_", base).strip("_") or "value"
    if base[0].isdigit():
        base = "v_" + base
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name


def _translated(flat: _Flat, source: str, a: int, b: int) -> str:
    """The template source of flat span [a, b) as a {% translate %} or {% blocktranslate %} tag."""
    parts: list[str] = []
    aliases: list[str] = []
    taken: set[str] = set()
    for i in range(a, b):
        ch = flat.text[i]
        token = flat.tokens.get(ch)
        if token is None:
            parts.append(ch)
            continue
        expression = token.contents.strip()
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", expression) and expression not in taken:
            taken.add(expression)
            parts.append("{{ " + expression + " }}")
        else:
            name = _alias(expression, taken)
            aliases.append(f"{name}={expression}")
            parts.append("{{ " + name + " }}")
    text = " ".join("".join(parts).split())
    has_vars = any(flat.tokens.get(flat.text[i]) for i in range(a, b))
    if not has_vars and '"' not in text:
        return '{% translate "' + text + '" %}'
    with_part = (" with " + " ".join(aliases)) if aliases else ""
    return "{% blocktranslate" + with_part + " %}" + text + "{% endblocktranslate %}"


def mark(source: str) -> str:
    """The template with its untranslated text nodes and read attributes wrapped in translation tags."""
    flat, collector = _scan(source)
    offsets = _line_offsets(flat.text)
    edits: list[tuple[int, int, str]] = []
    for line, col, data in collector.found:
        for a, b in _pieces(flat, offsets[line - 1] + col, data):
            if _is_text(flat.text[a:b]):
                edits.append((flat.starts[a], flat.ends[b - 1], _translated(flat, source, a, b)))
    out = source
    for start, end, replacement in sorted(edits, reverse=True):
        out = out[:start] + replacement + out[end:]

    def wrapped(value: str) -> str | None:
        inner = _flatten(value)
        if not _is_text(inner.text):
            return None
        return _translated(inner, value, 0, len(inner.text))

    def attribute(match: re.Match[str]) -> str:
        replacement = wrapped(match.group("value"))
        return match.group(0) if replacement is None else f'{match.group("name")}="{replacement}"'

    def confirm(match: re.Match[str]) -> str:
        replacement = wrapped(match.group("value"))
        return match.group(0) if replacement is None else f"confirm('{replacement}')"

    out = ATTRIBUTE.sub(attribute, out)
    for match in sorted(_include_literals(out), key=lambda m: m.start(), reverse=True):
        value = match.group("value").replace('"', "'")
        out = out[: match.start()] + f'{match.group("name")}=_("{value}")' + out[match.end() :]
    out = CONFIRM_SOURCE.sub(confirm, out)
    if out != source and "{% load" in out and not re.search(r"{% load [^%]*\bi18n\b", out):
        out = re.sub(r"{% load ([^%]*?) ?%}", r"{% load \1 i18n %}", out, count=1)
    elif out != source and "{% load" not in out:
        lines = out.split("\n", 1)
        if lines[0].startswith("{% extends"):
            out = lines[0] + "\n{% load i18n %}" + ("\n" + lines[1] if len(lines) > 1 else "")
        else:
            out = "{% load i18n %}" + out
    return out


def _readable(text: str) -> str:
    return " ".join(re.sub(f"[{chr(PLACEHOLDER_BASE)}-{chr(PLACEHOLDER_BASE + 5999)}]", "{…}", text).split())[:80]


def template_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".html", ".txt") and p.is_file())
