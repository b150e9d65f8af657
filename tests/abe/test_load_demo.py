"""The demo workspace: realistic volumes, users per role, and outcomes that depend on firmographics."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Q
from django.test import RequestFactory
from django.utils import translation

from abe.models import Membership, Workspace
from accounts.models import Account, AccountTeamMember, Contact, Opportunity

pytestmark = pytest.mark.django_db(transaction=True)


def _win_rate(qs) -> float:
    counts = qs.aggregate(won=Count("id", filter=Q(status="won")), lost=Count("id", filter=Q(status="lost")))
    return counts["won"] / (counts["won"] + counts["lost"])


def test_load_demo_builds_a_realistic_workspace(capsys):
    call_command("load_demo")

    ws = Workspace.objects.get(slug="demo")
    accounts = Account.objects.for_workspace(ws)
    opportunities = Opportunity.objects.for_workspace(ws)
    assert accounts.count() == 2000
    assert 10_000 <= Contact.objects.for_workspace(ws).count() <= 14_000
    assert AccountTeamMember.objects.for_workspace(ws).count() > 1000
    assert opportunities.count() == 3000
    assert accounts.values("industry").distinct().count() >= 8
    assert accounts.values("country").distinct().count() >= 8
    assert not Contact.objects.for_workspace(ws).filter(buying_role="").exists()
    assert {m.role for m in Membership.objects.filter(workspace=ws)} == {"admin", "marketing", "sales", "viewer"}
    for username in ("admin", "marketing", "sales", "viewer"):
        # Logins go through the throttling backend (django-axes), which needs the request.
        assert authenticate(RequestFactory().post("/login/"), username=username, password="demo") is not None
    # Outcomes carry signal: the favoured segment wins clearly more often than the rest.
    closed = opportunities.exclude(status="open")
    favoured = closed.filter(account__industry="Software", account__employees__range=(200, 5000))
    others = closed.exclude(account__industry__in=["Software", "Financial Services"])
    assert _win_rate(favoured) > _win_rate(others) + 0.2
    assert "Demo workspace ready" in capsys.readouterr().out
    # Tasks the portal writes (check-ins, play steps) read in each user's language (issue 16): the title is kept
    # as a key too; tasks standing for what people typed (plan actions) stay as typed.
    from work.models import Task, TaskSource

    written = Task.objects.for_workspace(ws).filter(source__in=[TaskSource.CHECK_IN, TaskSource.PLAY])
    assert written.exists()
    assert not written.filter(texts__title__isnull=True).exists()
    # So does the demo news feed's status, which the portal writes as a real fetch's error would be.
    from keyaccounts.models import NewsFeed

    feed = NewsFeed.objects.get(workspace=ws)
    with translation.override("ro"):
        assert feed.last_error_text == "Flux demo: adăugați un flux RSS sau Atom real în Conturi cheie › Setări."
    assert feed.last_error_text.startswith("Demo feed: add a real RSS")

    with pytest.raises(CommandError, match="exists already"):
        call_command("load_demo")
    call_command("load_demo", "--if-empty")
    assert Workspace.objects.count() == 1

    # Deterministic: a rebuild gives the same accounts, in either language. The rebuild is the Spanish demo, whose
    # texts the next test checks (one load of ~40 s fewer than a test of its own).
    fields = ("external_id", "name", "domain", "employees", "industry", "country", "owner__username")
    before = list(accounts.order_by("external_id").values_list(*fields))
    assert _workspaces_in_statistics("engagement_engagementevent") in (None, [str(ws.pk)])
    capsys.readouterr()
    call_command("load_demo", "--reset", "--language", "es")
    after = list(Account.objects.filter(workspace__slug="demo").order_by("external_id").values_list(*fields))
    assert before == after
    # PostgreSQL: the reload planned from statistics that know the new workspace (taken inside the load, the old
    # workspace's deleted rows left out), and leaves them for the pages.
    rebuilt = Workspace.objects.get(slug="demo").pk
    for table in ("engagement_engagementevent", "accounts_account", "analytics_accountdayfact"):
        assert _workspaces_in_statistics(table) in (None, [str(rebuilt)]), table
    _the_spanish_demo_has_spanish_texts(capsys)


def _workspaces_in_statistics(table: str) -> list[str] | None:
    """The workspace ids PostgreSQL's statistics of ``table`` know (None on other databases)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_vals::text FROM pg_stats WHERE tablename = %s AND attname = 'workspace_id'", [table]
        )
        row = cursor.fetchone()
    return row[0].strip("{}").split(",") if row and row[0] else []


def _the_spanish_demo_has_spanish_texts(capsys) -> None:
    """What ``load_demo --language es`` (just run) wrote reads Spanish."""
    from activation.models import Rule
    from content.models import ContentAsset, OutreachTemplate, Play
    from personas.models import Persona

    ws = Workspace.objects.get(slug="demo")
    assert (ws.language, ws.currency) == ("es", "EUR")
    assert (
        Persona.objects.for_workspace(ws).filter(name="Director/a comercial", goals__startswith="Operaciones").exists()
    )
    assert ContentAsset.objects.for_workspace(ws).filter(title="Plantilla de caso de negocio (ROI)").exists()
    assert not ContentAsset.objects.for_workspace(ws).filter(title__startswith="Customer story").exists()
    assert OutreachTemplate.objects.for_workspace(ws).filter(name="Comprador económico: ROI").exists()
    assert Rule.objects.for_workspace(ws).filter(name="La cuenta entró en MQA").exists()
    assert Play.objects.for_workspace(ws).filter(name="Secuencia ejecutiva estratégica").exists()
    assert "in Spanish" in capsys.readouterr().out
    # Named in Spanish before they produced anything: the play's step tasks, the rules' alerts and the ICP's
    # receipts read Spanish too (they were English in the Spanish demo), and some first steps are done.
    from accounts.models import IcpVersion
    from activation.models import Alert
    from work.models import Task, TaskStatus

    play_tasks = Task.objects.for_workspace(ws).filter(source="play")
    with translation.override("es"):
        titles = {t.title_text for t in play_tasks}
    assert titles and all(not t.startswith(("Strategic executive", "Priority multi-touch")) for t in titles)
    assert play_tasks.filter(status=TaskStatus.DONE).exists()
    typed = Alert.objects.for_workspace(ws).exclude(rule__recommended_action="").select_related("rule").first()
    assert typed is not None and typed.recommended_action == typed.rule.recommended_action
    assert not typed.recommended_action.startswith(("Call ", "Agree ", "Book "))
    criteria = IcpVersion.objects.for_workspace(ws).get(is_active=True).criteria
    assert {c["label"] for c in criteria} >= {"Sector que atendemos", "Sin competidor implantado"}
    # The key-account texts a team types (plans, objectives, risks, actions, evidence, press) and the triggers'
    # headline are Spanish too; they were English in the Spanish demo.
    from engagement.models import EngagementEvent
    from keyaccounts.models import AccountPlan, BantItem, NewsMatch, PlanObjective, PlanRisk

    plans = AccountPlan.objects.for_workspace(ws)
    assert plans.exists() and not plans.filter(goals__startswith="Consolidate").exists()
    assert PlanObjective.objects.for_workspace(ws).filter(title="Usuarios activos de la plataforma").exists()
    assert set(PlanRisk.objects.for_workspace(ws).values_list("title", flat=True)) == {
        "El champion podría cambiar de puesto"
    }
    assert Task.objects.for_workspace(ws).filter(title="Mapear el comité de compra de EMEA").exists()
    assert not BantItem.objects.for_workspace(ws).filter(evidence__startswith="Budget line").exists()
    assert all(
        " Lisbon" not in title for title in NewsMatch.objects.for_workspace(ws).values_list("entry__title", flat=True)
    )
    triggers = EngagementEvent.objects.for_workspace(ws).filter(type="trigger_event")
    assert triggers.filter(metadata__headline="Anunciado en la prensa").exists()
    assert not triggers.filter(metadata__headline="Announced in the press").exists()
    # and why the demo's tiering moved an account reads Spanish ("… tras: Modelo v1")
    from accounts.models import TierChange

    moved = TierChange.objects.for_workspace(ws).filter(source="automatic").first()
    with translation.override("es"):
        assert moved is not None and moved.shown_reason.startswith("Asignación automática de nivel (prioridad ")
        assert " tras: Modelo v" in moved.shown_reason
    assert PlanObjective.objects.for_workspace(ws).filter(metric="usuarios").exists()
