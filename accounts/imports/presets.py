"""Column presets for the CSV formats CRMs export, and their automatic recognition from a file's header row.

A preset maps each target field to the source column names it may have, first match wins. ``abe`` is this
portal's own format (the CSV export), so an export re-imports as is. Field and preset labels are shown in the
reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # django-stubs is a development dependency
    from django_stubs_ext import StrOrPromise

TARGET_FIELDS: dict[str, list[tuple[str, StrOrPromise]]] = {
    "accounts": [
        ("external_id", _("CRM id")),
        ("name", _("Name")),
        ("domain", _("Website / domain")),
        ("industry", _("Industry")),
        ("country", _("Country")),
        ("region", _("State / region")),
        ("city", _("City")),
        ("employees", _("Employees")),
        ("annual_revenue", _("Annual revenue")),
        ("ownership_type", _("Ownership")),
        ("number_of_offices", _("Offices")),
        ("founded_year", _("Founded")),
        ("technologies", _("Technologies")),
        ("lifecycle", _("Lifecycle / type")),
        ("owner", _("Owner (email, username or full name)")),
        ("trigger_event", _("Trigger event")),
        ("trigger_event_date", _("Trigger event date")),
        ("parent_name", _("Parent company (name)")),
        ("parent_external_id", _("Parent company (CRM id)")),
    ],
    "contacts": [
        ("external_id", _("CRM id")),
        ("first_name", _("First name")),
        ("last_name", _("Last name")),
        ("full_name", _("Full name (when first and last name are empty)")),
        ("email", _("Email")),
        ("other_email", _("Other email (when Email is empty)")),
        ("title", _("Job title")),
        ("account_external_id", _("Account CRM id")),
        ("account_domain", _("Account domain")),
        ("do_not_contact", _("Do not contact / opted out")),
        ("account_name", _("Account name")),
        ("buying_role", _("Buying role")),
        ("seniority", _("Seniority")),
        ("department", _("Department")),
        ("persona", _("Persona (name)")),
        ("reports_to_external_id", _("Reports to (the manager's CRM id)")),
        ("reports_to", _("Reports to (the manager's email or name, same account)")),
        ("committee_from_title", _("Job title to guess seniority and department from (where blank)")),
        ("created_date", _("Created date")),
    ],
    "opportunities": [
        ("external_id", _("CRM id")),
        ("name", _("Name")),
        ("account_external_id", _("Account CRM id")),
        ("account_domain", _("Account domain")),
        ("amount", _("Amount")),
        ("won_amount", _("Won amount (won deals, instead of Amount)")),
        ("stage", _("Stage")),
        ("type", _("Type")),
        ("created_date", _("Created date")),
        ("close_date", _("Close date")),
        ("expected_close_date", _("Expected close date (open deals without a close date)")),
        ("is_won", _("Won?")),
        ("is_closed", _("Closed?")),
        ("status", _("Status (open/won/lost)")),
        ("account_name", _("Account name")),
        ("product", _("Product (catalogue name)")),
        ("gross_margin", _("Gross margin (amount)")),
        ("gross_margin_pct", _("Gross margin %")),
        ("contract_start", _("Contract start")),
        ("contract_end", _("Contract end")),
    ],
    "opportunity_contacts": [
        ("external_id", _("CRM id")),
        ("opportunity_external_id", _("Opportunity CRM id")),
        ("opportunity_name", _("Opportunity name (when one opportunity has it)")),
        ("contact_external_id", _("Contact CRM id")),
        ("contact_email", _("Contact email")),
        ("role", _("Role on the deal")),
        ("is_primary", _("Primary contact?")),
    ],
}

# Revenue detail of opportunities (key accounts). CRMs hold these in product line items or custom fields, so
# every preset accepts the names they are usually exported under: report labels ("Product Name", "Contract
# Start Date"), API names of the usual custom fields (Data Loader), and plain spellings.
REVENUE_DETAIL_COLUMNS: dict[str, list[str]] = {
    "product": ["Product Name", "Product", "PRODUCT2.NAME", "PRODUCT_NAME__C", "Line Item Name", "Product name"],
    "gross_margin": [
        "Gross Margin",
        "Gross Margin Amount",
        "Gross Profit",
        "Margin",
        "GROSS_MARGIN__C",
        "Gross margin",
    ],
    "gross_margin_pct": [
        "Gross Margin %",
        "Gross Margin (%)",
        "Gross Margin Percent",
        "Gross Margin Percentage",
        "Margin %",
        "Margin (%)",
        "GM %",
        "GROSS_MARGIN_PERCENT__C",
        "GROSS_MARGIN_PCT__C",
    ],
    "contract_start": [
        "Contract Start Date",
        "Contract Start",
        "Subscription Start Date",
        "Service Start Date",
        "CONTRACT_START_DATE__C",
        "Contract start date",
    ],
    "contract_end": [
        "Contract End Date",
        "Contract End",
        "Subscription End Date",
        "Service End Date",
        "CONTRACT_END_DATE__C",
        "Contract end date",
    ],
}


# A contact's place in the buying committee (accounts/imports/committee.py reads the values). CRMs hold the buying
# role in a property of their own (HubSpot's "Buying Role", Dynamics 365's "Role"); seniority and department come
# from data vendors' and LinkedIn's exports, so every preset accepts these names.
COMMITTEE_COLUMNS: dict[str, list[str]] = {
    "buying_role": ["Buying Role", "Buying role", "Contact Role", "Role"],
    "seniority": ["Seniority", "Seniority Level", "Management Level"],
    "department": ["Department", "Departments"],
    "persona": ["Persona"],  # HubSpot's contact property; the workspace's persona of that name
}


@dataclass(frozen=True)
class Preset:
    name: str
    label: StrOrPromise  # as shown, in the reader's language
    columns: dict[str, dict[str, list[str]]]  # kind -> target field -> candidate source columns


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in [
        Preset(
            "salesforce_dataloader",
            _("Salesforce Data Loader export"),
            {
                "accounts": {
                    "external_id": ["ID"],
                    "name": ["NAME"],
                    "domain": ["WEBSITE"],
                    "industry": ["INDUSTRY"],
                    "country": ["BILLINGCOUNTRY", "SHIPPINGCOUNTRY"],
                    "region": ["BILLINGSTATE", "SHIPPINGSTATE"],
                    "city": ["BILLINGCITY", "SHIPPINGCITY"],
                    "employees": ["NUMBEROFEMPLOYEES"],
                    "annual_revenue": ["ANNUALREVENUE"],
                    "ownership_type": ["OWNERSHIP"],
                    "lifecycle": ["TYPE"],
                    "parent_external_id": ["PARENTID"],
                },
                "contacts": {
                    "external_id": ["ID"],
                    "first_name": ["FIRSTNAME"],
                    "last_name": ["LASTNAME"],
                    "email": ["EMAIL"],
                    "title": ["TITLE"],
                    "account_external_id": ["ACCOUNTID"],
                    "do_not_contact": ["HASOPTEDOUTOFEMAIL"],
                    "reports_to_external_id": ["REPORTSTOID"],  # the manager's contact id
                    "created_date": ["CREATEDDATE"],
                    **COMMITTEE_COLUMNS,
                },
                "opportunities": {
                    "external_id": ["ID"],
                    "name": ["NAME"],
                    "account_external_id": ["ACCOUNTID"],
                    "amount": ["AMOUNT"],
                    "stage": ["STAGENAME"],
                    "type": ["TYPE"],
                    "created_date": ["CREATEDDATE"],
                    "close_date": ["CLOSEDATE"],
                    "is_won": ["ISWON"],
                    "is_closed": ["ISCLOSED"],
                    **REVENUE_DETAIL_COLUMNS,
                },
                # OpportunityContactRole: one line per person on a deal.
                "opportunity_contacts": {
                    "external_id": ["ID"],
                    "opportunity_external_id": ["OPPORTUNITYID"],
                    "contact_external_id": ["CONTACTID"],
                    "role": ["ROLE"],
                    "is_primary": ["ISPRIMARY"],
                },
            },
        ),
        Preset(
            "salesforce_report",
            _("Salesforce report export"),
            {
                "accounts": {
                    "external_id": ["Account ID", "Account ID (18)"],
                    "name": ["Account Name"],
                    "domain": ["Website"],
                    "industry": ["Industry"],
                    "country": ["Billing Country", "Shipping Country"],
                    "region": ["Billing State/Province", "Billing State"],
                    "city": ["Billing City"],
                    "employees": ["Employees"],
                    "annual_revenue": ["Annual Revenue"],
                    "ownership_type": ["Ownership"],
                    "lifecycle": ["Type", "Account Type"],
                    "owner": ["Account Owner"],
                    "parent_name": ["Parent Account"],
                    "parent_external_id": ["Parent Account ID"],
                },
                "contacts": {
                    "external_id": ["Contact ID"],
                    "first_name": ["First Name"],
                    "last_name": ["Last Name"],
                    "email": ["Email"],
                    "title": ["Title"],
                    "account_external_id": ["Account ID"],
                    # A report shows the account's name unless the user adds its id: then the name links the line.
                    "account_name": ["Account Name"],
                    "do_not_contact": ["Email Opt Out"],
                    "reports_to": ["Reports To"],  # the manager's name
                    "created_date": ["Created Date"],
                    **COMMITTEE_COLUMNS,
                },
                "opportunities": {
                    "external_id": ["Opportunity ID"],
                    "name": ["Opportunity Name"],
                    "account_external_id": ["Account ID"],
                    "account_name": ["Account Name"],
                    "amount": ["Amount"],
                    "stage": ["Stage"],
                    "type": ["Type"],
                    "created_date": ["Created Date"],
                    "close_date": ["Close Date"],
                    "is_won": ["Won"],
                    "is_closed": ["Closed"],
                    **REVENUE_DETAIL_COLUMNS,
                },
                # An "Opportunities with Contact Roles" report.
                "opportunity_contacts": {
                    "external_id": ["Contact Role ID", "Opportunity Contact Role ID"],
                    "opportunity_external_id": ["Opportunity ID"],
                    "opportunity_name": ["Opportunity Name"],
                    "contact_external_id": ["Contact ID"],
                    "contact_email": ["Email"],
                    "role": ["Contact Role", "Role"],
                    "is_primary": ["Primary", "Is Primary", "Primary Contact"],
                },
            },
        ),
        Preset(
            "hubspot",
            _("HubSpot export"),
            {
                "accounts": {
                    "external_id": ["Record ID", "Company ID"],
                    "name": ["Company name", "Name"],
                    "domain": ["Company Domain Name", "Website URL"],
                    "industry": ["Industry"],
                    "country": ["Country/Region", "Country"],
                    "region": ["State/Region"],
                    "city": ["City"],
                    "employees": ["Number of Employees"],
                    "annual_revenue": ["Annual Revenue"],
                    "lifecycle": ["Lifecycle Stage"],
                    "founded_year": ["Year Founded"],
                    "owner": ["Company owner"],
                },
                "contacts": {
                    "external_id": ["Record ID", "Contact ID"],
                    "first_name": ["First Name"],
                    "last_name": ["Last Name"],
                    "email": ["Email"],
                    "other_email": ["Additional email addresses"],
                    "title": ["Job Title"],
                    "account_external_id": [
                        "Associated Company ID",
                        "Associated Company IDs (Primary)",
                        "Primary Associated Company ID",
                        "Company ID",
                    ],
                    "account_domain": ["Company Domain Name"],
                    "account_name": ["Associated Company"],
                    "do_not_contact": ["Unsubscribed from all email"],
                    "created_date": ["Create Date"],
                    **COMMITTEE_COLUMNS,
                },
                "opportunities": {
                    "external_id": ["Record ID", "Deal ID"],
                    "name": ["Deal Name"],
                    "account_external_id": [
                        "Associated Company ID",
                        "Associated Company IDs (Primary)",
                        "Primary Associated Company ID",
                        "Company ID",
                    ],
                    "account_name": ["Associated Company"],
                    "amount": ["Amount"],
                    "stage": ["Deal Stage"],
                    "type": ["Deal Type"],
                    "created_date": ["Create Date"],
                    "close_date": ["Close Date"],
                    "is_won": ["Is Closed Won"],
                    "is_closed": ["Is closed", "Is Closed"],
                    **REVENUE_DETAIL_COLUMNS,
                },
            },
        ),
        # Pipedrive names every column "Entity - Field" in the user's language (English here) and links a person
        # or a deal to its organisation by the organisation's name; its address parts have had two spellings.
        Preset(
            "pipedrive",
            _("Pipedrive export"),
            {
                "accounts": {
                    "external_id": ["Organization - ID"],
                    "name": ["Organization - Name"],
                    "domain": ["Organization - Website", "Organization - Web address", "Organization - Domain"],
                    "industry": ["Organization - Industry"],
                    "country": ["Organization - Address - Country", "Organization - Address country"],
                    "region": [
                        "Organization - Address - State/county",
                        "Organization - Address admin area level 1",
                    ],
                    "city": [
                        "Organization - Address - City/town/village/locality",
                        "Organization - Address locality",
                    ],
                    "employees": ["Organization - Number of employees", "Organization - Employees"],
                    "annual_revenue": ["Organization - Annual revenue"],
                    "owner": ["Organization - Owner"],
                },
                "contacts": {
                    "external_id": ["Person - ID"],
                    "first_name": ["Person - First name"],
                    "last_name": ["Person - Last name"],
                    "full_name": ["Person - Name"],
                    "email": [
                        "Person - Email - Work",
                        "Person - Email",
                        "Person - Email - Other",
                        "Person - Email - Home",
                    ],
                    # A person without a work email: the home or other one (the first of them the file has).
                    "other_email": ["Person - Email - Home", "Person - Email - Other"],
                    "title": ["Person - Job title", "Person - Title"],
                    "account_external_id": ["Person - Organization ID"],
                    "account_name": ["Person - Organization"],
                    "created_date": ["Person - Add time", "Person - Person created"],
                    **COMMITTEE_COLUMNS,
                },
                "opportunities": {
                    "external_id": ["Deal - ID"],
                    "name": ["Deal - Title"],
                    "account_external_id": ["Deal - Organization ID"],
                    "account_name": ["Deal - Organization"],
                    "amount": ["Deal - Value"],
                    "stage": ["Deal - Stage"],
                    "status": ["Deal - Status"],
                    "created_date": ["Deal - Deal created", "Deal - Add time"],
                    # When it closed, where the export has it; else when it was expected to (one column for all).
                    "close_date": ["Deal - Closed on", "Deal - Expected close date"],
                    # An open deal has no "Closed on": it keeps its expected close date.
                    "expected_close_date": ["Deal - Expected close date"],
                    **REVENUE_DETAIL_COLUMNS,
                },
            },
        ),
        # Zoho CRM's module exports: ``Record Id``, and a lookup as two columns, its name and ``<lookup>.id``.
        Preset(
            "zoho",
            _("Zoho CRM export"),
            {
                "accounts": {
                    "external_id": ["Record Id"],
                    "name": ["Account Name"],
                    "domain": ["Website"],
                    "industry": ["Industry"],
                    "country": ["Billing Country", "Shipping Country"],
                    "region": ["Billing State", "Shipping State"],
                    "city": ["Billing City", "Shipping City"],
                    "employees": ["Employees"],
                    "annual_revenue": ["Annual Revenue"],
                    "ownership_type": ["Ownership"],
                    "lifecycle": ["Account Type"],
                    "owner": ["Account Owner"],
                    "parent_name": ["Parent Account"],
                    "parent_external_id": ["Parent Account.id"],
                },
                "contacts": {
                    "external_id": ["Record Id"],
                    "first_name": ["First Name"],
                    "last_name": ["Last Name"],
                    "email": ["Email", "Secondary Email"],
                    "other_email": ["Secondary Email"],
                    "title": ["Title"],
                    "account_external_id": ["Account Name.id"],
                    "account_name": ["Account Name"],
                    "do_not_contact": ["Email Opt Out"],
                    "reports_to": ["Reporting To"],  # a lookup: its name, and its id in "<field>.id"
                    "reports_to_external_id": ["Reporting To.id"],
                    "created_date": ["Created Time"],
                    **COMMITTEE_COLUMNS,
                },
                "opportunities": {
                    "external_id": ["Record Id"],
                    "name": ["Deal Name"],
                    "account_external_id": ["Account Name.id"],
                    "account_name": ["Account Name"],
                    "amount": ["Amount"],
                    "stage": ["Stage"],
                    "type": ["Type"],
                    "created_date": ["Created Time"],
                    "close_date": ["Closing Date"],
                    **REVENUE_DETAIL_COLUMNS,
                },
            },
        ),
        # Microsoft Dynamics 365's "Export to Excel" (saved as CSV): the record's id in a hidden first column
        # "(Do Not Modify) <Entity>", then the view's columns; lookups (a contact's company, a deal's customer, a
        # parent account, the owner) by their display name.
        Preset(
            "dynamics",
            _("Microsoft Dynamics 365 export"),
            {
                "accounts": {
                    "external_id": ["(Do Not Modify) Account"],
                    "name": ["Account Name"],
                    "domain": ["Website"],
                    "industry": ["Industry"],
                    "country": ["Address 1: Country/Region", "Address 1: Country"],
                    "region": ["Address 1: State/Province"],
                    "city": ["Address 1: City"],
                    "employees": ["Number of Employees"],
                    "annual_revenue": ["Annual Revenue"],
                    "ownership_type": ["Ownership"],
                    "lifecycle": ["Relationship Type"],
                    "owner": ["Owner"],
                    "parent_name": ["Parent Account"],
                },
                "contacts": {
                    "external_id": ["(Do Not Modify) Contact"],
                    "first_name": ["First Name"],
                    "last_name": ["Last Name"],
                    "full_name": ["Full Name"],  # the default contacts view has it, not the two parts
                    "email": ["Email", "Email Address 2", "Email Address 3"],
                    "other_email": ["Email Address 2", "Email Address 3"],
                    "title": ["Job Title"],
                    "account_name": ["Company Name", "Account Name"],
                    "reports_to": ["Manager"],  # Dynamics 365's "Manager" field: the manager's name, as text
                    "created_date": ["Created On"],
                    **COMMITTEE_COLUMNS,
                },
                "opportunities": {
                    "external_id": ["(Do Not Modify) Opportunity"],
                    "name": ["Topic"],
                    "account_name": ["Potential Customer", "Account"],
                    "amount": ["Est. Revenue", "Actual Revenue"],
                    # A won deal's real amount, where the view has both (the estimate stays for open and lost deals).
                    "won_amount": ["Actual Revenue"],
                    "stage": ["Pipeline Phase", "Sales Stage"],
                    "status": ["Status"],
                    "created_date": ["Created On"],
                    # When it closed, where the export has it; else when it was expected to (one column for all).
                    "close_date": ["Actual Close Date", "Est. Close Date"],
                    # An open deal has no actual close date: it keeps its estimated one.
                    "expected_close_date": ["Est. Close Date"],
                    **REVENUE_DETAIL_COLUMNS,
                },
            },
        ),
        Preset(
            "abe",
            _("ABE Portal CSV (this portal's export)"),
            {kind: {field: [field] for field, _ in fields} for kind, fields in TARGET_FIELDS.items()},
        ),
    ]
}


@cache
def _local_headers(kind: str) -> dict[str, list[str]]:
    """The headers of the portal's own export in the reader's language (``export.py``'s local format: "Id en el CRM",
    "Nombre", "Rol de compra"...), in every language but English (an English page exports the neutral file, whose
    headers are the fields' keys), for the import columns the export shares: field -> headers. A header two fields
    share in some language is left out (the mapping page would guess)."""
    from django.conf import settings
    from django.utils import translation

    from .export import ACCOUNT_LABELS, CONTACT_LABELS

    labels = {"accounts": ACCOUNT_LABELS, "contacts": CONTACT_LABELS}.get(kind, {})
    targets = {field for field, _label in TARGET_FIELDS.get(kind, [])}
    fields_of: dict[str, tuple[str, set[str]]] = {}  # folded header -> (header, fields)
    for language, _name in settings.LANGUAGES:
        if language.startswith("en"):
            continue
        with translation.override(language):
            for field, label in labels.items():
                header = translation.gettext(label)
                if field in targets and header != label:
                    fields_of.setdefault(header.strip().lower(), (header, set()))[1].add(field)
    headers: dict[str, list[str]] = {}
    for header, fields in fields_of.values():
        if len(fields) == 1:
            headers.setdefault(fields.pop(), []).append(header)
    return headers


def preset_columns(preset: Preset, kind: str) -> dict[str, list[str]]:
    """Target field -> the columns ``preset`` reads it from: its own list, and for the portal's own format the
    headers of its export in every other language too (so a file exported in Spanish re-imports as it is)."""
    columns = preset.columns.get(kind, {})
    if preset.name != "abe":
        return columns
    local = _local_headers(kind)
    return {field: candidates + local.get(field, []) for field, candidates in columns.items()}


def preset_mapping(preset: Preset, kind: str, headers: list[str]) -> dict[str, str]:
    """Target field -> the first candidate column present (exact name first, then ignoring case)."""
    exact = set(headers)
    folded = {h.strip().lower(): h for h in headers}
    mapping = {}
    for field, candidates in preset_columns(preset, kind).items():
        for candidate in candidates:
            if candidate in exact:
                mapping[field] = candidate
                break
            if candidate.lower() in folded:
                mapping[field] = folded[candidate.lower()]
                break
    return mapping


def preset_detect(kind: str, headers: list[str]) -> Preset | None:
    """The preset that takes the most of the header row's columns (exact-case matches count double; a tie goes to
    the preset listed first). Counted over the file's columns, not the preset's: CRMs share many labels
    (``Account Name``, ``Website``, ``Industry`` are Salesforce's and Zoho's), and the file's own identifiers
    (``Record Id``, ``Account Name.id``) decide, however many candidates each preset lists."""
    return _preset_best(kind, headers)[0]


def kind_detect(kind: str, headers: list[str]) -> str | None:
    """Another kind whose presets take more of the header row than ``kind``'s do (a deals export uploaded as
    accounts), or None: the mapping page says so before anything is imported."""
    best_kind, best_score = None, _preset_best(kind, headers)[1]
    for other in TARGET_FIELDS:
        if other != kind and (score := _preset_best(other, headers)[1]) > best_score:
            best_kind, best_score = other, score
    return best_kind


# A preset is a candidate for a file only if it finds one of the columns that identify a line's record.
KEY_FIELDS = {"external_id", "name", "email", "opportunity_external_id", "opportunity_name"}


def _preset_best(kind: str, headers: list[str]) -> tuple[Preset | None, float]:
    best, best_score = None, 0.0
    exact = set(headers)
    for preset in PRESETS.values():
        columns = preset_columns(preset, kind)
        mapping = preset_mapping(preset, kind, headers)
        if not KEY_FIELDS & set(mapping):
            continue
        # Each of the file's columns counts once, though a preset may map it to two fields (``email`` and
        # ``other_email`` when the file has only the second address).
        weights: dict[str, float] = {}
        for field, source in mapping.items():
            weight = 2.0 if source in exact and source in columns[field] else 1.0
            weights[source] = max(weights.get(source, 0.0), weight)
        score = sum(weights.values())
        every_column = len(set(mapping.values())) == len([h for h in headers if h])
        if (len(mapping) >= 2 or every_column) and score > best_score:
            best, best_score = preset, score
    return best, best_score
