"""Vigía's own words as Paragraphs, for every transport: a template's marks read once, values after.

A template is plain text with `*bold*` and `` `code` `` runs; a blank line sets paragraphs
apart, a line break keeps lines in one paragraph. Values are filled in after the marks are read,
so a reader's words or a feed's name with a star or a backtick in it stay plain text, and each
renderer escapes them its own way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.model import Choice, Message, Paragraph, Span

__all__ = ["Choices", "line", "listing", "paragraphs", "said"]

Choices = tuple[tuple[Choice, ...], ...]


def paragraphs(template: str, **values: object) -> tuple[Paragraph, ...]:
    """The template as paragraphs, its marks as styled runs, `values` filled in after."""
    return tuple(_paragraph(block, values) for block in template.split("\n\n"))


def said(template: str, *, choices: Choices = (), **values: object) -> Message:
    """A message of our own words (see `paragraphs`), with `choices` under it."""
    return Message(blocks=paragraphs(template, **values), choices=choices)


def line(template: str, **values: object) -> Paragraph:
    """One line of a `listing` (a template like any other)."""
    return Paragraph(tuple(_spans(template, values)))


def listing(
    heading: str, lines: Sequence[Paragraph], *, choices: Choices = (), **values: object
) -> Message:
    """A heading (a template, filled with `values`) and one line per thing (actors, sources,
    follows…), all in one paragraph: a renderer splits it between lines only."""
    spans = _spans(heading, values)
    for each in lines:
        spans += [Span("\n"), *each.spans]
    return Message(blocks=(Paragraph(tuple(spans)),), choices=choices)


def _paragraph(block: str, values: dict[str, object]) -> Paragraph:
    return Paragraph(tuple(_spans(block, values)) or (Span(""),))


def _spans(template: str, values: dict[str, object]) -> list[Span]:
    spans = []
    for index, piece in enumerate(_MARK.split(template)):
        if not piece:
            continue
        style = ""
        if index % 2:
            style = "bold" if piece[0] == "*" else "code"
            piece = piece[1:-1]
        spans.append(Span(piece.format(**values) if values else piece, style))
    return spans


_MARK = re.compile(r"(\*[^*\n]+\*|`[^`\n]+`)")
