"""Browser journeys in other languages (issue 16): a Spanish user reads Spanish pages with Spanish numbers and
euros, types a decimal comma into a form; the main pages in each language keep their words inside their boxes, at
desktop and at phone width (screenshots in test-artifacts/i18n-<lang>-<page>-<width>.png)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from abe.models import Role, UserPreference
from accounts.models import Account
from activation.services.evaluation import rules_evaluate
from tests.factories import (
    AccountFactory,
    ContactFactory,
    MembershipFactory,
    RuleFactory,
    UserFactory,
    WorkspaceFactory,
)

from .conftest import login

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.e2e,
]

# Words and controls that must not spill out of their box: buttons, nav entries, pills, labels, headings, each
# inside the screen and, in the page's body, inside its column (the main container's padding); and the headers of
# every table, scrolling ones included: each header's words inside its cell, and every header of a wide list in
# view without scrolling sideways at desktop width (``wide``; on a phone the wide lists scroll sideways).
OVERFLOW_JS = """
(wide) => {
  const width = document.documentElement.clientWidth;
  const main = document.querySelector('main.container');
  const column = main ? main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight) : width;
  const spill = [...document.querySelectorAll('.btn, .nav a, .pill, .tag, label, h1, h2')]
    .filter(el => el.offsetParent !== null && !el.closest('.table-wrap'))
    .filter(el => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible'
                  || el.getBoundingClientRect().right > (main && main.contains(el) ? column : width) + 1)
    .map(el => el.tagName + ': ' + el.textContent.trim().slice(0, 40));
  const headers = [...document.querySelectorAll('table.data th')]
    .filter(th => th.offsetParent !== null)
    .flatMap(th => {
      const box = (th.closest('.table-wrap') || th.closest('table')).getBoundingClientRect();
      const text = 'TH: ' + th.textContent.trim().slice(0, 40);
      const words = [...th.querySelectorAll('a, span')].concat([th]);
      if (words.some(el => el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)) return [text + ' (cut)'];
      if (wide && th.getBoundingClientRect().right > box.right + 1) return [text + ' (off to the side)'];
      return [];
    });
  return spill.concat(headers);
}
"""


@pytest.fixture
def iberia():
    workspace = WorkspaceFactory(name="Iberia Ventas", slug="iberia", currency="EUR")
    user = UserFactory(username="ana", first_name="Ana")
    MembershipFactory(user=user, workspace=workspace, role=Role.ADMIN)
    account = AccountFactory(
        workspace=workspace,
        name="Telefonía Norte",
        industry="Telecom",
        employees=1500,
        annual_revenue=Decimal("1234567.50"),
        tier="strategic",
    )
    ContactFactory(account=account, first_name="Lucía", last_name="Gómez", buying_role="decision_maker")
    return workspace, user, account


def test_a_spanish_journey_with_local_numbers(page, iberia, screenshot):
    workspace, user, account = iberia
    UserPreference.objects.create(user=user, language="es", time_zone="Europe/Madrid")

    login(page, "ana")
    page.goto("/accounts/")
    page.wait_for_selector("#account-table")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.is_visible("h1:has-text('Cuentas')") and page.is_visible("text=Exportar CSV")
    row = page.locator("#account-table tbody tr", has_text="Telefonía Norte")
    assert "1,2\xa0M\xa0€" in row.inner_text()  # 1.234.567,50 € in the compact form of Spanish
    headers = page.locator("#account-table thead").text_content()
    assert "Cuenta" in headers and "Empleados" in headers and "Ingresos" in headers
    assert not {"Account", "Industry", "Country", "Employees", "Revenue", "Engagement "} & set(headers.split())
    assert "No consciente" in row.inner_text()  # the default journey stage, in Spanish
    assert page.locator(".scroll-cue").first.text_content() == "Desplázate a los lados para ver más columnas →"
    screenshot("i18n-es-accounts")

    page.goto("/accounts/tiers/")
    page.wait_for_selector("#tier-table")
    assert page.text_content("#selection-count") == "Ninguna cuenta seleccionada."
    page.locator("#tier-table tbody input[name=account]").first.check()
    assert page.text_content("#selection-count") == "1 cuenta seleccionada (se mantiene entre páginas)."
    board_headers = page.locator("#tier-table thead").text_content()
    assert "Prob. de ganar" in board_headers and "Win prob." not in board_headers
    page.click("#selection-clear")

    page.click("text=Telefonía Norte")
    page.wait_for_selector("#committee")
    assert page.is_visible("text=Comité de compra") and page.is_visible("text=Decisor")
    facts = page.locator("dl.facts").inner_text()
    assert "1,2\xa0M\xa0€" in facts
    screenshot("i18n-es-account")

    # An alert written in English by the evaluation job reads in Spanish (title and why).
    RuleFactory(workspace=workspace, name="Cuenta caliente", params={"threshold": 1.5}, severity="high")
    Account.objects.filter(pk=account.pk).update(engagement_score=5)
    rules_evaluate(account_ids=[account.pk])
    page.goto("/alerts/")
    assert page.is_visible("text=Telefonía Norte superó el engagement de 1,5")
    page.click("text=Telefonía Norte superó el engagement de 1,5")
    assert (
        page.locator("#alert-message")
        .inner_text()
        .startswith("La puntuación de engagement de Telefonía Norte es 5,0, igual o superior al umbral de 1,5")
    )
    screenshot("i18n-es-alert")

    page.goto("/accounts/icp/")
    page.fill("#id_fit_weight", "62,5")
    page.fill("#id_predictive_weight", "37,5")
    page.click("button:has-text('Guardar y reasignar niveles')")
    page.wait_for_url("**/accounts/icp/")
    assert page.input_value("#id_fit_weight") == "62,5"


@pytest.mark.parametrize("language", ["en", "es", "pt", "ro"])
def test_main_pages_keep_their_words_in_their_boxes(page, iberia, screenshot, language):
    workspace, user, account = iberia
    UserPreference.objects.create(user=user, language=language)
    login(page, "ana")
    overflowing = {}
    for name, url in [
        ("home", "/"),
        ("accounts", "/accounts/"),
        ("account", f"/accounts/{account.pk}/"),
        ("tiers", "/accounts/tiers/"),
        ("alerts", "/alerts/"),
        ("settings", "/settings/"),
    ]:
        for width in (1366, 390):  # desktop, then a phone: the save-view form of the lists once spilled there
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            page.wait_for_load_state("networkidle")
            screenshot(f"i18n-{language}-{name}-{width}")
            found = page.evaluate(OVERFLOW_JS, width > 1000)
            if found:
                overflowing[f"{name} at {width} px"] = found
    assert not overflowing, overflowing
