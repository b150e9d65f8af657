"""Accounts (the target companies), their buying committee, account team and opportunities.

Invariants: an account's domain is normalised and unique in its workspace (when known); a contact's email is
unique in its workspace (when known); external CRM ids are unique per workspace and model. Scores and tiers
are stored on the account so that list pages read one row per account and never aggregate events.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from abe import texts as i18n_texts
from abe.labels import ChoiceLabels
from abe.models import TimeStamped, Workspace, WorkspaceOwned
from personas.models import BuyingRole, Department, Persona, Seniority

from .imports.presets import PRESETS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Lifecycle(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    FORMER_CUSTOMER = "former_customer", _("Former customer")


class OwnershipType(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")
    SUBSIDIARY = "subsidiary", _("Subsidiary")
    GOVERNMENT = "government", _("Government")
    NON_PROFIT = "non_profit", _("Non-profit")
    OTHER = "other", _("Other")


class Tier(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic (1:1)")
    PRIORITY = "priority", _("Priority (1:few)")
    STANDARD = "standard", _("Standard (1:many)")


# A tier's label in the active language, by its key (templates, JSON, joins: plain strings, read when used).
TIER_LABELS = ChoiceLabels(Tier)
#: The fit grades the ICP gives, best first (``Account.fit_grade``; blank until an account is scored).
FIT_GRADES = ("A", "B", "C", "D", "E", "F")
LIFECYCLE_LABELS = ChoiceLabels(Lifecycle)


# The fields people edit on an account, in display order: the form, the API serializer and the services share it.
ACCOUNT_EDITABLE_FIELDS: tuple[str, ...] = (
    "name",
    "domain",
    "industry",
    "country",
    "region",
    "city",
    "employees",
    "annual_revenue",
    "founded_year",
    "ownership_type",
    "number_of_offices",
    "technologies",
    "parent",
    "lifecycle",
    "owner",
    "external_id",
)


class Account(WorkspaceOwned, TimeStamped):
    # No single-column index on the workspace: every (workspace, ...) index below serves it, and each index is
    # one more write per account a rescore touches (see docs/performance.md).
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    name = models.CharField(max_length=255, verbose_name=_("name"))
    domain = models.CharField(
        max_length=255, blank=True, help_text=_("Normalised: example.com"), verbose_name=_("domain")
    )
    industry = models.CharField(max_length=100, blank=True, verbose_name=_("industry"))
    country = models.CharField(
        max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code"), verbose_name=_("country")
    )
    region = models.CharField(
        max_length=100, blank=True, help_text=_("State, province or region"), verbose_name=_("region")
    )
    city = models.CharField(max_length=100, blank=True, verbose_name=_("city"))
    employees = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("employees"))
    annual_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    founded_year = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("founded year"))
    ownership_type = models.CharField(
        max_length=20, choices=OwnershipType.choices, blank=True, verbose_name=_("ownership type")
    )
    number_of_offices = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("number of offices"))
    technologies = models.JSONField(default=list, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries", verbose_name=_("parent")
    )
    lifecycle = models.CharField(
        max_length=20, choices=Lifecycle.choices, default=Lifecycle.PROSPECT, verbose_name=_("lifecycle")
    )
    owner = models.ForeignKey(  # indexed with the workspace (account_ws_owner), not alone
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
        db_index=False,
        verbose_name=_("owner"),
    )
    external_id = models.CharField(max_length=64, blank=True, help_text=_("Id in the CRM"))
    # Fingerprint of the import line that last wrote the imported fields (its raw mapped cells and everything that
    # changes how they are read): a re-import of that same line is "unchanged" without parsing it. A trigger
    # (migration 0018) clears it on PostgreSQL whenever any other write changes an imported field.
    import_digest = models.BinaryField(null=True, blank=True, editable=False)

    # Prospecting (fit, prediction, priority, tier).
    fit_score = models.FloatField(null=True, blank=True)
    fit_grade = models.CharField(max_length=1, blank=True)
    win_probability = models.FloatField(null=True, blank=True)
    priority = models.FloatField(null=True, blank=True)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    tier_locked = models.BooleanField(default=False, help_text=_("Pinned by hand; automatic tiering leaves it."))
    # The fit "receipt": [[criterion key, band label or null, points], ...] from the ICP version that scored it.
    fit_explanation = models.JSONField(default=list, blank=True)
    fit_criteria_met = models.BigIntegerField(default=0, help_text=_("Bit i set: ICP criterion i gave points."))
    fit_icp_version = models.PositiveIntegerField(null=True, blank=True)
    # Top contributions to the win probability: [[feature label, contribution in log-odds], ...].
    win_drivers = models.JSONField(default=list, blank=True)
    trigger_event = models.CharField(max_length=200, blank=True, help_text=_("Latest trigger event, e.g. funding"))
    trigger_event_date = models.DateField(null=True, blank=True)

    # Engagement summary, kept current by the scoring workers.
    engagement_score = models.FloatField(default=0.0)
    engagement_momentum = models.FloatField(null=True, blank=True)
    journey_stage = models.CharField(max_length=40, default="unaware")
    journey_stage_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "domain"], condition=~Q(domain=""), name="account_unique_domain"
            ),
            models.UniqueConstraint(
                fields=["workspace", "external_id"], condition=~Q(external_id=""), name="account_unique_external_id"
            ),
        ]
        # Every sort of the accounts list and the tier board reads one of these in order and stops after a page
        # (bench/tier_board.py at 100,000 accounts): ``(workspace, column, id)``, read backwards for ``-column``
        # when the column cannot be NULL; a nullable column (unknown values last both ways, accounts/filters.py)
        # has one, read both ways (below). Filters use the same indexes (``country``, ``industry``, ``tier``,
        # ``fit_grade``, ``owner``) or their own (``lifecycle``, pinned accounts).
        indexes = [
            models.Index(F("workspace"), F("name"), F("id"), name="account_ws_name_id"),
            models.Index(F("workspace"), F("country"), F("id"), name="account_ws_country_id"),
            models.Index(F("workspace"), F("industry"), F("id"), name="account_ws_industry_id"),
            models.Index(F("workspace"), F("tier"), F("id"), name="account_ws_tier_id"),
            models.Index(F("workspace"), F("updated_at"), F("id"), name="account_ws_updated_id"),
            models.Index(F("workspace"), F("created_at"), F("id"), name="account_ws_created_id"),
            models.Index(F("workspace"), F("lifecycle"), F("id"), name="account_ws_lifecycle_id"),
            models.Index(fields=["workspace", "owner"], name="account_ws_owner"),
            models.Index(F("workspace"), F("id"), condition=Q(tier_locked=True), name="account_ws_pinned"),
            # One index per nullable sort column, read forwards for ``-column`` (unknown values last) and backwards
            # in two parts for ``column`` (abe.paging.AscendingInTwoParts): a second index per column made every
            # account a rescore changes cost six more index entries (docs/performance.md, "Rescore"). The
            # ranking columns (priority, fit, win probability, grade) have theirs on ``AccountRank``, the engagement
            # columns (score, momentum, journey stage and its time) on ``AccountEngagementRank``.
            *(
                models.Index(
                    F("workspace"), F(column).desc(nulls_last=True), F("id").desc(), name=f"account_ws_{short}_d"
                )
                for column, short in (("employees", "employees"), ("annual_revenue", "revenue"))
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def sales_can_edit(self, user) -> bool:
        if user is None or not user.is_authenticated:
            return False
        if self.owner_id == user.pk:
            return True
        return self.team_members.filter(user_id=user.pk).exists()


class AccountRank(models.Model):
    """A copy of an account's ranking columns (and the lists' filter columns), with the indexes that sort lists
    by them.

    Written only by database triggers on ``accounts_account`` (``accounts.rank_sync``), in the same statement as
    the account, so it is never stale; the application reads it to sort and filter lists and never writes it.
    Keeping the ranking indexes off the account row lets a rescore, which rewrites the scores of nearly every
    account, update each account in place (no index entries; docs/performance.md, "Rescore: the ranking columns
    in their own table"). A list sorted by a ranking column joins it (an inner join), restricts it to the
    workspace by a constant and filters it instead of the account (``accounts.filters``), so PostgreSQL walks one
    of these indexes in order and fetches only the page's accounts.
    """

    account = models.OneToOneField(
        Account, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="rank"
    )
    workspace = models.ForeignKey(
        Workspace, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    tier = models.CharField(max_length=20)
    priority = models.FloatField(null=True)
    fit_score = models.FloatField(null=True)
    fit_grade = models.CharField(max_length=1, blank=True)
    win_probability = models.FloatField(null=True)
    # The lists' other filters, so that a filtered page sorted by a ranking column, and its count, read the copy
    # alone (only the page's accounts are fetched); none indexed: they are tested while an index is walked.
    country = models.CharField(max_length=2, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    lifecycle = models.CharField(max_length=20, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    tier_locked = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # Each nullable sort column: read forwards for ``-column``, backwards in two parts for ``column``.
            *(
                models.Index(
                    F("workspace"), F(column).desc(nulls_last=True), F("account").desc(), name=f"rank_ws_{short}_d"
                )
                for column, short in (("priority", "priority"), ("fit_score", "fit"), ("win_probability", "win"))
            ),
            # Sort by grade (then priority, best first), and the grade filter under the default sort.
            models.Index(
                F("workspace"),
                F("fit_grade"),
                F("priority").desc(nulls_last=True),
                F("account"),
                name="rank_ws_grade_a",
            ),
            models.Index(
                F("workspace"),
                F("fit_grade").desc(),
                F("priority").asc(nulls_last=True),
                F("account").desc(),
                name="rank_ws_grade_d",
            ),
            # The tier filter under the default sort (priority, best first).
            models.Index(
                F("workspace"),
                F("tier"),
                F("priority").desc(nulls_last=True),
                F("account").desc(),
                name="rank_ws_tier_priority_d",
            ),
            # The grade filter under the sort by fit (grade A holds the best fits, which a fit index read from the
            # top would find at once, but PostgreSQL does not know that: it read the grade's whole range and sorted).
            models.Index(
                F("workspace"),
                F("fit_grade"),
                F("fit_score").desc(nulls_last=True),
                F("account").desc(),
                name="rank_ws_grade_fit_d",
            ),
            # A filter whose value few accounts have (an owner, a rare industry, the pinned accounts) under a
            # ranking sort: its rows from one of these, then sorted, instead of walking the sort index to the end.
            models.Index(fields=["workspace", "industry", "account"], name="rank_ws_industry"),
            models.Index(fields=["workspace", "country", "account"], name="rank_ws_country"),
            models.Index(fields=["workspace", "lifecycle", "account"], name="rank_ws_lifecycle"),
            models.Index(fields=["workspace", "owner"], name="rank_ws_owner"),
            models.Index(F("workspace"), F("account"), condition=Q(tier_locked=True), name="rank_ws_pinned"),
        ]

    def __str__(self) -> str:
        return f"rank of account {self.account_id}"


class AccountEngagementRank(models.Model):
    """A copy of an account's engagement columns (score, momentum, journey stage and when it changed), with the
    indexes that sort and filter lists by them, and the tier, owner and name the committee heatmap filters and
    sorts by with the stage.

    Kept like :class:`AccountRank`, by database triggers on ``accounts_account`` (``accounts.rank_sync``), in the
    same statement as the account; the application reads it and never writes it. A scoring pass rewrites the
    score and momentum of every account it touches and moves the stage of most: with these five indexes on the
    account row, each of those updates added an entry to all 20 of the account's indexes (every index of a row
    moved off its page). Here the account is updated in place and the copy's row adds six
    (docs/performance.md, "Goal 2: the engagement columns in their own table").
    """

    account = models.OneToOneField(
        Account, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="engagement_rank"
    )
    workspace = models.ForeignKey(
        Workspace, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    engagement_score = models.FloatField(default=0.0)
    engagement_momentum = models.FloatField(null=True)
    journey_stage = models.CharField(max_length=40)
    journey_stage_changed_at = models.DateTimeField(null=True)
    tier = models.CharField(max_length=20)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    name = models.CharField(max_length=255)

    class Meta:
        indexes = [
            models.Index(F("workspace"), F("engagement_score"), F("account"), name="erank_ws_engagement"),
            # Nullable: read forwards for ``-momentum`` (unknown values last), backwards in two parts for ``momentum``.
            models.Index(
                F("workspace"),
                F("engagement_momentum").desc(nulls_last=True),
                F("account").desc(),
                name="erank_ws_momentum_d",
            ),
            models.Index(F("workspace"), F("journey_stage"), F("account"), name="erank_ws_stage"),
            # ``stage_changed_since`` (the link of a configuration-change notice): a range of this index, which holds
            # only the accounts that ever changed stage (the workspace read whole without it: 12x slower at 100,000).
            models.Index(
                F("workspace"),
                F("journey_stage_changed_at"),
                F("account"),
                condition=Q(journey_stage_changed_at__isnull=False),
                name="erank_ws_stage_changed",
            ),
            # Committee heatmap and play enrolment filter by tier and stage together (a prefix of this index); the
            # heatmap adds the owner and sorts by name, so a page of "tier + stage + owner" is one range read in order
            # (bench/committees.py ``heatmap_filtered``: 33 ms and 68 ms at 100,000 accounts without it).
            models.Index(
                fields=["workspace", "tier", "journey_stage", "owner", "name", "account"], name="erank_ws_tier_stage"
            ),
        ]

    def __str__(self) -> str:
        return f"engagement rank of account {self.account_id}"


class Influence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Stance(models.TextChoices):
    CHAMPION = "champion", _("Champion")
    SUPPORTER = "supporter", _("Supporter")
    NEUTRAL = "neutral", _("Neutral")
    DETRACTOR = "detractor", _("Detractor")


class Contact(WorkspaceOwned, TimeStamped):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=100, blank=True, verbose_name=_("first name"))
    last_name = models.CharField(max_length=100, blank=True, verbose_name=_("last name"))
    email = models.EmailField(max_length=254, blank=True, verbose_name=_("email"))
    title = models.CharField(max_length=200, blank=True, verbose_name=pgettext_lazy("contact's job", "title"))
    department = models.CharField(max_length=20, choices=Department.choices, blank=True, verbose_name=_("department"))
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True, verbose_name=_("seniority"))
    buying_role = models.CharField(max_length=30, choices=BuyingRole.choices, blank=True, verbose_name=_("buying role"))
    persona = models.ForeignKey(
        Persona, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts", verbose_name=_("persona")
    )
    do_not_contact = models.BooleanField(default=False, verbose_name=_("do not contact"))
    external_id = models.CharField(max_length=64, blank=True)

    engagement_score = models.FloatField(default=0.0)
    last_engaged_at = models.DateTimeField(null=True, blank=True)

    # The committee map: how much weight the person carries, where they stand, whom they report to, and the
    # date they left the company (kept for history; a contact who left fills no committee role).
    influence = models.CharField(max_length=10, choices=Influence.choices, blank=True, verbose_name=_("influence"))
    stance = models.CharField(max_length=12, choices=Stance.choices, blank=True, verbose_name=_("stance"))
    reports_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
        verbose_name=_("reports to"),
    )
    left_at = models.DateField(null=True, blank=True, help_text=_("The day the person left the company."))

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], condition=~Q(email=""), name="contact_unique_email"),
            models.UniqueConstraint(
                fields=["workspace", "external_id"], condition=~Q(external_id=""), name="contact_unique_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "account"], name="contact_ws_account"),
            # The gap list's title hints: the latest contacts holding a role (newest first, a bounded read).
            models.Index(F("workspace"), F("buying_role"), F("id").desc(), name="contact_ws_role_id"),
            # ... and of a department-only requirement (finance, procurement), often held by nobody yet.
            models.Index(F("workspace"), F("department"), F("id").desc(), name="contact_ws_department_id"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or f"Contact {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def sales_can_edit(self, user) -> bool:
        return self.account.sales_can_edit(user)


class TeamRole(models.TextChoices):
    ACCOUNT_EXECUTIVE = "account_executive", _("Account executive")
    SDR = "sdr", _("Sales development rep")
    MARKETING_SPECIALIST = "marketing_specialist", _("Marketing specialist")
    SUPPORT_REP = "support_rep", _("Support rep")
    INDUSTRY_SPECIALIST = "industry_specialist", _("Industry marketing specialist")
    PRODUCT_MANAGER = "product_manager", _("Product manager")


class AccountTeamMember(WorkspaceOwned):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_teams", verbose_name=_("user")
    )
    team_role = models.CharField(max_length=30, choices=TeamRole.choices, verbose_name=_("team role"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team_role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user", "team_role", "workspace"], name="team_member_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_team_role_display()}) on {self.account}"

    def sales_can_edit(self, user) -> bool:
        return self.account.sales_can_edit(user)


class OpportunityType(models.TextChoices):
    NEW_BUSINESS = "new_business", _("New business")
    CROSS_SELL = "cross_sell", _("Cross-sell")
    UP_SELL = "up_sell", _("Up-sell")
    RENEWAL = "renewal", _("Renewal")


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Product(WorkspaceOwned, TimeStamped):
    """An entry of the workspace's product catalogue; opportunities name what they sell."""

    name = models.CharField(max_length=200, verbose_name=_("name"))
    family = models.CharField(
        max_length=100, blank=True, help_text=_("Product line, e.g. Analytics"), verbose_name=_("family")
    )
    list_price = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, verbose_name=_("list price")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))

    class Meta:
        ordering = ["family", "name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="product_unique_name")]

    def __str__(self) -> str:
        return self.name


class Opportunity(WorkspaceOwned, TimeStamped):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="opportunities")
    name = models.CharField(max_length=255, verbose_name=_("name"))
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True, verbose_name=_("amount"))
    stage = models.CharField(max_length=80, blank=True, verbose_name=_("stage"))
    type = models.CharField(
        max_length=20, choices=OpportunityType.choices, default=OpportunityType.NEW_BUSINESS, verbose_name=_("type")
    )
    created_date = models.DateField(verbose_name=_("created date"))
    close_date = models.DateField(null=True, blank=True, verbose_name=_("close date"))
    status = models.CharField(
        max_length=10, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN, verbose_name=_("status")
    )
    external_id = models.CharField(max_length=64, blank=True)
    # Revenue detail (key accounts): what is sold, its margin (an amount, or a percentage of the amount),
    # and the contract period of recurring revenue (renewals fall due at contract_end).
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
        verbose_name=_("product"),
    )
    gross_margin = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    gross_margin_pct = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text=_("Gross margin, in percent of the amount")
    )
    contract_start = models.DateField(null=True, blank=True, verbose_name=_("contract start"))
    contract_end = models.DateField(null=True, blank=True, verbose_name=_("contract end"))

    class Meta:
        ordering = ["-created_date", "name"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], condition=~Q(external_id=""), name="opportunity_unique_external_id"
            ),
            models.CheckConstraint(
                condition=Q(close_date__isnull=True) | Q(close_date__gte=models.F("created_date")),
                name="opportunity_close_after_create",
            ),
            models.CheckConstraint(
                condition=Q(contract_end__isnull=True)
                | Q(contract_start__isnull=True)
                | Q(contract_end__gte=models.F("contract_start")),
                name="opportunity_contract_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "close_date"], name="opportunity_ws_status"),
            models.Index(fields=["workspace", "contract_end"], name="opportunity_ws_contract_end"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def margin_amount(self) -> Decimal | None:
        """The gross margin in money: the amount given, else the percentage of the amount; None when unknown."""
        if self.gross_margin is not None:
            return self.gross_margin
        if self.gross_margin_pct is not None and self.amount is not None:
            return (self.amount * self.gross_margin_pct / Decimal(100)).quantize(Decimal("0.01"))
        return None

    def sales_can_edit(self, user) -> bool:
        return self.account.sales_can_edit(user)


class OpportunityContact(WorkspaceOwned, TimeStamped):
    """A person on a deal and the part they played in it (Salesforce's opportunity contact roles).

    The won/lost committee analysis reads a closed deal's committee from these rows when it has any, instead of
    guessing it from the account's contacts at the close (``content.selectors.analysis``). ``role`` is the role on
    this deal, which may differ from the contact's own buying role (blank: the CRM said "Other" or nothing). The
    contact may belong to another account (a consultant, a partner), as CRMs allow.
    """

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="contact_roles",
        verbose_name=_("opportunity"),
        db_index=False,  # the unique (opportunity, contact) key serves the deal's look-ups
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="deal_roles", verbose_name=_("Contact"))
    role = models.CharField(max_length=32, choices=BuyingRole.choices, blank=True, verbose_name=_("role on the deal"))
    is_primary = models.BooleanField(default=False, verbose_name=_("primary contact"))
    external_id = models.CharField(max_length=64, blank=True, verbose_name=_("CRM id"))

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("deal contact role")
        verbose_name_plural = _("deal contact roles")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "contact", "workspace"], name="opportunity_contact_once"),
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~Q(external_id=""),
                name="opportunity_contact_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(contact)s on %(opportunity)s") % {"contact": self.contact, "opportunity": self.opportunity}

    def sales_can_edit(self, user) -> bool:
        return self.opportunity.account.sales_can_edit(user)


# Prospecting: ICP versions, settings, predictive models, tier history and proposals, import jobs.


class IcpVersion(WorkspaceOwned):
    """One saved version of the workspace's Ideal Customer Profile; exactly one version is active.

    ``criteria`` is a list of weighted criteria, each with ordered bands (see ``accounts.prospecting.icp``).
    Versions are never edited: a change saves a new version, so history and reverts are exact.
    """

    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200, default="Ideal Customer Profile")
    criteria = models.JSONField(default=list)
    grade_thresholds = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)
    is_active = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="icp_version_unique_number"),
            models.UniqueConstraint(fields=["workspace"], condition=Q(is_active=True), name="icp_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class ProspectingSettings(WorkspaceOwned):
    """Per-workspace blend of fit and win probability into priority, and tier capacities."""

    fit_weight = models.FloatField(default=0.5)
    predictive_weight = models.FloatField(default=0.5)
    strategic_capacity = models.PositiveIntegerField(default=50)
    priority_capacity = models.PositiveIntegerField(default=200)
    last_rescored_at = models.DateTimeField(null=True, blank=True)
    last_rescore_summary = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="prospecting_settings_one")]
        verbose_name_plural = "prospecting settings"

    def __str__(self) -> str:
        return f"Prospecting settings of workspace {self.workspace_id}"


class PredictiveModel(WorkspaceOwned):
    """A trained win-probability model: the fitted pipeline (pickled) with its holdout metrics."""

    number = models.PositiveIntegerField()
    algorithm = models.CharField(max_length=60, default="logistic_regression")
    features = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    n_train = models.PositiveIntegerField(default=0)
    n_test = models.PositiveIntegerField(default=0)
    n_won = models.PositiveIntegerField(default=0)
    n_lost = models.PositiveIntegerField(default=0)
    # Pickled from this application's own training code only; never load a blob from elsewhere.
    blob = models.BinaryField()
    is_active = models.BooleanField(default=False)
    # Beats both baselines on the holdout (bootstrap interval of the AUC margin above zero); see predictive.py.
    beats_baselines = models.BooleanField(default=False)
    verdict = models.CharField(max_length=300, blank=True, help_text=_("Why it was or was not activated"))
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="predictive_model_unique_number"),
            models.UniqueConstraint(fields=["workspace"], condition=Q(is_active=True), name="predictive_one_active"),
        ]

    def __str__(self) -> str:
        return f"Model v{self.number}"

    @property
    def verdict_text(self) -> str:
        """The verdict in the reader's language (rebuilt from the stored comparison; ``verdict`` stays English)."""
        from .prospecting.predictive import comparison_reason

        comparison = (self.metrics or {}).get("comparison")
        try:
            return comparison_reason(comparison) if comparison else self.verdict
        except (KeyError, TypeError, ValueError):
            return self.verdict


class TierChangeSource(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic tiering")
    MANUAL = "manual", _("Pinned by hand")
    UNPIN = "unpin", _("Unpinned")
    PROPOSAL = "proposal", _("Accepted proposal")


class TierChange(WorkspaceOwned):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tier_changes")
    old_tier = models.CharField(max_length=20, choices=Tier.choices)
    new_tier = models.CharField(max_length=20, choices=Tier.choices)
    source = models.CharField(max_length=20, choices=TierChangeSource.choices)
    reason = models.CharField(max_length=500, blank=True)
    # A reason the product wrote ("Automatic tiering (priority 87)") as a message key (``abe.texts``), read in the
    # reader's language; ``reason`` keeps the English the API returns, or what a person typed.
    texts = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="tier_change_account")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.old_tier} -> {self.new_tier}"

    @property
    def shown_reason(self) -> str:
        return i18n_texts.shown(self, "reason")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class TierProposal(WorkspaceOwned):
    """A tier move that a rescore would make on a pinned or high-tier account, waiting for a person."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tier_proposals")
    current_tier = models.CharField(max_length=20, choices=Tier.choices)
    proposed_tier = models.CharField(max_length=20, choices=Tier.choices)
    priority = models.FloatField(null=True, blank=True)
    reason = models.CharField(max_length=500)
    texts = models.JSONField(default=dict, blank=True)  # ``reason`` as a message key (see ``TierChange.texts``)
    status = models.CharField(max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "workspace"], condition=Q(status="pending"), name="tier_proposal_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status"], name="tier_proposal_ws_status")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.current_tier} -> {self.proposed_tier} ({self.status})"

    @property
    def shown_reason(self) -> str:
        return i18n_texts.shown(self, "reason")


class ImportKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("Contacts")
    OPPORTUNITIES = "opportunities", _("Opportunities")
    OPPORTUNITY_CONTACTS = "opportunity_contacts", _("Deal contact roles")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded, waiting for the mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(WorkspaceOwned):
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/")
    preset = models.CharField(max_length=40, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text=_("Target field -> source column"))
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    warned = models.PositiveIntegerField(default=0, help_text=_("Rows imported with a field left blank"))
    duplicates = models.PositiveIntegerField(default=0, help_text=_("Rows repeating an earlier line (in unchanged)"))
    errors = models.JSONField(default=list, blank=True, help_text=_("Every problem: [{line, kind, reason}]"))
    resume = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("While running: the state the next step goes on from (rows done, counts)"),
    )
    stage_map = models.JSONField(default=dict, blank=True, help_text=_("Opportunity stage value -> open/won/lost"))
    scales = models.JSONField(default=dict, blank=True, help_text=_("Numeric target field -> factor"))
    message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Stamped when the job is queued, started and at each committed chunk: one queued or running with no stamp for
    # ABE_JOB_STALL_SECONDS is failed by the watchdog (``import_jobs_stalled_fail``).
    progressed_at = models.DateTimeField(default=timezone.now, help_text=_("The last sign of progress."))
    # ``message`` as a message key (``abe.texts``), read in the reader's language; the column keeps the English the
    # API returns. An import recorded before the key, or failed with a row's own words, shows as stored.
    texts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.kind}, {self.status})"

    @property
    def message_text(self) -> str:
        return i18n_texts.shown(self, "message")

    @property
    def preset_label(self) -> StrOrPromise:
        """The preset as the pages name it (its label, in the reader's language); the stored key of a preset this
        version no longer has; empty for a mapping made by hand."""
        preset = PRESETS.get(self.preset)
        return preset.label if preset else self.preset

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    def summary(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "warned": self.warned,
            "duplicates": self.duplicates,
        }

    @property
    def rejected_problems(self) -> list[dict]:
        return [e for e in self.errors if e.get("kind", "rejected") == "rejected"]

    @property
    def warning_problems(self) -> list[dict]:
        return [e for e in self.errors if e.get("kind") == "warning"]


class SavedViewList(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    TIER_BOARD = "tier_board", _("Tier board")


class SavedView(WorkspaceOwned, TimeStamped):
    """A named set of filters, sort and columns of the accounts list or the tier board; private to its owner or
    shared with the workspace. Other apps resolve one into accounts with ``accounts.selectors.saved_view_accounts``."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=100)
    list_name = models.CharField(max_length=20, choices=SavedViewList.choices, help_text=_("The list it filters."))
    query = models.TextField(blank=True, help_text=_("The list's query string: filters and sort."))
    hidden_columns = models.JSONField(default=list, blank=True)
    shared = models.BooleanField(default=False, help_text=_("Everyone in the workspace sees it."))

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "owner", "list_name", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


# The columns people may hide, per list with a column chooser (key, label), in display order.
LIST_COLUMNS: dict[str, list[tuple[str, StrOrPromise]]] = {
    "tier_board": [
        ("tier", _("Tier")),
        ("stage", _("Stage")),
        ("engagement", _("Engagement")),
        ("momentum", _("Momentum")),
        ("owner", _("Owner")),
        ("priority", _("Priority")),
        ("fit", _("Fit")),
        ("grade", _("Grade")),
        ("win", _("Win prob.")),
        ("employees", _("Employees")),
        ("revenue", _("Revenue")),
        ("lifecycle", _("Lifecycle")),
        ("industry", _("Industry")),
        ("country", _("Country")),
    ],
}


class ColumnChoice(WorkspaceOwned, TimeStamped):
    """The columns one person hides in a wide list (the tier board), kept on the server so that they follow the
    person from browser to browser. Opening a saved view applies (and keeps) the view's columns."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_name = models.CharField(max_length=20, choices=SavedViewList.choices)
    hidden_columns = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user", "list_name"], name="column_choice_unique_list")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.list_name}: {', '.join(self.hidden_columns) or 'all columns'}"
