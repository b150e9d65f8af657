"""Prospecting pages: tier board (bounded queries, filters, export, bulk), import flow, panels, ICP and model pages."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Account, ImportJob, Tier
from accounts.prospecting import services
from tests.factories import AccountFactory, MembershipFactory, UserFactory, closed_deal_history

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "salesforce"
ICP = [
    {
        "key": "software",
        "label": "Software",
        "weight": 1,
        "bands": [{"label": "Software", "when": {"industry": ["Software"]}}],
    }
]


@pytest.fixture
def scored(workspace, admin_user):
    for i in range(60):
        AccountFactory(
            workspace=workspace, industry="Software" if i % 2 else "Retail", owner=admin_user if i < 5 else None
        )
    services.icp_save(workspace=workspace, criteria=ICP, by=admin_user, rescore=False)
    services.prospecting_rescore(workspace=workspace)


def test_tier_board_query_count_does_not_grow_with_rows(
    client, admin_user, workspace, scored, django_assert_max_num_queries
):
    client.force_login(admin_user)

    with django_assert_max_num_queries(14) as small:
        client.get("/accounts/tiers/")
    for _ in range(60):
        AccountFactory(workspace=workspace, owner=admin_user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/accounts/tiers/?sort=-fit")

    assert response.status_code == 200 and b"tier-table" in response.content


def test_tier_board_filters_by_grade_criterion_and_my_accounts(client, admin_user, workspace, scored):
    client.force_login(admin_user)

    by_grade = client.get("/accounts/tiers/?grade=A", HTTP_HX_REQUEST="true")
    by_criterion = client.get("/accounts/tiers/?criterion=0")
    mine = client.get("/accounts/tiers/?owner=me")

    assert {a.fit_grade for a in by_grade.context["page_obj"]} == {"A"}
    names = [t.name for t in by_grade.templates]  # the rows (tier_row.html) are rendered first, then the partial
    assert "accounts/partials/tier_table.html" in names and "accounts/tier_board.html" not in names
    assert by_criterion.context["page_obj"].total == 30
    assert mine.context["page_obj"].total == 5


def test_tier_board_exports_the_filtered_list_as_csv(client, viewer_user, workspace, scored):
    client.force_login(viewer_user)

    response = client.get("/accounts/tiers/?industry=Software&export=csv")

    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("external_id,name,domain") and len(lines) == 31


def test_bulk_pin_with_reason_and_sales_only_changes_its_own(client, sales_user, workspace, scored):
    own = AccountFactory(workspace=workspace, owner=sales_user)
    other = Account.objects.filter(workspace=workspace).exclude(pk=own.pk).first()
    client.force_login(sales_user)

    client.post(
        "/accounts/tiers/bulk/",
        {"action": "tier", "tier": "strategic", "reason": "Q3 push", "account": [own.pk, other.pk]},
    )

    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.tier, own.tier_locked) == (Tier.STRATEGIC, True)
    assert other.tier_locked is False
    assert own.tier_changes.get().reason == "Q3 push"


def test_browser_import_preview_mapping_confirm_and_report(client, marketing_user, django_capture_on_commit_callbacks):
    client.force_login(marketing_user)
    upload = SimpleUploadedFile("accountData.csv", (FIXTURES / "accountData.csv").read_bytes())

    uploaded = client.post("/accounts/import/", {"kind": "accounts", "file": upload})
    job = ImportJob.objects.get()
    mapping_page = client.get(uploaded.url)
    fields = {f"map_{k}": v for k, v in job.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(uploaded.url, {"preset": job.preset, **fields})
    report = client.get(uploaded.url)

    assert b"Salesforce Data Loader export" in mapping_page.content and b"Gravity Investments" in mapping_page.content
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected) == ("done", 423, 0)
    assert b"Import report" in report.content and b"None: every row was imported." in report.content


def test_viewer_cannot_import_and_sales_cannot_change_the_icp(client, viewer_user, sales_user):
    client.force_login(viewer_user)
    assert client.post("/accounts/import/", {"kind": "accounts"}).status_code == 403
    client.force_login(sales_user)
    assert client.post("/accounts/icp/", {"name": "x", "criteria": "[]"}).status_code == 403


def test_account_panels_show_the_fit_receipt_drivers_and_history(client, admin_user, workspace):
    closed_deal_history(workspace)
    services.icp_save(workspace=workspace, criteria=ICP, by=admin_user, rescore=False)
    services.prospecting_rescore(workspace=workspace)
    services.model_train(workspace=workspace, rescore=False)
    services.prospecting_rescore(workspace=workspace)
    account = Account.objects.filter(workspace=workspace, industry="Software").first()
    client.force_login(admin_user)

    detail = client.get(f"/accounts/{account.pk}/")
    fit = client.get(f"/accounts/{account.pk}/panels/fit/")
    win = client.get(f"/accounts/{account.pk}/panels/win/")
    pinned = client.post(f"/accounts/{account.pk}/panels/tier/", {"tier": "strategic", "reason": "Met the CFO"})

    assert b"/panels/fit/" in detail.content and b"/panels/tier/" in detail.content
    assert b"Fit score receipt" in fit.content and b"100.0" in fit.content and b"ICP v1" in fit.content
    assert b"Win probability" in win.content and b"model v1" in win.content
    assert b"Met the CFO" in pinned.content and b"Pinned" in pinned.content


def test_icp_settings_and_model_pages_render_and_save(
    client, admin_user, workspace, django_capture_on_commit_callbacks
):
    closed_deal_history(workspace)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):  # the rescore after the save gives the fit baseline
        saved = client.post(
            "/accounts/icp/",
            {
                "name": "Software ICP",
                "criteria": '[{"key": "software", "weight": 100, '
                '"bands": [{"label": "Software", "when": {"industry": ["Software"]}}]}]',
                "note": "v1",
            },
        )
    bad = client.post("/accounts/icp/", {"name": "x", "criteria": "[{"})
    trained = client.post("/accounts/model/train/", follow=True)

    assert saved.status_code == 302
    assert b"Not valid JSON" in bad.content
    assert (
        b"Holdout metrics against the baselines" in trained.content and b"Baseline: fit score alone" in trained.content
    )
    # the metrics' row names read in the reader's language (they were English literals in every language)
    spanish = client.get("/accounts/model/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Referencia: solo la puntuación de encaje" in spanish and "Referencia: tasa base" in spanish
    assert "Baseline:" not in spanish and "<strong>Modelo v1</strong>" in spanish


def test_accounts_list_exports_its_filtered_rows_with_formulas_neutralised(client, viewer_user, workspace):
    AccountFactory(workspace=workspace, name="+cmd|' /C calc'!A0", industry="Software")
    AccountFactory(workspace=workspace, name="Retail Co", industry="Retail")
    client.force_login(viewer_user)

    response = client.get("/accounts/?industry=Software&export=csv")

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'+cmd" in body and "Retail Co" not in body


def test_a_pin_refused_for_its_missing_reason_keeps_the_chosen_tier(client, admin_user, workspace):
    # The panel showed the account's own tier again: typing the reason and pressing Pin then pinned to the wrong tier.
    account = AccountFactory(workspace=workspace, tier="standard")
    client.force_login(admin_user)

    refused = client.post(
        f"/accounts/{account.pk}/panels/tier/", {"tier": "priority", "reason": ""}, HTTP_HX_REQUEST="true"
    )
    fresh = client.get(f"/accounts/{account.pk}/panels/tier/")

    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert '<option value="priority" selected>' in refused.content.decode()
    assert '<option value="standard" selected>' in fresh.content.decode()  # unbound: the account's tier


def test_the_import_pages_name_the_fields_and_the_format_in_the_readers_language(client, marketing_user):
    """The mapping step's target fields ("Website / domain", "Owner (email, username or full name)"...) and the presets'
    names were English literals in every language, and the import list and report showed the preset's stored key
    ("salesforce_dataloader")."""
    client.force_login(marketing_user)
    upload = SimpleUploadedFile("accountData.csv", (FIXTURES / "accountData.csv").read_bytes())
    uploaded = client.post("/accounts/import/", {"kind": "accounts", "file": upload})
    assert ImportJob.objects.get().preset == "salesforce_dataloader"

    mapping = client.get(uploaded.url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    listed = client.get("/accounts/import/", HTTP_ACCEPT_LANGUAGE="es").content.decode().split("<tbody>")[1]
    english = client.get("/accounts/import/", HTTP_ACCEPT_LANGUAGE="en").content.decode().split("<tbody>")[1]

    recognised = mapping.split('id="recognised-preset">')[1].split("</strong>")[0]
    assert recognised == "Exportación de Salesforce Data Loader"
    assert "Sitio web / dominio" in mapping and "Responsable (email, nombre de usuario o nombre completo)" in mapping
    assert "Website / domain" not in mapping and "Owner (email, username or full name)" not in mapping
    assert "Exportación de Salesforce Data Loader" in listed and "salesforce_dataloader" not in listed
    assert "Salesforce Data Loader export" in english


def test_the_mapping_page_says_when_the_columns_look_like_another_kind(client, marketing_user):
    """A deals export uploaded as accounts was read as accounts (Salesforce's labels name "Account Name" and "Type"
    too): the page now says what the columns look like, in the reader's language, before anything is imported."""
    client.force_login(marketing_user)
    deals = (FIXTURES.parent / "thirdparty" / "zoho_deals.csv").read_bytes()
    wrong = client.post("/accounts/import/", {"kind": "accounts", "file": SimpleUploadedFile("d.csv", deals)})
    right = client.post("/accounts/import/", {"kind": "opportunities", "file": SimpleUploadedFile("d.csv", deals)})

    warned = client.get(wrong.url).content.decode()
    spanish = client.get(wrong.url, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert 'id="other-kind"' in warned and "These columns look like opportunities, not accounts." in warned
    assert "Estas columnas parecen de oportunidades, no de cuentas." in spanish
    assert 'id="other-kind"' not in client.get(right.url).content.decode()
    assert not Account.objects.filter(name="Ridge Property Group").exists()  # nothing imported before confirming


def test_the_mapping_page_speaks_of_countries_and_numbers_only_where_the_kind_has_them(client, marketing_user):
    """The countries-and-numbers note was shown for every kind, contacts and deal contact roles included (no country,
    no number column there)."""
    client.force_login(marketing_user)
    thirdparty = FIXTURES.parent / "thirdparty"
    pages = {}
    for kind, name in [
        ("accounts", "zoho_accounts.csv"),
        ("contacts", "zoho_contacts.csv"),
        ("opportunities", "zoho_deals.csv"),
        ("opportunity_contacts", "salesforce_opportunity_contact_roles.csv"),
    ]:
        upload = SimpleUploadedFile(name, (thirdparty / name).read_bytes())
        uploaded = client.post("/accounts/import/", {"kind": kind, "file": upload})
        html = client.get(uploaded.url).content.decode()
        pages[kind] = html.split('id="cells-hint">')[1].split("</span>")[0]

    assert "Countries become ISO codes" in pages["accounts"] and "bad number" in pages["accounts"]
    assert "Countries" not in pages["opportunities"] and "bad number" in pages["opportunities"]
    assert pages["contacts"] == pages["opportunity_contacts"] == "Empty cells never clear existing values."


def test_the_stage_table_says_a_status_column_decides_instead_of_calling_its_stages_unknown(client, marketing_user):
    """Dynamics 365 and Pipedrive exports carry a status (Open, Won, Lost) beside a stage the portal does not know
    ("2-Develop"): the page said every stage was "not recognised, imported as open", though the status column
    decides. Without a status column the stages' warning stays."""
    client.force_login(marketing_user)
    thirdparty = FIXTURES.parent / "thirdparty"
    dynamics = (thirdparty / "dynamics_opportunities.csv").read_bytes()
    with_status = client.post(
        "/accounts/import/", {"kind": "opportunities", "file": SimpleUploadedFile("o.csv", dynamics)}
    )
    zoho = (thirdparty / "zoho_deals.csv").read_bytes().replace(b"Closed Won", b"Gate 7")
    without = client.post("/accounts/import/", {"kind": "opportunities", "file": SimpleUploadedFile("z.csv", zoho)})

    page = client.get(with_status.url).content.decode()
    spanish = client.get(with_status.url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    other = client.get(without.url).content.decode()

    assert 'id="status-decides"' in page and 'id="unknown-stages"' not in page
    assert "Each deal is open, won or lost as the column “Status” says" in page
    assert ">unknown</span>" not in page.split('id="stage-mapping"')[1]
    assert "Cada oportunidad está abierta, ganada o perdida según diga la columna «Status»" in spanish
    assert 'id="unknown-stages"' in other and 'id="status-decides"' not in other and "Gate 7" in other


def test_the_mapping_page_lists_each_owner_and_the_member_it_names(
    client, marketing_user, workspace, django_assert_max_num_queries
):
    """Before confirming, the user sees which owners of the file name no member (and would be left blank), so they
    can invite them first; the page reads the members once, however many owners the file has."""
    ana = UserFactory(username="ana.ae", first_name="Ana", last_name="Ortega")
    MembershipFactory(user=ana, workspace=workspace, role="sales")
    for username in ("alex1", "alex2"):
        MembershipFactory(user=UserFactory(username=username, first_name="Alex", last_name="Pop"), workspace=workspace)
    lines = ["Record ID,Company name,Company owner"]
    lines += [f"{i},Company {i},{owner}" for i, owner in enumerate(["Ana Ortega"] * 3 + ["ANA.AE", "Nobody Here"])]
    lines += ["90,Company 90,Alex Pop", "91,Company 91,"]
    lines += [f"{100 + i},Company {100 + i},Seller {i}" for i in range(60)]
    client.force_login(marketing_user)
    upload = SimpleUploadedFile("hubspot.csv", ("\n".join(lines) + "\n").encode())
    uploaded = client.post("/accounts/import/", {"kind": "accounts", "file": upload})

    with django_assert_max_num_queries(4):  # the session's user, their membership, the import, the members
        page = client.get(uploaded.url).content.decode()
    portuguese = client.get(uploaded.url, HTTP_ACCEPT_LANGUAGE="pt").content.decode()

    section = page.split('id="owner-mapping"')[1].split("</section>")[0]
    rows = [r.split("</tr>")[0] for r in section.split("<tbody>")[1].split("<tr>")[1:]]
    assert rows[0] == '<td>Ana Ortega</td><td class="num">3</td><td>Ana Ortega</td>'
    assert '<td>ANA.AE</td><td class="num">1</td><td>Ana Ortega</td>' in rows
    assert any("Alex Pop" in r and "several members: left blank" in r for r in rows)
    assert any("Nobody Here" in r and "no member: left blank" in r for r in rows)
    assert len(rows) == 50 and "And 14 more owners." in section  # 64 distinct owners; a blank cell is none
    assert "62 owners of the file will be left blank." in section
    assert "62 responsáveis do ficheiro ficarão em branco." in portuguese
    no_owner = SimpleUploadedFile("a.csv", b"Record ID,Company name\n1,Acme\n")
    plain = client.post("/accounts/import/", {"kind": "accounts", "file": no_owner})
    empty = client.get(plain.url).content.decode().split('id="owner-mapping"')[1].split("</section>")[0]
    assert "<table" not in empty and "Map the owner column, then" in empty


def test_show_owners_lists_the_owner_column_the_user_just_chose(client, marketing_user, workspace):
    """Changing the owner column changed nothing on the page until the import ran with it: "Show owners" saves the
    mapping and lists the new column's owners, before anything is imported."""
    MembershipFactory(user=UserFactory(username="ana.ae", first_name="Ana", last_name="Ortega"), workspace=workspace)
    client.force_login(marketing_user)
    data = b"Record ID,Company name,Account manager\n1,Orion,Ana Ortega\n2,Velas,Nobody Here\n"
    uploaded = client.post("/accounts/import/", {"kind": "accounts", "file": SimpleUploadedFile("a.csv", data)})
    before = client.get(uploaded.url).content.decode().split('id="owner-mapping"')[1].split("</section>")[0]
    assert "<table" not in before  # "Account manager" is no preset's owner column

    shown = client.post(
        uploaded.url,
        {"map_external_id": "Record ID", "map_name": "Company name", "map_owner": "Account manager", "refresh": "1"},
        follow=True,
    )

    section = shown.content.decode().split('id="owner-mapping"')[1].split("</section>")[0]
    assert '<td>Ana Ortega</td><td class="num">1</td><td>Ana Ortega</td>' in section
    assert "Nobody Here" in section and "1 owner of the file will be left blank." in section
    assert ImportJob.objects.get(pk=shown.context["job"].pk).status == "uploaded" and not Account.objects.exists()


def test_a_seller_reads_a_waiting_import_without_the_buttons_they_would_be_refused(client, marketing_user, sales_user):
    """Sales and viewers see the import list and may open an import still waiting for its mapping: the page showed
    them "Apply preset", "Show owners" and "4. Confirm and import", each answered with "You can't do this here"."""
    client.force_login(marketing_user)
    data = b"Record ID,Company name,Company owner\n1,Orion,Ana Ortega\n"
    uploaded = client.post("/accounts/import/", {"kind": "accounts", "file": SimpleUploadedFile("a.csv", data)})
    client.force_login(sales_user)

    page = client.get(uploaded.url).content.decode()
    refused = client.post(uploaded.url, {"map_name": "Company name"})

    assert 'id="confirm-import"' not in page and 'id="show-owners"' not in page and 'name="apply_preset"' not in page
    assert 'id="import-read-only"' in page and "Only marketing and admins import data." in page
    assert 'id="owner-mapping"' in page  # what the import would read stays visible
    assert refused.status_code == 403
    client.force_login(marketing_user)
    assert 'id="confirm-import"' in client.get(uploaded.url).content.decode()
