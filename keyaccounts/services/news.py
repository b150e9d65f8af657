"""News feeds: add a feed (public https only), fetch it (conditional GET, timeout, size limit), store entries once,
match them to accounts and record each match as a trigger event (kind ``news``) the trigger rule alerts on.

Safe to repeat: an entry is stored once per feed (by a hash of its id), a match once per (entry, account), and
the trigger event once per ``(source, external_id)`` (engagement's idempotent ingest), so a second fetch of
the same entries creates nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass, field
from typing import Any

import feedparser
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from abe import texts as i18n_texts
from abe.models import Workspace
from abe.outbound import OutboundError, UnsafeUrlError, outbound_request, url_check_public
from accounts.models import Account
from engagement.models import EventType, TriggerKind
from engagement.services.ingest import events_ingest

from ..matching import Matcher, terms_for
from ..models import AccountNewsTerms, KeyAccountSettings, NewsEntry, NewsFeed, NewsMatch

MAX_ENTRIES_PER_FETCH = 500
DISABLE_AFTER_FAILURES = 5
TAG_RE = re.compile(r"<[^>]+>")


@dataclass
class FetchResult:
    feed_id: int
    url: str
    status: int | None = None
    entries: int = 0
    new_entries: int = 0
    new_matches: int = 0
    error: str = ""
    not_modified: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "feed": self.feed_id,
            "url": self.url,
            "status": self.status,
            "entries": self.entries,
            "new_entries": self.new_entries,
            "new_matches": self.new_matches,
            "not_modified": self.not_modified,
            "error": self.error,
        }


@transaction.atomic
def news_feed_add(*, workspace: Workspace, url: str, name: str = "", by: User | None = None) -> NewsFeed:
    url = (url or "").strip()
    url_check_public(url)  # raises UnsafeUrlError (a ValidationError on "url")
    if len(url) > 500:
        raise ValidationError({"url": gettext("At most 500 characters.")})
    if NewsFeed.objects.filter(workspace=workspace, url=url).exists():
        raise ValidationError({"url": gettext("This feed is already added.")})
    return NewsFeed.objects.create(workspace=workspace, url=url, name=(name or "").strip()[:200], created_by=by)


@transaction.atomic
def news_feed_update(feed: NewsFeed, *, by: User | None = None, **data: Any) -> NewsFeed:
    unknown = set(data) - {"url", "name", "is_active"}
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
    if "url" in data and data["url"] != feed.url:
        url_check_public(data["url"])
        feed.etag, feed.last_modified = "", ""
    fields = {*data, "updated_at"}
    if "url" in data and data["url"] != feed.url:
        fields |= {"etag", "last_modified"}
    for name, value in data.items():
        setattr(feed, name, value)
    if data.get("is_active"):
        feed.consecutive_failures = 0
        fields.add("consecutive_failures")
    feed.save(update_fields=sorted(fields))  # what the admin changed: a fetch's results written meanwhile stay
    return feed


@transaction.atomic
def news_feed_delete(feed: NewsFeed, *, by: User | None = None) -> None:
    feed.delete()


@transaction.atomic
def account_news_terms_set(
    *, account: Account, aliases: list[str], exclusions: list[str], by: User | None = None
) -> AccountNewsTerms:
    def clean(values: Any, name: str) -> list[str]:
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValidationError({name: gettext("Give a list of words or phrases.")})
        out = list(dict.fromkeys(v.strip() for v in values if v.strip()))
        if any(len(v) < 2 or len(v) > 100 for v in out):
            raise ValidationError({name: gettext("Each entry has 2 to 100 characters.")})
        return out[:50]

    terms, _ = AccountNewsTerms.objects.get_or_create(workspace_id=account.workspace_id, account=account)
    terms.aliases, terms.exclusions = clean(aliases, "aliases"), clean(exclusions, "exclusions")
    terms.save()
    return terms


def workspace_matcher(*, workspace: Workspace) -> Matcher:
    """Every account of the workspace as match terms: name (unless ambiguous), aliases and domain."""
    settings_row = KeyAccountSettings.objects.filter(workspace=workspace).first()
    ignored = {n.lower() for n in (settings_row.news_ignored_names if settings_row else [])}
    extra = {
        t.account_id: t
        for t in AccountNewsTerms.objects.for_workspace(workspace).only("account_id", "aliases", "exclusions")
    }
    terms = []
    for account_id, name, domain in Account.objects.for_workspace(workspace).values_list("id", "name", "domain"):
        t = extra.get(account_id)
        terms.append(
            terms_for(
                account_id=account_id,
                name=name,
                domain=domain,
                aliases=t.aliases if t else [],
                exclusions=t.exclusions if t else [],
                ignored_names=ignored,
            )
        )
    return Matcher(terms)


def _text(value: str) -> str:
    return html.unescape(TAG_RE.sub(" ", value or "")).strip()


def _published(entry: Any, now: dt.datetime) -> dt.datetime:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        moment = dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)
        return min(moment, now)  # a feed dated in the future is read as "now"
    return now


def _fail(feed: NewsFeed, result: FetchResult, reason: i18n_texts.Msg, now: dt.datetime) -> FetchResult:
    error = reason.english()
    feed.last_error = error[:500]
    feed.texts = {**(feed.texts or {}), "last_error": reason.spec()}
    feed.last_fetched_at = now
    feed.last_status = result.status
    feed.consecutive_failures += 1
    fields = ["last_error", "texts", "last_fetched_at", "last_status", "consecutive_failures", "updated_at"]
    if feed.consecutive_failures >= DISABLE_AFTER_FAILURES:
        feed.is_active = False  # quarantined: shown on the feeds page until an admin turns it back on
        fields.append("is_active")
    # The fetch's own columns only (as below): an admin's edit during the fetch (seconds) stays.
    feed.save(update_fields=fields)
    result.error = error
    return result


def news_feed_fetch(*, feed: NewsFeed, matcher: Matcher | None = None, now: dt.datetime | None = None) -> FetchResult:
    """Fetch one feed and record what is new. Network and parse failures are recorded on the feed, not raised."""
    now = now or timezone.now()
    result = FetchResult(feed_id=feed.pk, url=feed.url)
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    max_bytes = settings.ABE_NEWS_MAX_BYTES
    try:
        response = outbound_request(
            "GET", feed.url, headers=headers, timeout=settings.ABE_NEWS_TIMEOUT, max_bytes=max_bytes
        )
    except UnsafeUrlError as exc:
        return _fail(
            feed,
            result,
            i18n_texts.msg(gettext_noop("Refused: %(reason)s"), reason="; ".join(str(m) for m in exc.messages)),
            now,
        )
    except OutboundError as exc:
        return _fail(feed, result, i18n_texts.msg(gettext_noop("Could not fetch: %(reason)s"), reason=str(exc)), now)
    result.status = response.status
    if response.status == 304:
        result.not_modified = True
        feed.last_fetched_at, feed.last_status, feed.last_error, feed.consecutive_failures = now, 304, "", 0
        feed.texts = {k: v for k, v in (feed.texts or {}).items() if k != "last_error"}
        fields = ["last_fetched_at", "last_status", "last_error", "texts", "consecutive_failures", "updated_at"]
        feed.save(update_fields=fields)
        return result
    if response.status != 200:
        return _fail(
            feed,
            result,
            i18n_texts.msg(gettext_noop("The feed answered HTTP %(status)s."), status=str(response.status)),
            now,
        )
    if response.truncated:
        return _fail(
            feed,
            result,
            i18n_texts.msg(gettext_noop("The feed is larger than %(bytes)s bytes."), bytes=i18n_texts.num(max_bytes)),
            now,
        )
    parsed = feedparser.parse(response.body)
    if parsed.get("bozo") and not parsed.entries:
        return _fail(
            feed,
            result,
            i18n_texts.msg(
                gettext_noop("Not an RSS or Atom feed: %(reason)s"), reason=str(parsed.get("bozo_exception"))
            ),
            now,
        )
    entries = parsed.entries[:MAX_ENTRIES_PER_FETCH]
    result.entries = len(entries)
    with transaction.atomic():
        result.new_entries, result.new_matches = news_entries_record(
            feed=feed, entries=entries, matcher=matcher or workspace_matcher(workspace=feed.workspace), now=now
        )
        feed.etag = (response.headers.get("etag") or "")[:500]
        feed.last_modified = (response.headers.get("last-modified") or "")[:100]
        feed.last_fetched_at, feed.last_status, feed.last_error, feed.consecutive_failures = now, 200, "", 0
        feed.texts = {k: v for k, v in (feed.texts or {}).items() if k != "last_error"}
        fields = ["etag", "last_modified", "last_fetched_at", "last_status", "last_error", "texts"]
        fields += ["consecutive_failures", "updated_at"]
        if not feed.name and parsed.feed.get("title"):
            feed.name = _text(parsed.feed.get("title"))[:200]
            fields.append("name")
        # The fetch's own columns only: a whole-row save after the download (seconds) wrote back the URL, name and
        # switch as read before it, undoing an admin's edit made meanwhile (a feed turned off came back on).
        feed.save(update_fields=fields)
    return result


@transaction.atomic
def news_entries_record(*, feed: NewsFeed, entries: list[Any], matcher: Matcher, now: dt.datetime) -> tuple[int, int]:
    """Store the feed's new entries (parsed, ``feedparser`` shape), match them, record the trigger events.

    Returns (new entries, new matches). Entries already stored for the feed (same id) are skipped.
    """
    rows: dict[str, NewsEntry] = {}
    for entry in entries:
        ident = entry.get("id") or entry.get("link") or entry.get("title") or ""
        if not ident:
            continue
        key = hashlib.sha256(ident.encode("utf-8", "replace")).hexdigest()
        link = (entry.get("link") or "")[:1000]
        rows[key] = NewsEntry(
            workspace_id=feed.workspace_id,
            feed=feed,
            entry_key=key,
            title=_text(entry.get("title", ""))[:500] or "(untitled)",
            link=link if link.startswith(("http://", "https://")) else "",
            summary=_text(entry.get("summary", ""))[:5000],
            published_at=entry.get("published_at") or _published(entry, now),
            fetched_at=now,
        )
    known = set(
        NewsEntry.objects.filter(workspace_id=feed.workspace_id, feed=feed, entry_key__in=list(rows)).values_list(
            "entry_key", flat=True
        )
    )
    fresh = [row for key, row in rows.items() if key not in known]
    NewsEntry.objects.bulk_create(fresh, ignore_conflicts=True)
    stored = list(
        NewsEntry.objects.filter(workspace_id=feed.workspace_id, feed=feed, entry_key__in=[r.entry_key for r in fresh])
    )
    matches: list[NewsMatch] = []
    for entry in stored:
        for account_id, term in matcher.match(f"{entry.title}\n{entry.summary}"):
            matches.append(
                NewsMatch(
                    workspace_id=feed.workspace_id, entry=entry, account_id=account_id, term=term[:255], created_at=now
                )
            )
    NewsMatch.objects.bulk_create(matches, ignore_conflicts=True)
    events = [
        {
            "source": "news",
            "external_id": f"news:{m.entry.entry_key[:48]}:{m.account_id}",
            "type": EventType.TRIGGER_EVENT,
            "occurred_at": (m.entry.published_at or now).isoformat(),
            "account_id": m.account_id,
            "metadata": {
                "kind": TriggerKind.NEWS,
                "title": m.entry.title[:300],
                "link": m.entry.link,
                "feed": feed.name or feed.url,
                "term": m.term,
            },
        }
        for m in matches
    ]
    new_matches = 0
    for start in range(0, len(events), 500):
        ingest = events_ingest(workspace=feed.workspace, events=events[start : start + 500], now=now)
        new_matches += ingest.accepted
    return len(stored), new_matches


def news_fetch_workspace(*, workspace: Workspace, feeds: list[NewsFeed] | None = None) -> dict[str, Any]:
    """Fetch every active feed of a workspace (one failing feed never stops the others)."""
    feeds = feeds if feeds is not None else list(NewsFeed.objects.for_workspace(workspace).filter(is_active=True))
    matcher = workspace_matcher(workspace=workspace)
    results = [news_feed_fetch(feed=feed, matcher=matcher) for feed in feeds]
    return {
        "workspace": workspace.slug,
        "results": [r.as_dict() for r in results],
        "feeds": len(results),
        "errors": sum(1 for r in results if r.error),
        "entries": sum(r.entries for r in results),
        "new_entries": sum(r.new_entries for r in results),
        "new_matches": sum(r.new_matches for r in results),
    }
