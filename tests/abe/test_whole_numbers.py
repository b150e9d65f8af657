"""Numbers typed into query strings and forms: ``str.isdigit`` also accepts digits such as "²" (superscript two),
which ``int()`` refuses, so ``?page=²`` was a server error on every list, as were the same characters in the play
enrolment ids, the workspace switch, the committee heatmap's owner and the API's ``owner``, ``last``, ``asset`` and
``contact`` parameters. Each is now the same answer as any other value that is not a whole number."""

from __future__ import annotations

import pytest

from abe.paging import whole_number
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "\u00b2"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        ("0", 0),
        ("007", 7),
        ("9" * 18, int("9" * 18)),
        ("9" * 19, None),  # past a PostgreSQL bigint
        (SUPERSCRIPT_TWO, None),
        ("\u0661\u0662", None),  # Arabic-Indic twelve: int() reads it, the portal's ids are ASCII
        ("-1", None),
        ("1.5", None),
        (" 1", None),
        ("", None),
        (None, None),
    ],
)
def test_whole_number(raw, expected):
    assert whole_number(raw) == expected


@pytest.mark.parametrize(
    "path",
    [
        f"/accounts/?page={SUPERSCRIPT_TWO}",
        f"/accounts/?per_page={SUPERSCRIPT_TWO}",
        f"/alerts/?rule={SUPERSCRIPT_TWO}&page={SUPERSCRIPT_TWO}",
        f"/content/committees/?owner={SUPERSCRIPT_TWO}&view={SUPERSCRIPT_TWO}",
        f"/content/committees/won-lost/?n={SUPERSCRIPT_TWO}",
        f"/content/outreach/compose/?contact={SUPERSCRIPT_TWO}",
    ],
)
def test_pages_read_a_superscript_digit_as_no_number(admin_client, path):
    assert admin_client.get(path).status_code in (200, 404)


def test_a_page_number_in_superscript_is_named_as_ignored(admin_client, workspace):
    AccountFactory(workspace=workspace)

    page = admin_client.get(f"/accounts/?page={SUPERSCRIPT_TWO}")

    assert page.status_code == 200
    assert f"page={SUPERSCRIPT_TWO}" in page.content.decode()


def test_the_workspace_switch_reads_a_superscript_digit_as_no_workspace(admin_client):
    assert admin_client.post("/workspace/switch/", {"workspace": SUPERSCRIPT_TWO}).status_code == 404


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/api/v1/committee-coverage/?owner={SUPERSCRIPT_TWO}", "owner"),
        (f"/api/v1/committee-analysis/won-lost/?last={SUPERSCRIPT_TWO}", "last"),
        (f"/api/v1/content-performance/?asset={SUPERSCRIPT_TWO}", "asset"),
    ],
)
def test_the_api_refuses_a_superscript_digit_as_it_refuses_any_other_non_number(admin_api, path, field):
    answer = admin_api.get(path)

    assert answer.status_code == 400
    assert field in answer.json()


def test_next_best_content_refuses_a_superscript_contact(admin_api, workspace):
    account = AccountFactory(workspace=workspace)
    ContactFactory(account=account)

    answer = admin_api.get(f"/api/v1/accounts/{account.pk}/next-best-content/?contact={SUPERSCRIPT_TWO}")

    assert answer.status_code == 400
    assert "contact" in answer.json()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=--5", "page_size"),
        ("page_size=-", "page_size"),
        ("owner=--5", "owner"),
        ("owner=-", "owner"),
    ],
)
def test_the_api_refuses_a_doubled_sign(admin_api, query, field):
    answer = admin_api.get(f"/api/v1/accounts/?{query}")

    # a 400 on the parameter ("--5" passed the digit check after its minus signs were stripped, then int() refused
    # it: a server error)
    assert answer.status_code == 400, answer.content
    assert field in answer.json()
