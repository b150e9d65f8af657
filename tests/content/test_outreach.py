"""Outreach templates: safe merge fields (no attribute access, no code, escaping), render API, log as sent."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from content.merge import MergeError, merge_check, merge_render
from content.services.outreach import customer_result_save, outreach_template_create
from engagement.models import EngagementDay, EngagementEvent
from tests.factories import AccountFactory, ContactFactory, PersonaFactory

BODY = (
    "{{ contact.first_name }}, is {{ account.name }} struggling with {{ persona.challenge }}? "
    "Here's how {{ similar.name }} achieved {{ similar.result }}."
)


@pytest.mark.parametrize(
    "text",
    [
        "{{ contact.__class__ }}",
        "{{ contact.account.owner.password }}",
        "{{ contact.first_name|upper }}",
        "{{ contact.first_name() }}",
        "{{ 7*7 }}",
        "{% if contact.first_name %}hi{% endif %}",
        "{# comment #}",
        "{{ settings.SECRET_KEY }}",
        "Hello {{ contact.first_name",
        "{{ contact['first_name'] }}",
    ],
)
def test_anything_but_a_known_field_is_refused(text):
    with pytest.raises(MergeError):
        merge_check(text)


def test_single_pass_inserts_values_as_text():
    values = {"contact.first_name": "{{ account.name }}", "account.name": "Globex"}

    assert merge_render("Hi {{contact.first_name}} at {{ account.name }}", values) == "Hi {{ account.name }} at Globex"


@pytest.mark.django_db
def test_unknown_fields_are_errors_when_saving(workspace):
    with pytest.raises(ValidationError) as exc:
        outreach_template_create(workspace=workspace, name="Bad", subject="Hi {{ contact.nickname }}", body="x")

    assert "unknown merge field" in exc.value.message_dict["subject"][0]


@pytest.mark.django_db
def test_render_api_fills_the_seed_template(workspace, sales_api, sales_user):
    persona = PersonaFactory(workspace=workspace, challenges="Pipeline from key accounts\nLong cycles")
    account = AccountFactory(workspace=workspace, name="Initech", industry="Software", employees=900, owner=sales_user)
    won = AccountFactory(workspace=workspace, name="Globex", industry="Software", employees=1000, lifecycle="customer")
    AccountFactory(workspace=workspace, name="Hooli", industry="Retail", employees=900, lifecycle="customer")
    customer_result_save(workspace=workspace, account=won, result="40% more pipeline in two quarters")
    contact = ContactFactory(account=account, first_name="Ana", persona=persona)
    template = outreach_template_create(
        workspace=workspace, name="Seed", subject="{{ contact.first_name }}?", body=BODY
    )

    response = sales_api.post(
        f"/api/v1/outreach-templates/{template.pk}/render/", {"contact": contact.pk}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "subject": "Ana?",
        "body": "Ana, is Initech struggling with pipeline from key accounts? Here's how Globex achieved 40% more "
        "pipeline in two quarters.",
    }


@pytest.mark.django_db
def test_do_not_contact_is_refused_and_unknown_contact_is_400(workspace, sales_api, other_workspace):
    template = outreach_template_create(workspace=workspace, name="T", subject="Hi", body=BODY)
    blocked = ContactFactory(account=AccountFactory(workspace=workspace), do_not_contact=True)
    foreign = ContactFactory(account=AccountFactory(workspace=other_workspace))

    refused = sales_api.post(
        f"/api/v1/outreach-templates/{template.pk}/render/", {"contact": blocked.pk}, format="json"
    )
    missing = sales_api.post(
        f"/api/v1/outreach-templates/{template.pk}/render/", {"contact": foreign.pk}, format="json"
    )

    assert refused.status_code == 400 and "do not contact" in str(refused.json())
    assert missing.status_code == 400


@pytest.mark.django_db
def test_preview_escapes_values_and_log_as_sent_records_an_unscored_touch(client, workspace, sales_user):
    account = AccountFactory(workspace=workspace, name="<script>alert(1)</script> Corp", owner=sales_user)
    contact = ContactFactory(account=account, first_name="Ana")
    template = outreach_template_create(workspace=workspace, name="T", subject="For {{ account.name }}", body=BODY)
    client.force_login(sales_user)

    preview = client.get(f"/content/outreach/compose/?contact={contact.pk}&template={template.pk}")
    logged = client.post("/content/outreach/log-sent/", {"contact": contact.pk, "template": template.pk})
    timeline = client.get(f"/engagement/accounts/{account.pk}/timeline/")

    html = preview.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Corp" in html and "<script>alert(1)" not in html
    assert logged.status_code == 302
    event = EngagementEvent.objects.get(account=account)
    assert (event.type, event.contact_id, event.metadata["template_id"]) == ("outbound_touch", contact.pk, template.pk)
    assert "Outbound touch" in timeline.content.decode()
    assert not EngagementDay.objects.filter(account=account).exists()  # a touch is never scored
