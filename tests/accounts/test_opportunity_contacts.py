"""Who was on each deal (Salesforce's opportunity contact roles): imported from a CRM's file, kept through the API and
the account page, and read by the won/lost committee analysis instead of guessing a deal's committee from the
account's contacts.

The import file is shaped like a Salesforce Data Loader export of ``OpportunityContactRole`` referencing the
opportunities of the real Salesforce fixture (``tests/fixtures/salesforce/opportunityData.csv``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.imports.presets import PRESETS, kind_detect, preset_detect
from accounts.imports.services import import_file, import_job_create, import_job_start
from accounts.models import Contact, OpportunityContact
from content.selectors.analysis import won_lost_analysis
from tests.factories import (
    AccountFactory,
    AccountTeamMemberFactory,
    ContactFactory,
    OpportunityContactFactory,
    OpportunityFactory,
    engaged_on,
)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROLES_FILE = FIXTURES / "thirdparty" / "salesforce_opportunity_contact_roles.csv"
CONTACTS = (
    '"ID","FIRSTNAME","LASTNAME","EMAIL","TITLE","ACCOUNTID"\n'
    '"003x000000AA001AAA","Ana","Ruiz","ana@george.example","CFO","001x0000002lBtqAAE"\n'
    '"003x000000AA002AAA","Ben","Ode","ben@george.example","IT Director","001x0000002lBtqAAE"\n'
    '"003x000000AA003AAA","Caro","Lima","caro@george.example","Analyst","001x0000002lBtqAAE"\n'
    '"003x000000AA004AAA","Dan","Pop","dan@universal.example","COO","001x0000002lBtuAAE"\n'
    '"003x000000AA005AAA","Eva","Sol","eva@acme.example","CEO","001x0000002lBtoAAE"\n'
    '"003x000000AA006AAA","Fay","Ng","fay@acme.example","Buyer","001x0000002lBtoAAE"\n'
)


@pytest.fixture
def crm(workspace):
    """The Salesforce fixture's accounts and opportunities, and six contacts of three of its accounts."""
    for kind, name in (("accounts", "accountData.csv"), ("opportunities", "opportunityData.csv")):
        result, _ = import_file(workspace=workspace, kind=kind, data=(FIXTURES / "salesforce" / name).read_bytes())
        assert result.rejected == 0
    result, _ = import_file(workspace=workspace, kind="contacts", data=CONTACTS.encode())
    assert result.created == 6
    return workspace


def _roles(workspace):
    return {
        (r.opportunity.external_id, r.contact.email): (r.role, r.is_primary, r.external_id)
        for r in OpportunityContact.objects.for_workspace(workspace).select_related("opportunity", "contact")
    }


def test_a_data_loader_export_of_contact_roles_puts_each_person_on_their_deal_in_their_role(crm):
    data = ROLES_FILE.read_bytes()

    result, preset = import_file(workspace=crm, kind="opportunity_contacts", data=data)

    assert preset == "salesforce_dataloader"
    assert (result.created, result.updated, result.unchanged, result.rejected) == (8, 0, 1, 3)
    assert _roles(crm) == {
        ("006x0000001YuTSAA0", "ana@george.example"): ("economic_buyer", True, "00Kx0000000AbC1EAK"),
        ("006x0000001YuTSAA0", "ben@george.example"): ("technical_evaluator", False, "00Kx0000000AbC2EAK"),
        ("006x0000001YuTSAA0", "caro@george.example"): ("", False, "00Kx0000000AbC3EAK"),  # "Other"
        ("006x0000001YuTTAA0", "dan@universal.example"): ("champion", True, "00Kx0000000AbC4EAK"),  # Exec. Sponsor
        ("006x0000001YuTTAA0", "ana@george.example"): ("influencer", False, "00Kx0000000AbC5EAK"),  # another firm
        ("006x0000001YuTUAA0", "eva@acme.example"): ("decision_maker", True, "00Kx0000000AbC6EAK"),
        ("006x0000001YuTUAA0", "fay@acme.example"): ("", False, "00Kx0000000AbC9EAK"),  # "Procurement": warned
        ("006x0000001YuTUAA0", "dan@universal.example"): ("", False, "00Kx0000000AbCBEAK"),
    }
    problems = {p["line"]: p["reason"] for p in result.problems}
    assert problems[8] == "No contact with CRM id 003x000000AA999AAA (import the contacts first)"
    assert problems[9] == "No opportunity with CRM id 006x0000009ZZZZAAA (import the opportunities first)"
    assert problems[10].startswith("Buying role “Procurement” is not one the portal knows")
    assert problems[11] == "Duplicate of line 3: counted once"
    assert problems[12] == (
        "This contact is already on this deal (CRM id 00Kx0000000AbC2EAK): a contact has one role per deal"
    )
    assert "Other" not in str(problems)  # "Other" is no role, not a problem

    again, _ = import_file(workspace=crm, kind="opportunity_contacts", data=data)

    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 9, 3)
    assert OpportunityContact.objects.for_workspace(crm).count() == 8


def test_a_changed_role_in_the_crm_updates_the_stored_one_and_an_empty_cell_clears_nothing(crm):
    import_file(workspace=crm, kind="opportunity_contacts", data=ROLES_FILE.read_bytes())
    header = '"ID","OPPORTUNITYID","CONTACTID","ROLE","ISPRIMARY"\n'
    data = header + '"00Kx0000000AbC2EAK","006x0000001YuTSAA0","003x000000AA002AAA","Decision Maker",""\n'

    result, _ = import_file(workspace=crm, kind="opportunity_contacts", data=data.encode())

    assert (result.created, result.updated) == (0, 1)
    assert _roles(crm)[("006x0000001YuTSAA0", "ben@george.example")] == ("decision_maker", False, "00Kx0000000AbC2EAK")


def test_a_report_export_finds_the_deal_by_name_and_the_person_by_email(crm):
    OpportunityFactory(account=AccountFactory(workspace=crm), name="Globex renewal 2027")
    data = (
        b"Opportunity Name,Account Name,First Name,Last Name,Email,Contact Role,Primary\n"
        b"Globex renewal 2027,Globex,Eva,Sol,EVA@acme.example,Economic Decision Maker,1\n"
        b"George Foundation - 5000 Widgets,George,Ana,Ruiz,ana@george.example,Influencer,0\n"  # four deals
        b"Nothing like it,George,Ana,Ruiz,ana@george.example,Influencer,0\n"
        b"Globex renewal 2027,Globex,Zed,Zu,zed@nowhere.example,Influencer,0\n"
    )

    result, preset = import_file(workspace=crm, kind="opportunity_contacts", data=data)

    assert preset == "salesforce_report"
    assert (result.created, result.rejected) == (1, 3)
    role = OpportunityContact.objects.for_workspace(crm).get()
    assert (role.opportunity.name, role.contact.email, role.role, role.is_primary) == (
        "Globex renewal 2027",
        "eva@acme.example",
        "economic_buyer",
        True,
    )
    problems = [p["reason"] for p in result.problems]
    assert problems == [
        "The opportunity name “George Foundation - 5000 Widgets” matches 4 opportunities; give its CRM id",
        "No opportunity named “Nothing like it”",
        "No contact with the email zed@nowhere.example",
    ]


def test_the_contact_roles_file_is_recognised_and_said_to_be_contact_roles_when_uploaded_as_contacts():
    header = ROLES_FILE.read_text().splitlines()[0].replace('"', "").split(",")

    assert preset_detect("opportunity_contacts", header) is PRESETS["salesforce_dataloader"]
    assert kind_detect("contacts", header) == "opportunity_contacts"
    assert kind_detect("opportunity_contacts", header) is None


def test_an_import_job_needs_a_deal_column_and_a_person_column(crm, admin_user):
    data = b"Opportunity ID,Role\n006x0000001YuTSAA0,Influencer\n"
    job = import_job_create(workspace=crm, kind="opportunity_contacts", filename="roles.csv", data=data, by=admin_user)

    with pytest.raises(Exception) as refused:
        import_job_start(job=job, by=admin_user)

    assert "Map at least one of: contact_external_id, contact_email." in str(refused.value)


def test_the_import_page_runs_a_contact_roles_file_to_the_end(crm, admin_client, django_capture_on_commit_callbacks):
    upload = admin_client.post(
        "/accounts/import/",
        {"kind": "opportunity_contacts", "file": _upload(ROLES_FILE.read_bytes())},
    )
    assert upload.status_code == 302
    mapping = admin_client.get(upload["Location"])
    assert mapping.status_code == 200
    assert "Role on the deal" in mapping.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        started = admin_client.post(upload["Location"], _mapped(mapping))

    assert started.status_code == 302
    assert OpportunityContact.objects.for_workspace(crm).count() == 8
    report = admin_client.get(started["Location"]).content.decode()
    assert 'href="/content/committees/won-lost/"' in report  # where the file's effect shows, not the tier board


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("OpportunityContactRole.csv", data, content_type="text/csv")


def _mapped(page) -> dict[str, str]:
    """The mapping page's form as served (its selects' chosen columns)."""
    import re

    html = page.content.decode()
    fields = {}
    for name, body in re.findall(r'<select[^>]*name="(map_[a-z_]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


# ----- the API -------------------------------------------------------------------------------------------------


def test_the_api_puts_a_person_on_a_deal_once_and_keeps_one_primary(admin_api, workspace):
    deal = OpportunityFactory(account=AccountFactory(workspace=workspace))
    ana, ben = ContactFactory(account=deal.account), ContactFactory(account=deal.account)
    url = "/api/v1/opportunity-contacts/"

    first = admin_api.post(
        url, {"opportunity": deal.pk, "contact": ana.pk, "role": "economic_buyer", "is_primary": True}, format="json"
    )
    twice = admin_api.post(url, {"opportunity": deal.pk, "contact": ana.pk, "role": "influencer"}, format="json")
    second = admin_api.post(url, {"opportunity": deal.pk, "contact": ben.pk, "is_primary": True}, format="json")
    bad_role = admin_api.post(url, {"opportunity": deal.pk, "contact": ben.pk, "role": "boss"}, format="json")

    assert first.status_code == 201, first.content
    assert first.json()["account"] == deal.account_id and first.json()["contact_name"] == ana.full_name
    assert twice.status_code == 400 and twice.json()["contact"] == ["This contact is already on this deal."]
    assert second.status_code == 201 and second.json()["role"] == ""
    assert bad_role.status_code == 400 and "role" in bad_role.json()
    assert {r.contact_id: r.is_primary for r in deal.contact_roles.all()} == {ana.pk: False, ben.pk: True}
    listed = admin_api.get(f"{url}?opportunity={deal.pk}").json()["results"]
    assert [row["contact"] for row in listed] == [ben.pk, ana.pk]  # the primary first


def test_the_api_refuses_another_workspaces_contact_and_a_sales_user_outside_the_account(
    admin_api, sales_api, sales_user, workspace, other_workspace
):
    deal = OpportunityFactory(account=AccountFactory(workspace=workspace))
    stranger = ContactFactory(account=AccountFactory(workspace=other_workspace))
    mine = ContactFactory(account=deal.account)
    url = "/api/v1/opportunity-contacts/"

    foreign = admin_api.post(url, {"opportunity": deal.pk, "contact": stranger.pk}, format="json")
    outsider = sales_api.post(url, {"opportunity": deal.pk, "contact": mine.pk}, format="json")
    AccountTeamMemberFactory(account=deal.account, user=sales_user)
    teamed = sales_api.post(url, {"opportunity": deal.pk, "contact": mine.pk}, format="json")

    assert foreign.status_code == 400 and "contact" in foreign.json()
    assert outsider.status_code == 403
    assert teamed.status_code == 201


# ----- the account page --------------------------------------------------------------------------------------


def test_the_account_page_lists_each_deals_people_in_a_constant_number_of_queries(
    admin_client, workspace, django_assert_max_num_queries
):
    account = AccountFactory(workspace=workspace)
    deal = OpportunityFactory(account=account, name="Big deal")
    OpportunityContactFactory(opportunity=deal, contact=ContactFactory(account=account, first_name="Ana"), role="")
    url = f"/accounts/{account.pk}/"
    admin_client.get(url)
    with django_assert_max_num_queries(100) as few:
        admin_client.get(url)
    for n in range(6):
        other = OpportunityFactory(account=account)
        OpportunityContactFactory(
            opportunity=other, contact=ContactFactory(account=account, first_name=f"P{n}"), is_primary=True
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin_client.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Big deal" in html and "Ana" in html and "+ Person on this deal" in html
    assert html.count("Decision maker") >= 6 and html.count(">primary<") == 6


def test_an_editor_adds_a_person_to_a_deal_and_takes_them_off_after_confirming(admin_client, workspace):
    account = AccountFactory(workspace=workspace)
    deal = OpportunityFactory(account=account)
    ana = ContactFactory(account=account, first_name="Ana", last_name="Ruiz")
    add = f"/accounts/{account.pk}/opportunities/{deal.pk}/contacts/add/"

    form = admin_client.get(add)
    saved = admin_client.post(add, {"contact": ana.pk, "role": "economic_buyer", "is_primary": "on"})
    again = admin_client.post(add, {"contact": ana.pk, "role": "influencer"})

    assert form.status_code == 200 and "Ana Ruiz" in form.content.decode()
    assert saved.status_code == 302
    role = deal.contact_roles.get()
    assert (role.contact_id, role.role, role.is_primary) == (ana.pk, "economic_buyer", True)
    assert again.status_code == 200 and "This contact is already on this deal." in again.content.decode()

    remove = f"/accounts/{account.pk}/opportunities/{deal.pk}/contacts/{role.pk}/remove/"
    asked = admin_client.get(remove)
    assert asked.status_code == 200 and "Yes, delete" in asked.content.decode()
    assert deal.contact_roles.exists()
    gone = admin_client.post(remove)
    assert gone.status_code == 302 and not deal.contact_roles.exists()
    assert Contact.objects.filter(pk=ana.pk).exists()


def test_a_sales_user_outside_the_account_and_a_viewer_cannot_change_a_deals_people(
    sales_user, viewer_user, client, workspace
):
    account = AccountFactory(workspace=workspace)
    deal = OpportunityFactory(account=account)
    role = OpportunityContactFactory(opportunity=deal)
    for user in (sales_user, viewer_user):
        client.force_login(user)
        page = client.get(f"/accounts/{account.pk}/")
        assert "+ Person on this deal" not in page.content.decode()
        add = client.post(f"/accounts/{account.pk}/opportunities/{deal.pk}/contacts/add/", {"contact": role.contact_id})
        remove = client.post(f"/accounts/{account.pk}/opportunities/{deal.pk}/contacts/{role.pk}/remove/")
        assert (add.status_code, remove.status_code) == (403, 403)
    assert deal.contact_roles.count() == 1


def test_a_deal_of_another_account_is_not_found_from_this_accounts_page(admin_client, workspace):
    account, other = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    deal = OpportunityFactory(account=other)
    role = OpportunityContactFactory(opportunity=deal)

    add = admin_client.get(f"/accounts/{account.pk}/opportunities/{deal.pk}/contacts/add/")
    remove = admin_client.post(f"/accounts/{account.pk}/opportunities/{deal.pk}/contacts/{role.pk}/remove/")

    assert (add.status_code, remove.status_code) == (404, 404)
    assert OpportunityContact.objects.filter(pk=role.pk).exists()


# ----- the won/lost analysis ---------------------------------------------------------------------------------


def _known_since(contact, days):
    contact.created_at = timezone.now() - dt.timedelta(days=days)
    contact.save(update_fields=["created_at"])
    return contact


def test_the_won_lost_analysis_reads_a_deals_committee_from_its_contact_roles(workspace):
    """Every account has an engaged CFO (finance). On the won deals the CRM put the CFO on the deal as economic buyer;
    on the lost ones it put only an analyst: finance was in the room of won deals only, which guessing from the
    accounts' contacts could not tell (every deal would have had finance engaged)."""
    close = dt.date.today() - dt.timedelta(days=10)
    for status in ("won", "lost"):
        for _ in range(10):
            account = AccountFactory(workspace=workspace)
            deal = OpportunityFactory(account=account, status=status, close_date=close)
            cfo = _known_since(ContactFactory(account=account, department="finance", buying_role=""), 200)
            analyst = _known_since(ContactFactory(account=account, department="it", buying_role=""), 200)
            engaged_on(cfo, close - dt.timedelta(days=3))
            engaged_on(analyst, close - dt.timedelta(days=3))
            if status == "won":
                OpportunityContactFactory(opportunity=deal, contact=cfo, role="economic_buyer")
            else:
                OpportunityContactFactory(opportunity=deal, contact=analyst, role="")

    analysis = won_lost_analysis(workspace=workspace, last=50)

    rows = {r.requirement.key: r for r in analysis.roles}
    assert (analysis.won_with_roles, analysis.lost_with_roles) == (10, 10)
    assert (rows["finance"].won_engaged, rows["finance"].lost_engaged) == (1.0, 0.0)
    assert (rows["economic_buyer"].won_present, rows["economic_buyer"].lost_present) == (1.0, 0.0)
    assert (rows["it"].won_present, rows["it"].lost_engaged) == (0.0, 1.0)


def test_a_person_of_another_firm_on_a_deal_counts_with_their_own_firms_engagement(workspace):
    close = dt.date.today() - dt.timedelta(days=5)
    account, firm = AccountFactory(workspace=workspace), AccountFactory(workspace=workspace)
    deal = OpportunityFactory(account=account, status="won", close_date=close)
    consultant = ContactFactory(account=firm, buying_role="influencer")
    engaged_on(consultant, close - dt.timedelta(days=1))
    OpportunityContactFactory(opportunity=deal, contact=consultant, role="")  # their own buying role then
    other = OpportunityFactory(
        account=account,
        status="lost",
        created_date=close - dt.timedelta(days=300),
        close_date=close - dt.timedelta(days=200),
    )
    OpportunityContactFactory(opportunity=other, contact=consultant, role="")  # the same person, on an older deal

    analysis = won_lost_analysis(workspace=workspace, last=50)

    influencer = next(r for r in analysis.roles if r.requirement.key == "influencer")
    assert (influencer.won_present, influencer.won_engaged) == (1.0, 1.0)
    assert (influencer.lost_present, influencer.lost_engaged) == (1.0, 0.0)  # engaged, but not before that close


def test_deals_without_contact_roles_still_read_the_accounts_contacts_and_the_api_says_how_many_had_roles(
    admin_api, workspace
):
    close = dt.date.today() - dt.timedelta(days=10)
    account = AccountFactory(workspace=workspace)
    OpportunityFactory(account=account, status="won", close_date=close)
    cfo = _known_since(ContactFactory(account=account, department="finance"), 100)
    engaged_on(cfo, close - dt.timedelta(days=2))
    with_roles = OpportunityFactory(account=AccountFactory(workspace=workspace), status="lost", close_date=close)
    OpportunityContactFactory(opportunity=with_roles)

    body = admin_api.get("/api/v1/committee-analysis/won-lost/?last=5").json()

    assert (body["won_with_contact_roles"], body["lost_with_contact_roles"]) == (0, 1)
    finance = next(r for r in body["roles"] if r["role"] == "finance")
    assert (finance["won_present"], finance["won_engaged"]) == (1.0, 1.0)


def test_deleting_a_contact_says_it_takes_them_off_their_deals_and_does(admin_client, workspace):
    account = AccountFactory(workspace=workspace)
    ana = ContactFactory(account=account, first_name="Ana", last_name="Ruiz")
    for _ in range(2):
        OpportunityContactFactory(opportunity=OpportunityFactory(account=account), contact=ana)
    ben = ContactFactory(account=account, first_name="Ben", last_name="Ode")
    url = f"/accounts/{account.pk}/contacts/{{}}/delete/"

    asked = admin_client.get(url.format(ana.pk)).content.decode()
    asked_ben = admin_client.get(url.format(ben.pk)).content.decode()
    admin_client.post(url.format(ana.pk))

    assert "They are taken off the 2 deals they are on." in asked
    assert "taken off" not in asked_ben
    assert not OpportunityContact.objects.filter(contact_id=ana.pk).exists()


# ----- any file --------------------------------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_CELLS = {
    "ID": st.sampled_from(["", "00K1", "00K2", "00K3"]),
    "OPPORTUNITYID": st.sampled_from(["", "006A", "006B", "006Z"]),
    "CONTACTID": st.sampled_from(["", "003A", "003B", "003Z"]),
    "ROLE": st.one_of(
        st.sampled_from(["", "Economic Buyer", "Other", "Evaluator", "Business User"]), st.text(max_size=12)
    ),
    "ISPRIMARY": st.one_of(st.sampled_from(["", "true", "false", "1"]), _TEXT),
}


@given(rows=st.lists(st.fixed_dictionaries(_CELLS), min_size=1, max_size=8))
@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_any_contact_roles_file_is_counted_whole_keeps_one_role_per_deal_and_person_and_imports_twice_the_same(
    workspace, rows
):
    """Whatever the lines say (ids found or not, repeated, roles the portal does not know), every line is counted once,
    no deal has a person twice, and the same file again changes nothing."""
    with transaction.atomic():
        account = AccountFactory(workspace=workspace)
        for ext in ("006A", "006B"):
            OpportunityFactory(account=account, external_id=ext)
        for ext in ("003A", "003B"):
            ContactFactory(account=account, external_id=ext)
        header = list(_CELLS)
        lines = [",".join(header)] + [",".join('"' + r[h].replace('"', '""') + '"' for h in header) for r in rows]
        data = "\n".join(lines).encode()

        lines_read = sum(1 for r in rows if any(v.strip() for v in r.values()))  # a blank line is no line
        if not lines_read:
            with pytest.raises(ValidationError):  # "header row but no data rows": the page's 400
                import_file(workspace=workspace, kind="opportunity_contacts", data=data)
            transaction.set_rollback(True)
            return
        first, _ = import_file(workspace=workspace, kind="opportunity_contacts", data=data)
        again, _ = import_file(workspace=workspace, kind="opportunity_contacts", data=data)

        assert first.created + first.updated + first.unchanged + first.rejected == lines_read
        assert (again.created, again.updated) == (0, 0)
        pairs = list(OpportunityContact.objects.for_workspace(workspace).values_list("opportunity_id", "contact_id"))
        assert len(pairs) == len(set(pairs)) == first.created
        transaction.set_rollback(True)
