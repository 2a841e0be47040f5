"""Channels end to end: t.me/s pages on loopback → items and stories, across polls and edits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from storage.models import Item, Source, Story
from tests.feedserver import FeedServer, Route
from tests.paths import FIXTURES as FIXTURES_ROOT
from tests.sample_feeds import channel_page

FIXTURES = FIXTURES_ROOT / "tme"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


ORIGINAL_8841 = ("Cacerolazos y protestas en Caracas: miles de personas salen a la calle para exigir "
                 "transparencia en los resultados del CNE.")
OTHER_PANAMA = ("Mulino anuncia que Panamá suspende sus vínculos diplomáticos con Caracas tras la "
                "elección del domingo.")


@pytest.fixture
def server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    server.route("/s/noticias_vzla", Route(body=fixture("page-newest.html")))
    server.route("/s/noticias_vzla?before=1520", Route(body=fixture("page-older.html")))
    server.route("/s/cronica_caracas", Route(body=channel_page("cronica_caracas", "Crónica", [
        (8841, ORIGINAL_8841, None),
        (8850, OTHER_PANAMA, "https://cronica.example/2024/07/29/panama-suspende-relaciones"),
    ])))
    yield server
    server.stop()


@pytest.fixture
async def runtime(
    server: FeedServer, tmp_path: Path, make_settings: Callable[..., Settings]
) -> AsyncIterator[Runtime]:
    (tmp_path / "feeds.toml").write_text(
        '[[source]]\nid = "tg-noticias"\nname = "Noticias Venezuela"\nkind = "telegram"\n'
        'channel = "@noticias_vzla"\nlang = "es"\nscope = "venezuela"\n\n'
        '[[source]]\nid = "tg-cronica"\nname = "Crónica"\nkind = "telegram"\n'
        'channel = "https://t.me/cronica_caracas"\nlang = "es"\nscope = "venezuela"\n',
        encoding="utf-8",
    )
    settings = make_settings(telegram_web_url=server.url("/").rstrip("/"))
    async with open_runtime(settings) as runtime:
        yield runtime


async def items_of(runtime: Runtime, source_id: str) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(
            select(func.count()).select_from(Item).where(Item.source_id == source_id)) or 0)


async def test_channel_across_two_pages_then_new_posts_and_an_edit(
    runtime: Runtime, server: FeedServer,
) -> None:
    (first,) = await runtime.poll_due(ids=["tg-noticias"])
    assert (first.status, first.entries, first.new, first.error) == (200, 17, 17, None)
    async with runtime.sessions() as session:
        source = await session.get(Source, "tg-noticias")
    assert source is not None and source.newest_post == 1534

    server.route("/s/noticias_vzla", Route(body=fixture("page-newest-later.html")))
    (second,) = await runtime.poll_due(ids=["tg-noticias"])
    assert (second.entries, second.new, second.updated, second.duplicates) == (15, 3, 1, 11)
    assert await items_of(runtime, "tg-noticias") == 20
    async with runtime.sessions() as session:
        edited = await session.scalar(select(Item).where(Item.key == "tg:noticias_vzla/1533"))
    assert edited is not None and edited.updated_at is not None
    older_requests = [r for r in server.requests if r.query == "before=1520"]
    assert len(older_requests) == 1  # the second poll stopped at the known posts


async def test_a_forward_and_a_shared_link_join_the_original_stories(runtime: Runtime) -> None:
    await runtime.poll_due(ids=["tg-cronica"])
    await runtime.poll_due(ids=["tg-noticias"])
    async with runtime.sessions() as session:
        stories = {
            item.key: item.story_id
            for item in (await session.scalars(select(Item))).all()
        }
        forwarded = await session.get(Story, stories["tg:noticias_vzla/1521"])
    assert stories["tg:noticias_vzla/1521"] == stories["tg:cronica_caracas/8841"]
    assert stories["tg:noticias_vzla/1522"] == stories["tg:cronica_caracas/8850"]
    assert forwarded is not None and forwarded.source_count == 2


async def test_a_channel_without_preview_is_marked_failed_with_that_reason(
    runtime: Runtime, server: FeedServer,
) -> None:
    server.route("/s/noticias_vzla", Route(status=302, headers={"Location": "/noticias_vzla"}))
    server.route("/noticias_vzla", Route(body=fixture("landing-no-preview.html")))
    (report,) = await runtime.poll_due(ids=["tg-noticias"])
    assert report.error is not None and "no public preview" in report.error
    async with runtime.sessions() as session:
        source = await session.get(Source, "tg-noticias")
    assert source is not None and source.last_error == report.error and source.error_count == 1
