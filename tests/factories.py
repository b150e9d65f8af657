"""factory_boy factories for every domain model; each row lands in the workspace it is given."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from abe.models import Membership, Role, Workspace
from accounts.models import Account, AccountTeamMember, Contact, Opportunity, OpportunityContact, TeamRole
from content.models import ContentAsset
from personas.models import BuyingRole, Persona


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"ws-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Role.VIEWER


class PersonaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Persona

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Persona {n}")
    department = "marketing"
    seniority = "director"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Account {n}")
    domain = factory.Sequence(lambda n: f"account{n}.example.com")
    industry = "Software"
    country = "US"
    employees = 500


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    workspace = factory.LazyAttribute(lambda o: o.account.workspace)
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    buying_role = BuyingRole.INFLUENCER


class AccountTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountTeamMember

    account = factory.SubFactory(AccountFactory)
    workspace = factory.LazyAttribute(lambda o: o.account.workspace)
    user = factory.SubFactory(UserFactory)
    team_role = TeamRole.ACCOUNT_EXECUTIVE


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    account = factory.SubFactory(AccountFactory)
    workspace = factory.LazyAttribute(lambda o: o.account.workspace)
    name = factory.Sequence(lambda n: f"Deal {n}")
    amount = 50000
    created_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=90))
    status = "open"


class OpportunityContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpportunityContact

    opportunity = factory.SubFactory(OpportunityFactory)
    workspace = factory.LazyAttribute(lambda o: o.opportunity.workspace)
    contact = factory.LazyAttribute(lambda o: ContactFactory(account=o.opportunity.account))
    role = "decision_maker"


class ContentAssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentAsset

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Asset {n}")
    format = "report"


# Activation ------------------------------------------------------------------------------------------------


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activation.Rule"

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Rule {n}")
    condition_type = "score_threshold"
    params = factory.LazyFunction(lambda: {"subject": "account", "threshold": 50.0})
    severity = "medium"
    cooldown_hours = 0
    notify_owner = True


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activation.WebhookSubscription"

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Receiver {n}")
    url = "http://127.0.0.1:9/hook"
    secret = "whsec_test_secret_0123456789"
    format = "json"


def closed_deal_history(workspace, *, accounts: int = 120, seed: int = 7) -> list[Account]:
    """Accounts with won/lost deals whose outcome follows industry and a complementary tool (learnable signal)."""
    import random

    from accounts.models import Opportunity

    rng = random.Random(seed)
    rows = []
    for i in range(accounts):
        industry = rng.choice(["Software", "Retail"])
        techs = ["Salesforce"] if rng.random() < 0.5 else []
        rows.append(
            Account(
                workspace=workspace,
                name=f"Hist {i}",
                domain=f"hist{i}.example.com",
                industry=industry,
                country=rng.choice(["US", "DE"]),
                employees=rng.choice([80, 600, 3000]),
                technologies=techs,
            )
        )
    created = Account.objects.bulk_create(rows)
    today = datetime.date.today()
    deals = []
    for i, account in enumerate(created):
        p = 0.15 + 0.45 * (account.industry == "Software") + 0.3 * bool(account.technologies)
        won = rng.random() < p
        opened = today - datetime.timedelta(days=400 - i * 3)
        deals.append(
            Opportunity(
                workspace=workspace,
                account=account,
                name=f"Deal {i}",
                created_date=opened,
                close_date=opened + datetime.timedelta(days=30),
                status="won" if won else "lost",
            )
        )
    Opportunity.objects.bulk_create(deals)
    return created


class EngagementEventFactory(factory.django.DjangoModelFactory):
    """A raw event row (tests of later apps); ingestion itself goes through ``engagement.services.events_ingest``."""

    class Meta:
        model = "engagement.EngagementEvent"

    account = factory.SubFactory(AccountFactory)
    workspace = factory.LazyAttribute(lambda o: o.account.workspace)
    contact = None
    type = "web_visit"
    occurred_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
    source = "test"
    external_id = factory.Sequence(lambda n: f"evt-{n}")


# Key accounts ----------------------------------------------------------------------------------------------


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Product"

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    family = "Platform"
    list_price = 10000


class AccountPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "keyaccounts.AccountPlan"

    account = factory.SubFactory(AccountFactory)
    workspace = factory.LazyAttribute(lambda o: o.account.workspace)
    goals = "Grow the analytics programme"
    next_review_due = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


def bulk_pin_job(workspace, user, accounts, *, role: str = "admin", **fields):
    """A bulk "pin to Strategic" job over ``accounts`` as the tier board queues it (``accounts_bulk_apply_task``)."""
    from abe.models import Job

    return Job.objects.create(
        workspace=workspace,
        kind="accounts_bulk",
        label="Pin",
        total=len(accounts),
        created_by=user,
        params={
            "account_ids": [a.pk for a in accounts],
            "action": "tier",
            "owner_id": None,
            "tier": "strategic",
            "reason": "Board review",
            "role": role,
        },
        **fields,
    )


def engaged_on(contact: Contact, day: datetime.date, event_type: str = "meeting") -> None:
    """A day count of one event of ``contact`` on ``day``: what the won/lost analysis reads as engaged."""
    from django.utils import timezone

    from engagement.models import EngagementDay

    EngagementDay.objects.create(
        workspace=contact.workspace,
        account=contact.account,
        contact=contact,
        contact_key=contact.pk,
        type=event_type,
        day=day,
        count=1,
        last_at=timezone.now(),
    )
