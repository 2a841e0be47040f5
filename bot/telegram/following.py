"""`/follow` and `/unfollow`: the actors whose new stories bring a chat an alert."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.digest import buttons
from bot.digest.answers import offer_actors
from bot.digest.arguments import MAX_ARGUMENT, clean_name, echo
from bot.digest.lookup import ActorLookup, actor_by_id, find_actor
from bot.digest.words import line, listing
from bot.model import Actor, Message
from bot.telegram import texts
from bot.telegram.arguments import too_long
from bot.telegram.reply import Reply, reply_with
from storage import subscribers
from storage.db import Sessions, transaction

MAX_CHOICES = 8  # actors offered when a name fits several


async def answer_follow(
    *,
    sessions: Sessions,
    actors: Sequence[Actor],
    alerts_per_hour: int,
    chat_id: int,
    argument: str,
) -> Reply:
    """`/follow NAME`: follow that actor; no name lists the follows."""
    named = _named(actors, argument, buttons.follow_choice)
    if not isinstance(named, Actor):
        return named or await answer_follows(sessions=sessions, actors=actors, chat_id=chat_id)
    return await follow_actor(
        sessions=sessions,
        actors=actors,
        alerts_per_hour=alerts_per_hour,
        chat_id=chat_id,
        actor_id=named.id,
    )


async def follow_actor(
    *,
    sessions: Sessions,
    actors: Sequence[Actor],
    alerts_per_hour: int,
    chat_id: int,
    actor_id: str,
) -> Reply:
    """Follow one actor, by id."""
    actor = actor_by_id(actors, actor_id)
    if actor is None:
        return reply_with(texts.EXPIRED_BUTTON)
    async with transaction(sessions) as session:
        added = await subscribers.follow(session=session, chat_id=chat_id, actor_id=actor.id)
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
    already = "You already follow" if not added else "Following"
    text = (
        f"{already} *{{name}}*: a new story naming them brings an alert "
        f"(at most {alerts_per_hour} an hour; the rest wait for your digest)."
    )
    if subscriber is None or not subscriber.active:
        text += "\nAlerts come once you are subscribed: send /start."
    return reply_with(text, name=actor.name)


async def answer_unfollow(
    *, sessions: Sessions, actors: Sequence[Actor], chat_id: int, argument: str
) -> Reply:
    """`/unfollow NAME`: stop following that actor; no name lists the follows."""
    named = _named(actors, argument, buttons.unfollow_choice)
    if not isinstance(named, Actor):
        return named or await answer_follows(sessions=sessions, actors=actors, chat_id=chat_id)
    return await unfollow_actor(sessions=sessions, actors=actors, chat_id=chat_id, actor_id=named.id)


async def unfollow_actor(
    *, sessions: Sessions, actors: Sequence[Actor], chat_id: int, actor_id: str
) -> Reply:
    """Stop following one actor, by id."""
    actor = actor_by_id(actors, actor_id)
    if actor is None:
        return reply_with(texts.EXPIRED_BUTTON)
    async with transaction(sessions) as session:
        removed = await subscribers.unfollow(session=session, chat_id=chat_id, actor_id=actor.id)
    if not removed:
        return reply_with("You were not following *{name}*.", name=actor.name)
    return reply_with("No more alerts about *{name}*.", name=actor.name)


async def answer_follows(*, sessions: Sessions, actors: Sequence[Actor], chat_id: int) -> Reply:
    """The actors the chat follows."""
    async with sessions() as session:
        actor_ids = await subscribers.list_follows(session=session, chat_id=chat_id)
    if not actor_ids:
        return reply_with("You follow nobody yet. For example: `/follow machado`.")
    names = [actor.name if (actor := actor_by_id(actors, a)) else a for a in actor_ids]
    return Reply(follows_list(names))


ButtonData = Callable[[str, int], str]  # an actor id (and a page offset) → a button's payload


def _named(actors: Sequence[Actor], argument: str, button: ButtonData) -> Actor | Reply | None:
    """The one actor a user named; a Reply when it is not one (choices, suggestions, too long);
    None when no name was given."""
    name = clean_name(argument)
    if not name:
        return None
    if len(name) > MAX_ARGUMENT:
        return too_long(name)
    lookup = find_actor(actors, name)
    if lookup.actor is None:
        return not_one_actor(name, lookup, button)
    return lookup.actor


def not_one_actor(name: str, lookup: ActorLookup, button: ButtonData) -> Reply:
    """The answer to a name that fits several actors, or none: a choice, or the closest names."""
    said = echo(name)
    if lookup.choices:
        rows = offer_actors(lookup.choices, lambda actor_id: button(actor_id, 0), limit=MAX_CHOICES)
        return reply_with("“{said}” fits several actors. Which one?", choices=rows, said=said)
    if lookup.suggestions:
        rows = offer_actors(
            lookup.suggestions, lambda actor_id: button(actor_id, 0), limit=MAX_CHOICES
        )
        return reply_with(
            "I don't know “{said}”. Did you mean one of these? /actors lists them all.",
            choices=rows,
            said=said,
        )
    return reply_with("I don't know “{said}”. /actors lists the actors I know.", said=said)


def follows_list(names: Sequence[str]) -> Message:
    """The actors a reader follows, one a line."""
    lines = [line("• {name}", name=name) for name in names]
    return listing("*You follow* (`/unfollow NAME` to stop):", lines)
