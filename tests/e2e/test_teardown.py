"""The journeys' teardown waits for the live server to finish what the browser left in flight.

Without it the test database's flush could deadlock with a request still reading (an htmx panel loading after the
journey's last step), failing that journey's teardown and the next journey's setup.
"""

import threading
import time

import pytest

from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

from .conftest import InFlight, login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_wait_quiet_waits_for_the_last_request_to_finish():
    counter = InFlight()
    counter.started()
    finisher = threading.Timer(0.4, counter.finished)
    began = time.monotonic()
    finisher.start()
    assert counter.wait_quiet(timeout=5, settle=0.1)
    assert time.monotonic() - began >= 0.4
    counter.started()  # a request that never finishes: the wait gives up and says so
    assert not counter.wait_quiet(timeout=0.3, settle=0.1)


def test_the_counter_hears_the_live_servers_requests(page, in_flight):
    from abe.models import Role

    workspace = WorkspaceFactory()
    MembershipFactory(user=UserFactory(username="quiet"), workspace=workspace, role=Role.ADMIN)
    login(page, "quiet")
    page.goto("/accounts/")
    assert in_flight.total >= 3  # the login form, its post and the list, at least
    page.context.close()
    assert in_flight.wait_quiet(timeout=10)
    assert in_flight.count == 0
