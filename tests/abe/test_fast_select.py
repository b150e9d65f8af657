"""``abe.forms.FastSelect`` renders exactly what Django's template-based ``Select`` renders (same options,
selection, attributes and escaping), without a template per option."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from abe.forms import FastSelect

CHOICES = [("", "Any country"), ("US", "United States"), ("FR", 'France <&> "Outre-mer"'), (3, "Three")]


@pytest.mark.parametrize("value", [None, "", "FR", "3", 3])
def test_the_markup_equals_djangos_select(value):
    attrs = {"id": "id_country", "class": "wide", "data-x": 'a"b'}

    fast = FastSelect(choices=CHOICES).render("country", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("country", value, attrs=attrs)

    assert parse_html(fast) == parse_html(django)
    assert "<&>" not in fast


def test_groups_render_as_optgroups():
    choices = [("Europe", [("FR", "France"), ("DE", "Germany")]), ("US", "United States")]

    fast = FastSelect(choices=choices).render("country", "DE")
    django = forms.Select(choices=choices).render("country", "DE")

    assert parse_html(fast) == parse_html(django)


def test_the_board_and_list_filters_use_it(admin_client, workspace):
    for url in ("/accounts/", "/accounts/tiers/"):
        form = admin_client.get(url + "?country=US").context["form"]
        assert isinstance(form.fields["country"].widget, FastSelect)
