"""The shared pager is built by a tag (``abe_tags.pager``); its markup is byte for byte what the template it
replaced rendered, for every shape of page (first, middle, last, capped count, empty, one page), with and
without htmx targets, custom page sizes, and in another language."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from abe.paging import BoundedPage

OLD_PAGER = (Path(__file__).parents[1] / "fixtures" / "pager_template_before.html").read_text()


def _bounded(number, per_page, total, capped, rows):
    has_next = capped or number * per_page < total
    return BoundedPage(
        object_list=list(range(rows)),
        number=number,
        per_page=per_page,
        has_next=has_next,
        total=total,
        total_capped=capped,
    )


PAGES = {
    "first of many": lambda: _bounded(1, 25, 1234, False, 25),
    "middle": lambda: _bounded(3, 25, 1234, False, 25),
    "last": lambda: _bounded(50, 25, 1234, False, 9),
    "capped": lambda: _bounded(2, 50, 1000, True, 50),
    "one page": lambda: _bounded(1, 25, 7, False, 7),
    "empty": lambda: _bounded(1, 25, 0, False, 0),
    "django page": lambda: Paginator(list(range(130)), 25).page(2),
}
EXTRA = [
    {},
    {"target": "#board-results", "pager_id": "board-pager"},
    {"target": "#import-report", "select": "#import-report", "page_sizes": "100,500"},
    {"target": '"><x>'},
]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("extra", EXTRA)
@pytest.mark.parametrize("shape", sorted(PAGES))
def test_the_tag_renders_what_the_template_rendered(shape, extra, language):
    request = RequestFactory().get("/accounts/", {"q": "a&b", "sort": "-priority", "page": "3", "per_page": "25"})
    context = {"request": request, "page_obj": PAGES[shape](), **extra}
    with translation.override(language):
        old = Template(OLD_PAGER).render(Context(context))
        new = Template('{% include "includes/pager.html" %}').render(Context(context))

    assert new == old


def test_the_pages_the_pager_links_keep_the_filters():
    request = RequestFactory().get("/accounts/", {"q": "a&b", "page": "2"})
    html = Template('{% include "includes/pager.html" %}').render(
        Context({"request": request, "page_obj": _bounded(2, 25, 100, False, 25)})
    )

    assert 'href="?q=a%26b"' in html and 'href="?q=a%26b&amp;page=3"' in html and "26–50 of 100" in html
