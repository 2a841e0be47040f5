"""The command line as an operator uses it: tag, poll --once, stories, digest, demo."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.cli import poll_once, print_digest, print_sources, print_stories
from bot.demo import run_demo
from bot.settings import Settings
from bot.steering import bundled
from tests.commands import run_cli
from tests.feedserver import FeedServer, Route
from tests.sample_feeds import EN_FEED, ES_FEED, date, rss


def test_tag_prints_padrino_lopez_and_maduro_never_putin_nor_leopoldo() -> None:
    done = run_cli("tag", stdin="El ministro Vladimir Padrino López respaldó a Maduro")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["relevant"] is True
    assert [actor["id"] for actor in answer["actors"]] == ["padrino-lopez", "maduro"]


def test_feeds_check_exits_1_with_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "feeds.toml"
    broken.write_text('[[source]]\nid = "x"\nurl = "https://x.example/feed"\ninterval = "soon"\n')
    done = run_cli("feeds", "check", str(broken))
    assert done.returncode == 1
    assert f"{broken}:4:" in done.stdout and "not a duration" in done.stdout


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


async def test_poll_once_then_stories_and_digest(settings: Settings) -> None:
    with FeedServer() as server:
        server.route("/es.xml", Route(body=rss(ES_FEED, lang="es"), etag='"1"'))
        server.route("/en.xml", Route(body=rss(EN_FEED, lang="en"), etag='"1"'))
        settings.feeds.write_text(
            f'[[source]]\nid = "vzla-es"\nname = "Vzla"\nurl = "{server.url("/es.xml")}"\n'
            'scope = "venezuela"\n\n'
            f'[[source]]\nid = "world-en"\nname = "World"\nurl = "{server.url("/en.xml")}"\n'
            f'\n[[source]]\nid = "down"\nname = "Down"\nurl = "{server.url("/missing.xml")}"\n',
            encoding="utf-8",
        )
        out = io.StringIO()
        assert await poll_once(settings, out=out) == 1  # one source failed
        table = out.getvalue().splitlines()
        assert table[0].split()[:4] == ["source", "status", "entries", "new"]
        rows = {line.split()[0]: line.split() for line in table[1:4]}
        assert rows["vzla-es"][1:4] == ["200", "3", "3"]
        assert rows["world-en"][1:4] == ["200", "4", "2"]
        assert rows["down"][1] == "404" and "HTTP 404" in " ".join(rows["down"])
        assert "3 sources polled, 5 new items, 1 failed" in out.getvalue()

        again = io.StringIO()
        await poll_once(settings, only=["vzla-es"], out=again)
        assert again.getvalue().splitlines()[1].split()[1:4] == ["304", "0", "0"]

    table = io.StringIO()
    assert await print_sources(settings, out=table) == 0
    rows = {line.split()[0]: line for line in table.getvalue().splitlines()[1:]}
    assert table.getvalue().split()[:3] == ["source", "status", "last"]
    assert "failing (404)  never" in rows["down"] and "HTTP 404" in rows["down"]
    assert "ok (304)" in rows["vzla-es"] and " s ago" in rows["vzla-es"]
    failing = io.StringIO()
    await print_sources(settings, failing=True, out=failing)
    assert [line.split()[0] for line in failing.getvalue().splitlines()[1:]] == ["down"]

    stories = io.StringIO()
    assert await print_stories(settings, since="7d", out=stories) == 0
    blocks = stories.getvalue().strip().split("\n\n")
    assert len(blocks) == 4
    folded = next(block for block in blocks if "[2 sources]" in block)
    assert folded.splitlines()[0].startswith("CNE proclama a Maduro")
    assert [line.split(":")[0].strip() for line in folded.splitlines()[1:]] == ["Vzla", "World"]

    digest = io.StringIO()
    assert await print_digest(settings, since="7d", actor="maduro", limit=5, out=digest) == 0
    assert "CNE proclama a Maduro" in digest.getvalue()


async def test_demo_shows_folding_a_digest_and_an_actor_answer(settings: Settings) -> None:
    out = io.StringIO()
    assert await run_demo(settings, out=out) == 0
    text = out.getvalue()
    assert "3 sources polled, 11 new items, 0 failed" in text
    assert "as 9 stories (2 told by several outlets)" in text
    assert "── /digest" in text and "── /actor maduro" in text
    assert "+1 source" in text


def test_tag_explain_keeps_the_json_line_and_says_why() -> None:
    text = "El Consejo Nacional Electoral (CNE) de Ecuador proclamó a Noboa. La dictature Maduro."
    plain = run_cli("tag", stdin=text)
    explained = run_cli("tag", "--explain", stdin=text)
    assert plain.returncode == explained.returncode == 0, explained.stderr
    first, *reasons = explained.stdout.splitlines()
    assert json.loads(first) == json.loads(plain.stdout)
    assert set(json.loads(first)) == {"relevant", "actors", "topics"}
    assert [a["id"] for a in json.loads(first)["actors"]] == ["maduro"]
    assert reasons[0] == "relevant: yes, Venezuelan actor: maduro"
    assert any("maduro" in r and "distinctive name: 'Maduro'" in r for r in reasons)
    assert any("cne" in r and "another country's (Ecuador)" in r for r in reasons)


async def test_actor_leaves_out_stories_where_the_tag_is_only_a_guess(settings: Settings) -> None:
    feed = [
        # Venezuela's CNE, named beside Venezuela's people.
        {"title": "El CNE venezolano fija la fecha", "link": "https://w.example/1", "guid": "w-1",
         "description": "El CNE venezolano fijó para noviembre las elecciones regionales.",
         "date": date(3)},
        # Venezuela is named, but Colombia sits right next to the CNE: whose CNE is it?
        {"title": "Migrantes y elecciones", "link": "https://w.example/2", "guid": "w-2",
         "description": "Venezuelan migrants listened as Colombia's president said the CNE "
         "must act on the campaign fines.", "date": date(2)},
    ]
    with FeedServer() as server:
        server.route("/w.xml", Route(body=rss(feed, lang="es"), etag='"1"'))
        settings.feeds.write_text(
            f'[[source]]\nid = "world"\nname = "World"\nurl = "{server.url("/w.xml")}"\n',
            encoding="utf-8",
        )
        assert await poll_once(settings, out=io.StringIO()) == 0
    digest = io.StringIO()
    assert await print_digest(settings, since="7d", actor="cne", limit=5, out=digest) == 0
    assert "El CNE venezolano fija la fecha" in digest.getvalue()
    assert "Migrantes y elecciones" not in digest.getvalue()
    stories = io.StringIO()
    assert await print_stories(settings, since="7d", out=stories) == 0
    assert "Migrantes y elecciones" in stories.getvalue()  # kept: it is about Venezuela


async def test_poll_time_is_the_source_own_not_its_wait_for_a_busy_host(
    settings: Settings,
) -> None:
    with FeedServer() as server:  # one host: its sources are fetched one at a time
        server.route("/slow.xml", Route(body=rss(ES_FEED, lang="es"), delay=1.5))
        server.route("/quick.xml", Route(body=rss(EN_FEED, lang="en")))
        settings.feeds.write_text(
            f'[[source]]\nid = "slow"\nurl = "{server.url("/slow.xml")}"\n\n'
            f'[[source]]\nid = "quick"\nurl = "{server.url("/quick.xml")}"\n',
            encoding="utf-8",
        )
        out = io.StringIO()
        assert await poll_once(settings, out=out) == 0
    lines = out.getvalue().splitlines()
    column = lines[0].split().index("ms")
    ms = {line.split()[0]: int(line.split()[column]) for line in lines[1:3]}
    assert ms["slow"] >= 1500
    assert ms["quick"] < 1000  # whichever went second waited for the host: not counted


def test_commands_from_an_empty_folder(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BOT_")}

    def vigia(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True,
                              text=True, cwd=cwd, env=env, timeout=60)

    checked = vigia("feeds", "check")
    assert checked.returncode == 0 and checked.stdout.startswith("ok, ")
    assert checked.stderr.count("\n") == 1 and "using the bundled ones" in checked.stderr
    (tmp_path / "feeds.toml").write_text('[[source]]\nid = "x"\nurl = "nowhere"\n')
    failed = vigia("poll", "--once")
    assert failed.returncode == 1 and "feeds.toml:3:" in failed.stderr
    assert "No actors.toml" in failed.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feeds.toml"]  # no ./data/ left

    made = vigia("init", "mine")
    assert made.returncode == 0
    assert (tmp_path / "mine" / "actors.toml").read_bytes() == bundled("actors.toml").read_bytes()
    mine = '# mine\n[[source]]\nid = "mia"\nurl = "https://example.org/feed/"\n'
    (tmp_path / "mine" / "feeds.toml").write_text(mine, encoding="utf-8")
    again = vigia("init", "mine")
    assert "kept " in again.stdout
    assert (tmp_path / "mine" / "feeds.toml").read_text(encoding="utf-8") == mine
    quiet = vigia("feeds", "check", cwd=tmp_path / "mine")
    assert quiet.returncode == 0 and quiet.stderr == ""  # its own files: nothing to say



@pytest.mark.parametrize("command", [["run"], ["poll"], ["feeds", "import"], ["feeds", "export"],
                                     ["sources"], ["health"], ["init"], ["db", "upgrade"]])
def test_every_command_has_a_help_page(command: list[str],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    page = capsys.readouterr().out
    assert done.value.code == 0 and page.startswith(f"usage: vigia {' '.join(command)}")
    description = page.split("\n\n")[1]
    assert len(description.split()) >= 5, page  # says what the command does, not just its name


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"vigia {version('vigia')}"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_poll_once_shows_progress_on_a_terminal_only(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FeedServer() as server:
        server.route("/es.xml", Route(body=rss(ES_FEED, lang="es")))
        settings.feeds.write_text("".join(
            f'[[source]]\nid = "fuente-{n}"\nurl = "{server.url("/es.xml")}?n={n}"\n\n'
            for n in range(7)), encoding="utf-8")
        terminal, piped = _Terminal(), io.StringIO()
        monkeypatch.setattr(sys, "stderr", terminal)
        await poll_once(settings, out=io.StringIO())
        monkeypatch.setattr(sys, "stderr", piped)
        await poll_once(settings, out=io.StringIO())
    shown = terminal.getvalue()
    assert "\rpolled 1/7 sources" in shown and "\rpolled 7/7 sources" in shown
    assert piped.getvalue() == ""  # a pipe or a log file gets no carriage returns
