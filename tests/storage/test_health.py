"""A full disk: one line per source, an unhealthy verdict, no traceback (real SQLite, SQLITE_FULL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from bot.config import Settings
from bot.runtime import open_runtime
from storage.health import check_database
from tests.feedserver import FeedServer, Route

ROOT = Path(__file__).resolve().parents[2]


def _body(count: int) -> bytes:
    items = "".join(
        f"<item><title>Noticia {n} sobre Venezuela y la economía</title>"
        f"<link>http://example.org/n/{n}</link><guid>n-{n}</guid>"
        f"<description>{'Caracas informa sobre el bolívar y la inflación. ' * 30} {n}"
        f"</description></item>"
        for n in range(count)
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
            f"<link>http://example.org/</link>{items}</channel></rss>").encode()


async def test_a_full_database_is_said_in_one_line_and_reported_unhealthy(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.route("/big", Route(body=_body(300)))
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[source]]\nid = "grande"\nurl = "{server.url("/big")}"\n'
                         'lang = "es"\nscope = "venezuela"\n', encoding="utf-8")
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'vigia.db'}", feeds=feeds,
            actors=ROOT / "actors.toml", allow_private_networks=True, prepare_workers=0,
        )
        async with open_runtime(settings) as runtime:
            async with runtime.engine.connect() as connection:
                pages = (await connection.execute(text("PRAGMA page_count"))).scalar()
            await runtime.engine.dispose()

            def cap(dbapi_connection: Any, _record: Any) -> None:
                # SQLite's own "database or disk is full" once the file would pass this size.
                dbapi_connection.cursor().execute(f"PRAGMA max_page_count = {int(pages) + 8}")

            event.listen(runtime.engine.sync_engine, "connect", cap)
            [report] = await runtime.poll_due(ids=["grande"])
            verdict = await check_database(runtime.engine, url=settings.database_url)
    assert report.error is not None and report.error.startswith("disk full")
    assert "\n" not in report.error
    assert not verdict.ok and verdict.reason.startswith("disk full")
