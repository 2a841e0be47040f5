"""Property tests: every parser of outside input ends in a bounded value or its own error
(durations have theirs in tests/test_durations.py)."""

from __future__ import annotations

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.pipeline.normalise import html_to_text
from bot.pipeline.pacing import interval_after_success
from bot.sources.channel import ChannelError, parse_channel
from bot.sources.feed import FeedError, parse_feed
from bot.sources.fetch import MAX_RETRY_AFTER, _max_age, _retry_after
from bot.steering.feeds import LONGEST_INTERVAL, SHORTEST_INTERVAL
from bot.text import neutralise_controls

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet="0123456789²³¹٣۹߁ -+.,eE", max_size=40),
)
header_text = st.text(max_size=200).filter(lambda t: "\n" not in t and "\r" not in t)


@given(st.one_of(numbers, header_text, st.datetimes().map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT"))))
def test_retry_after_is_never_above_48_hours_and_never_raises(value: str) -> None:
    try:
        headers = httpx.Headers({"Retry-After": value})
    except (UnicodeEncodeError, httpx.InvalidURL):
        return  # not something a server can send
    for status in (429, 503):
        seconds = _retry_after(status, headers)
        assert seconds is None or 0 <= seconds <= MAX_RETRY_AFTER


@given(st.one_of(numbers.map(lambda n: f"public, max-age={n}"), header_text))
def test_max_age_is_bounded_and_hints_never_pass_max_interval(value: str) -> None:
    age = _max_age(value)
    assert age is None or 0 <= age <= 366 * 86400
    interval = interval_after_success(
        interval=900, min_interval=300, max_interval=21600, new_items=0, max_age=age
    )
    assert SHORTEST_INTERVAL <= interval <= 21600


@given(numbers)
def test_a_feed_ttl_is_bounded_or_ignored(value: str) -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<ttl>{value}</ttl><item><title>Caracas</title><guid>1</guid></item></channel></rss>"
    ).encode()
    feed = parse_feed(body)
    assert feed.ttl is None or 60 <= feed.ttl <= 366 * 86400
    interval = interval_after_success(
        interval=900, min_interval=300, max_interval=LONGEST_INTERVAL, new_items=0, ttl=feed.ttl
    )
    assert SHORTEST_INTERVAL <= interval <= LONGEST_INTERVAL


@settings(max_examples=300)
@given(st.binary(max_size=3000) | st.text(max_size=3000).map(lambda t: t.encode("utf-8", "replace")))
def test_any_body_is_a_feed_or_a_feed_error(body: bytes) -> None:
    try:
        feed = parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel>' + body)
    except FeedError:
        return
    assert all(isinstance(entry.key, str) for entry in feed.entries)


PIECES = [*"<>/a!-bdivp &;#x\"'=\u202e\u200b", "script", "br", "<!--", "-->", "&amp;"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(PIECES), max_size=200).map("".join))
def test_markup_to_text_never_grows_and_never_raises(markup: str) -> None:
    text = html_to_text(markup)
    assert len(text) <= len(markup)
    assert not {"\u202e", "\u200b"} & set(neutralise_controls(text))


def post(channel: str, post_id: str, views: str, when: str) -> str:
    return (
        '<div class="tgme_widget_message_wrap"><div class="tgme_widget_message" '
        f'data-post="{channel}/{post_id}"><div class="tgme_widget_message_bubble">'
        '<div class="tgme_widget_message_text">Maduro en Caracas</div>'
        f'<span class="tgme_widget_message_views">{views}</span>'
        f'<a class="tgme_widget_message_date"><time datetime="{when}"></time></a>'
        "</div></div></div>"
    )


@settings(max_examples=200)
@given(numbers, numbers, st.text(max_size=40), numbers)
def test_channel_page_values_are_bounded_or_the_post_is_left_out(
    post_id: str, views: str, when: str, before: str
) -> None:
    page = (
        '<html><body><section class="tgme_channel_history">'
        + post("canal_prueba", post_id, views, when.replace('"', ""))
        + post("canal_prueba", "42", "1.2K", "2024-07-29T10:00:00+00:00")
        + f'<a class="tme_messages_more" data-before="{before.replace(chr(34), "")}"></a>'
        "</section></body></html>"
    )
    try:
        feed = parse_channel(page, channel="canal_prueba")
    except ChannelError:
        return  # e.g. a data-post that is not CHANNEL/ID
    assert 1 <= len(feed.entries) <= 2
    for entry in feed.entries:
        assert entry.views is None or 0 <= entry.views < 2**63
        assert int(entry.key.rsplit("/", 1)[1]) < 2**31
    assert feed.before is None or 0 < feed.before < 2**31
