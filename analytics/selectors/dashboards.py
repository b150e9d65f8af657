"""The dashboards' figures as tables: the same rows feed the page, its chart's text alternative and the CSV export."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from abe import l10n
from abe.labels import ChoiceLabels
from abe.models import Membership, Workspace
from accounts.models import Account, Tier
from activation.models import Severity
from work.models import Task

from .. import kpis
from .filters import KpiFilters
from .kpis import _accounts, analytics_settings, committee_coverage_by_tier, kpi_summary, segment_rows
from .standing import STALLED_DAYS, alert_response, stage_standing

TIER_LABELS = ChoiceLabels(Tier)
SEVERITY_LABELS = ChoiceLabels(Severity)


def money(value: Any) -> str:
    """In the workspace's currency and the active language (abe.l10n)."""
    return l10n.money(value)


def pct(value: float | None) -> str:
    return l10n.percent(value, 1)


def num(value: Any, digits: int = 0) -> str:
    return l10n.number(value, digits)


def interval(values: list[float] | None, fmt: Any = pct) -> str:
    return "—" if not values else f"{fmt(values[0])} – {fmt(values[1])}"


def delta(current: float | None, previous: float | None) -> str:
    change = kpis.change(current, previous)
    return "—" if change is None else f"{change * 100:+.0f}%"


def band_label(band: str | None) -> str:
    """The words for an LTV:CAC band (``analytics.kpis.ltv_cac_band``; the API keeps the keys)."""
    labels = {"below": _("Below the band"), "on_track": _("In the band"), "above": _("Above the band")}
    return labels.get(band or "", "—")


def table(title: str, columns: list[str], rows: list[list[Any]], note: str = "") -> dict[str, Any]:
    return {"title": title, "columns": columns, "rows": rows, "note": note}


def member_choices(*, workspace: Workspace) -> list[tuple[int, str]]:
    users = (
        get_user_model()
        .objects.filter(pk__in=Membership.objects.filter(workspace=workspace).values("user_id"))
        .order_by("username")
    )
    return [(u.pk, u.get_full_name() or u.username) for u in users]


def industry_choices(*, workspace: Workspace) -> list[str]:
    qs = Account.objects.for_workspace(workspace).exclude(industry="").order_by("industry")
    return list(qs.values_list("industry", flat=True).distinct()[:200])


def overview(*, workspace: Workspace, filters: KpiFilters) -> dict[str, Any]:
    """Coverage and engagement, pipeline and revenue, target against standard, with the previous period."""
    now = kpi_summary(workspace=workspace, filters=filters)
    before = kpi_summary(workspace=workspace, filters=filters.previous())

    def row(label: str, key: str, field: str, fmt: Any, n_field: str | None = None) -> list[Any]:
        values = [now[key][g][field] for g in ("target", "non_target", "all")]
        cells = [label, *[fmt(v) for v in values]]
        if n_field:
            cells.append(f"{now[key]['target'][n_field]} / {now[key]['non_target'][n_field]}")
        else:
            cells.append("")
        cells += [fmt(before[key]["all"][field]), delta(values[2], before[key]["all"][field])]
        return cells

    win = now["win_rate"]
    rows = [
        row(_("Accounts"), "coverage", "accounts", num),
        row(_("Engaged accounts (≥ 1 event)"), "coverage", "engaged_accounts", num),
        row(_("Engaged share"), "coverage", "engaged_share", pct),
        row(_("Committee coverage (committee templates)"), "coverage", "committee_coverage", pct),
        row(_("Accounts with ≥ 3 required roles engaged"), "coverage", "accounts_with_3_roles", num),
        row(_("Single-threaded accounts (one engaged person)"), "coverage", "single_threaded", num),
        row(_("MQA entries"), "mqas", "entries", num),
        row(_("Opportunities per MQA"), "mqas", "opportunities_per_mqa", lambda v: num(v, 2)),
        row(_("Opportunities created"), "pipeline", "opportunities_created", num),
        row(_("Pipeline created"), "pipeline", "pipeline_created", money),
        row(_("Revenue won"), "pipeline", "won_amount", money),
        row(_("Win rate"), "win_rate", "value", pct, "n"),
        row(_("Average contract value"), "acv", "value", money, "n"),
        row(_("Sales cycle (days, won deals)"), "velocity_days", "value", lambda v: num(v, 1), "n"),
        row(_("Hours to acknowledge an alert"), "alert_response", "mean_hours_to_acknowledge", lambda v: num(v, 1)),
    ]
    intervals = [
        [
            # xgettext:no-python-format
            _("Win rate, 95% interval (Wilson)"),
            *[
                interval(win[g]["interval"]) + (" · " + _("not enough data") if win[g]["status"] != "ok" else "")
                for g in ("target", "non_target", "all")
            ],
            f"{win['target']['n']} / {win['non_target']['n']}",
            "",
            "",
        ]
    ]
    coverage = committee_coverage_by_tier(workspace=workspace, filters=filters)
    tier_rows = []
    for tier, values in now["engagement_by_tier"].items():
        cov = coverage.get(tier)
        accounts = values["accounts"] or None
        tier_rows.append(
            [
                TIER_LABELS[tier],
                num(values["accounts"]),
                num(values["mean_score"], 1),
                num(values["engaged"]),
                num(values["mqa_now"]),
                num(values["events"]),
                pct(kpis.ratio(cov["coverage_sum"], accounts)) if cov and accounts else "—",
            ]
        )
    role_rows = []
    for tier, values in coverage.items():
        for role in values["roles"].values():
            total = role["engaged"] + role["known"] + role["missing"]
            role_rows.append(
                [
                    TIER_LABELS.get(tier, tier),
                    role["label"],
                    num(role["engaged"]),
                    num(role["known"]),
                    num(role["missing"]),
                    pct(kpis.ratio(role["missing"], total)),
                ]
            )
    cards = [
        (
            _("Engaged target accounts"),
            num(now["coverage"]["target"]["engaged_accounts"]),
            delta(now["coverage"]["target"]["engaged_accounts"], before["coverage"]["target"]["engaged_accounts"]),
        ),
        (
            _("Pipeline created"),
            money(now["pipeline"]["all"]["pipeline_created"]),
            delta(now["pipeline"]["all"]["pipeline_created"], before["pipeline"]["all"]["pipeline_created"]),
        ),
        (
            _("Revenue won"),
            money(now["pipeline"]["all"]["won_amount"]),
            delta(now["pipeline"]["all"]["won_amount"], before["pipeline"]["all"]["won_amount"]),
        ),
        (
            _("Win rate (target)"),
            pct(win["target"]["value"]) if win["target"]["status"] == "ok" else _("not enough data"),
            f"n = {win['target']['n']}",
        ),
    ]
    return {
        "summary": now,
        "cards": cards,
        "tables": [
            table(
                _("Target (strategic + priority) against standard accounts"),
                [
                    _("KPI"),
                    _("Target"),
                    _("Standard"),
                    _("All"),
                    _("n (target / standard)"),
                    _("Previous period (all)"),
                    _("Change"),
                ],
                rows + intervals,
                note=_("Rates under 10 closed deals are marked “not enough data”."),
            ),
            table(
                _("Engagement by tier"),
                [
                    _("Tier"),
                    _("Accounts"),
                    _("Mean score"),
                    _("Engaged"),
                    _("MQA now"),
                    _("Events"),
                    _("Committee coverage"),
                ],
                tier_rows,
                note=_("Scores at the end of the period (daily snapshots); events summed over the period."),
            ),
            table(
                _("Committee coverage by required role"),
                [
                    _("Tier"),
                    _("Required role"),
                    _("Engaged"),
                    _("Known, not engaged"),
                    _("Missing"),
                    _("Share missing"),
                ],
                role_rows,
                note=_(
                    "Each tier's committee template: a role is engaged when enough matching contacts engaged in "
                    "the template's window, known when someone matches, missing otherwise. Coverage counts a known "
                    "seat half and an engaged one fully (current contacts, not the period)."
                ),
            ),
        ],
    }


def journey(*, workspace: Workspace, filters: KpiFilters) -> dict[str, Any]:
    """Journey funnel by monthly cohort (accounts grouped by the month they entered the journey), the moves of
    the period from the rollups, and where accounts stand now, with stalls."""
    from engagement.services.scoring import scoring_rules

    from .journey import journey_cohorts

    stages = scoring_rules(workspace=workspace).stages
    # The journey in the order accounts travel it (configured top-down), without the starting stage.
    path = [stage for stage in reversed(stages)][1:]
    cohorts = journey_cohorts(workspace=workspace, filters=filters)
    cohort_rows = []
    for cohort in cohorts:
        cells: list[Any] = [cohort.month, num(cohort.accounts)]
        previous = cohort.accounts
        for stage in path:
            reached = cohort.reached.get(stage.key, 0)
            cells.append(f"{num(reached)} ({pct(kpis.ratio(reached, cohort.accounts))})")
            cells.append(pct(kpis.ratio(reached, previous)))
            previous = reached
        cohort_rows.append(cells)
    cohort_columns = [_("Cohort (month entered)"), _("Accounts")]
    for stage, before in zip(path, [None, *path[:-1]], strict=True):
        cohort_columns += [
            _("Reached %(stage)s") % {"stage": stage.label},
            _("%(before)s → %(stage)s") % {"before": before.label if before else _("Entry"), "stage": stage.label},
        ]
    days_rows = [
        [
            cohort.month,
            *[num(cohort.days_to.get(stage.key), 0) if stage.key in cohort.reached else "—" for stage in path],
        ]
        for cohort in cohorts
    ]
    months: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in segment_rows(workspace=workspace, filters=filters, by=("day",)):
        bucket = months[row["day"].strftime("%Y-%m")]
        for key in ("stage_entries", "stage_advances", "stage_regressions", "mqa_entries", "opps_created", "opps_won"):
            bucket[key] += float(row[key] or 0)
    month_rows = [
        [
            month,
            num(v["stage_entries"]),
            num(v["stage_advances"]),
            num(v["stage_regressions"]),
            num(v["mqa_entries"]),
            num(v["opps_created"]),
            num(v["opps_won"]),
            pct(kpis.ratio(v["opps_created"], v["mqa_entries"])),
        ]
        for month, v in sorted(months.items())
    ]

    standing = stage_standing(workspace=workspace, filters=filters, today=timezone.now().date())
    stage_rows = []
    for stage in reversed(stages):
        row = standing.get(stage.key, {"n": 0, "stalled": 0, "median_days": None})
        stage_rows.append([stage.label, num(row["n"]), num(row["stalled"]), num(row["median_days"])])
    return {
        "cohorts": [c.__dict__ for c in cohorts],
        "chart": {
            "labels": [c.month for c in cohorts],
            "series": {
                _("Reached %(stage)s (%% of cohort)") % {"stage": stage.label}: [
                    round(100 * c.reached.get(stage.key, 0) / c.accounts, 1) if c.accounts else None for c in cohorts
                ]
                for stage in path
            },
        },
        "tables": [
            table(
                _("Journey funnel by monthly cohort"),
                cohort_columns,
                cohort_rows,
                note=_(
                    "Accounts grouped by the month of their first recorded stage change; each stage shows how many "
                    "of the cohort reached it or a later stage since (share of the cohort), then the conversion from "
                    "the stage before."
                ),
            ),
            table(
                _("Mean days from entry to each stage (or a later one), by cohort"),
                [_("Cohort"), *[s.label for s in path]],
                days_rows,
            ),
            table(
                _("Journey moves by month"),
                [
                    _("Month"),
                    _("Stage changes"),
                    _("Advanced"),
                    _("Regressed"),
                    _("MQA entries"),
                    _("Opps created"),
                    _("Won"),
                    _("Opps per MQA"),
                ],
                month_rows,
                note=_("All stage changes of the period by the month they happened (activity, not cohorts)."),
            ),
            table(
                _("Where accounts stand now"),
                [
                    _("Stage"),
                    _("Accounts"),
                    _("Stalled (no move in %(days)s days)") % {"days": STALLED_DAYS},
                    _("Median days in stage"),
                ],
                stage_rows,
            ),
        ],
    }


def top_of_funnel(*, workspace: Workspace, filters: KpiFilters) -> dict[str, Any]:
    """Attempts (the team's outbound touches) -> meaningful conversations -> meetings, by tier and by owner.

    Each attempt also carries its outcome: answered (a reply or form from the account within 14 days) and led
    to a meeting (within 30 days); both are read from the rollups like the counts."""
    names = dict(member_choices(workspace=workspace))

    raw: list[tuple[float, float, float]] = []  # the chart's figures, unformatted (by tier)

    def rows_for(key: str, label: Any) -> list[list[Any]]:
        out = []
        rows = segment_rows(workspace=workspace, filters=filters, by=(key,))
        if key == "tier":
            rows.sort(key=lambda r: list(Tier.values).index(r["tier"]))
        for row in rows:
            a, answered, to_meeting, c, m, landed = (
                float(row[k] or 0)
                for k in (
                    "attempts",
                    "attempts_answered",
                    "attempts_to_meeting",
                    "conversations",
                    "meetings",
                    "touches",
                )
            )
            if key == "tier":
                raw.append((a, answered, to_meeting))
            out.append(
                [
                    label(row[key]),
                    num(a),
                    num(answered),
                    pct(kpis.ratio(answered, a)),
                    num(to_meeting),
                    pct(kpis.ratio(to_meeting, a)),
                    num(c),
                    num(m),
                    pct(kpis.ratio(m, c)),
                    num(landed),
                ]
            )
        return out

    columns = [
        "",
        _("Attempts (outbound touches)"),
        _("Answered (conversation ≤ 14 days)"),
        _("Answer rate"),
        _("Led to a meeting (≤ 30 days)"),
        _("Attempt → meeting"),
        _("Conversations (replies + forms)"),
        _("Meetings"),
        _("Conversation → meeting"),
        _("Email opens + clicks"),
    ]
    by_tier = rows_for("tier", lambda t: TIER_LABELS.get(t, t))

    def series(index: int) -> list[float]:
        return [r[index] for r in raw]

    return {
        "chart": {
            "labels": [r[0] for r in by_tier],
            "series": {_("Attempts"): series(0), _("Answered"): series(1), _("Led to a meeting"): series(2)},
        },
        "tables": [
            table(
                _("Top of funnel by tier"),
                [_("Tier"), *columns[1:]],
                by_tier,
                note=_(
                    "Attempts are the outbound touches the team logged (a template sent, a play step done); an "
                    "attempt is answered when the account replies or fills a form within 14 days, and leads to a "
                    "meeting when one follows within 30 days."
                ),
            ),
            table(
                _("Top of funnel by owner"),
                [_("Owner"), *columns[1:]],
                rows_for("owner_key", lambda k: names.get(k, _("No owner"))),
            ),
        ],
    }


def response_and_team(*, workspace: Workspace, filters: KpiFilters) -> dict[str, Any]:
    """Alert response against the SLA of each tier, by rule and severity, and the team per owner."""
    settings_row = analytics_settings(workspace=workspace)
    names = dict(member_choices(workspace=workspace))
    tier_rows = []
    tier_order = list(Tier.values)
    for row in sorted(segment_rows(workspace=workspace, filters=filters), key=lambda r: tier_order.index(r["tier"])):
        ack = kpis.ratio(row["ack_seconds"], row["alerts_acknowledged"])
        res = kpis.ratio(row["resolve_seconds"], row["alerts_resolved"])
        sla = settings_row.sla_hours(row["tier"])
        verdict = "—" if ack is None else (_("within SLA") if ack / 3600 <= sla else _("over SLA"))
        tier_rows.append(
            [
                TIER_LABELS[row["tier"]],
                num(row["alerts_created"]),
                num(row["alerts_acknowledged"]),
                num(ack / 3600 if ack is not None else None, 1),
                num(sla, 0),
                verdict,
                num(row["alerts_resolved"]),
                num(res / 3600 if res is not None else None, 1),
            ]
        )
    alerts = alert_response(workspace=workspace, filters=filters)
    rule_rows = [
        [
            r["rule"] or _("System"),
            SEVERITY_LABELS.get(r["severity"], r["severity"]),
            num(r["raised"]),
            num(r["acknowledged"]),
            num(r["hours"], 1),
        ]
        for r in alerts["by_rule"]
    ]
    person_rows = [
        [names.get(r["assignee"] or 0, _("Unassigned")), num(r["acknowledged"]), num(r["hours"], 1)]
        for r in alerts["by_person"]
    ]
    today = timezone.now().date()
    accounts = _accounts(workspace, filters)
    # One key for "no owner" everywhere: accounts say None, the segment facts say 0.
    per_owner = {r["owner_id"] or 0: r["n"] for r in accounts.order_by().values("owner_id").annotate(n=Count("id"))}
    facts = {r["owner_key"]: r for r in segment_rows(workspace=workspace, filters=filters, by=("owner_key",))}
    tasks = {
        r["assignee_id"] or 0: r
        for r in Task.objects.for_workspace(workspace)
        .filter(account__in=accounts)
        .order_by()
        .values("assignee_id")
        .annotate(
            done=Count("id", filter=Q(status="done", completed_at__date__range=(filters.start, filters.end))),
            overdue=Count("id", filter=Q(status="open", due_date__lt=today)),
        )
    }
    team_rows = []
    for owner in sorted(set(per_owner) | set(facts), key=lambda k: names.get(k or 0, "~")):
        key = owner or 0
        f: dict[str, Any] = dict(facts.get(key, {}))
        t: dict[str, Any] = dict(tasks.get(owner, {}))
        team_rows.append(
            [
                names.get(key, _("No owner")),
                num(per_owner.get(owner, 0)),
                num(f.get("accounts_active")),
                num(f.get("stage_advances")),
                num(f.get("stage_regressions")),
                num(f.get("opps_created")),
                num(t.get("done")),
                num(t.get("overdue")),
            ]
        )
    return {
        "tables": [
            table(
                _("Alert response by tier against its SLA"),
                [
                    _("Tier"),
                    _("Raised"),
                    _("Acknowledged"),
                    _("Mean hours to acknowledge"),
                    _("SLA (hours)"),
                    _("Verdict"),
                    _("Resolved"),
                    _("Mean hours to resolve"),
                ],
                tier_rows,
            ),
            table(
                _("Alert response by rule and severity"),
                [_("Rule"), _("Severity"), _("Raised"), _("Acknowledged"), _("Mean hours to acknowledge")],
                rule_rows,
            ),
            table(
                _("Alert response by person (assignee)"),
                [_("Person"), _("Acknowledged"), _("Mean hours to acknowledge")],
                person_rows,
            ),
            table(
                _("Team"),
                [
                    _("Owner"),
                    _("Accounts"),
                    _("Active account-days"),
                    _("Stage advances"),
                    _("Stage regressions"),
                    _("Opportunities created"),
                    _("Tasks done"),
                    _("Tasks overdue now"),
                ],
                team_rows,
            ),
        ]
    }


def economics(*, workspace: Workspace, filters: KpiFilters) -> dict[str, Any]:
    """CAC, LTV, LTV:CAC and payback per group, and LTV:CAC per quarter against the 2:1 -> 4:1 band."""
    summary = kpi_summary(workspace=workspace, filters=filters)
    rows = []
    for group, label in (("target", _("Target")), ("non_target", _("Standard")), ("all", _("All"))):
        rows.append(
            [
                label,
                money(summary["cac"][group]["spend"]),
                num(summary["cac"][group]["customers_won"]),
                money(summary["cac"][group]["value"]),
                money(summary["acv"][group]["value"]),
                money(summary["ltv"][group]["value"]),
                num(summary["ltv_cac"][group]["value"], 1),
                band_label(summary["ltv_cac"][group]["band"]),
                num(summary["ltv_cac"][group]["payback_months"], 1),
            ]
        )
    settings_row = analytics_settings(workspace=workspace)
    quarters = _quarters(filters.end, 8)
    history = KpiFilters(
        start=quarters[0][0], end=quarters[-1][1], tier=filters.tier, owner=filters.owner, industry=filters.industry
    )
    from .kpis import spend_by_group

    per_day = segment_rows(workspace=workspace, filters=history, by=("day",))
    quarter_rows, ratios = [], []
    for start, end in quarters:
        won = sum(float(r["new_customers_won"] or 0) for r in per_day if start <= r["day"] <= end)
        deals = sum(float(r["opps_won"] or 0) for r in per_day if start <= r["day"] <= end)
        amount = sum(float(r["won_amount"] or 0) for r in per_day if start <= r["day"] <= end)
        spend = spend_by_group(workspace=workspace, start=start, end=end)["all"]
        acv = kpis.ratio(amount, deals)
        ltv = kpis.ltv(acv=acv, gross_margin=settings_row.gross_margin, annual_churn=settings_row.annual_churn)
        cac = kpis.ratio(spend, won) if spend else None
        ratio = kpis.ratio(ltv, cac) if ltv is not None and cac else None
        ratios.append(None if ratio is None else round(ratio, 1))
        quarter_rows.append(
            [
                f"{start.year} Q{(start.month - 1) // 3 + 1}",
                money(spend),
                num(won),
                money(cac),
                money(ltv),
                num(ratio, 1),
                band_label(kpis.ltv_cac_band(ratio)),
            ]
        )
    return {
        "summary": summary,
        "chart": {
            "labels": [r[0] for r in quarter_rows],
            "values": ratios,
        },
        "tables": [
            table(
                _("Unit economics in the period"),
                [
                    _("Group"),
                    _("Spend"),
                    _("New customers won"),
                    _("CAC"),
                    _("ACV"),
                    _("LTV"),
                    _("LTV:CAC"),
                    _("Band"),
                    _("Payback (months)"),
                ],
                rows,
                note=_(
                    "LTV = ACV × gross margin %(margin)s ÷ churn %(churn)s a year. Spend without a tier counts in "
                    "All only."
                )
                % {
                    "margin": l10n.percent(settings_row.gross_margin, 0),
                    "churn": l10n.percent(settings_row.annual_churn, 0),
                },
            ),
            table(
                _("LTV:CAC by quarter (all accounts)"),
                [
                    _("Quarter"),
                    _("Spend"),
                    _("New customers won"),
                    _("CAC"),
                    _("LTV"),
                    _("LTV:CAC"),
                    _("Band (2:1 → 4:1)"),
                ],
                quarter_rows,
            ),
        ],
    }


def _quarters(last: date, count: int) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    year, quarter = last.year, (last.month - 1) // 3
    for _quarter in range(count):
        start = date(year, quarter * 3 + 1, 1)
        end_month = quarter * 3 + 3
        end = (date(year + (end_month == 12), end_month % 12 + 1, 1)) - timedelta(days=1)
        out.append((start, end))
        quarter -= 1
        if quarter < 0:
            year, quarter = year - 1, 3
    return list(reversed(out))
