"""Reading an uploaded CSV's lines (``accounts.imports.parsing.read_csv``): universal newlines without copying the
file whole, line numbers for the report, and what a cell may hold."""

from __future__ import annotations

import tracemalloc

import pytest

from accounts.imports import parsing as p
from accounts.imports import services


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_each_kind_of_line_end_is_read_with_its_line_numbers(end):
    # given a file with a quoted cell spanning two lines, a blank line and no line end after the last line
    text = end.join(["name,note", 'Acme,"two', 'lines"', "", "Beta,x\x0cy\u2028z"])

    headers, rows = p.read_csv(text)

    # then a quoted line break reads as a newline inside the cell, a form feed or a Unicode line separator is no
    # line end, and each row keeps the number of the line it starts on
    assert headers == ["name", "note"]
    assert list(rows) == [(2, ["Acme", "two\nlines"]), (5, ["Beta", "x\x0cy\u2028z"])]


def test_an_accounts_file_is_read_without_copying_it_whole():
    # given a 6 MB accounts file with accents and Windows line ends
    lines = ["Account Name,Website,Industry,Billing City,Billing Country,Employees"]
    lines += [f"Société {i},soc{i}.fr,Software,Paris,France,{i % 5000}" for i in range(100_000)]
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")

    # when it is opened and its rows counted, as an upload is
    tracemalloc.start()
    try:
        _, headers, rows = services._read(data)
        count = sum(1 for _ in rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # then it took about twice its size (the decoded text and the decoder's work), not ten times (two copies of
    # the text at four bytes a character: ~2 GB for an upload at the 200 MB limit)
    assert headers[0] == "Account Name" and count == 100_000
    assert peak <= 2.5 * len(data), f"{peak / len(data):.2f} times the file's size"


def _peak(call):
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_mapping_step_keeps_the_first_rows_and_counts_the_stages_without_keeping_every_line():
    # given 3 MB files of accounts and of opportunities
    accounts = "Account Name,Website,Industry\r\n" + "".join(
        f"Société {i},soc{i}.fr,Software\r\n" for i in range(100_000)
    )
    deals = "Opportunity Name,Account Name,Stage,Amount,Close Date\r\n" + "".join(
        f"Deal {i},Société {i},{'Closed Won' if i % 3 else 'Prospecting'},{i},2026-01-01\r\n" for i in range(60_000)
    )

    # when the mapping step previews each (as every view of that page does)
    account_data, deal_data = accounts.encode(), deals.encode()
    account_preview, account_peak = _peak(lambda: services.import_preview(data=account_data, kind="accounts"))
    deal_preview, deal_peak = _peak(lambda: services.import_preview(data=deal_data, kind="opportunities"))

    # then it shows the first rows and every stage with its count, holding about twice the file (it kept a list of
    # every line's cells: eleven to twelve times the file's size)
    assert account_preview["rows"][0] == ["Société 0", "soc0.fr", "Software"] and len(account_preview["rows"]) == 5
    assert [(s["value"], s["count"]) for s in deal_preview["stages"]] == [
        ("Closed Won", 40_000),
        ("Prospecting", 20_000),
    ]
    assert account_peak <= 3 * len(account_data), f"{account_peak / len(account_data):.1f} times"
    assert deal_peak <= 3 * len(deal_data), f"{deal_peak / len(deal_data):.1f} times"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lines", "language", "says"),
    [(1, "en", "1 row of accounts."), (1234, "en", "1,234 rows of accounts."), (2, "ro", "2 rânduri de")],
)
def test_the_mapping_step_counts_the_rows_as_the_other_pages_do(client, admin_user, workspace, lines, language, says):
    from django.core.files.base import ContentFile

    from accounts.models import ImportJob

    job = ImportJob(workspace=workspace, kind="accounts", filename="a.csv", total_rows=lines)
    job.file.save("a.csv", ContentFile(("name\n" + "".join(f"A{i}\n" for i in range(lines))).encode()), save=True)
    client.force_login(admin_user)

    page = client.get(f"/accounts/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    # grouped and singular or plural ("1234 row(s) of accounts." before)
    assert says in page and "row(s)" not in page


@pytest.mark.django_db
def test_an_upload_and_its_mapping_step_decode_the_file_once(client, admin_user, workspace, monkeypatch):
    """Setting the mapping read the stored file again, whole, for its header: an upload of up to 100 MB was decoded
    twice, and the mapping page's post once more after its preview had read it."""
    decoded = []
    real = p.decode
    monkeypatch.setattr(p, "decode", lambda data: decoded.append(len(data)) or real(data))
    data = ("Account Name,Website\n" + "".join(f"A{i},a{i}.example.com\n" for i in range(50))).encode()

    job = services.import_job_create(workspace=workspace, kind="accounts", filename="a.csv", data=data)
    assert len(decoded) == 1 and job.mapping == {"name": "Account Name", "domain": "Website"}

    decoded.clear()
    client.force_login(admin_user)
    response = client.post(f"/accounts/import/{job.pk}/", {"map_name": "Account Name", "map_domain": "Website"})
    assert response.status_code in (200, 302) and len(decoded) == 1
