"""``AccountFilterSet`` and the inbox filter copy their filters shallowly and reuse one form class per language
(``abe.filtersets.SharedFormFilterSet``): what each filter set reads must still be
its own (its workspace's accounts for ``parent``, its user for ``owner=me``), whatever filter set came first."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.utils import translation

from accounts.filters import AccountFilterSet
from accounts.models import Account
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _filtered(workspace, query: str, user=None) -> AccountFilterSet:
    return AccountFilterSet(QueryDict(query), Account.objects.for_workspace(workspace), workspace=workspace, user=user)


def test_the_parent_filter_knows_only_its_own_workspace_whichever_came_first(workspace, other_workspace):
    mine = AccountFactory(workspace=workspace, name="Mine")
    child = AccountFactory(workspace=workspace, name="Child", parent=mine)
    theirs = AccountFactory(workspace=other_workspace, name="Theirs")
    AccountFactory(workspace=other_workspace, name="Their child", parent=theirs)

    first = _filtered(workspace, f"parent={mine.pk}")
    assert first.is_valid() and list(first.qs) == [child]

    elsewhere = _filtered(other_workspace, f"parent={mine.pk}")
    assert not elsewhere.is_valid() and "parent" in elsewhere.errors
    assert "parent" in elsewhere.ignored

    again = _filtered(workspace, f"parent={theirs.pk}")
    assert not again.is_valid() and "parent" in again.errors
    assert type(first.form) is type(elsewhere.form) is type(again.form)


def test_method_filters_read_their_own_filter_set(workspace, admin_user, sales_user):
    AccountFactory(workspace=workspace, name="Admin's", owner=admin_user)
    AccountFactory(workspace=workspace, name="Sales'", owner=sales_user)

    for_admin = _filtered(workspace, "owner=me", user=admin_user)
    for_sales = _filtered(workspace, "owner=me", user=sales_user)

    assert [a.name for a in for_sales.qs] == ["Sales'"]
    assert [a.name for a in for_admin.qs] == ["Admin's"]


def test_the_shared_filters_and_form_class_are_left_as_they_were(workspace):
    AccountFactory(workspace=workspace, name="One")
    base = AccountFilterSet.base_filters
    base_queryset = base["parent"].queryset

    filterset = _filtered(workspace, "q=one&sort=-name")
    assert [a.name for a in filterset.qs] == ["One"]

    assert base["parent"].queryset is base_queryset and "parent" not in base["q"].__dict__
    assert all(f.parent is filterset for f in filterset.filters.values())
    assert not any(f is base[name] for name, f in filterset.filters.items())
    form_class = type(filterset.form)
    assert list(form_class.base_fields["parent"].queryset) == []


def test_one_form_class_per_language(workspace):
    with translation.override("en"):
        english = type(_filtered(workspace, "").form)
    with translation.override("es"):
        spanish = type(_filtered(workspace, "").form)
    with translation.override("en"):
        assert type(_filtered(workspace, "").form) is english
    assert spanish is not english


def test_the_inbox_filter_knows_only_its_own_workspace_rules_whichever_came_first(workspace, other_workspace):
    from activation.filters import InboxFilterSet
    from activation.models import Alert
    from tests.factories import RuleFactory

    mine, theirs = RuleFactory(workspace=workspace), RuleFactory(workspace=other_workspace)

    def inbox(ws, rule):
        return InboxFilterSet(QueryDict(f"rule={rule.pk}"), Alert.objects.for_workspace(ws), workspace=ws)

    assert inbox(workspace, mine).is_valid()
    assert not inbox(other_workspace, mine).is_valid()
    assert inbox(other_workspace, theirs).is_valid()
    assert not inbox(workspace, theirs).is_valid()
    assert type(inbox(workspace, mine).form) is type(inbox(other_workspace, theirs).form)
