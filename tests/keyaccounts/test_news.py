import json
from email.utils import format_datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activation.models import Alert
from engagement.models import EngagementEvent
from keyaccounts.matching import Matcher, terms_for
from keyaccounts.models import AccountNewsTerms, KeyAccountSettings, NewsEntry, NewsFeed, NewsMatch
from keyaccounts.services.news import news_feed_add, news_feed_fetch
from tests.factories import AccountFactory, RuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(workspace):
    globex = AccountFactory(workspace=workspace, name="Globex Corporation", domain="globex.com")
    AccountNewsTerms.objects.create(workspace=workspace, account=globex, aliases=["Globex"])
    initech = AccountFactory(workspace=workspace, name="Initech", domain="initech.com")
    AccountFactory(workspace=workspace, name="Target", domain="target.example")
    umbrella = AccountFactory(workspace=workspace, name="Umbrella Corp", domain="umbrella.example")
    AccountNewsTerms.objects.create(workspace=workspace, account=umbrella, exclusions=["recalls"])
    KeyAccountSettings.objects.create(workspace=workspace, news_ignored_names=["Target"])
    return {"globex": globex, "initech": initech, "umbrella": umbrella}


def run(*args: str) -> tuple[dict, str]:
    out = StringIO()
    call_command("news_fetch", *args, stdout=out)
    text = out.getvalue().strip()
    return json.loads(text.splitlines()[-1]), text


def test_news_fetch_adds_the_feed_matches_accounts_and_a_second_run_finds_nothing_new(workspace, accounts, feed_server):
    url = feed_server.url("press.xml")

    first, text = run("--workspace", "acme", "--feed", url)
    second, _ = run("--workspace", "acme", "--feed", url)

    assert "Added feed" in text
    assert (first["feeds"], first["entries"], first["new_matches"]) == (1, 5, 2)
    assert second["new_matches"] == 0
    matched = {(m.account.name, m.term) for m in NewsMatch.objects.select_related("account")}
    assert matched == {("Globex Corporation", "Globex Corporation"), ("Initech", "Initech")}
    assert NewsEntry.objects.count() == 5 and NewsFeed.objects.count() == 1
    event = EngagementEvent.objects.get(account=accounts["globex"])
    assert event.type == "trigger_event"
    assert event.metadata["kind"] == "news"
    assert event.metadata["title"] == "Globex Corporation appoints a new CFO"
    assert event.metadata["link"] == "https://news.example.org/globex-cfo"


def test_the_second_fetch_is_a_conditional_get(workspace, accounts, feed_server):
    feed = news_feed_add(workspace=workspace, url=feed_server.url("press.xml"))

    news_feed_fetch(feed=feed)
    feed.refresh_from_db()
    again = news_feed_fetch(feed=feed)

    assert feed.etag and feed.last_modified
    assert feed_server.requests[1]["headers"].get("If-None-Match") == feed.etag
    assert feed_server.requests[1]["headers"].get("If-Modified-Since") == feed.last_modified
    assert again.not_modified and again.new_matches == 0


def test_entries_are_deduplicated_by_id_even_when_the_feed_changes(workspace, accounts, feed_server):
    feed = news_feed_add(workspace=workspace, url=feed_server.url("changing.xml"))
    item = "<item><guid>{g}</guid><title>{t}</title></item>"
    body = "<rss version='2.0'><channel><title>x</title>{items}</channel></rss>"
    feed_server.bodies["/changing.xml"] = body.format(items=item.format(g="a", t="Initech news")).encode()
    news_feed_fetch(feed=feed)
    feed_server.bodies["/changing.xml"] = body.format(
        items=item.format(g="a", t="Initech news (updated)") + item.format(g="b", t="Globex hires")
    ).encode()

    result = news_feed_fetch(feed=feed)

    assert (result.entries, result.new_entries, result.new_matches) == (2, 1, 1)
    assert NewsMatch.objects.count() == 2


def test_a_news_match_becomes_an_alert_through_the_trigger_rule(
    workspace, accounts, feed_server, admin_user, django_capture_on_commit_callbacks
):
    RuleFactory(
        workspace=workspace,
        name="News on key accounts",
        condition_type="trigger_event",
        params={"kinds": ["news"], "days": 7},
    )
    accounts["initech"].owner = admin_user
    accounts["initech"].save()
    when = format_datetime(timezone.now(), usegmt=True)
    feed_server.bodies["/fresh.xml"] = (
        "<rss version='2.0'><channel><title>Wire</title><item><guid>w1</guid>"
        f"<title>Initech acquires a rival</title><link>https://wire.example.org/1</link><pubDate>{when}</pubDate>"
        "</item></channel></rss>"
    ).encode()
    feed = news_feed_add(workspace=workspace, url=feed_server.url("fresh.xml"))

    with django_capture_on_commit_callbacks(execute=True):
        result = news_feed_fetch(feed=feed)

    assert result.new_matches == 1
    alert = Alert.objects.get(account=accounts["initech"])
    assert alert.title == "News mention at Initech"
    assert "Initech acquires a rival" in alert.message
    assert alert.recipients.filter(user=admin_user).exists()


def test_private_addresses_are_refused_without_the_test_switch(workspace, monkeypatch):
    monkeypatch.delenv("ABE_ALLOW_PRIVATE_URLS", raising=False)

    with pytest.raises(CommandError):
        run("--workspace", "acme", "--feed", "http://127.0.0.1:9/feed.xml")
    with pytest.raises(CommandError):
        run("--workspace", "acme", "--feed", "https://169.254.169.254/latest")
    assert NewsFeed.objects.count() == 0


def test_an_unknown_workspace_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No workspace"):
        run("--workspace", "nope")


def test_too_large_feeds_and_server_errors_are_recorded_then_quarantined(workspace, accounts, feed_server, settings):
    settings.ABE_NEWS_MAX_BYTES = 200
    big = news_feed_add(workspace=workspace, url=feed_server.url("press.xml"))
    broken = news_feed_add(workspace=workspace, url=feed_server.url("broken.xml"))
    feed_server.status["/broken.xml"] = 500
    feed_server.bodies["/broken.xml"] = b"oops"

    summary, _ = run("--workspace", "acme")
    for _ in range(4):
        news_feed_fetch(feed=NewsFeed.objects.get(pk=broken.pk))

    big.refresh_from_db()
    broken.refresh_from_db()
    assert summary["errors"] == 2 and summary["new_matches"] == 0
    assert "larger than 200 bytes" in big.last_error
    assert "HTTP 500" in broken.last_error
    assert broken.consecutive_failures == 5 and not broken.is_active


def test_not_a_feed_is_an_error_not_a_crash(workspace, feed_server):
    feed_server.bodies["/page.html"] = b"<html><body>Hello</body></html>"
    feed = news_feed_add(workspace=workspace, url=feed_server.url("page.html"))

    result = news_feed_fetch(feed=feed)

    assert result.entries == 0


def test_atom_feeds_are_read(workspace, feed_server):
    AccountFactory(workspace=workspace, name="Hooli", domain="hooli.xyz")

    summary, _ = run("--workspace", "acme", "--feed", feed_server.url("atom.xml"))

    assert (summary["entries"], summary["new_matches"]) == (1, 1)
    assert NewsFeed.objects.get().name == "Funding news"


def test_matching_is_whole_word_case_insensitive_with_exclusions():
    matcher = Matcher(
        [
            terms_for(
                account_id=1,
                name="Acme",
                domain="acme.io",
                aliases=["ACME Labs"],
                exclusions=["Acme Anvil"],
                ignored_names=set(),
            ),
            terms_for(
                account_id=2, name="Apple", domain="apple.com", aliases=[], exclusions=[], ignored_names={"apple"}
            ),
        ]
    )

    assert matcher.match("acme raises money") == [(1, "acme")]
    assert matcher.match("Acmeville fair") == []
    assert matcher.match("The Acme Anvil company") == []
    assert matcher.match("apple pie recipes") == []
    assert matcher.match("Visit apple.com today") == [(2, "apple.com")]
    assert matcher.match("ACME Labs: news") == [(1, "ACME Labs")]


def test_a_feed_failure_reason_is_shown_in_the_readers_language(workspace, feed_server, client, admin_user):
    from abe.models import UserPreference

    feed = news_feed_add(workspace=workspace, url=feed_server.url("broken.xml"))
    feed_server.status["/broken.xml"] = 503
    feed_server.bodies["/broken.xml"] = b"down"
    news_feed_fetch(feed=feed)
    feed.refresh_from_db()
    UserPreference.objects.update_or_create(user=admin_user, defaults={"language": "es"})
    client.force_login(admin_user)

    page = client.get("/key-accounts/settings/").content.decode()

    assert feed.last_error == "The feed answered HTTP 503."  # the API's words stay English
    assert "El feed respondió HTTP 503." in page and "The feed answered HTTP 503." not in page


def test_an_admins_edit_during_a_fetch_stays(workspace, accounts, feed_server, monkeypatch):
    """The fetch writes its own columns: a whole-row save after the download wrote back the switch and the name as
    read before it, so a feed an admin turned off during the fetch came back on."""
    from keyaccounts.services import news

    feed = news_feed_add(workspace=workspace, url=feed_server.url("press.xml"))
    NewsFeed.objects.filter(pk=feed.pk).update(name="Press")
    feed.refresh_from_db()
    real = news.news_entries_record

    def an_admin_edits_meanwhile(**kwargs):
        news.news_feed_update(NewsFeed.objects.get(pk=feed.pk), is_active=False, name="Press (paused)")
        return real(**kwargs)

    monkeypatch.setattr(news, "news_entries_record", an_admin_edits_meanwhile)

    result = news_feed_fetch(feed=feed)

    feed.refresh_from_db()
    assert result.entries == 5 and feed.last_status == 200 and feed.etag  # the fetch's own results are saved
    assert (feed.is_active, feed.name) == (False, "Press (paused)")
