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


@pytest.mark.parametrize("value", [None, "", "x", "y"])
def test_only_the_first_matching_option_is_selected_and_none_is_empty(value):
    from django.utils.translation import gettext_lazy

    choices = [(None, gettext_lazy("Any")), ("x", "First x"), ("x", "Second x"), ("G", [("y", "Y"), ("x", "Third x")])]

    fast = FastSelect(choices=choices).render("pick", value, attrs={"id": "id_pick", "required": True})
    django = forms.Select(choices=choices).render("pick", value, attrs={"id": "id_pick", "required": True})

    assert parse_html(fast) == parse_html(django)
    assert fast.count(" selected") == 1  # None and "" select the empty choice, "x" only its first option


def test_a_multiple_select_keeps_djangos_walk():
    class FastMultiple(FastSelect):
        allow_multiple_selected = True

    fast = FastMultiple(choices=CHOICES).render("countries", ["US", "FR"])
    django = forms.SelectMultiple(choices=CHOICES).render("countries", ["US", "FR"])

    assert parse_html(fast) == parse_html(django)
