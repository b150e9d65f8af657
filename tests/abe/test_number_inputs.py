"""A number field's value is written for the browser, not for the reader: "5.0", never "5,0".

A browser reads an <input type="number"> value only in its own grammar (digits, a dot, an exponent); a value in
the reader's format ("5,0" in Spanish) shows as an empty field, and saving the form then sends nothing. The
content settings' prior weight and an objective's current value came out that way in Spanish, Portuguese and
Romanian.
"""

import re

import pytest

from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$")  # HTML's valid floating-point number
INPUT = re.compile(r"<input\b[^>]*>")


def _number_values(body: str) -> list[tuple[str, str]]:
    out = []
    for tag in INPUT.findall(body):
        if 'type="number"' in tag:
            value = re.search(r'\bvalue="([^"]*)"', tag)
            name = re.search(r'\bname="([^"]*)"', tag)
            if value and value.group(1):
                out.append((name.group(1) if name else "?", value.group(1)))
    return out


@pytest.mark.parametrize("language", ["es", "pt", "ro"])
def test_every_number_field_holds_a_number_the_browser_reads(client, admin_user, admin_api, workspace, language):
    account = AccountFactory(workspace=workspace, tier="strategic")
    plan = admin_api.post("/api/v1/account-plans/", {"account": account.pk, "goals": "x"}, format="json").json()
    admin_api.post(
        "/api/v1/account-plan-objectives/",
        {"plan": plan["id"], "title": "Seats", "target": 300, "current": 150.5},
        format="json",
    )
    client.force_login(admin_user)
    seen = []
    for path in (
        "/content/settings/",
        f"/key-accounts/plans/{plan['id']}/",
        "/key-accounts/settings/",
        "/analytics/economics/",
        "/engagement/settings/",
        "/accounts/icp/",
    ):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, path
        for name, value in _number_values(response.content.decode()):
            seen.append((path, name, value))
            assert NUMBER.match(value), f"{path}: {name}={value!r}"
    assert ("/content/settings/", "prior_weight", "5.0") in seen
    assert (f"/key-accounts/plans/{plan['id']}/", "current", "150.50") in seen


@pytest.mark.parametrize("language", ["es", "pt", "ro"])
def test_a_bars_width_is_css_in_every_language(client, admin_user, workspace, language):
    """The win panel's driver bars: "width:27,4%" is not CSS, so every bar was drawn full width."""
    account = AccountFactory(workspace=workspace, win_probability=0.4, win_drivers=[["Industry: Software", 0.4567]])
    client.force_login(admin_user)
    body = client.get(f"/accounts/{account.pk}/panels/win/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    widths = re.findall(r'style="width:([^"%]*)%"', body)
    assert widths and all(NUMBER.match(w) for w in widths), widths
    assert "27.402" in " ".join(widths)


def test_the_win_panel_shows_the_stored_drivers_in_the_readers_language(client, admin_user, workspace):
    account = AccountFactory(
        workspace=workspace,
        win_probability=0.4,
        win_drivers=[["Industry: Software", 0.45], ["Does not use Slack", -0.2], ["Employees: 0-50 people", 0.1]],
    )
    client.force_login(admin_user)
    body = client.get(f"/accounts/{account.pk}/panels/win/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<td>Sector: Software</td>" in body
    assert "<td>No usa Slack</td>" in body
    assert "<td>Empleados: 0-50 personas</td>" in body
    assert client.get(f"/api/v1/accounts/{account.pk}/", HTTP_ACCEPT_LANGUAGE="es").json()["win_drivers"][1] == [
        "Does not use Slack",
        -0.2,
    ]
