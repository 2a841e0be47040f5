"""Relevance: which items from each kind of source Vigía keeps, in Spanish, English and French."""

from __future__ import annotations

import pytest

from bot.model import ActorTag
from bot.pipeline.relevance import is_relevant, tag_text
from bot.pipeline.tag import Tagger
from bot.steering import bundled, load_actors
from tests.paths import DATA

SEEDS = DATA / "seeds"
CATALOG = load_actors(bundled("actors.toml"))
TAGGER = Tagger(CATALOG.actors, CATALOG.topics)

# text, about Venezuela (kept from a "general" source)?
ITEMS: list[tuple[str, bool]] = [
    # es
    ("Maduro denunció un complot en Caracas", True),
    ("Diosdado Cabello anunció nuevas detenciones", True),
    ("El Tren de Aragua opera ya en Chile y Perú", True),
    ("Miles de venezolanos cruzan el Darién cada semana", True),
    ("Apagón en Maracaibo y en todo el Zulia", True),
    ("El chavismo celebra 25 años en el poder", True),
    ("La disputa por el Esequibo llega a La Haya", True),
    ("Putin recibió a Xi Jinping en Moscú", False),
    ("Vladimir Putin felicitó a Xi Jinping", False),
    ("La inflación en Argentina bajó en marzo", False),
    ("El Consejo Nacional Electoral de Colombia anunció resultados", False),
    ("Compré un mango maduro y me corté el cabello", False),
    ("La Casa Blanca y el Kremlin hablaron de Ucrania", False),
    # en
    ("Venezuelan migrants arrive in New York", True),
    ("Oil prices rise as Chevron resumes exports from Venezuela", True),
    ("María Corina Machado wins the Nobel Peace Prize", True),
    ("Blinken met Lavrov in Geneva", False),
    ("Antony Blinken met Sergei Lavrov in Geneva", False),
    ("The UN Security Council met on Ukraine", False),
    ("Anonymous hackers hit Russian banks", False),
    # fr
    ("Les Vénézuéliens manifestent à Paris", True),
    ("Manifestation à Maracaibo contre la fraude", True),
    ("La Commission électorale nationale du Venezuela publie les résultats", True),
    ("Vladimir Poutine reçoit Alexandre Loukachenko au Kremlin", False),
    ("L'Assemblée nationale adopte la loi sur l'immigration", False),
    ("Le président Macron reçoit le président Lula à l'Élysée", False),
]


@pytest.mark.parametrize(("text", "about_venezuela"), ITEMS, ids=[t[:40] for t, _ in ITEMS])
def test_general_source_keeps_only_items_about_venezuela(text: str, about_venezuela: bool) -> None:
    assert tag_text(TAGGER, text, scope="general").relevant is about_venezuela


@pytest.mark.parametrize(("text", "about_venezuela"), ITEMS, ids=[t[:40] for t, _ in ITEMS])
def test_venezuela_source_keeps_every_item(text: str, about_venezuela: bool) -> None:
    assert tag_text(TAGGER, text, scope="venezuela").relevant is True


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_every_seed_article_is_about_venezuela(seed: str) -> None:
    text = (SEEDS / seed).read_text(encoding="utf-8")
    assert tag_text(TAGGER, text, scope="general").relevant


def test_a_headline_alone_can_make_an_item_relevant() -> None:
    tagging = tag_text(
        TAGGER, "Ils ont tenté de bloquer des axes routiers.", title="Crise au Venezuela"
    )
    assert tagging.relevant


def test_tagging_carries_actors_topics_and_ambiguous_surnames() -> None:
    tagging = tag_text(TAGGER, "En Caracas, Rodríguez y Nicolás Maduro hablaron de las elecciones")
    assert tagging.actors == (ActorTag("maduro", "Nicolás Maduro", 1.0),)
    assert tagging.topics == ("elections",)
    assert tagging.ambiguous == ("Rodríguez",)


def test_an_unknown_scope_is_refused() -> None:
    tags = TAGGER.tag("Maduro en Caracas")
    with pytest.raises(ValueError, match="scope"):
        is_relevant(scope="world", tags=tags)
