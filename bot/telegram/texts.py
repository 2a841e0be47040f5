"""The fixed texts of the bot: the command list, help, usage lines and short refusals.

Templates of bot/digest/words.py: `*bold*`, `` `code` ``, a blank line between paragraphs.
"""

from __future__ import annotations

COMMANDS: tuple[tuple[str, str], ...] = (
    ("digest", "Top stories since your last digest, or /digest 6h · 24h · 7d"),
    ("actor", "Latest stories naming an actor: /actor maduro"),
    ("actors", "Actors Vigía knows, with this week's stories"),
    ("follow", "Alerts when an actor is in a new story: /follow machado"),
    ("unfollow", "Stop following an actor: /unfollow machado"),
    ("search", "Stories with these words: /search elecciones"),
    ("trend", "A chart of stories a day: /trend maduro machado 90d"),
    ("sources", "The feeds and channels Vigía reads"),
    ("settings", "Digest schedule, time, timezone, languages"),
    ("start", "Subscribe to the digest"),
    ("stop", "Unsubscribe"),
    ("help", "Every command, with an example"),
)

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("stats", "Sources ok/failing, items today, subscribers, pending deliveries"),
    ("reload", "Re-read feeds.toml and actors.toml"),
    ("feeds", "Failing sources with their last error"),
)

HELP = (
    "*Vigía* watches the news about Venezuela, folds copies of the same story together "
    "and tags who is in it.\n"
    "\n"
    "/digest — top stories since your last digest (at most 24 h)\n"
    "/digest 6h — the last 6 hours; also `24h`, `7d`\n"
    "/actor maduro — latest stories naming an actor; also "
    '`/actor "Delcy Rodríguez"`, `/actor delcy`, `/actor Padrino`\n'
    "/actors — the actors Vigía knows, with their stories over 7 days\n"
    "/follow machado — an alert when a followed actor is in a new story; "
    "/follow alone lists your follows\n"
    "/unfollow machado — stop following\n"
    "/search elecciones CNE — stories with these words\n"
    "/trend maduro machado — a chart of stories a day naming up to three actors; add "
    "`90d` for 90 days; /trend alone: the week's most named\n"
    "/sources — the feeds and channels Vigía reads\n"
    "/settings — digest schedule, time, timezone and languages; also "
    "`/settings time 07:30`, `/settings tz Europe/Madrid`\n"
    "/start — subscribe to the digest · /stop — unsubscribe\n"
    "/help — this message"
)

ADMIN_HELP = (
    "*Admin*\n"
    "/stats — sources ok/failing, items today, subscribers, pending deliveries\n"
    "/reload — re-read feeds.toml and actors.toml and report problems\n"
    "/feeds — failing sources with their last error"
)

UNKNOWN = "I don't know that command. /help lists what I can do."
PLAIN_TEXT = "I answer commands, like /digest or /actor maduro. /help lists them all."
SLOW_DOWN = "Slow down a little: I'll answer again in a few seconds."
SOMETHING_WRONG = "Something went wrong on my side. Please try again in a moment."
BUSY = "I'm busy right now and could not answer in time. Please try again in a minute."
ADMIN_ONLY = "Sorry, /{command} is for Vigía's operators only. /help lists what you can use."
EXPIRED_BUTTON = "This button has expired; send the command again."
NOT_SUBSCRIBED = "You are not subscribed yet: send /start first."

USAGE_DIGEST = "Use `/digest`, or a window: `/digest 6h`, `24h` or `7d`."
USAGE_ACTOR = 'Whom? For example `/actor maduro` or `/actor "Delcy Rodríguez"`. /actors lists them all.'
USAGE_SEARCH = "Search for what? For example `/search elecciones CNE`."
USAGE_SETTINGS = (
    "Use the buttons, or `/settings time 07:30`, `/settings tz Europe/Madrid`, "
    "`/settings schedule daily` (daily, twice, hourly, off), "
    "`/settings languages es en` (or `all`)."
)
