"""Reading a line's cells (``_clean`` over the run's cell plan) and the per-line shortcuts of the account engine:
the same values, warnings and rejections as calling each cell's parser."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from abe.texts import english
from accounts.imports import parsing as p
from accounts.imports import services as imports
from accounts.normalise import normalise_name

TARGETS = [
    "external_id",
    "name",
    "domain",
    "industry",
    "country",
    "region",
    "city",
    "employees",
    "annual_revenue",
    "trigger_event",
]


def _plan(scales: dict[str, float] | None = None) -> list[imports.CellPlan]:
    parsers = imports._parsers("accounts")
    positions = {target: i for i, target in enumerate(TARGETS)}
    return imports._cell_plan(parsers, positions, imports.OPTIONAL["accounts"], scales or {})


def _by_each_parser(cells: list[str]) -> dict[str, object]:
    """What each cell's own parser makes of it (empty cells and empty results left out)."""
    parsers = imports._parsers("accounts")
    out = {}
    for target, cell in zip(TARGETS, cells, strict=False):
        if cell.strip():
            value = parsers[target](cell)
            if value not in (None, "", []):
                out[target] = value
    return out


def test_text_cells_are_stripped_and_cut_to_their_column_like_their_parser():
    long_name = "  " + "N" * 300 + " "
    cells = ["  A-1 ", long_name, "https://www.acme.test/", "\tSoftware ", "Germany", " ", "Berlin", "1,200"]

    values = imports._clean(_plan(), cells, [])

    assert values == _by_each_parser(cells)
    assert (values["external_id"], len(values["name"]), values["industry"]) == ("A-1", 255, "Software")
    assert "region" not in values and "annual_revenue" not in values  # blank, and past the end of a short line
    assert values["employees"] == 1200 and values["country"] == "DE"


def test_a_bad_optional_cell_warns_and_a_bad_required_one_rejects():
    warnings: list[str] = []

    values = imports._clean(_plan(), ["A-2", "Acme", "", "", "Atlantis", "", "", "many"], warnings)

    assert "country" not in values and "employees" not in values
    assert [english(w) for w in warnings] == [
        "Unknown country “Atlantis”: left blank",
        "Employees “many” is not a number: left blank",
    ]
    with pytest.raises(p.CellError):
        imports._clean(_plan(), ["A-3", "Acme", "not a website"], [])


def test_scaled_cells_are_scaled_after_parsing():
    values = imports._clean(_plan({"annual_revenue": 1000.0, "employees": 0.5}), ["", "Acme", *[""] * 5, "7", "1.5"])

    assert values == {"name": "Acme", "employees": 4, "annual_revenue": Decimal("1500.00")}


def test_the_name_key_is_the_normalised_name_of_each_name_asked(workspace):
    upserter = imports.AccountUpserter(workspace, imports.ImportResult(), None)
    names = ["Acme, Inc.", "Acme, Inc.", "Café & Co", "ACME INC", "", "Café & Co"]

    keys = [upserter.name_key(name) for name in names]

    assert keys == [normalise_name(name) for name in names]


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("Ines.Costa@Brisa.pt", "ines.costa@brisa.pt"),
        ("a@x.com, b@y.com", "a@x.com"),
        ("a@x.com;b@y.com", "a@x.com"),
        (" a@x.com ; b@y.com ;", "a@x.com"),
        ("", ""),
    ],
)
def test_an_email_cell_gives_one_address(cell, expected):
    assert p.email(cell) == expected


@pytest.mark.parametrize("cell", ["a@x.com, not an email", "a@x.com, b", "not-an-email", ",", "a@x.com b@y.com"])
def test_an_email_cell_that_is_not_a_list_of_addresses_is_refused(cell):
    with pytest.raises(p.CellError):
        p.email(cell)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2026-01-02", date(2026, 1, 2)),
        ("2026-01-02 10:00", date(2026, 1, 2)),
        ("2026-01-02T10:00:00Z", date(2026, 1, 2)),
        ("6/12/2026", date(2026, 6, 12)),
        ("10/1/2026 9:15 AM", date(2026, 10, 1)),  # Microsoft Dynamics 365's "Created On"
        ("11/2/2025 10:03:45 PM", date(2025, 11, 2)),
        ("1/15/2026, 9:15 AM", date(2026, 1, 15)),  # a Salesforce report's date-time column
        ("1/15/2026 9:15 AM PST", date(2026, 1, 15)),
        ("12/31/2026 11:59 p.m.", date(2026, 12, 31)),
        ("31/12/2026 23:59", date(2026, 12, 31)),
        ("15.01.2026 09:15:30", date(2026, 1, 15)),
    ],
)
def test_a_date_cell_gives_its_day_with_or_without_a_time(cell, expected):
    assert p.day(cell, "Created date") == expected


@pytest.mark.parametrize("cell", ["tomorrow 9:15", "2026-13-45", "9:15 AM", "1/15/2026 25:99 XM"])
def test_a_cell_that_is_not_a_date_is_refused_with_what_it_holds(cell):
    with pytest.raises(p.CellError) as refused:
        p.day(cell, "Created date")
    assert f"“{cell}”" in english(refused.value.text)
