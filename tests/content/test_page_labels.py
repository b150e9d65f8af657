"""Keys people should never read: the content pages show labels in the reader's language, not stored keys."""

from __future__ import annotations

import pytest

from content.services.plays import play_create

pytestmark = pytest.mark.django_db


def test_the_plays_list_names_the_exit_stage(client, marketing_user, workspace):
    play_create(
        workspace=workspace,
        name="Warm-up",
        steps=[{"title": "Intro", "day_offset": 0, "channel": "email"}],
        exit_stage="mqa",
    )
    play_create(workspace=workspace, name="By hand", steps=[{"title": "Hi", "day_offset": 0, "channel": "email"}])
    client.force_login(marketing_user)

    page = client.get("/content/plays/").content.decode()

    assert "<td>MQA</td>" in page and "<td>mqa</td>" not in page
    assert "<td>—</td>" in page  # a play only left by hand


def test_committee_templates_are_headed_by_the_tiers_label(client, marketing_user, workspace):
    client.force_login(marketing_user)

    english = client.get("/content/committees/templates/").content.decode()
    spanish = client.get("/content/committees/templates/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    form = client.get("/content/committees/templates/strategic/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert '<h2 style="margin:0">Strategic (1:1)</h2>' in english
    assert '<h2 style="margin:0">Estratégica (1:1)</h2>' in spanish
    assert "Estratégica (1:1)" in form and ">Strategic committee<" not in form


def test_the_won_lost_analysis_says_too_few_deals_in_the_readers_language(client, marketing_user, workspace):
    client.force_login(marketing_user)

    page = client.get("/content/committees/won-lost/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Muy pocos acuerdos para saberlo: 0 ganados y 0 perdidos cerrados" in page


def test_a_plays_steps_name_who_does_them(client, marketing_user, workspace):
    play = play_create(
        workspace=workspace,
        name="Warm-up",
        steps=[
            {"title": "Intro", "day_offset": 0, "channel": "email"},
            {"title": "Call", "day_offset": 2, "channel": "phone", "owner_role": "sdr"},
        ],
    )
    client.force_login(marketing_user)

    english = client.get(f"/content/plays/{play.pk}/").content.decode()
    spanish = client.get(f"/content/plays/{play.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    form = client.get(f"/content/plays/{play.pk}/edit/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "<td>Account owner</td>" in english and "<td>owner</td>" not in english
    assert "<td>Sales development rep</td>" in english and "<td>sdr</td>" not in english
    assert "<td>Responsable de la cuenta</td>" in spanish
    assert '<option value="owner" selected>Responsable de la cuenta</option>' in form
