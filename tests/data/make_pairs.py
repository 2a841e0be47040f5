"""Writes tests/data/pairs.jsonl: labelled pairs of news items, same story or not, for tuning Vigía's dedup.

Run: python tests/data/make_pairs.py [--seeds DIR]. Deterministic: the same seeds give the same file.
Articles come from the seed articles and from the short news in news.py, wrapped as outlets wrap
them (context paragraph, footer). Edits imitate what happens between outlets: copies differ in
spacing, quotes, case, accents and tracking links; republished items get a new headline, a cut or
added paragraph, reordered sentences, a few words swapped; summaries are headline + lead, channel
posts pasting the first lines, or a few sentences picked from the article.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from news import BACKGROUND, FOLLOW_UPS, FOOTER, NEWS, REWRITTEN, SEED_TITLES, TEMPLATES

HERE = Path(__file__).resolve().parent
DEFAULT_SEEDS = HERE.parents[2] / "shared" / "seeds"
# A sentence ends at . ! ? (or a closing quote after one), not after an initial like "M." or "p. m.".
SENTENCE_END = re.compile(r"(?<=[.!?»\"”])(?<!\s[A-Za-z]\.)\s+(?=[A-ZÀ-ÝÑ«\"“¿¡])")


@dataclass(frozen=True, slots=True)
class Article:
    """A base article: a title and paragraphs of sentences."""

    id: str
    lang: str
    cluster: str
    title: str
    paragraphs: tuple[tuple[str, ...], ...]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--out", type=Path, default=HERE / "pairs.jsonl")
    args = parser.parse_args()
    pairs = build_pairs(args.seeds)
    with args.out.open("w", encoding="utf-8") as out:
        for pair in pairs:
            out.write(json.dumps(pair, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for pair in pairs:
        counts[pair["class"]] = counts.get(pair["class"], 0) + 1
    print(f"{len(pairs)} pairs -> {args.out}: {counts}")


def build_pairs(seeds: Path) -> list[dict[str, object]]:
    rng = random.Random(20240728)
    seed_articles = read_seeds(seeds)
    news = [news_article(row, i) for i, row in enumerate(NEWS)]
    by_id = {a.id: a for a in seed_articles + news}
    pairs: list[dict[str, object]] = []

    def add(kind: str, lang: str, a: tuple[str, str], b: tuple[str, str], same: bool) -> None:
        if rng.random() < 0.5:
            a, b = b, a
        pairs.append(
            {
                "id": f"{kind}-{len(pairs):03d}",
                "class": kind,
                "lang": lang,
                "a": {"title": a[0], "text": a[1]},
                "b": {"title": b[0], "text": b[1]},
                "same": same,
            }
        )

    everything = seed_articles + news
    titles = [a.title for a in everything]
    for i, art in enumerate(everything):
        full = render(art)
        add("copy", art.lang, full, copy_of(art, rng), True)
        if art.cluster == "seed":
            add("copy", art.lang, full, copy_of(art, rng), True)
        for _ in range(2):
            add(
                "republish",
                art.lang,
                full,
                republish(art, rng, titles[(i + 7) % len(titles)]),
                True,
            )
        kinds = (
            ["lead", "post", "extract"]
            if art.cluster == "seed"
            else [["lead", "post", "extract"][i % 3]]
        )
        for kind in kinds:
            add("summary", art.lang, full, summarise(art, kind, rng), True)

    # Hard negatives: different news of one cluster (same actors, same day, same boilerplate),
    # compared as full articles, and again as the short posts a channel would make of them.
    clusters: dict[str, list[Article]] = {}
    for art in news:
        clusters.setdefault(art.cluster, []).append(art)
    for members in clusters.values():
        for j, x in enumerate(members):
            for y in members[j + 1 :]:
                add("hard-negative", x.lang, render(x), render(y), False)
                add(
                    "hard-negative",
                    x.lang,
                    summarise(x, "post", rng),
                    summarise(y, "post", rng),
                    False,
                )
                add("hard-negative", x.lang, render(x), summarise(y, "lead", rng), False)
    # The seeds on the July 2024 election: one story on protests and results, another on Putin's
    # congratulations; and the two on Maduro's ties with Washington.
    for x, y in (("seed0", "seed3"), ("seed2", "seed4"), ("seed1", "seed0")):
        a, b = by_id[x], by_id[y]
        add("hard-negative", "fr", render(a), render(b), False)
        add("hard-negative", "fr", summarise(a, "lead", rng), summarise(b, "lead", rng), False)
    for lang, title, body, fills in TEMPLATES:
        filled = [(title.format(**f), body.format(**f)) for f in fills]
        for j in range(len(filled) - 1):
            add("hard-negative", lang, filled[j], filled[j + 1], False)
        add("hard-negative", lang, filled[0], filled[-1], False)
        templated = Article(
            f"tpl-{lang}", lang, "tpl", filled[0][0], tuple(split_paragraphs(filled[0][1]))
        )
        add("copy", lang, filled[0], copy_of(templated, rng), True)

    for base_id, title, sentences in FOLLOW_UPS:
        base = by_id[base_id]
        follow = Article(
            f"{base_id}-next",
            base.lang,
            base.cluster,
            title,
            ((sentences[0], sentences[1]), tuple(sentences[2:]), *context(base)),
        )
        add("follow-up", base.lang, render(base), render(follow), False)
        add(
            "follow-up",
            base.lang,
            summarise(base, "post", rng),
            summarise(follow, "post", rng),
            False,
        )
    for base_id, title, text in REWRITTEN:
        base = by_id[base_id]
        add("summary", base.lang, render(base), (title, text), True)
    return pairs


def context(art: Article) -> tuple[tuple[str, ...], ...]:
    """The outlet's context paragraph and footer of a news article; seeds carry none."""
    return () if art.cluster == "seed" else art.paragraphs[2:]


def read_seeds(seeds: Path) -> list[Article]:
    articles = []
    for i, path in enumerate(sorted(seeds.glob("*.txt"))):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        lines = [ln for ln in lines if ln and ln != "0"]
        title = SEED_TITLES[i] if i < len(SEED_TITLES) and SEED_TITLES[i] else lines.pop(0)
        lines = [ln for ln in lines if not ln.startswith("Publié le")]
        paragraphs = tuple(tuple(split_sentences(ln)) for ln in lines)
        articles.append(Article(f"seed{i}", "fr", "seed", title, paragraphs))
    return articles


def news_article(row: tuple[str, str, str, str, list[str]], index: int) -> Article:
    id_, lang, cluster, title, sentences = row
    backgrounds = BACKGROUND[lang]
    background = backgrounds[sum(map(ord, cluster)) % len(backgrounds)]
    paragraphs = [tuple(sentences[:2]), tuple(sentences[2:]), tuple(split_sentences(background))]
    if index % 2 == 0:
        paragraphs.append((FOOTER[lang],))
    return Article(id_, lang, cluster, title, tuple(paragraphs))


def split_sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text.strip()) if s]


def split_paragraphs(text: str) -> list[tuple[str, ...]]:
    return [tuple(split_sentences(text))]


def render(art: Article, paragraphs: tuple[tuple[str, ...], ...] | None = None) -> tuple[str, str]:
    paras = art.paragraphs if paragraphs is None else paragraphs
    return art.title, "\n\n".join(" ".join(p) for p in paras)


# --- copies ---------------------------------------------------------------------------------


def copy_of(art: Article, rng: random.Random) -> tuple[str, str]:
    title, text = render(art)
    edits = rng.sample(
        [respace, requote, upper_title, fold_accents, add_tracking], k=rng.randint(1, 3)
    )
    for edit in edits:
        title, text = edit(title, text, rng)
    return title, text


def respace(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    sep = rng.choice(["\n", " ", "\n\n\n", "\r\n"])
    text = text.replace("\n\n", sep)
    text = re.sub(r"\. ", lambda m: ".  " if rng.random() < 0.3 else ". ", text)
    return "  " + title + " ", text + "\n"


def requote(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    opening, closing = rng.choice([("«\u00a0", "\u00a0»"), ("“", "”"), ('"', '"')])
    quoted = re.sub(r"[\"“«]\s?(.*?)\s?[\"”»]", lambda m: opening + m.group(1) + closing, text)
    quoted = quoted.replace("'", "’") if rng.random() < 0.5 else quoted.replace("’", "'")
    return title.replace("'", "’"), quoted.replace(" - ", " – ")


def upper_title(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    return title.upper(), text


def fold_accents(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    def fold(s: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))

    return fold(title), fold(text)


def add_tracking(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    slug = re.sub(r"\W+", "-", title.lower()).strip("-")[:60]
    host = rng.choice(["www.elpitazo.net", "efectococuyo.com", "www.france24.com", "apnews.com"])
    medium = rng.choice(["telegram", "twitter", "whatsapp"])
    return (
        title,
        f"{text}\n\nhttps://{host}/{slug}/?utm_source={medium}&utm_medium=social&utm_campaign=vzla{rng.randint(1, 99)}",
    )


# --- republished items -----------------------------------------------------------------------

SYNONYMS = {
    "es": {
        "informó": "indicó",
        "afirmó": "aseguró",
        "dijo": "señaló",
        "anunció": "informó",
        "este": "el",
        "país": "territorio",
        "denunció": "alertó",
    },
    "en": {
        "said": "stated",
        "on": "on",
        "announced": "said",
        "called": "described",
        "about": "around",
        "country": "nation",
        "more": "further",
    },
    "fr": {
        "a déclaré": "a affirmé",
        "a annoncé": "a fait savoir",
        "selon": "d'après",
        "pays": "territoire",
        "a dénoncé": "a fustigé",
        "plusieurs": "de nombreux",
    },
}
AGENCY = {
    "es": "(Con información de EFE y AFP)",
    "en": "(Reporting by Reuters and AP; editing by the news desk)",
    "fr": "(Avec AFP et Reuters)",
}
READ_ALSO = {"es": "Lee también: ", "en": "Read more: ", "fr": "À lire aussi : "}
UPDATED = {
    "es": "Esta nota fue actualizada a las 6:40 p. m. con nuevos detalles.",
    "en": "This story has been updated with additional details.",
    "fr": "Cet article a été mis à jour avec de nouveaux éléments.",
}
BREAKING = {"es": "ÚLTIMA HORA | ", "en": "BREAKING: ", "fr": "EN DIRECT - "}


def republish(art: Article, rng: random.Random, other_title: str) -> tuple[str, str]:
    paragraphs = [list(p) for p in art.paragraphs]
    title = art.title
    ops = rng.sample(
        ["headline", "cut", "add", "reorder", "synonyms", "tracking"], k=rng.randint(2, 3)
    )
    for op in ops:
        if op == "headline":
            title = new_headline(art, rng)
        elif op == "cut" and len(paragraphs) > 2:
            del paragraphs[rng.randrange(1, len(paragraphs))]
        elif op == "add":
            extra = rng.choice(
                [READ_ALSO[art.lang] + other_title, AGENCY[art.lang], UPDATED[art.lang]]
            )
            paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), [extra])
        elif op == "reorder":
            longest = max(range(len(paragraphs)), key=lambda k: len(paragraphs[k]))
            if len(paragraphs[longest]) > 1:
                rng.shuffle(paragraphs[longest])
            elif len(paragraphs) > 3:
                paragraphs[1], paragraphs[2] = paragraphs[2], paragraphs[1]
        elif op == "synonyms":
            swaps = list(SYNONYMS[art.lang].items())
            for old, new in rng.sample(swaps, k=3):
                paragraphs = [
                    [re.sub(rf"\b{re.escape(old)}\b", new, s) for s in p] for p in paragraphs
                ]
        elif op == "tracking":
            title, text = add_tracking(title, "", rng)
            paragraphs.append([text.strip()])
    return title, "\n\n".join(" ".join(p) for p in paragraphs)


def new_headline(art: Article, rng: random.Random) -> str:
    if rng.random() < 0.4:
        return BREAKING[art.lang] + art.title
    words = art.paragraphs[0][0].rstrip(".").split()
    cut = min(len(words), rng.randint(9, 14))
    return " ".join(words[:cut]).rstrip(",;:")


# --- summaries -------------------------------------------------------------------------------

POST_MARK = ["🔴", "🇻🇪", "⚡️", "📰", "#Venezuela"]
MORE = {"es": "Más detalles:", "en": "More:", "fr": "Plus d'infos :"}


def summarise(art: Article, kind: str, rng: random.Random) -> tuple[str, str]:
    sentences = [s for p in art.paragraphs for s in p]
    if kind == "lead":
        return art.title, " ".join(art.paragraphs[0])
    if kind == "post":
        lead = " ".join(sentences[: rng.randint(1, 2)])
        return (
            f"{rng.choice(POST_MARK)} {art.title}",
            f"{lead}\n\n{MORE[art.lang]} https://t.me/vzla_news/{rng.randint(1000, 9999)}",
        )
    picked = [sentences[0], *sorted(rng.sample(sentences[1 : max(3, len(sentences) // 2)], k=1))]
    return art.title, " ".join(picked)


if __name__ == "__main__":
    main()
