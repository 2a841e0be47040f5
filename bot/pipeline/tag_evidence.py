"""The tagger's confidence levels, and the evidence it gives for what it tags or leaves out."""

from __future__ import annotations

from typing import NamedTuple

FULL_MENTION = 1.0
TITLED = 0.8
DISTINCTIVE = 0.7
IN_CONTEXT = 0.6
WEAK = 0.4
# Digests, `/actor` and alerts use the tags at or above this confidence (bench/tagging.py).
CONFIDENT = 0.5

VENEZUELA = ""  # the country label of a Venezuela word, beside foreign countries' names

# What an explanation calls each piece of evidence.
RULE_ALIAS = "alias"
RULE_NAMED = "surname after a full mention"
RULE_TITLE = "title beside the surname"
RULE_DISTINCTIVE = "distinctive name"
RULE_CONTEXT = "surname in an item about Venezuela"
RULE_COUNTRY = "surname of a foreign actor, its country named"
RULE_QUALIFIED = "generic name beside Venezuela"
RULE_GENERIC = "generic name in an item about Venezuela"
RULE_GENERIC_FAR = "generic name, another country named nearer"
RULE_MISSPELT = "misspelt name"
NOT_OTHER_PERSON = "not tagged: another first name before it"
NOT_NAMESAKE = "not tagged: another first name before the same name earlier"
NOT_OTHER_COUNTRY = "not tagged: another country's"
NOT_WITHOUT_CONTEXT = "not tagged: generic name in an item not about Venezuela"
NOT_VENUE = "not Venezuela: the name of a venue"
NOT_ABROAD = "not Venezuela: a place of the same name abroad"
SAYS_PLACE = "Venezuela word or place"
SAYS_ACTOR = "Venezuelan actor"
SAYS_SOURCE = "the source covers only Venezuela"


class Evidence(NamedTuple):
    """Why an actor was tagged or left out, or why the item is about Venezuela."""

    subject: str  # an actor id, or "relevance"
    rule: str
    words: str  # as the text writes them, accents dropped
    confidence: float  # 0.0 when the evidence was refused
