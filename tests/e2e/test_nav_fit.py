"""Browser: the main menu either fits the bar whole or folds behind its "Menu" button, at every width, including
once the alerts badge has come in after the page (it widens the bar; the menu is measured again then). Before, at
widths where the badge tipped the bar over, the last entries were cut off at its edge."""

from __future__ import annotations

import datetime as dt

import pytest

from activation.models import Alert, AlertRecipient
from tests.e2e.conftest import login
from tests.factories import AccountFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
FITS = "() => { const n = document.getElementById('main-nav'); return n.scrollWidth <= n.clientWidth + 1 }"
FOLDED = "() => document.querySelector('.topbar').classList.contains('nav-collapsed')"


def test_the_menu_fits_or_folds_with_the_alerts_badge(page, admin_user, workspace):
    account = AccountFactory(workspace=workspace, name="Falcon Pharma")
    for n in range(12):
        alert = Alert.objects.create(
            workspace=workspace,
            dedupe_key=f"nav{n}",
            severity="high",
            title=f"Alert {n}",
            message="why",
            account=account,
            created_at=dt.datetime.now(dt.UTC),
        )
        AlertRecipient.objects.create(workspace=workspace, alert=alert, user=admin_user)
    login(page, "admin1")

    for width in range(1240, 1481, 20):  # where the badge tips this bar over (1,360 px before the fix)
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/accounts/")
        page.wait_for_selector("#alerts-badge", state="attached")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(FOLDED) or page.evaluate(FITS), f"an entry is cut off at {width} px"
