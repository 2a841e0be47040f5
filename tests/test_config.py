"""Steering files: a good file loads; a bad one gets every problem at once, with file:line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli import check_files
from bot.settings import Settings
from bot.steering import ConfigError, bundled, load_actors, load_sources
from tests.commands import run_cli

BROKEN_FEEDS = """\
[defaults]
interval = "15m"
scope = "general"

[[source]]
id = "ok-source"
url = "https://example.com/feed/"

[[source]]
id = "ok-source"
url = "https://example.org/feed/"

[[source]]
id = "bad-url"
url = "ftp://example.com/feed"
intervall = "5m"

[[source]]
id = "bad-interval"
url = "https://example.com/rss"
interval = "often"

[[source]]
id = "tg-no-channel"
kind = "telegram"

[[source]]
id = "Bad Id!"
url = "https://example.com/"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_files_are_valid() -> None:
    sources = load_sources(bundled("feeds.toml"))
    catalog = load_actors(bundled("actors.toml"))
    assert len(sources) >= 15
    assert {s.lang for s in sources} >= {"es", "en", "fr"}
    assert len(catalog.actors) >= 40


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds.toml", BROKEN_FEEDS)
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    lines = {p.line for p in caught.value.problems}
    assert len(caught.value.problems) == 6
    assert lines == {9, 15, 16, 21, 23, 28}
    text = str(caught.value)
    assert f"{path}:9: duplicate source id \"ok-source\" (first at line 5)" in text
    assert 'unknown key "intervall" in [[source]]; did you mean "interval"?' in text
    assert f"{path}:15:" in text and "not an http(s) address" in text
    assert f"{path}:21:" in text and "not a duration" in text
    assert "a telegram source needs channel" in text


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds.toml", '[[source]]\nid = "a"\nurl = "https://x.org/\n')
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    (problem,) = caught.value.problems
    assert problem.line == 3
    assert problem.message.startswith("not valid TOML")


def test_alias_shared_by_two_actors_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "actors.toml", """\
[[actor]]
id = "delcy-rodriguez"
name = "Delcy Rodríguez"
aliases = ["Rodríguez"]

[[actor]]
id = "jorge-rodriguez"
name = "Jorge Rodríguez"
aliases = ["Rodriguez"]

[[actor]]
id = "cabello"
name = "Diosdado Cabello"
kind = "persona"
""")
    with pytest.raises(ConfigError) as caught:
        load_actors(path)
    messages = [str(p) for p in caught.value.problems]
    assert any(":6:" in m and 'alias "Rodriguez"' in m and "delcy-rodriguez" in m for m in messages)
    assert any(":14:" in m and 'kind "persona" is not known' in m for m in messages)


BAD_NAMES = [
    ('aliases = ["Juan Pérez"]', 'aliases = ["Juan Perez"]', 'alias "Juan Perez" of "b" already names "a"'),
    ('aliases = ["Pérez"]', 'surnames = ["PEREZ"]', 'surname "PEREZ" of "b" is an alias of "a"'),
    ('surnames = ["Pérez"]', 'aliases = ["perez"]', 'alias "perez" of "b" already names "a"'),
    ('aliases = ["!!"]', 'aliases = ["Ana B"]', '"!!" of "a" has no letters or digits'),
    ('aliases = ["CNE"]', 'generic = ["Cne"]', 'generic name "Cne" of "b" already names "a"'),
    ('generic = ["Fiscalía"]', 'generic = ["FISCALIA"]', 'generic name "FISCALIA" of "b" already names "a"'),
    ('generic = ["Fiscalía"]', 'aliases = ["fiscalia"]', 'alias "fiscalia" of "b" already names "a"'),
    ('aliases = ["Lula"]', 'distinctive = ["LULA"]', 'surname "LULA" of "b" is an alias of "a"'),
    ('distinctive = ["?"]', 'aliases = ["Ana B"]', '"?" of "a" has no letters or digits'),
]


@pytest.mark.parametrize(("first", "second", "message"), BAD_NAMES)
def test_every_name_clash_is_reported_at_its_line(
    tmp_path: Path, first: str, second: str, message: str
) -> None:
    # The tagger folds names one way; actors.toml is checked with that same folding, so each
    # clash is found when the file is read, with the line of the actor that brings it.
    path = write(tmp_path, "actors.toml", f"""\
[[actor]]
id = "a"
name = "Actor A"
{first}

[[actor]]
id = "b"
name = "Actor B"
{second}
""")
    with pytest.raises(ConfigError) as caught:
        load_actors(path)
    [problem] = caught.value.problems
    assert message in str(problem)
    line = 6 if 'of "b"' in message else 4  # a clash: the actor; a bad name: its key
    assert str(problem).startswith(f"{path}:{line}:")


COUNTRY_PROBLEMS = [
    ('country = "Colombia"', "country is for foreign actors: add venezuelan = false"),
    ('venezuelan = false\ncountry = "Atlantis"', 'country must be one Vigía knows, like country = "Colombia"'),
    ("venezuelan = false\ncountry = 3", "country must be one Vigía knows"),
]


@pytest.mark.parametrize(("keys", "message"), COUNTRY_PROBLEMS)
def test_a_foreign_actors_country_is_one_the_tagger_knows(tmp_path: Path, keys: str, message: str) -> None:
    # The tagger reads an actor's country as the countries it names: one it does not know would
    # silently never count, and a Venezuelan actor's would make Venezuela's bodies foreign.
    path = write(tmp_path, "actors.toml", f'[[actor]]\nid = "a"\nname = "Actor A"\n{keys}\n')
    with pytest.raises(ConfigError) as caught:
        load_actors(path)
    [problem] = caught.value.problems
    assert message in str(problem)
    assert str(problem).startswith(f"{path}:{3 + keys.count(chr(10)) + 1}:")


def test_a_foreign_actors_country_is_read_as_the_tagger_names_it(tmp_path: Path) -> None:
    path = write(tmp_path, "actors.toml", """\
[[actor]]
id = "a"
name = "Actor A"
venezuelan = false
country = "estados unidos"
""")
    [actor] = load_actors(path).actors
    assert actor.country == "Estados Unidos"


def test_feeds_check_prints_ok_or_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_files(bundled("feeds.toml"), bundled("actors.toml")) == 0
    assert capsys.readouterr().out.startswith("ok, ")
    broken = write(tmp_path, "feeds.toml", BROKEN_FEEDS)
    assert check_files(broken, bundled("actors.toml")) == 1
    out = capsys.readouterr().out
    assert out.count(f"{broken}:") == 6
    assert "nothing was changed" in out


def test_settings_read_the_environment_and_hide_the_token(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:SECRET-token-value")
    monkeypatch.setenv("BOT_ADMINS", "11, 22,33")
    monkeypatch.setenv("BOT_TELEGRAM_API_URL", "http://127.0.0.1:8081/bot")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.admins == frozenset({11, 22, 33})
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.token is not None
    assert settings.token.get_secret_value() == "123456:SECRET-token-value"
    with caplog.at_level(logging.INFO):
        logging.getLogger("vigia.test").info("settings %s", settings)
    assert "SECRET" not in repr(settings) and "SECRET" not in caplog.text


def test_a_malformed_address_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds.toml", '[[source]]\nid = "x"\nurl = "https://exa[mple.com/feed"\n')
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    assert caught.value.problems[0].line == 3


@pytest.mark.parametrize("text", ["", "[defaults]\ninterval = \"15m\"\n", "# fuentes\n\n"],
                         ids=["empty", "only-defaults", "only-comments"])
def test_a_feeds_file_without_sources_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_sources(write(tmp_path, "feeds.toml", text))
    assert "no [[source]]" in str(refused.value.problems[0])


def test_intervals_outside_one_minute_to_seven_days_are_refused_with_their_line(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "feeds.toml", """\
[[source]]
id = "para-siempre"
url = "https://lento.example/feed/"
interval = "999999d"

[[source]]
id = "sin-respiro"
url = "https://rapido.example/feed/"
min_interval = "20s"
interval = "30s"
""")
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    text = str(caught.value)
    assert f"{path}:4: interval above 7d" in text
    assert f"{path}:9: min_interval below 1m" in text and f"{path}:10: interval below 1m" in text


def test_a_source_with_several_problems_reports_all_of_them(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds.toml", """\
[[source]]
id = "doble"
url = "https://uno.example/feed/"

[[source]]
id = "doble"
url = "ftp://dos.example/feed"
lang = "español"
""")
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    text = str(caught.value)
    assert f'{path}:5: duplicate source id "doble" (first at line 1)' in text
    assert f"{path}:7:" in text and "not an http(s) address" in text
    assert f"{path}:8:" in text and "not a language code" in text


def test_aliases_that_would_tag_ordinary_sentences_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "actors.toml", """\
[[actor]]
id = "gobierno"
name = "Gobierno de Venezuela"
aliases = ["la", "el", "the", "de", "a", "les"]

[[actor]]
id = "onu"
name = "Naciones Unidas"
aliases = ["UN", "ONU", "US"]

[[actor]]
id = "x"
name = "the"
""")
    with pytest.raises(ConfigError) as caught:
        load_actors(path)
    problems = [p for p in caught.value.problems]
    refused = {p.message.split('"')[1] for p in problems if p.line == 4}
    assert refused == {"la", "el", "the", "de", "a", "les"}
    assert all("common word" in p.message or "too short" in p.message for p in problems)
    assert any(p.line == 13 and 'name "the"' in p.message for p in problems)
    assert not any(p.line in (7, 8, 9) for p in problems)  # acronyms in capitals stay


def test_a_huge_alias_is_refused_before_the_tagger_sees_it(tmp_path: Path) -> None:
    # pyahocorasick crashed the process (signal 11) freeing an automaton with a 1 MB alias.
    huge = "Maduro " * 150_000
    actors = write(tmp_path, "actors.toml", f'[[actor]]\nid = "maduro"\nname = "Nicolás Maduro"\n'
                                             f'aliases = ["{huge}"]\n')
    done = run_cli("feeds", "check", str(bundled("feeds.toml")), "--actors", str(actors))
    assert done.returncode == 1, done.stderr
    assert f"{actors}:4:" in done.stdout and "1,049,999 characters long" in done.stdout
    assert len(done.stdout) < 2_000  # the alias itself is not echoed back


BROKEN_PUBLISH = """\
[[source]]
id = "ok-source"
url = "https://example.com/feed/"

[[publish]]
id = "canal-principal"
chat = "vigia venezuela"
what = "stories"
min_sources = 0

[[publish]]
id = "resumen"
chat = -1001234567890
what = "resumenes"
times = ["8 de la mañana"]
timezone = "Caracas/Venezuela"
idioma = ["es"]

[[publish]]
id = "solo-maduro"
chat = "@vigia_maduro"
actors = ["maduro", "madurro"]
languages = ["es"]
"""


def test_publish_tables_are_checked_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "feeds.toml", BROKEN_PUBLISH)
    with pytest.raises(ConfigError) as caught:
        load_sources(path)  # one broken [[publish]] refuses the file: the last good one stays
    found = {(p.line, p.message.split(";")[0].split(",")[0]) for p in caught.value.problems}
    assert {line for line, _ in found} == {7, 9, 14, 15, 16, 17}
    text = str(caught.value)
    assert f'{path}:7: [[publish]] "canal-principal" needs chat = "@channel_name"' in text
    assert f"{path}:9: min_sources must be a whole number from 1 to 100" in text
    assert f'{path}:14: what "resumenes" is not known' in text
    assert f'{path}:17: unknown key "idioma" in [[publish]]' in text

    # The actor ids are checked against actors.toml by `feeds check`, with a suggestion.
    fixed = write(tmp_path, "ok.toml", BROKEN_PUBLISH.split("[[publish]]")[0]
                  + "[[publish]]" + BROKEN_PUBLISH.split("[[publish]]")[3])
    assert check_files(fixed, bundled("actors.toml")) == 1
    out = capsys.readouterr().out
    assert f'{fixed}:8: [[publish]] "solo-maduro" names actor "madurro"' in out
    assert 'did you mean "maduro"?' in out
    good = write(tmp_path, "good.toml", BROKEN_PUBLISH.split("[[publish]]")[0]
                 + '[[publish]]\nid = "es"\nchat = "@vigia_es"\nactors = ["maduro"]\n')
    assert check_files(good, bundled("actors.toml")) == 0
    assert "1 sources, 1 channel outputs" in capsys.readouterr().out
