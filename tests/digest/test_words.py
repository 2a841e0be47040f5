"""Vigía's own words: a template's marks become styled runs; a reader's words stay words."""

from __future__ import annotations

from bot.digest.words import line, listing, paragraphs, said
from bot.model import Choice, Paragraph, Span


def test_marks_become_styles_and_a_blank_line_a_new_paragraph() -> None:
    first, second = paragraphs("*Vigía* watches\n/digest — `24h`\n\nsecond")
    assert first.spans == (
        Span("Vigía", "bold"), Span(" watches\n/digest — "), Span("24h", "code"),
    )
    assert second == Paragraph.of("second")


def test_values_go_in_after_the_marks_are_read() -> None:
    # es/en/fr: a reader's stars, backticks and braces are their words, never our markup.
    for typed in ("*Maduro* `rm`", "l'*acteur* {x}", "«`petróleo`»"):
        [paragraph] = paragraphs("No stories with “{said}”.", said=typed)
        assert all(span.style == "" for span in paragraph.spans)
        assert "".join(span.text for span in paragraph.spans) == f"No stories with “{typed}”."


def test_a_listing_is_one_paragraph_of_lines_and_keeps_its_choices() -> None:
    lines = [line("• *{name}* (`{id}`)", name=name, id=key)
             for name, key in (("Efecto *Cocuyo*", "cocuyo"), ("Le Monde", "monde"))]
    more = ((Choice("More (3 left)", "ac:maduro:10"),),)
    message = listing("*Sources* · {n}", lines, choices=more, n=2)
    [paragraph] = message.blocks
    assert isinstance(paragraph, Paragraph)
    text = "".join(span.text for span in paragraph.spans)
    assert text == "Sources · 2\n• Efecto *Cocuyo* (cocuyo)\n• Le Monde (monde)"
    assert [s.text for s in paragraph.spans if s.style == "bold"] == [
        "Sources", "Efecto *Cocuyo*", "Le Monde"]
    assert message.choices == more and said("x", choices=more).choices == more
