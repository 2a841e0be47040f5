"""`python -m bot …` (also `vigia …`): parses the command line and calls down, nothing more."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit code says whether it worked."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        result: int = args.handler(args)
    except ConfigError as error:
        print("Vigía cannot start: the steering files have problems:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vigia",
        description="Vigía watches the news about Venezuela and serves it through a Telegram bot.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="the service: Telegram bot, scheduler and pollers")
    run.set_defaults(handler=_run)

    poll = commands.add_parser("poll", help="poll sources and print a table per source")
    poll.add_argument("--once", action="store_true", help="poll every enabled source once, then exit")
    poll.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    poll.set_defaults(handler=_poll)

    digest = commands.add_parser("digest", help="print the digest a subscriber would get")
    digest.add_argument("--since", default="24h", help="window: 6h, 24h, 7d (default 24h)")
    digest.add_argument("--actor", metavar="ID", help="only stories naming this actor")
    digest.add_argument("--limit", type=int, default=10, help="stories to show (default 10)")
    digest.set_defaults(handler=_digest)

    tag = commands.add_parser("tag", help="read text on stdin, print its actors and topics as JSON")
    tag.add_argument("--scope", choices=["general", "venezuela"], default="general")
    tag.set_defaults(handler=_tag)

    feeds = commands.add_parser("feeds", help="operator commands for feeds.toml and actors.toml")
    feeds_commands = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    check = feeds_commands.add_parser("check", help="validate feeds.toml and actors.toml")
    check.add_argument("path", nargs="?", type=Path, help="feeds.toml to check (default BOT_FEEDS)")
    check.add_argument("--actors", type=Path, help="actors.toml to check (default BOT_ACTORS)")
    check.set_defaults(handler=_feeds_check)

    db = commands.add_parser("db", help="database commands")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply migrations")
    upgrade.set_defaults(handler=_db_upgrade)

    health = commands.add_parser("health", help="exit 0 when the database answers (for HEALTHCHECK)")
    health.set_defaults(handler=_health)

    stories = commands.add_parser("stories", help="print stories with their items, to check folding")
    stories.add_argument("--since", default="24h", help="window: 6h, 24h, 7d (default 24h)")
    stories.set_defaults(handler=_stories)

    demo = commands.add_parser("demo", help="an offline tour on bundled sample feeds, no token needed")
    demo.set_defaults(handler=_demo)
    return parser


def _run(_args: argparse.Namespace) -> int:
    settings = Settings()
    if settings.token is None and not settings.whatsapp_enabled:
        print(
            "BOT_TOKEN is not set, so Vigía cannot talk to Telegram; running the offline demo.\n"
            "To run the bot: ask @BotFather on Telegram for a token (/newbot), then\n"
            "  export BOT_TOKEN=123456:ABC…   (or put BOT_TOKEN=… in .env) and run `make run`.\n"
            "For WhatsApp, set BOT_WHATSAPP_TOKEN and BOT_WHATSAPP_PHONE_NUMBER_ID (README).\n",
            file=sys.stderr,
        )
        return _demo(_args)
    from bot.app import run_bot

    run_bot(settings)
    return 0


def _poll(args: argparse.Namespace) -> int:
    from bot.cli import poll_once

    if not args.once:
        print("poll runs continuously inside `python -m bot run`; use `poll --once` here.",
              file=sys.stderr)
        return 2
    return asyncio.run(poll_once(Settings(), only=args.source))


def _digest(args: argparse.Namespace) -> int:
    from bot.cli import print_digest

    return asyncio.run(print_digest(Settings(), since=args.since, actor=args.actor,
                                    limit=args.limit))


def _tag(args: argparse.Namespace) -> int:
    from bot.config import load_actors
    from bot.pipeline.relevance import tag_text
    from bot.pipeline.tag import Tagger

    settings = Settings()
    catalog = load_actors(settings.actors)
    tagging = tag_text(Tagger(catalog.actors, catalog.topics), sys.stdin.read(), scope=args.scope)
    print(json.dumps({
        "relevant": tagging.relevant,
        "actors": [{"id": a.id, "name": a.name, "confidence": round(a.confidence, 2)}
                   for a in tagging.actors],
        "topics": list(tagging.topics),
    }, ensure_ascii=False))
    return 0


def _feeds_check(args: argparse.Namespace) -> int:
    from bot.cli import check_files

    settings = Settings()
    return check_files(args.path or settings.feeds, args.actors or settings.actors)


def _db_upgrade(_args: argparse.Namespace) -> int:
    from bot.cli import upgrade_database

    return asyncio.run(upgrade_database(Settings()))


def _health(_args: argparse.Namespace) -> int:
    from bot.cli import check_health

    return asyncio.run(check_health(Settings()))


def _stories(args: argparse.Namespace) -> int:
    from bot.cli import print_stories

    return asyncio.run(print_stories(Settings(), since=args.since))


def _demo(_args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return asyncio.run(run_demo(Settings()))


if __name__ == "__main__":
    sys.exit(main())
