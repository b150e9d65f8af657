"""The rule form's Preview runs as a job (issue 11 item 4): on the real stack the POST answers at once with the
job card inside the preview box, which polls until the result shows; on the embedded default it runs in the
request. The job's result is the exact dry run (nothing kept) and equals what the next evaluation fires."""

from __future__ import annotations

import pytest
from django.test import override_settings

from abe.models import Job, JobStatus, Role
from activation.models import Alert, Rule
from activation.services.evaluation import rules_evaluate
from activation.services.forecast import RULE_PREVIEW_JOB, rule_forecast_later
from activation.tasks import rule_preview_job_task
from tests.activation.test_forecast_exact import _rule, _state, world  # noqa: F401 (the fixture)
from tests.factories import AccountFactory, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Hot",
    "condition_type": "score_threshold",
    "subject": "account",
    "threshold": "60",
    "severity": "high",
    "cooldown_hours": "24",
    "is_active": "on",
    "notify_owner": "on",
}


@pytest.fixture
def scored(workspace):
    for n, score in enumerate([10, 55, 70, 90]):
        AccountFactory(workspace=workspace, name=f"Acct {n}", engagement_score=score)


@pytest.mark.parametrize("kind", ["role_engaged", "cooldown"])
def test_the_rule_preview_job_holds_what_the_next_evaluation_fires(
    workspace,
    world,  # noqa: F811
    kind,
):
    rule = _rule(workspace, world, kind)
    rule.is_active = False
    if "threshold" in rule.params:  # a line the scores as they are cross (as the exactness test does)
        rule.params = {**rule.params, "threshold": 1}
    rule.save()
    state = _state(workspace)

    job = rule_forecast_later(workspace=workspace, data={"is_active": True}, rule=rule, by=None)

    assert job.kind == RULE_PREVIEW_JOB and job.status == JobStatus.DONE, job.message
    assert _state(workspace) == state  # the dry run inside the job kept nothing
    rule.is_active = True
    rule.save()
    result = rules_evaluate(account_ids=[a.pk for a in world["accounts"]], workspace_id=workspace.pk)
    fired_accounts = {Alert.objects.get(pk=pk).account_id for pk in result.fired}
    assert job.result == {"alerts": len(result.fired), "accounts": len(fired_accounts)}
    assert len(result.fired) > 0


def test_a_filter_owner_is_stored_as_its_id_and_used(workspace, scored):
    owner = UserFactory(username="olga")
    MembershipFactory(user=owner, workspace=workspace, role=Role.SALES)
    AccountFactory(workspace=workspace, name="Olga's", engagement_score=99, owner=owner)
    data = {"name": "Hot", "condition_type": "score_threshold", "params": {"subject": "account", "threshold": 60}}

    job = rule_forecast_later(workspace=workspace, data={**data, "filter_owner": owner}, rule=None, by=None)

    assert job.params["data"]["filter_owner"] == owner.pk, job.message
    assert job.result == {"accounts": 1, "alerts": 1}
    assert not Rule.objects.exists()


def test_a_service_validation_error_fails_the_job_and_is_the_preview_error(workspace, scored):
    from django.template.loader import render_to_string

    from activation.views import _rule_preview_context

    stranger = UserFactory(username="stranger")
    data = {"name": "Hot", "condition_type": "score_threshold", "params": {"subject": "account", "threshold": 60}}

    job = rule_forecast_later(workspace=workspace, data={**data, "filter_owner": stranger}, rule=None, by=None)

    assert job.status == JobStatus.FAILED and "must be a member of this workspace" in job.message
    html = render_to_string("activation/partials/rule_preview.html", _rule_preview_context(job))
    assert 'class="form-errors">The owner must be a member of this workspace.' in html
    assert not Rule.objects.exists()


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_on_the_real_stack_the_post_answers_with_the_card_and_polling_shows_the_result(
    client, marketing_user, scored, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(marketing_user)
    published: list[int] = []
    monkeypatch.setattr(rule_preview_job_task, "delay", published.append)

    with django_capture_on_commit_callbacks(execute=True):
        html = client.post("/alerts/rules/preview/", FORM).content.decode()

    job = Job.objects.get(kind=RULE_PREVIEW_JOB)
    assert published == [job.pk] and not job.inline
    assert 'data-job-status="queued"' in html and f'hx-get="/alerts/rules/preview/jobs/{job.pk}/"' in html
    assert "rule-preview-alerts" not in html

    rule_preview_job_task(job.pk)  # the worker
    polled = client.get(f"/alerts/rules/preview/jobs/{job.pk}/").content.decode()

    assert 'data-job-status="done"' in polled and "every 1s" not in polled
    assert (
        '<strong id="rule-preview-alerts">2</strong> alerts on <strong id="rule-preview-accounts">2</strong>' in polled
    )
    assert not Rule.objects.exists()


def test_inline_on_the_embedded_default_and_polling_is_for_rule_editors_of_the_workspace(
    client, marketing_user, viewer_user, workspace, scored
):
    client.force_login(marketing_user)
    html = client.post("/alerts/rules/preview/", FORM).content.decode()
    job = Job.objects.get(kind=RULE_PREVIEW_JOB)
    assert job.inline and "ran in this request" in html and 'id="rule-preview-accounts">2<' in html

    other = Job.objects.create(workspace=WorkspaceFactory(slug="other"), kind=RULE_PREVIEW_JOB, label="x", total=1)
    assert client.get(f"/alerts/rules/preview/jobs/{other.pk}/").status_code == 404
    assert client.get(f"/alerts/rules/preview/jobs/{job.pk}/").status_code == 200
    client.force_login(viewer_user)
    assert client.get(f"/alerts/rules/preview/jobs/{job.pk}/").status_code == 403
