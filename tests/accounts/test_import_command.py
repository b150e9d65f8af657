"""``manage.py import_csv``: mappings, stages, scales, dry runs, exit codes and the JSON summary on the last line."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import Account, Opportunity

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"
ACCOUNT_ARGS = [
    "--map",
    "name=account",
    "--map",
    "industry=sector",
    "--map",
    "founded_year=year_established",
    "--map",
    "annual_revenue=revenue",
    "--map",
    "employees=employees",
    "--map",
    "country=office_location",
    "--map",
    "parent_name=subsidiary_of",
    "--scale",
    "annual_revenue=1000000",
]
OPPORTUNITY_ARGS = [
    "--map",
    "external_id=opportunity_id",
    "--map",
    "name=product",
    "--map",
    "account_name=account",
    "--map",
    "stage=deal_stage",
    "--map",
    "created_date=engage_date",
    "--map",
    "close_date=close_date",
    "--map",
    "amount=close_value",
    "--stage",
    "Engaging=open",
]


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_csv", *[str(a) for a in args], stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    last = out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else ""
    return code, (json.loads(last) if last.startswith("{") else None), err.getvalue()


def test_third_party_files_with_a_mapping_exit_0_then_1_when_rows_are_rejected(workspace):
    code, summary, err = _run("accounts", FIXTURES / "accounts.csv", "--workspace", workspace.slug, *ACCOUNT_ARGS)
    code_o, summary_o, err_o = _run(
        "opportunities", FIXTURES / "opportunities.csv", "--workspace", workspace.slug, *OPPORTUNITY_ARGS
    )

    assert code == 0
    assert summary == {
        "kind": "accounts",
        "preset": "",
        "rows": 18,
        "created": 17,
        "updated": 0,
        "unchanged": 1,
        "rejected": 0,
        "warned": 4,
        "duplicates": 1,
        "dry_run": False,
    }
    assert "line 13: warning: Unknown country “Atlantis”: left blank" in err
    assert code_o == 1
    assert (summary_o["created"], summary_o["rejected"], summary_o["rows"]) == (13, 4, 18)
    assert "line 7: rejected: No account named “Ron-tech”" in err_o
    assert Account.objects.for_workspace(workspace).get(name="Acme Corporation").annual_revenue == 1100040000
    assert Account.objects.for_workspace(workspace).filter(lifecycle="customer").count() == 6


def test_dry_run_reports_and_writes_nothing(workspace):
    code, summary, _ = _run(
        "accounts", FIXTURES / "accounts.csv", "--workspace", workspace.slug, *ACCOUNT_ARGS, "--dry-run"
    )

    assert (code, summary["created"], summary["dry_run"]) == (0, 17, True)
    assert not Account.objects.for_workspace(workspace).exists()


def test_a_wrong_preset_rejects_every_row_and_exits_1(workspace):
    code, summary, _ = _run(
        "opportunities",
        FIXTURES / "opportunities.csv",
        "--workspace",
        workspace.slug,
        "--preset",
        "hubspot",
        "--map",
        "name=product",
    )

    assert code == 1 and summary["rejected"] == 18 and summary["created"] == 0
    assert not Opportunity.objects.for_workspace(workspace).exists()


@pytest.mark.parametrize(
    "name, extra, message",
    [
        ("binary.csv", [], "This file is not a CSV: it looks like a PNG image."),
        ("empty.csv", [], "The file is empty."),
        ("header_only.csv", [], "The file has a header row but no data rows."),
        ("missing.csv", [], "No such file"),
        ("accounts.csv", [], "No preset matches these columns; pass --preset NAME or --map FIELD=COLUMN."),
        ("accounts.csv", ["--map", "name"], "--map takes KEY=VALUE, not “name”."),
        ("accounts.csv", ["--map", "name=nope"], "The file has no column “nope”."),
        ("accounts.csv", ["--map", "name=account", "--scale", "name=10"], "“name” cannot be scaled"),
        ("accounts.csv", ["--map", "name=account", "--scale", "employees=lots"], "“lots” is not a number"),
        ("opportunities.csv", ["--map", "name=product", "--stage", "Won=maybe"], "choose open, won or lost"),
    ],
)
def test_unreadable_files_and_bad_options_exit_2_with_one_clear_line(workspace, name, extra, message):
    code, summary, err = _run(
        "opportunities" if "opportunities" in name else "accounts",
        FIXTURES / name,
        "--workspace",
        workspace.slug,
        *extra,
    )

    assert code == 2 and summary is None
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unknown_workspace_exits_2(workspace):
    code, _, err = _run("accounts", FIXTURES / "accounts.csv", "--workspace", "nope")

    assert code == 2 and "No workspace with the slug “nope”." in err


def test_a_mapping_error_reads_in_the_callers_language(marketing_api):
    """The API's mapping errors were English f-strings whatever the Accept-Language."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def errors(mapping):
        upload = SimpleUploadedFile("a.csv", b"Company,City\nAcme,Paris\n", content_type="text/csv")
        response = marketing_api.post(
            "/api/v1/import-jobs/",
            {"kind": "accounts", "file": upload, "mapping": mapping},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="es",
        )
        assert response.status_code == 400, response.content
        return response.json()["mapping"]

    assert errors('{"name": "Nope"}') == ["El archivo no tiene la columna «Nope»."]
    assert errors('{"city": "City"}')[0].startswith("Asigna al menos uno de: name, external_id, domain")
