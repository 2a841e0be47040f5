"""The offline tour: bundled sample feeds served on loopback, ingested into a throwaway database."""

from __future__ import annotations

import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO

from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from storage.stories import most_named_actors, story_totals

FEEDS = Path(__file__).resolve().parent
SAMPLES = {  # file → (source id, name, lang, scope)
    "cocuyo.xml": ("diario-cocuyo", "Diario Cocuyo", "es", "venezuela"),
    "wire.xml": ("world-wire", "World Wire", "en", "general"),
    "monde.xml": ("monde-express", "Le Monde Express", "fr", "general"),
}


async def run_demo(settings: Settings, *, out: TextIO | None = None) -> int:
    """Serve the samples, ingest them, and show what a subscriber would see."""
    out = out or sys.stdout
    from bot.cli import print_reports, render_terminal_digest

    with tempfile.TemporaryDirectory(prefix="vigia-demo-") as folder, _serve() as root:
        work = Path(folder)
        (work / "feeds.toml").write_text(_feeds_toml(root), encoding="utf-8")
        demo = settings.model_copy(
            update={
                "database_url": f"sqlite+aiosqlite:///{work / 'demo.db'}",
                "feeds": work / "feeds.toml",
                # The sample outlets are served on 127.0.0.1, which a real run refuses.
                "allow_private_networks": True,
            }
        )
        print(
            "Vigía demo: three sample outlets (es, en, fr) served on loopback, no network, "
            "no token.\n",
            file=out,
        )
        async with open_runtime(demo) as runtime:
            reports = await runtime.poll_due()
            print_reports(reports, out=out)
            await _print_totals(runtime, out=out)
            views = (
                ("/digest", timedelta(hours=24), None, 10, False),
                ("the same digest, as a WhatsApp reader sees it", timedelta(hours=24), None, 10, True),
                ("/actor maduro", timedelta(days=7), "maduro", 5, False),
            )
            for heading, window, actor, limit, whatsapp in views:
                print(f"\n── {heading} " + "─" * max(3, 53 - len(heading)), file=out)
                print(
                    await render_terminal_digest(
                        sessions=runtime.sessions,
                        actors=runtime.catalog.actors,
                        timezone=demo.timezone,
                        window=window,
                        actor=actor,
                        limit=limit,
                        whatsapp=whatsapp,
                    ),
                    file=out,
                )
    print("\nTo run the real bot, set BOT_TOKEN (from @BotFather) and run `vigia run` "
          "(`make run` in a checkout).", file=out)
    return 0


async def _print_totals(runtime: Runtime, *, out: TextIO) -> None:
    """How the sample items folded into stories, and who they name most."""
    async with runtime.sessions() as session:
        totals = await story_totals(session=session)
        top = await most_named_actors(session=session, limit=8)
    print(
        f"\nStored {totals.items} items as {totals.stories} stories "
        f"({totals.folded} told by several outlets).",
        file=out,
    )
    print("Actors most named: " + ", ".join(f"{name} ({n})" for name, n in top), file=out)


def _feeds_toml(root: str) -> str:
    blocks = []
    for file, (source_id, name, lang, scope) in SAMPLES.items():
        blocks.append(
            f'[[source]]\nid = "{source_id}"\nname = "{name}"\n'
            f'url = "{root}/{file}"\nlang = "{lang}"\nscope = "{scope}"\n'
        )
    return "\n".join(blocks)


def _render_sample(text: str, now: datetime) -> bytes:
    """Sample dates are written as hours before now, so the demo's digest is never empty."""
    out, rest = [], text
    while "%%" in rest:
        before, _, tail = rest.partition("%%")
        marker, _, rest = tail.partition("%%")
        kind, _, hours = marker.partition(":")
        moment = now - timedelta(hours=float(hours))
        out += [before, format_datetime(moment) if kind == "AGO" else moment.isoformat()]
    out.append(rest)
    return "".join(out).encode()


@contextmanager
def _serve() -> Iterator[str]:
    now = datetime.now(UTC).replace(microsecond=0)
    bodies = {
        f"/{file}": _render_sample((FEEDS / file).read_text(encoding="utf-8"), now)
        for file in SAMPLES
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = bodies.get(self.path.split("?", 1)[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
