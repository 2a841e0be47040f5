"""`python -m bot …` (also `vigia …`): parses the command line and calls down, nothing more."""

from __future__ import annotations

import argparse
import asyncio
import sys
import traceback
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bot.logs import redact_tokens
from bot.settings import SettingError, Settings, load_settings
from bot.steering import ConfigError
from storage.db import DatabaseUnavailable


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
    except SettingError as error:
        print(f"Vigía cannot start: {redact_tokens(str(error))}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as error:
        print(f"Vigía cannot start: BOT_DATABASE_URL: {redact_tokens(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:  # the last exit path: still no secret in what is printed
        print(redact_tokens(traceback.format_exc()), file=sys.stderr, end="")
        return 1
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vigia",
        description="Vigía watches the news about Venezuela and serves it through a Telegram bot. "
        "Settings come from BOT_* environment variables or a .env file in the working folder; "
        "feeds.toml and actors.toml are read from the working folder (or BOT_FEEDS, "
        "BOT_ACTORS), and the bundled ones are used when there are none.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=summary, description=description)

    _service_commands(command)
    _file_commands(command)
    _operator_commands(command)
    return parser


_Command = Callable[[str, str, str], argparse.ArgumentParser]


def _service_commands(command: _Command) -> None:
    """run, poll, digest, tag, stories, demo: what Vigía does."""
    run = command("run", "the service: Telegram bot, scheduler, pollers, /healthz and /metrics",
                  "Run the service until interrupted: Telegram long polling (or a webhook when "
                  "BOT_WEBHOOK_URL is set), the poll, digest, alert and delivery ticks, and the "
                  "HTTP surface on BOT_HTTP_LISTEN:BOT_HTTP_PORT (/healthz, /metrics). Without "
                  "BOT_TOKEN it runs the offline demo instead.")
    run.set_defaults(handler=_run)

    poll = command("poll", "poll sources and print a table per source",
                   "Poll the enabled sources of feeds.toml once and print, per source: HTTP "
                   "status, entries read, new items, items that joined a story, updated, skipped "
                   "(not about Venezuela), duplicates, the source's own time in ms (not its wait "
                   "for a busy host) and the error. Exits 1 if any source failed.")
    poll.add_argument("--once", action="store_true", help="poll every enabled source once, then exit")
    poll.add_argument("--source", action="append", metavar="ID",
                      help="only this source (repeatable)")
    poll.set_defaults(handler=_poll)

    digest = command("digest", "print the digest a subscriber would get",
                     "Print, as plain text, the digest a subscriber would get now.")
    digest.add_argument("--since", default="24h", help="window: 6h, 24h, 7d (default 24h)")
    digest.add_argument("--actor", metavar="ID", help="only stories naming this actor")
    digest.add_argument("--limit", type=int, default=10, help="stories to show (default 10)")
    digest.set_defaults(handler=_digest)

    tag = command("tag", "read text on stdin, print its actors and topics as JSON",
                  'Read text on standard input and print {"relevant", "actors", "topics"} as '
                  "JSON: whether it is about Venezuela, and whom and what it names.")
    tag.add_argument("--scope", choices=["general", "venezuela"], default="general",
                     help='"venezuela": every text counts as relevant (default: general)')
    tag.add_argument(
        "--explain",
        action="store_true",
        help="after the JSON, the evidence for each tag and for the relevance decision",
    )
    tag.set_defaults(handler=_tag)

    stories = command("stories", "print stories with their items, to check folding",
                      "Print one block per story: its title and source count, then one line "
                      "per item (source: title).")
    stories.add_argument("--since", default="24h", help="window: 6h, 24h, 7d (default 24h)")
    stories.set_defaults(handler=_stories)

    demo = command("demo", "an offline tour on bundled sample feeds, no token needed",
                   "Serve three bundled sample outlets (es, en, fr) on loopback, ingest them into "
                   "a throwaway database, and print the poll table, a digest and /actor maduro. "
                   "No network, no token.")
    demo.set_defaults(handler=_demo)


def _file_commands(command: _Command) -> None:
    """feeds check/import/export and init: the steering files."""
    feeds = command("feeds", "check feeds.toml and actors.toml; OPML import and export",
                    "Operator commands for the steering files.")
    feeds_commands = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    check = feeds_commands.add_parser(
        "check", help="validate feeds.toml and actors.toml",
        description="Validate feeds.toml and actors.toml: print `ok, N sources, M actors` or "
        "every problem as file:line: message, and exit 1.")
    check.add_argument("path", nargs="?", type=Path, help="feeds.toml to check (default BOT_FEEDS)")
    check.add_argument("--actors", type=Path, help="actors.toml to check (default BOT_ACTORS)")
    check.set_defaults(handler=_feeds_check)
    opml_in = feeds_commands.add_parser(
        "import", help="append the feeds of an OPML file to feeds.toml",
        description="Append the feeds of an OPML file (what feed readers export) to feeds.toml: "
        "ids are made from the titles, feeds already in feeds.toml (same address) are skipped, "
        "and the result is checked like any edit; nothing is written if it has problems.")
    opml_in.add_argument("file", type=Path, metavar="FILE.opml")
    opml_in.set_defaults(handler=_feeds_import)
    opml_out = feeds_commands.add_parser(
        "export", help="print the sources as OPML",
        description="Print the sources of feeds.toml as an OPML 2.0 document.")
    opml_out.set_defaults(handler=_feeds_export)

    init = command("init", "write editable copies of the bundled feeds.toml and actors.toml",
                   "Write editable copies of the bundled feeds.toml and actors.toml into DIR "
                   "(default: the working folder). Existing files are kept.")
    init.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR")
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    init.set_defaults(handler=_init)


def _operator_commands(command: _Command) -> None:
    """db upgrade, health, sources: the database and how the service is doing."""
    db = command("db", "database commands", "Database commands.")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser(
        "upgrade", help="apply migrations",
        description="Apply every migration to BOT_DATABASE_URL (run does it too at start).")
    upgrade.set_defaults(handler=_db_upgrade)

    health = command("health", "exit 0 when the service is healthy (the /healthz test)",
                     "The test /healthz answers: the database answers, its schema is at head, "
                     "and the poll and delivery ticks ran within BOT_HEALTH_TICK_AGE. Prints "
                     "one line; exits 0 when healthy, 1 with the reasons otherwise. Never "
                     "creates a database.")
    health.set_defaults(handler=_health)

    sources = command("sources", "each source's status, last success, errors and next poll",
                      "Print every source of feeds.toml: status, last success, error count, "
                      "next poll and last error.")
    sources.add_argument("--failing", action="store_true",
                         help="only the sources whose last poll failed, or disabled")
    sources.set_defaults(handler=_sources)


def _settings() -> Settings:
    """Settings for a command that reads the steering files; says so when the bundled are used."""
    settings = load_settings()
    if settings.using_bundled:
        names = " and ".join(settings.using_bundled)
        print(f"No {names} in {Path.cwd()}: using the bundled one"
              f"{'s' if len(settings.using_bundled) > 1 else ''} (`vigia init` writes copies to "
              "edit).", file=sys.stderr)
    return settings


def _version() -> str:
    try:
        return version("vigia")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _run(_args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.token is None and not settings.whatsapp_enabled:
        print(
            "BOT_TOKEN is not set, so Vigía cannot talk to Telegram; running the offline demo.\n"
            "To run the bot: ask @BotFather on Telegram for a token (/newbot), then\n"
            "  export BOT_TOKEN=123456:ABC…   (or put BOT_TOKEN=… in .env) and run `vigia run`\n"
            "  (`make run` in a checkout).\n"
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
    return asyncio.run(poll_once(_settings(), only=args.source))


def _digest(args: argparse.Namespace) -> int:
    from bot.cli import print_digest

    return asyncio.run(print_digest(_settings(), since=args.since, actor=args.actor,
                                    limit=args.limit))


def _tag(args: argparse.Namespace) -> int:
    from bot.cli import print_tagging
    from bot.pipeline.tag import Tagger
    from bot.steering import load_actors

    catalog = load_actors(_settings().actors)
    tagger = Tagger(catalog.actors, catalog.topics)
    return print_tagging(tagger, sys.stdin.read(), scope=args.scope, explain=args.explain)


def _feeds_check(args: argparse.Namespace) -> int:
    from bot.cli import check_files

    settings = _settings()
    return check_files(args.path or settings.feeds, args.actors or settings.actors)


def _db_upgrade(_args: argparse.Namespace) -> int:
    from bot.cli import upgrade_database

    return asyncio.run(upgrade_database(load_settings()))


def _health(_args: argparse.Namespace) -> int:
    from bot.cli import check_health

    return asyncio.run(check_health(load_settings()))


def _stories(args: argparse.Namespace) -> int:
    from bot.cli import print_stories

    return asyncio.run(print_stories(_settings(), since=args.since))


def _demo(_args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return asyncio.run(run_demo(load_settings()))


def _sources(args: argparse.Namespace) -> int:
    from bot.cli import print_sources

    return asyncio.run(print_sources(_settings(), failing=args.failing))


def _init(args: argparse.Namespace) -> int:
    from bot.cli import write_steering_files

    return write_steering_files(args.dir, force=args.force)


def _feeds_import(args: argparse.Namespace) -> int:
    from bot.cli import import_opml

    return import_opml(_settings(), args.file)


def _feeds_export(_args: argparse.Namespace) -> int:
    from bot.cli import export_opml

    return export_opml(_settings())


if __name__ == "__main__":
    sys.exit(main())
