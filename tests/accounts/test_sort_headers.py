"""The sortable column headers of the accounts list and the tier board (``abe_tags.sort_th``): each links to the
same filters sorted by its column (toggling the direction when already sorted by it), back on page 1, through
htmx into the list's results, and the sorted column is marked with its direction."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.test.html import parse_html

from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _header(html: str, label: str) -> str:
    match = re.search(r'<th class="[^"]*"(?: data-col="[^"]*")?><a [^>]*>' + re.escape(label) + r"[^<]*</a></th>", html)
    assert match, f"no header {label!r}"
    return match.group(0)


def test_the_board_marks_its_sort_and_links_each_header_to_its_own(admin_client, workspace):
    AccountFactory(workspace=workspace)

    html = admin_client.get("/accounts/tiers/?sort=-priority&tier=strategic&page=2").content.decode()

    priority = _header(html, "Priority")
    assert parse_html(priority) == parse_html(
        '<th class="num" data-col="priority"><a href="?sort=priority&amp;tier=strategic"'
        ' hx-get="?sort=priority&amp;tier=strategic" hx-target="#board-results" hx-push-url="true"'
        ' class="sorted">Priority\u00a0↓</a></th>'
    )
    account = _header(html, "Account")
    assert 'href="?sort=name&amp;tier=strategic"' in account and 'class=""' in account and "↑" not in account
    assert 'data-col="account"' in account


def test_the_list_toggles_an_ascending_sort_and_targets_its_results(admin_client, workspace):
    AccountFactory(workspace=workspace)

    html = admin_client.get("/accounts/?sort=country&q=acme").content.decode()

    country = _header(html, "Country")
    assert parse_html(country) == parse_html(
        '<th class=""><a href="?sort=-country&amp;q=acme" hx-get="?sort=-country&amp;q=acme"'
        ' hx-target="#account-results" hx-push-url="true" class="sorted">Country\u00a0↑</a></th>'
    )
    assert 'class="num hide-tablet"' in _header(html, "Revenue")


def test_labels_and_queries_are_escaped():
    request = RequestFactory().get("/accounts/", {"q": '"><script>', "sort": "name"})
    template = Template('{% load abe_tags %}{% sort_th "name" label "#x" cls=cls %}')

    html = template.render(Context({"request": request, "sort": "name", "label": "<b>A&B</b>", "cls": '"x'}))

    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;\u00a0↑" in html
    assert 'class="&quot;x"' in html
