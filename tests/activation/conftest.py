"""Activation fixtures: an account with its team, and helpers that write what a scoring pass would."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from abe.models import Role
from accounts.models import TeamRole
from engagement.models import EngagementEvent, JourneyStageChange
from tests.factories import AccountFactory, AccountTeamMemberFactory, MembershipFactory, UserFactory

_ids = itertools.count(1)


@pytest.fixture
def kam(workspace):
    """The key-account manager who owns the account."""
    user = UserFactory(username="kam", email="kam@example.com")
    MembershipFactory(user=user, workspace=workspace, role=Role.SALES)
    return user


@pytest.fixture
def sdr(workspace):
    user = UserFactory(username="sdr", email="sdr@example.com")
    MembershipFactory(user=user, workspace=workspace, role=Role.SALES)
    return user


@pytest.fixture
def account(workspace, kam, sdr):
    account = AccountFactory(workspace=workspace, name="Globex", owner=kam, tier="strategic", lifecycle="prospect")
    AccountTeamMemberFactory(account=account, user=sdr, team_role=TeamRole.SDR)
    return account


def event(account, *, type="web_visit", contact=None, at: datetime | None = None, **metadata) -> EngagementEvent:
    """An event row as ingestion writes it (idempotent key included)."""
    return EngagementEvent.objects.create(
        workspace=account.workspace,
        account=account,
        contact=contact,
        type=type,
        occurred_at=at or timezone.now() - timedelta(minutes=5),
        source="test",
        external_id=f"ev-{next(_ids)}",
        metadata=metadata,
    )


def stage_change(account, to_stage: str, *, from_stage: str = "engaged", at: datetime | None = None):
    at = at or timezone.now() - timedelta(minutes=1)
    account.journey_stage, account.journey_stage_changed_at = to_stage, at
    account.save(update_fields=["journey_stage", "journey_stage_changed_at"])
    return JourneyStageChange.objects.create(
        workspace=account.workspace, account=account, from_stage=from_stage, to_stage=to_stage, changed_at=at
    )


def score(obj, value: float, **fields) -> None:
    """Write a score as the scoring pass does."""
    obj.engagement_score = value
    for name, field_value in fields.items():
        setattr(obj, name, field_value)
    obj.save()


class Receiver:
    """A webhook receiver on 127.0.0.1: answers with the scripted status codes, then 200, and keeps requests."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.requests: list[dict] = []
        self.script: list[int] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(
                    {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body, "path": self.path}
                )
                code = receiver.script.pop(0) if receiver.script else 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok" if code < 300 else b"nope")

            def log_message(self, *args) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()
