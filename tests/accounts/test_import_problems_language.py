"""An import's problems read in the reader's language (the page and the problems download), while the API keeps
the English ``reason`` it always had: the problems are stored as message keys beside the English."""

from __future__ import annotations

import csv
import io

import pytest

from accounts.imports.services import import_job_create, import_job_step
from accounts.models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db

CSV = (
    "Account Name,Website,Employees,Billing Country,Parent Account\n"
    # two optional cells left blank: one warning line, two parts, in the file's column order on every database
    # (PostgreSQL's jsonb gave the stored mapping's keys back by length: country first)
    "Acme,acme.example,many,Atlantis,\n"
    ",nameless.example,10,France,\n"  # a new account without a name: rejected
    "Beta,beta.example,20,France,Nowhere Ltd\n"  # a parent that is not in the file or the workspace
)
MAPPING = {
    "name": "Account Name",
    "domain": "Website",
    "employees": "Employees",
    "country": "Billing Country",
    "parent_name": "Parent Account",
}


@pytest.fixture
def job(workspace):
    job = import_job_create(
        workspace=workspace, kind="accounts", filename="crm.csv", data=CSV.encode(), mapping=MAPPING
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    while import_job_step(job_id=job.pk, deadline=None):
        pass
    job.refresh_from_db()
    assert (job.created, job.rejected, job.warned) == (2, 1, 2)
    return job


ENGLISH = [
    (2, "warning", "Employees “many” is not a number: left blank; Unknown country “Atlantis”: left blank"),
    (3, "rejected", "A new account needs a name"),
    (4, "warning", "No parent account “Nowhere Ltd”: parent left blank"),
]
SPANISH = [
    "Empleados «many» no es un número: se deja en blanco; País desconocido «Atlantis»: se deja en blanco",
    "Una cuenta nueva necesita un nombre",
    "No hay ninguna cuenta matriz «Nowhere Ltd»: la matriz se deja en blanco",
]


def test_the_report_page_shows_each_problem_in_the_readers_language(client, admin_user, job):
    client.force_login(admin_user)
    page = client.get(f"/accounts/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for text in SPANISH:
        assert text in page
    # the counts' labels agree with the rows they count ("Creada 2" read as one created row before)
    assert ">Creadas<" in page and ">Rechazadas<" in page and ">Creada<" not in page
    english = client.get(f"/accounts/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert all(reason in english for _, _, reason in ENGLISH)


def test_the_problems_download_reads_in_the_readers_language(client, admin_user, job):
    client.force_login(admin_user)
    response = client.get(f"/accounts/import/{job.pk}/problems.csv", HTTP_ACCEPT_LANGUAGE="es")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[2] for row in rows[1:]] == SPANISH


def test_the_api_keeps_the_english_reasons_in_their_shape(admin_api, job):
    data = admin_api.get(f"/api/v1/import-jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es").json()
    assert [(e["line"], e["kind"], e["reason"]) for e in data["errors"]] == ENGLISH
    assert all(set(e) == {"line", "kind", "reason"} for e in data["errors"])


def test_a_job_recorded_before_the_keys_shows_its_stored_english(client, admin_user, job):
    ImportJob.objects.filter(pk=job.pk).update(errors=[{"line": 3, "kind": "rejected", "reason": "Old text"}])
    client.force_login(admin_user)
    assert "Old text" in client.get(f"/accounts/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_an_import_of_one_row_counts_it_in_the_singular(workspace, client, admin_user):
    # "1 of 1 rows", "= 1 rows.": the row counts had no plural forms.
    one = import_job_create(
        workspace=workspace,
        kind="accounts",
        filename="one.csv",
        data=b"Account Name\nSolo\n",
        mapping={"name": "Account Name"},
    )
    ImportJob.objects.filter(pk=one.pk).update(status=ImportStatus.QUEUED)
    while import_job_step(job_id=one.pk, deadline=None):
        pass
    client.force_login(admin_user)

    english = client.get(f"/accounts/import/{one.pk}/progress/").content.decode()
    spanish = client.get(f"/accounts/import/{one.pk}/progress/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "1 of 1 row ·" in english and "= 1 row." in english and "1 rows" not in english
    assert "1 de 1 fila ·" in spanish and "= 1 fila." in spanish
