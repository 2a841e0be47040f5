"""The command line as an operator uses it: tag, poll --once, stories, digest, demo."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import poll_once, print_digest, print_stories
from bot.config import Settings
from bot.demo import run_demo
from tests.feedserver import FeedServer, Route
from tests.paths import ROOT
from tests.sample_feeds import EN_FEED, ES_FEED, rss


def run_cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


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
