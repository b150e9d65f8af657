import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from analytics.models import DigestSubscription
from analytics.services.digest import digests_send
from analytics.services.rollups import facts_rebuild
from tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_opted_in_marketing_gets_the_weekly_digest_once(client, workspace, marketing_user, viewer_user):
    marketing_user.email, viewer_user.email = "m@example.com", "v@example.com"
    marketing_user.save()
    viewer_user.save()
    today = dt.date.today()
    OpportunityFactory(
        account=AccountFactory(workspace=workspace, tier="strategic"),
        status="won",
        created_date=today - dt.timedelta(days=30),
        close_date=today - dt.timedelta(days=2),
        amount=Decimal(25_000),
    )
    facts_rebuild(workspace=workspace)
    client.force_login(marketing_user)
    assert client.post("/analytics/digest/", {"subscribed": "1"}).status_code == 302
    client.force_login(viewer_user)
    assert client.post("/analytics/digest/", {"subscribed": "1"}).status_code == 403

    first = digests_send(workspace=workspace)
    again = digests_send(workspace=workspace)

    assert (first, again) == (1, 0)
    assert mail.outbox[0].to == ["m@example.com"]
    assert "Revenue won: $25,000" in mail.outbox[0].body
    assert DigestSubscription.objects.for_workspace(workspace).count() == 1
