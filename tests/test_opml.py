"""OPML in and out: what a feed reader exports becomes feeds.toml blocks, and back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import export_opml, import_opml
from bot.opml import OpmlError, read_opml
from bot.settings import Settings
from bot.steering import bundled, load_sources

FEEDS = """\
[defaults]
scope = "general"

[[source]]
id = "efecto-cocuyo"
name = "Efecto Cocuyo"
url = "https://efectococuyo.com/feed/"
lang = "es"
scope = "venezuela"

[[source]]
id = "tg-monitor"
name = "Monitor de Víctimas"
kind = "telegram"
channel = "monitor_victimas"
"""

READER = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Mis suscripciones</title></head><body>
  <outline text="Venezuela" title="Venezuela">
    <outline type="rss" text="Efecto Cocuyo" xmlUrl="http://www.efectococuyo.com/feed"/>
    <outline type="rss" text="El Pitazo &amp; Regiones" xmlUrl="https://elpitazo.net/feed/"/>
    <outline type="rss" title="Le Monde — Amériques" text="LM" xmlUrl="https://lemonde.example/ameriques/rss.xml" language="fr"/>
  </outline>
  <outline text="World">
    <outline type="rss" text="Le Monde — Amériques" xmlUrl="https://lemonde.example/ameriques/autre.xml"/>
    <outline type="link" text="A page, not a feed" url="https://example.org/"/>
  </outline>
</body></opml>
"""


def settings_for(folder: Path) -> Settings:
    return Settings(_env_file=None, feeds=folder / "feeds.toml",  # type: ignore[call-arg]
                    actors=bundled("actors.toml"))


def test_import_appends_new_feeds_with_ids_from_titles_and_skips_known_ones(
    tmp_path: Path,
) -> None:
    (tmp_path / "feeds.toml").write_text(FEEDS, encoding="utf-8")
    (tmp_path / "reader.opml").write_text(READER, encoding="utf-8")
    out = io.StringIO()
    assert import_opml(settings_for(tmp_path), tmp_path / "reader.opml", out=out) == 0
    report = out.getvalue()
    assert "skipped http://www.efectococuyo.com/feed: already in feeds.toml as efecto-cocuyo" \
        in report
    assert "ignored 1 outline(s) without a feed address" in report
    assert "3 source(s) added" in report
    sources = {s.id: s for s in load_sources(tmp_path / "feeds.toml")}
    assert set(sources) == {"efecto-cocuyo", "tg-monitor", "el-pitazo-regiones",
                            "le-monde-ameriques", "le-monde-ameriques-2"}
    assert sources["el-pitazo-regiones"].name == "El Pitazo & Regiones"
    assert sources["le-monde-ameriques"].lang == "fr"
    assert sources["le-monde-ameriques-2"].url == "https://lemonde.example/ameriques/autre.xml"
    assert (tmp_path / "feeds.toml").read_text(encoding="utf-8").startswith(FEEDS)


def test_what_export_printed_imports_as_nothing_new(tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").write_text(FEEDS, encoding="utf-8")
    exported = io.StringIO()
    assert export_opml(settings_for(tmp_path), out=exported) == 0
    (tmp_path / "out.opml").write_text(exported.getvalue(), encoding="utf-8")
    out = io.StringIO()
    assert import_opml(settings_for(tmp_path), tmp_path / "out.opml", out=out) == 0
    assert "nothing added" in out.getvalue()
    assert (tmp_path / "feeds.toml").read_text(encoding="utf-8") == FEEDS
    outlines, _ = read_opml(exported.getvalue().encode())
    assert [(o.kind, o.title, o.url or o.channel) for o in outlines] == [
        ("rss", "Efecto Cocuyo", "https://efectococuyo.com/feed/"),
        ("telegram", "Monitor de Víctimas", "monitor_victimas"),
    ]


def test_the_bundled_feeds_round_trip(tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").write_bytes(bundled("feeds.toml").read_bytes())
    exported = io.StringIO()
    export_opml(settings_for(tmp_path), out=exported)
    (tmp_path / "all.opml").write_text(exported.getvalue(), encoding="utf-8")
    out = io.StringIO()
    assert import_opml(settings_for(tmp_path), tmp_path / "all.opml", out=out) == 0
    assert out.getvalue().count("skipped ") == len(load_sources(bundled("feeds.toml")))


def test_an_import_that_would_break_feeds_toml_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").write_text(FEEDS, encoding="utf-8")
    (tmp_path / "bad.opml").write_text(
        '<opml version="2.0"><body><outline text="Archivo" xmlUrl="ftp://archivo.example/feed"/>'
        "</body></opml>", encoding="utf-8")
    out = io.StringIO()
    assert import_opml(settings_for(tmp_path), tmp_path / "bad.opml", out=out) == 1
    assert f"{tmp_path / 'feeds.toml'}:" in out.getvalue()
    assert "not an http(s) address" in out.getvalue() and "is unchanged" in out.getvalue()
    assert (tmp_path / "feeds.toml").read_text(encoding="utf-8") == FEEDS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.opml", "feeds.toml"]


@pytest.mark.parametrize("document", [
    b"<html><body>not opml</body></html>",
    b"<opml><body><outline",
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b'<opml><body><outline text="&b;" xmlUrl="https://x.example/f"/></body></opml>',
])
def test_what_is_not_opml_is_refused(document: bytes) -> None:
    with pytest.raises(OpmlError):
        read_opml(document)


def test_import_needs_an_editable_feeds_toml(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reader.opml").write_text(READER, encoding="utf-8")
    before = bundled("feeds.toml").read_bytes()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.using_bundled == ("feeds.toml", "actors.toml")
    assert import_opml(settings, tmp_path / "reader.opml") == 1
    assert bundled("feeds.toml").read_bytes() == before  # the package's copy is never written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reader.opml"]
