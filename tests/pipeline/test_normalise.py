"""normalise: plain text, one URL per page, UTC times, language, and a hash copies share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.model import Entry, SourceConfig
from bot.pipeline.normalise import canonical_url, html_to_text, normalise_entry, text_hash

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SOURCE = SourceConfig(id="s", name="S", kind="rss", url="https://s.example/feed", lang=None)


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://www.Example.com/a/b/?utm_source=x&utm_medium=y", "https://example.com/a/b"),
    ("http://example.com/a?id=3&fbclid=abc&gclid=z", "https://example.com/a?id=3"),
    ("https://example.com/a?b=2&a=1#comments", "https://example.com/a?a=1&b=2"),
    ("https://example.com:443/", "https://example.com/"),
    ("https://example.com:8080/x", "https://example.com:8080/x"),
    ("https://example.com/nota?mc_cid=1&igshid=2&ref_src=twsrc", "https://example.com/nota"),
    ("mailto:someone@example.com", "mailto:someone@example.com"),
])
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(("html", "text"), [
    ("<p>Uno</p><p>Dos</p>", "Uno\nDos"),
    ("Línea<br/>otra &amp; más", "Línea\notra & más"),
    ("<script>alert(1)</script><style>p{}</style>Texto", "Texto"),
    ("  espacios\u00a0 de   más  ", "espacios de más"),
    ("plain text, no markup", "plain text, no markup"),
])
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_titles_keep_literal_angle_brackets() -> None:
    assert html_to_text("Maduro <responde> a <b>EEUU</b>", only_known_tags=True) == \
        "Maduro <responde> a EEUU"


def entry(**fields: object) -> Entry:
    base: dict[str, object] = {"key": "k", "url": "https://s.example/n?utm_source=rss",
                               "title": "Título", "content": "<p>Cuerpo de la nota.</p>"}
    base.update(fields)
    return Entry(**base)  # type: ignore[arg-type]


def test_normalised_entry() -> None:
    clean = normalise_entry(entry(published_at=datetime(2026, 11, 22, 8, 0,
                                                        tzinfo=timezone(timedelta(hours=-4)))),
                            SOURCE, now=NOW)
    assert clean.title == "Título" and clean.text == "Cuerpo de la nota."
    assert clean.canonical_url == "https://s.example/n"
    assert clean.published_at == datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_missing_and_future_dates_become_the_fetch_time() -> None:
    assert normalise_entry(entry(), SOURCE, now=NOW).published_at == NOW
    future = entry(published_at=NOW + timedelta(days=3))
    assert normalise_entry(future, SOURCE, now=NOW).published_at == NOW
    slightly = entry(published_at=NOW + timedelta(minutes=2))
    assert normalise_entry(slightly, SOURCE, now=NOW).published_at == NOW + timedelta(minutes=2)


def test_an_entry_without_title_is_titled_by_its_first_words() -> None:
    clean = normalise_entry(entry(title="", content="Primera línea del texto.\nSegunda."),
                            SOURCE, now=NOW)
    assert clean.title == "Primera línea del texto."


@pytest.mark.parametrize(("declared", "text", "lang"), [
    ("es-VE", "anything", "es"),
    (None, "El presidente dijo que la oposición fue a las calles para protestar", "es"),
    (None, "The president said that the opposition was in the streets", "en"),
    (None, "Le président a dit que les manifestants sont dans les rues pour la liberté", "fr"),
    (None, "12345", None),
    # Stop-word counting read these as Spanish and as nothing.
    (None, "O governo brasileiro disse que não reconhecerá o resultado sem verificação", "pt"),
    (None, "Die Opposition fordert die Veröffentlichung der Wahlergebnisse in Caracas", "de"),
    (None, "Maduro: 5-0", None),
])
def test_language(declared: str | None, text: str, lang: str | None) -> None:
    assert normalise_entry(entry(lang=declared, title="", content=text), SOURCE, now=NOW).lang == lang


def test_copies_from_two_outlets_hash_alike() -> None:
    assert text_hash("Maduro habla", "El presidente  habló.") == \
        text_hash("MADURO HABLA", "el presidente habló")
    assert text_hash("Maduro habla", "El presidente habló.") != \
        text_hash("Maduro calla", "El presidente habló.")
