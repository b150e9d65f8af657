"""The won/lost review deal by deal: who was in the room of each closed deal, how many of them were engaged before the
close, and which seats of the account's committee template nobody held ("which committee member was missed")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from content.selectors.analysis import won_lost_analysis
from tests.factories import AccountFactory, ContactFactory, OpportunityContactFactory, OpportunityFactory, engaged_on

pytestmark = pytest.mark.django_db
STANDARD_SEATS = {"decision_maker", "economic_buyer", "champion", "technical_evaluator"}  # the standard template


def _contact(account, role, days_known=200, **kwargs):
    contact = ContactFactory(account=account, buying_role=role, **kwargs)
    contact.created_at = timezone.now() - dt.timedelta(days=days_known)
    contact.save(update_fields=["created_at"])
    return contact


def _deal(workspace, status, close, name, tier="standard"):
    account = AccountFactory(workspace=workspace, name=f"{name} Inc", tier=tier)
    return OpportunityFactory(
        account=account, name=name, status=status, created_date=close - dt.timedelta(days=60), close_date=close
    )


def test_each_deal_says_who_was_in_the_room_who_was_engaged_and_which_seat_nobody_held(workspace):
    today = dt.date.today()
    won = _deal(workspace, "won", today - dt.timedelta(days=5), "Full house")
    for role in ("decision_maker", "economic_buyer", "champion", "technical_evaluator"):
        engaged_on(_contact(won.account, role), today - dt.timedelta(days=8))
    lost = _deal(workspace, "lost", today - dt.timedelta(days=20), "No budget holder")
    cfo = _contact(lost.account, "economic_buyer")  # the account had one, but the CRM did not put them on the deal
    champion = _contact(lost.account, "champion")
    OpportunityContactFactory(opportunity=lost, contact=champion, role="champion")
    engaged_on(cfo, today - dt.timedelta(days=22))
    late = _deal(workspace, "lost", today - dt.timedelta(days=40), "Too late")
    _contact(late.account, "decision_maker", days_known=10)  # known only after that close

    analysis = won_lost_analysis(workspace=workspace)

    rows = {d.name: d for d in analysis.deals}
    assert [d.name for d in analysis.deals] == ["Full house", "No budget holder", "Too late"]  # latest close first
    full, budget, gone = rows["Full house"], rows["No budget holder"], rows["Too late"]
    assert (full.status, full.from_crm, full.people, full.engaged, full.missing) == ("won", False, 4, 4, [])
    assert (budget.status, budget.from_crm, budget.people, budget.engaged) == ("lost", True, 1, 0)
    assert {r.key for r in budget.missing} == {"decision_maker", "economic_buyer", "technical_evaluator"}
    assert (gone.people, {r.key for r in gone.missing}) == (0, STANDARD_SEATS)
    assert [(p.contact_id, p.role, p.engaged) for p in budget.room] == [(champion.pk, "champion", False)]
    assert [p.engaged for p in full.room] == [True] * 4


def test_the_page_shows_who_was_in_the_room_engaged_first_with_their_seat_and_influence(admin_client, workspace):
    close = dt.date.today() - dt.timedelta(days=4)
    deal = _deal(workspace, "lost", close, "Lost deal")
    cfo = _contact(deal.account, "", first_name="Carla", last_name="Zed", influence="high")
    intern = _contact(deal.account, "end_user", first_name="Abe", last_name="Ames")
    engaged_on(cfo, close - dt.timedelta(days=1))
    OpportunityContactFactory(opportunity=deal, contact=cfo, role="economic_buyer")
    OpportunityContactFactory(opportunity=deal, contact=intern, role="")

    html = admin_client.get("/content/committees/won-lost/").content.decode()

    room = html[html.index('class="deal-room"') :]
    room = room[: room.index("</div>")]
    assert "2 people on the deal (CRM)" in html
    assert room.index("Carla Zed · Economic buyer · high influence · engaged") < room.index("Abe Ames · End user")
    assert 'class="pill engaged">Carla Zed' in room and 'class="tag">Abe Ames' in room


def test_the_page_lists_the_deals_with_filters_and_pages_in_a_constant_number_of_queries(
    admin_client, workspace, django_assert_max_num_queries
):
    today = dt.date.today()
    for i in range(3):
        _deal(workspace, "won", today - dt.timedelta(days=i + 1), f"Won {i:02d}")
    url = "/content/committees/won-lost/"
    admin_client.get(url)
    with django_assert_max_num_queries(200) as few:
        admin_client.get(url)
    for i in range(3, 30):
        deal = _deal(workspace, "won" if i % 2 else "lost", today - dt.timedelta(days=i + 1), f"Deal {i:02d}")
        OpportunityContactFactory(opportunity=deal, contact=_contact(deal.account, "economic_buyer"))

    with django_assert_max_num_queries(len(few.captured_queries)):
        first = admin_client.get(url)
    second = admin_client.get(url + "?page=2")
    lost = admin_client.get(url + "?status=lost&gaps=1")
    odd = admin_client.get(url + "?status=maybe&gaps=yes&n=abc")

    html = first.content.decode()
    assert first.status_code == 200 and "Deal by deal" in html
    assert html.count('<tr><td class="primary"><strong>') == 25 and "Won 00" in html and "Deal 24" in html
    page_two = second.content.decode()
    assert "Deal 25" in page_two and "Deal 29" in page_two and "Deal 24" not in page_two and "Won 00" not in page_two
    lost_html = lost.content.decode()
    assert "Deal 04" in lost_html and "Deal 03" not in lost_html and "Won 00" not in lost_html
    assert "Ignored these values, which are not valid choices: n=abc, status=maybe, gaps=yes." in odd.content.decode()
    assert odd.content.decode().count('<tr><td class="primary"><strong>') == 25


def test_the_api_gives_each_deals_review(admin_api, workspace):
    close = dt.date.today() - dt.timedelta(days=3)
    deal = _deal(workspace, "lost", close, "Lost one")
    champion = _contact(deal.account, "champion", influence="high")
    OpportunityContactFactory(opportunity=deal, contact=champion, role="")

    body = admin_api.get("/api/v1/committee-analysis/won-lost/?last=5").json()

    assert body["deals"] == [
        {
            "id": deal.pk,
            "name": "Lost one",
            "account": deal.account_id,
            "status": "lost",
            "close_date": close.isoformat(),
            "people_from": "contact_roles",
            "people": 1,
            "engaged": 0,
            "missing": ["decision_maker", "economic_buyer", "technical_evaluator"],
            "room": [{"contact": champion.pk, "role": "champion", "engaged": False, "influence": "high"}],
        }
    ]


# ----- the open deals, on the account page's committee panel -----------------------------------------------------


def test_the_committee_panel_names_the_seats_nobody_holds_on_each_open_deal(
    admin_client, workspace, django_assert_max_num_queries
):
    account = AccountFactory(workspace=workspace, tier="standard")
    threaded = OpportunityFactory(account=account, name="Platform deal", status="open")
    OpportunityContactFactory(opportunity=threaded, contact=_contact(account, ""), role="economic_buyer")
    OpportunityContactFactory(opportunity=threaded, contact=_contact(account, "champion"), role="")
    OpportunityFactory(account=account, name="Fresh deal", status="open")
    won = _deal(workspace, "won", dt.date.today(), "Closed one")
    won.account = account
    won.save()
    url = f"/content/accounts/{account.pk}/committee/"
    admin_client.get(url)
    with django_assert_max_num_queries(200) as few:
        admin_client.get(url)
    for i in range(4):
        deal = OpportunityFactory(account=account, name=f"More {i}", status="open")
        OpportunityContactFactory(opportunity=deal, contact=_contact(account, "decision_maker"))

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin_client.get(url)

    html = page.content.decode()
    seats = html[html.index('id="open-deal-seats"') :]
    assert "Closed one" not in seats
    platform = seats[seats.index("Platform deal") : seats.index("</p>", seats.index("Platform deal"))]
    assert "2 people on it; nobody in" in platform
    assert "Decision maker" in platform and "Technical evaluator" in platform
    assert "Economic buyer" not in platform and "Champion" not in platform
    fresh = seats[seats.index("Fresh deal") : seats.index("</p>", seats.index("Fresh deal"))]
    assert "nobody on this deal yet" in fresh and "+ Person on this deal" in fresh


def test_the_open_deals_come_soonest_close_first_with_their_date_and_a_link_to_fill_a_seat(
    admin_client, viewer_user, client, workspace
):
    today = dt.date.today()
    account = AccountFactory(workspace=workspace, tier="standard")
    OpportunityFactory(account=account, name="Undated deal", status="open")
    later = OpportunityFactory(
        account=account, name="Later deal", status="open", close_date=today + dt.timedelta(days=40)
    )
    OpportunityContactFactory(opportunity=later, contact=_contact(account, "champion"), role="")
    OpportunityFactory(
        account=account,
        name="Overdue deal",
        status="open",
        created_date=today - dt.timedelta(days=200),
        close_date=today - dt.timedelta(days=3),
    )
    url = f"/content/accounts/{account.pk}/committee/"

    html = admin_client.get(url).content.decode()
    client.force_login(viewer_user)
    as_viewer = client.get(url).content.decode()

    seats = html[html.index('id="open-deal-seats"') :]
    order = [seats.index(name) for name in ("Overdue deal", "Later deal", "Undated deal")]
    assert order == sorted(order)
    assert "(was due to close " in seats[order[0] : order[1]] and "(closes " in seats[order[1] : order[2]]
    assert "deal-close" not in seats[order[2] :].split("</p>")[0]
    add = f"/accounts/{account.pk}/opportunities/{later.pk}/contacts/add/"
    assert add in seats[order[1] : order[2]]  # a seat is missing though someone is on it
    assert add not in as_viewer


def test_the_review_exports_the_deals_it_shows_as_csv_with_formulas_neutralised(admin_client, workspace):
    close = dt.date.today() - dt.timedelta(days=2)
    lost = _deal(workspace, "lost", close, "=HYPERLINK(1)")
    OpportunityContactFactory(
        opportunity=lost, contact=_contact(lost.account, "", first_name="Ana", last_name="Ruiz"), role="champion"
    )
    _deal(workspace, "won", close, "Won deal")
    page = admin_client.get("/content/committees/won-lost/?status=lost&page=2").content.decode()
    assert 'href="?status=lost&amp;export=csv"' in page  # the filters kept, the page left out

    response = admin_client.get("/content/committees/won-lost/?status=lost&export=csv")

    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("deal_id,deal,account_id,account,status,close_date,people_from")
    assert len(lines) == 2  # the lost deal only
    assert "'=HYPERLINK(1)" in lines[1] and ",lost," in lines[1] and ",contact_roles,1,0," in lines[1]
    assert "decision_maker economic_buyer technical_evaluator" in lines[1] and "Ana Ruiz (champion)" in lines[1]


def test_the_menu_marks_committees_on_the_won_lost_page(admin_client, workspace):
    html = admin_client.get("/content/committees/won-lost/").content.decode()

    assert 'class="active" aria-current="page">Committees<' in html  # it marked Content (every /content/ page)
