"""The engagement settings page's Preview runs as a job (issue 11 item 4): on the real stack the POST answers at
once with the progress card and the page polls it until the consequences show; on the embedded default the job runs
in the request and the card says so. The job's result is the exact dry run: what saving then creates, nothing kept.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from abe.models import Job, JobStatus
from activation.models import Alert, AlertKind, AlertStatus
from engagement.models import JourneyStageChange
from engagement.services import engagement_config_update
from engagement.services.config import PREVIEW_JOB, engagement_config_preview_later
from engagement.tasks import engagement_preview_job_task
from tests.activation.test_forecast_exact import _change, _rule, _state, world  # noqa: F401 (the fixture)
from tests.factories import AccountFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def _form(client, **changes):
    form = client.get("/engagement/settings/").context["form"]
    data = {name: ("on" if v is True else "" if v in (None, False) else v) for name, v in form.initial.items()}
    data.update({name: field.initial for name, field in form.fields.items() if name not in data})
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    data.update(changes)
    return data


@pytest.mark.parametrize("kind", ["stage_entered", "cooldown"])
def test_the_preview_job_holds_what_saving_then_creates(
    workspace,
    world,  # noqa: F811
    kind,
    django_capture_on_commit_callbacks,
):
    rule = _rule(workspace, world, kind)
    before = set(Alert.objects.values_list("pk", flat=True))
    changes_before = JourneyStageChange.objects.count()
    state = _state(workspace)

    with django_capture_on_commit_callbacks(execute=True):
        job = engagement_config_preview_later(workspace=workspace, data=_change(workspace), by=None)
    job.refresh_from_db()

    assert job.kind == PREVIEW_JOB and job.status == JobStatus.DONE, job.message
    assert _state(workspace) == state  # the dry run inside the job kept nothing
    result = job.result
    with django_capture_on_commit_callbacks(execute=True):
        engagement_config_update(workspace=workspace, per_account_alerts=True, **_change(workspace))

    moved = JourneyStageChange.objects.count() - changes_before
    assert result["moved"] == moved == 4
    fired = Alert.objects.filter(kind=AlertKind.RULE, rule=rule, status=AlertStatus.OPEN).exclude(pk__in=before)
    assert result["alerts"] == fired.count() >= 1
    after = {}
    for stage in JourneyStageChange.objects.order_by("pk")[changes_before:].values_list("to_stage", flat=True):
        after[stage] = after.get(stage, 0) + 1
    assert result["entering"] == after
    counts = {key: n for key, _, _, n in result["stages"]}
    for key, n in counts.items():
        assert n == sum(1 for a in world["accounts"] if type(a).objects.get(pk=a.pk).journey_stage == key)


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_on_the_real_stack_the_post_answers_with_the_card_and_polling_shows_the_result(
    client, admin_user, workspace, django_capture_on_commit_callbacks, monkeypatch
):
    for n in range(3):
        AccountFactory(workspace=workspace, name=f"A{n}")
    client.force_login(admin_user)
    data = _form(client, stage_3__min_score="0.5")
    published: list[int] = []
    monkeypatch.setattr(engagement_preview_job_task, "delay", published.append)  # the broker: a worker runs it later

    with django_capture_on_commit_callbacks(execute=True):
        html = client.post("/engagement/settings/preview/", data).content.decode()

    job = Job.objects.get(kind=PREVIEW_JOB)
    assert published == [job.pk] and not job.inline
    assert f'id="job-{job.pk}"' in html and 'data-job-status="queued"' in html
    assert f'hx-get="/engagement/settings/preview/{job.pk}/"' in html and 'hx-trigger="every 1s"' in html
    assert "preview-consequences" not in html and "ran in this request" not in html

    engagement_preview_job_task(job.pk)  # the worker
    polled = client.get(f"/engagement/settings/preview/{job.pk}/").content.decode()

    assert 'data-job-status="done"' in polled and "every 1s" not in polled
    assert 'id="preview-consequences"' in polled and '<strong id="preview-alerts">0</strong>' in polled
    assert "one summary notice" not in polled and "Nobody will be notified." in polled


def test_on_the_embedded_default_the_preview_runs_inline_and_says_so(
    client, admin_user, workspace, django_capture_on_commit_callbacks
):
    AccountFactory(workspace=workspace)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        html = client.post("/engagement/settings/preview/", _form(client, per_account_alerts="on")).content.decode()

    job = Job.objects.get(kind=PREVIEW_JOB)
    assert job.inline and job.status == JobStatus.DONE
    assert 'data-job-status="done"' in html and "ran in this request" in html and "every 1s" not in html
    assert "each of those alerts goes to its account team" in html


def test_bad_values_answer_the_error_without_a_job(client, admin_user, workspace):
    client.force_login(admin_user)
    html = client.post("/engagement/settings/preview/", _form(client, breadth_bonus_per_role="-4")).content.decode()
    assert "Fix the highlighted values first." in html
    assert not Job.objects.filter(kind=PREVIEW_JOB).exists()


def test_polling_is_for_admins_of_the_job_workspace(client, admin_user, viewer_user, workspace):
    other = WorkspaceFactory(name="Other", slug="other")
    foreign = Job.objects.create(workspace=other, kind=PREVIEW_JOB, label="x", total=2)
    mine = Job.objects.create(workspace=workspace, kind=PREVIEW_JOB, label="x", total=2)
    not_a_preview = Job.objects.create(workspace=workspace, kind="engagement_recompute", label="x", total=2)
    client.force_login(admin_user)
    assert client.get(f"/engagement/settings/preview/{foreign.pk}/").status_code == 404
    assert client.get(f"/engagement/settings/preview/{not_a_preview.pk}/").status_code == 404
    assert client.get(f"/engagement/settings/preview/{mine.pk}/").status_code == 200
    client.force_login(viewer_user)
    assert client.get(f"/engagement/settings/preview/{mine.pk}/").status_code == 403
