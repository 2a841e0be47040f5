"""The actor tagger: the seed articles sentence by sentence, then the traps in es/en/fr."""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.fold import fold_phrase, fold_text
from bot.model import Actor, Topic
from bot.pipeline.tag import CONFIDENT, DISTINCTIVE, FULL_MENTION, IN_CONTEXT, TITLED, WEAK, Tagger
from bot.steering import bundled, load_actors
from tests.paths import DATA

SEEDS = DATA / "seeds"
# A sentence ends at . ! ? (or one closing a quotation), but not after an initial like "M.".
SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)\s+|(?<=[.!?][\"”»])\s+")

CATALOG = load_actors(bundled("actors.toml"))
TAGGER = Tagger(CATALOG.actors, CATALOG.topics)
SEED_TABLE = tomllib.loads((DATA / "tagging_seeds.toml").read_text(encoding="utf-8"))["sentence"]


def actor_ids(text: str, *, title: str = "") -> set[str]:
    return {tag.id for tag in TAGGER.tag(text, title=title).actors}


def split_sentences(article: str) -> list[str]:
    return [s for line in article.splitlines() for s in SENTENCE_END.split(line.strip()) if s]


# ─── The seed articles ─────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "row", SEED_TABLE, ids=[f"{row['seed'][:3]}:{row['text'][:40]}" for row in SEED_TABLE]
)
def test_seed_sentence_names_the_expected_actors(row: dict[str, object]) -> None:
    article = (SEEDS / str(row["seed"])).read_text(encoding="utf-8")
    text = str(row["text"])
    assert text in article, "the table must quote the seed article"
    assert actor_ids(text) == set(row["actors"])  # type: ignore[call-overload]


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_sentences_missing_from_the_table_name_no_actor(seed: str) -> None:
    listed = {str(row["text"]) for row in SEED_TABLE if row["seed"] == seed}
    article = (SEEDS / seed).read_text(encoding="utf-8")
    for sentence in split_sentences(article):
        if sentence not in listed:
            assert actor_ids(sentence) == set(), sentence


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_article_names_the_union_of_its_sentences(seed: str) -> None:
    expected: set[str] = set()
    for row in SEED_TABLE:
        if row["seed"] == seed:
            expected.update(row["actors"])
    result = TAGGER.tag((SEEDS / seed).read_text(encoding="utf-8"))
    assert {tag.id for tag in result.actors} == expected
    assert result.ambiguous == ()
    assert result.about_venezuela


def test_every_seed_article_is_in_the_table() -> None:
    assert {row["seed"] for row in SEED_TABLE} == {p.name for p in SEEDS.glob("*.txt")}


# ─── Traps ─────────────────────────────────────────────────────────────────────────────────────

TRAPS: list[tuple[str, set[str]]] = [
    # Leftmost-longest: one man, not Putin nor Leopoldo López.
    ("El ministro Vladimir Padrino López respaldó a Maduro", {"padrino-lopez", "maduro"}),
    ("Vladimir Putin llamó a Vladimir Padrino López", {"putin", "padrino-lopez"}),
    (
        "Defense Minister Padrino Lopez said the army stands with Maduro",
        {"padrino-lopez", "maduro"},
    ),
    ("Le ministre de la Défense, Vladimir Padrino-López, a parlé", {"padrino-lopez"}),
    ("Leopoldo López habló desde Madrid", {"leopoldo-lopez"}),
    ("Leopoldo López et Padrino López, deux Vénézuéliens", {"leopoldo-lopez", "padrino-lopez"}),
    # The Rodríguez: a first name settles it, a title of one's own too.
    (
        "Delcy Rodríguez y Jorge Rodríguez llegaron a Miraflores",
        {"delcy-rodriguez", "jorge-rodriguez"},
    ),
    ("Héctor Rodríguez, gobernador de Miranda, votó", {"hector-rodriguez"}),
    ("La vicepresidenta Rodríguez habló en Caracas", {"delcy-rodriguez"}),
    ("Le gouverneur Rodríguez a voté à Caracas", {"hector-rodriguez"}),
    ("Jorge Rodríguez habló en Caracas. Luego Rodríguez anunció el diálogo", {"jorge-rodriguez"}),
    # Common words are not surnames.
    ("Compré un mango maduro en el mercado", set()),
    ("El mango maduro de Caracas es el mejor", set()),
    ("Se cortó el cabello antes de votar en Venezuela", set()),
    ("Protesta de trabajadores en Puerto Cabello", set()),
    ("Camila Cabello canta en Caracas", set()),
    ("J'ai mangé une poutine à Montréal", set()),
    ("Anonymous sources said the talks stalled", set()),
    ("un grupo de venezolanos protestó", set()),
    # Exclusions hide one actor and leave the others.
    ("Machado de Assis es el mayor novelista de Brasil", {"brazil"}),
    ("Los venezolanos leen a Antonio Machado", set()),
    ("María Corina Machado citó a Antonio Machado", {"machado"}),
    ("Las protestas llegaron a Toledo, Ohio, donde viven miles de venezolanos", set()),
    ("Un tribunal en Toledo juzga a un venezolano", set()),
    ("Peru's Alejandro Toledo was extradited; Venezuela watched", {"peru"}),
    ("El diputado Toledo denunció al CNE", {"lester-toledo", "cne"}),
    ("Lester Toledo denunció un complot", {"lester-toledo"}),
    ("Gil marcó el segundo gol del Sevilla ante el Betis", set()),
    ("Le ministre Gil a dénoncé une guerre coloniale", {"yvan-gil"}),
    ("El CNE de Colombia anunció resultados", {"colombia"}),
    ("El Consejo Nacional Electoral de Colombia anunció resultados", {"colombia"}),
    ("El CNE colombiano sancionó a un partido", set()),
    ("Colombia's National Electoral Council fined the campaign", {"colombia"}),
    ("El CNE proclamó a Maduro", {"cne", "maduro"}),
    ("Alex Saab fue liberado por Estados Unidos", {"alex-saab", "united-states"}),
    ("El fiscal Saab acusó a la oposición", {"tarek-william-saab"}),
    ("Le Centre Carter demande la publication des résultats", {"carter-center"}),
    # Word boundaries: possessives, elisions, both apostrophes, hyphens.
    ("Maduro's government said on Monday that Venezuela would respond", {"maduro"}),
    ("La victoire d'Edmundo González selon l'ONU", {"edmundo-gonzalez", "un"}),
    ("La victoire d’Edmundo González selon l’ONU", {"edmundo-gonzalez", "un"}),
    ("Les partisans de Padrino-López à Caracas", {"padrino-lopez"}),
    ("Nicolás Madurópolis n'existe pas", set()),
    # Transliterations.
    ("Le président Poutine a félicité Nicholas Maduro", {"putin", "maduro"}),
    ("Putín y Lukashenko respaldan a Nicolás Maduro", {"putin", "lukashenko", "maduro"}),
    ("Alexandre Loukachenko et Dmitri Peskov", {"lukashenko", "peskov"}),
    # Bare surnames with no licence stay untagged; a title or the context licenses them.
    ("Putin met Lukashenko in Minsk", set()),
    ("President Putin met President Lukashenko in Minsk", {"putin", "lukashenko"}),
    ("M. Maduro a parlé", {"maduro"}),
    ("Sr. Cabello, diga la verdad", {"diosdado-cabello"}),
    # Accents written as separate marks, ligatures and ß do not shift the capital check.
    ("Nicola\u0301s Maduro y Freddy N\u0303a\u0301n\u0303ez", {"maduro", "freddy-nanez"}),
    ("Die Straße, das ﬁnale Wort: el presidente Maduro habló", {"maduro"}),
]


@pytest.mark.parametrize(("text", "expected"), TRAPS, ids=[t[:40] for t, _ in TRAPS])
def test_trap(text: str, expected: set[str]) -> None:
    assert actor_ids(text) == expected


HEADLINES: list[tuple[str, str, set[str]]] = [
    # All capitals carry no case signal: surnames still need a licence, short acronyms are off.
    ("MADURO DENUNCIA FRAUDE EN VENEZUELA", "", {"maduro"}),
    ("MANGO MADURO A MITAD DE PRECIO", "", set()),
    ("UN INFORME DE LA ONU SOBRE VENEZUELA", "", {"un"}),
    ("UN GRUPO DE MANIFESTANTES EN CARACAS", "", set()),
    ("MADURO HABLA", "El presidente habló en Caracas ante el CNE.", {"maduro", "cne"}),
    ("Informe", "El UN Security Council y la ONU debatieron.", {"un"}),
]


@pytest.mark.parametrize(("title", "text", "expected"), HEADLINES, ids=[h[0] for h in HEADLINES])
def test_all_capitals_headline(title: str, text: str, expected: set[str]) -> None:
    assert actor_ids(text, title=title) == expected


AMBIGUOUS: list[tuple[str, set[str], tuple[str, ...]]] = [
    ("En Caracas, Rodríguez dijo que no habrá diálogo", set(), ("Rodríguez",)),
    ("En Caracas, López pidió calma", set(), ("López",)),
    (
        "Delcy Rodríguez y Jorge Rodríguez hablaron; Rodríguez insistió en Caracas",
        {"delcy-rodriguez", "jorge-rodriguez"},
        ("Rodríguez",),
    ),
    (
        "Leopoldo López habló desde Madrid; López pidió elecciones en Venezuela",
        {"leopoldo-lopez"},
        (),
    ),
    ("En Caracas, Saab habló", set(), ("Saab",)),
    # No licence at all: a Rodríguez in Spain is nobody's business.
    ("Rodríguez marcó de penal en Madrid", set(), ()),
]


@pytest.mark.parametrize(
    ("text", "expected", "ambiguous"), AMBIGUOUS, ids=[a[0][:40] for a in AMBIGUOUS]
)
def test_shared_surname(text: str, expected: set[str], ambiguous: tuple[str, ...]) -> None:
    result = TAGGER.tag(text)
    assert {tag.id for tag in result.actors} == expected
    assert result.ambiguous == ambiguous


CONFIDENCE: list[tuple[str, str, float]] = [
    ("Nicolás Maduro habló", "maduro", FULL_MENTION),
    ("Nicolás Maduro habló en Caracas. Maduro insistió", "maduro", FULL_MENTION),
    ("El presidente Maduro habló", "maduro", TITLED),
    ("Le président Maduro a parlé", "maduro", TITLED),
    ("M. Maduro a parlé", "maduro", TITLED),
    ("Maduro habló en Caracas", "maduro", DISTINCTIVE),
    ("Maduro spoke to Venezuelans", "maduro", DISTINCTIVE),
    ("La dictature Maduro", "maduro", DISTINCTIVE),
    ("Gil habló en Caracas", "yvan-gil", IN_CONTEXT),
    ("Gil spoke to Venezuelans", "yvan-gil", IN_CONTEXT),
]


@pytest.mark.parametrize(
    ("text", "actor", "confidence"), CONFIDENCE, ids=[c[0] for c in CONFIDENCE]
)
def test_confidence_says_how_the_actor_was_found(text: str, actor: str, confidence: float) -> None:
    tags = {tag.id: tag.confidence for tag in TAGGER.tag(text).actors}
    assert tags == {actor: confidence}


def test_confidences_rank_full_name_above_title_above_context() -> None:
    assert 1.0 >= FULL_MENTION > TITLED > DISTINCTIVE > IN_CONTEXT > CONFIDENT > WEAK > 0.0


def test_actors_come_in_order_of_first_mention_with_display_names() -> None:
    result = TAGGER.tag("Putin felicitó a Nicolás Maduro; Diosdado Cabello celebró")
    assert [(tag.id, tag.name) for tag in result.actors] == [
        ("putin", "Vladimir Putin"),
        ("maduro", "Nicolás Maduro"),
        ("diosdado-cabello", "Diosdado Cabello"),
    ]


def test_title_is_read_before_the_text() -> None:
    # The headline's full name licenses the bare surname of the body.
    result = TAGGER.tag("Machado pidió calma.", title="María Corina Machado en Madrid")
    assert {tag.id: tag.confidence for tag in result.actors} == {"machado": FULL_MENTION}


TOPICS: list[tuple[str, set[str]]] = [
    ("El CNE anunció los resultados de las elecciones presidenciales", {"elections"}),
    ("Washington anunció nuevas sanciones de la OFAC", {"sanctions", "us-relations"}),
    ("Los funcionarios sancionados no podrán viajar", {"sanctions"}),
    ("Des milliers de migrants vénézuéliens traversent le Darién", {"migration"}),
    ("Venezuelan oil exports rose as PDVSA shipped more barrels", {"oil"}),
    ("Les manifestants ont été arrêtés; des prisonniers politiques", {"protests", "repression"}),
    ("Foro Penal cuenta los presos políticos", {"repression"}),
    ("El Tren de Aragua y el narcotráfico", {"crime"}),
    ("Un día tranquilo en el parque", set()),
]


@pytest.mark.parametrize(("text", "expected"), TOPICS, ids=[t[:40] for t, _ in TOPICS])
def test_topics(text: str, expected: set[str]) -> None:
    assert set(TAGGER.tag(text).topics) == expected


# ─── actors.toml and building the tagger ──────────────────────────────────────────────────────


def test_actors_file_names_every_seed_actor_once_per_alias() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for actor in CATALOG.actors:
        for alias in actor.aliases:
            owners[fold_phrase(alias)].add(actor.id)
    assert {alias: ids for alias, ids in owners.items() if len(ids) > 1} == {}
    surnames = {fold_phrase(s) for actor in CATALOG.actors for s in actor.surnames}
    assert surnames.isdisjoint(owners)
    assert len(CATALOG.actors) >= 50
    assert 10 <= len(CATALOG.topics) <= 20


def test_foreign_actors_are_marked_not_venezuelan() -> None:
    foreign = {a.id for a in CATALOG.actors if not a.venezuelan}
    assert {"putin", "blinken", "pompeo", "lukashenko", "peskov", "kremlin", "un"} <= foreign
    assert {"maduro", "machado", "cne", "tren-de-aragua", "fanb"}.isdisjoint(foreign)


def actor(actor_id: str, aliases: tuple[str, ...] = (), surnames: tuple[str, ...] = ()) -> Actor:
    return Actor(id=actor_id, name=actor_id, kind="person", aliases=aliases, surnames=surnames)


def test_shared_surnames_are_allowed_and_topics_optional() -> None:
    tagger = Tagger(
        [
            actor("a", aliases=("Ana Pérez",), surnames=("Pérez",)),
            actor("b", aliases=("Luis Pérez",), surnames=("Pérez",)),
        ],
        [Topic(id="t", name="T", keywords=("huelga*",))],
    )
    result = tagger.tag("Ana Pérez convocó huelgas; Pérez habló")
    assert [tag.id for tag in result.actors] == ["a"]
    assert result.topics == ("t",)


# ─── Any text at all ───────────────────────────────────────────────────────────────────────────


@given(st.text())
def test_folded_text_stays_aligned_with_its_capitals(text: str) -> None:
    folded = fold_text(text)
    assert len(folded.cased) == len(folded.folded)
    assert folded.folded.startswith(" ") and folded.folded.endswith(" ")


@given(st.text(alphabet=st.sampled_from(list("MaduroRdígzCNE ’'-.ßﬁ\u0301ÑñáVenzl")), max_size=80))
def test_tagging_any_text_gives_sound_tags(text: str) -> None:
    result = TAGGER.tag(text, title=text[:10])
    ids = [tag.id for tag in result.actors]
    assert len(ids) == len(set(ids))
    assert all(0.0 < tag.confidence <= 1.0 for tag in result.actors)
