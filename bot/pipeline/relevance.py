"""Decide whether an item is about Venezuela, and say in one record what Vigía makes of a text."""

from __future__ import annotations

from bot.model import ActorTag, Tagging
from bot.pipeline.tag import CONFIDENT, Tagger, TagResult

# "venezuela": a source that only covers Venezuela, every item counts.
# "general": a source that covers the world, only items about Venezuela count.
SCOPES = ("venezuela", "general")


def is_relevant(*, scope: str, tags: TagResult) -> bool:
    """Whether an item from a source of this scope belongs in Vigía.

    An item is about Venezuela when it names Venezuela, a Venezuelan place or people (in Spanish,
    English or French), or an actor whose mere mention means Venezuela: Maduro does, Putin does not.
    """
    if scope not in SCOPES:
        raise ValueError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    return scope == "venezuela" or tags.about_venezuela


def tag_text(tagger: Tagger, text: str, *, title: str = "", scope: str = "general") -> Tagging:
    """Tag an item and judge its relevance: what `vigia tag` prints and the ingest stores."""
    tags = tagger.tag(text, title=title, venezuelan_source=scope == "venezuela")
    return Tagging(
        relevant=is_relevant(scope=scope, tags=tags),
        actors=tags.actors,
        topics=tags.topics,
        ambiguous=tags.ambiguous,
    )


def confident(actors: tuple[ActorTag, ...]) -> tuple[ActorTag, ...]:
    """The tags that digests, `/actor` and alerts use: those at or above CONFIDENT.

    The weaker ones (a generic name nearer another country than Venezuela) show in `vigia tag`
    but reach no subscriber; bench/tagging.py shows how often each confidence is right.
    """
    return tuple(tag for tag in actors if tag.confidence >= CONFIDENT)
