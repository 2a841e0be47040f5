"""The kinds of tagging error seen on real news, each as a general rule, in es/en/fr.

Every row: the kind of trap, a text, the actors it must tag (at or above CONFIDENT) and whether
it is about Venezuela. The sentences are written for these tests; the labelled set in
tests/data/tagging/ measures the same rules at scale (bench/tagging.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.pipeline.relevance import confident, tag_text
from bot.pipeline.tag import CONFIDENT, DISTINCTIVE, FULL_MENTION, IN_CONTEXT, TITLED, WEAK, Tagger
from bot.steering import bundled, load_actors

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_actors(bundled("actors.toml"))
TAGGER = Tagger(CATALOG.actors, CATALOG.topics)

# (kind, text, actors, about Venezuela)
CASES: list[tuple[str, str, set[str], bool]] = [
    # ── another country's body, a parenthesis or an apposition between ──
    (
        "foreign-body",
        "El Consejo Nacional Electoral (CNE) de Honduras suspendió el conteo.",
        set(),
        False,
    ),
    (
        "foreign-body",
        "La jueza del CNE, Ana Paz, dijo en Tegucigalpa que el conteo sigue.",
        set(),
        False,
    ),
    (
        "foreign-body",
        "El Tribunal Supremo de Justicia (TSJ) de Bolivia anuló la elección judicial.",
        {"bolivia"},
        False,
    ),
    (
        "foreign-body",
        "Honduras's National Electoral Council (CNE) delayed the final count again.",
        set(),
        False,
    ),
    (
        "foreign-body",
        "The National Assembly voted down the pension bill in Paris late on Tuesday.",
        set(),
        False,
    ),
    (
        "foreign-body",
        "Ecuador's Armed Forces took over the port of Guayaquil after a prison riot.",
        set(),
        False,
    ),
    (
        "foreign-body",
        "La Commission électorale nationale indépendante (Ceni) a reporté le scrutin à Kinshasa.",
        set(),
        False,
    ),
    (
        "foreign-body",
        "L'Assemblée nationale a rejeté la motion de censure déposée par la gauche.",
        set(),
        False,
    ),
    ("foreign-body", "Les Forces armées du Mali ont repris le contrôle de la ville.", set(), False),
    # ── the same names, Venezuela's ──
    (
        "foreign-body",
        "El CNE venezolano fijó la fecha de las elecciones regionales.",
        {"cne"},
        True,
    ),
    (
        "foreign-body",
        "In Caracas, the National Assembly approved the budget for next year.",
        {"asamblea-nacional"},
        True,
    ),
    (
        "foreign-body",
        "Le Conseil national électoral du Venezuela n'a pas publié les procès-verbaux.",
        {"cne"},
        True,
    ),
    # ── chains: a wrong tag licenses nothing ──
    (
        "chain",
        "El CNE ecuatoriano proclamó a Noboa; González, la candidata perdedora, pidió un recuento.",
        set(),
        False,
    ),
    (
        "chain",
        "Honduras's CNE finished the count; Rodriguez, the losing candidate, refused to concede.",
        set(),
        False,
    ),
    (
        "chain",
        "Le CNE du Honduras a achevé le dépouillement; López, candidat battu, conteste.",
        set(),
        False,
    ),
    # ── namesakes: first names and role words decide ──
    (
        "namesake",
        "La concejala Marta González presentó en Sevilla el plan de movilidad.",
        set(),
        False,
    ),
    (
        "namesake",
        "El fiscal Saab pidió en Caracas la captura de dos exministros.",
        {"tarek-william-saab"},
        True,
    ),
    ("namesake", "El empresario Saab llegó a Caracas en un avión oficial.", {"alex-saab"}, True),
    (
        "namesake",
        "Saab, the attorney general, said the protesters in Caracas would be charged.",
        {"tarek-william-saab"},
        True,
    ),
    (
        "namesake",
        "Saab, the businessman freed in a swap, landed in Caracas on Sunday.",
        {"alex-saab"},
        True,
    ),
    (
        "namesake",
        "Le procureur Saab a annoncé à Caracas des poursuites contre des opposants.",
        {"tarek-william-saab"},
        True,
    ),
    (
        "namesake",
        "L'homme d'affaires Saab est rentré à Caracas après sa libération.",
        {"alex-saab"},
        True,
    ),
    ("namesake", "The Dutch athlete Ricardo Maduro won the 400 metres in Rotterdam.", set(), False),
    ("namesake", "Le poète Antonio Machado est mort à Collioure en 1939.", set(), False),
    ("namesake", "El alcalde de Alcoy, Jorge Rodríguez, anunció obras en el centro.", set(), False),
    # ── places used as names ──
    ("place-name", "Un restaurante llamado Maracaibo abrió en el centro de Lisboa.", set(), False),
    (
        "place-name",
        "The Caracas Grill on Fifth Street reopens on Monday after a fire.",
        set(),
        False,
    ),
    (
        "place-name",
        "Caracas est une petite boulangerie du Marais qui vend des empanadas.",
        set(),
        False,
    ),
    ("place-name", "Los precios en Caracas subieron un 10 % en marzo.", set(), True),
    # ── distinctive surnames in real phrasing ──
    ("surname", "El régimen de Maduro liberó a diez presos políticos.", {"maduro"}, True),
    (
        "surname",
        "Washington urged Maduro to step aside before the end of the year.",
        {"maduro"},
        True,
    ),
    ("surname", "Mais Capriles a appelé à voter malgré tout.", {"capriles"}, True),
    ("surname", "The historian George Maduro is buried in Dachau.", set(), False),
    ("surname", "MANGO MADURO A MITAD DE PRECIO", set(), False),
    # ── short forms, slips, lower-case acronyms, generic names in context ──
    (
        "short-form",
        "Diosdado Cabello habló en Caracas. Diosdado prometió más detenciones.",
        {"diosdado-cabello"},
        True,
    ),
    (
        "short-form",
        "El ministro Padrno López revisó las tropas en Caracas.",
        {"padrino-lopez"},
        True,
    ),
    ("short-form", "Agents of the Sebin detained two journalists in Caracas.", {"sebin"}, True),
    ("short-form", "Des militants du Psuv ont manifesté à Caracas.", {"psuv"}, True),
    (
        "short-form",
        "En Caracas, la Fuerza Armada desplegó tanques en las avenidas.",
        {"fanb"},
        True,
    ),
    ("short-form", "In Caracas, the Armed Forces paraded before the president.", {"fanb"}, True),
    ("short-form", "À Caracas, les Forces armées ont défilé devant le président.", {"fanb"}, True),
    ("short-form", "La fuerza armada de un país vecino no fue invitada.", set(), False),
    # ── a foreign leader beside a generic name: his country's body, whatever else is named ──
    (
        "foreign-body",
        "Petro y el CNE chocan por la multa a su campaña; miles de venezolanos esperan en Cúcuta.",
        {"petro"},
        True,
    ),
    (
        "foreign-body",
        "Lula said the Electoral Council had misread the law, as Venezuelans queued in Boa Vista.",
        {"lula"},
        True,
    ),
    (
        "foreign-body",
        "Daniel Ortega et l'Assemblée nationale ont voté la réforme ; des Vénézuéliens ont protesté.",
        {"daniel-ortega"},
        True,
    ),
    # ... and a Venezuelan beside it keeps it Venezuela's.
    ("foreign-body", "Maduro y el CNE fijaron la fecha de las regionales.", {"maduro", "cne"}, True),
    # ── a Venezuelan town's name for a town abroad: another country (or its capital) beside it ──
    (
        "place-name",
        "Residents of Lima's Miraflores district protested against the new tower.",
        set(),
        False,
    ),
    ("place-name", "En Miraflores, Lima, los vecinos protestaron por la tala.", set(), False),
    ("place-name", "La mairie de Miraflores (Lima) a interdit la circulation.", set(), False),
    ("place-name", "En Miraflores, el presidente recibió a su homólogo.", set(), True),
    # ── a foreign actor's surname that is also a word ("rubio": blond): a title, or his country ──
    (
        "surname",
        "Rubio aseguró que Estados Unidos no levantará las sanciones al petróleo.",
        {"rubio", "united-states"},
        False,
    ),
    (
        "surname",
        "Rubio told reporters the United States would keep its sanctions in place.",
        {"rubio", "united-states"},
        False,
    ),
    (
        "surname",
        "Rubio a affirmé que les États-Unis maintiendraient leurs sanctions.",
        {"rubio", "united-states"},
        False,
    ),
    ("surname", "Le secrétaire d'État Rubio est arrivé à Panama.", {"rubio", "panama"}, False),
    ("surname", "Rubio dijo en Washington que no habrá acuerdo.", {"rubio"}, False),
    (
        "surname",
        "Una mujer de pelo rubio fue vista cerca del lugar, según la policía estadounidense.",
        set(),
        False,
    ),
    ("surname", "Un niño rubio de Texas ganó el concurso de ortografía.", set(), False),
    (
        "surname",
        "Sergio Rubio anotó 20 puntos; Rubio volvió a brillar en Estados Unidos.",
        {"united-states"},
        False,
    ),
    ("surname", "Paloma Rubio presentó su libro en Madrid.", set(), False),
    # ── actors that were missing; foreign leaders alone are not Venezuela ──
    (
        "missing-actor",
        "El TSJ venezolano anuló la candidatura de la dirigente opositora.",
        {"tsj"},
        True,
    ),
    ("missing-actor", "Trump habló de comercio con Japón.", {"trump"}, False),
    ("missing-actor", "Donald Trump dit que Maduro doit partir.", {"trump", "maduro"}, True),
    ("missing-actor", "The OAS called on Caracas to free political prisoners.", {"oas"}, True),
    ("missing-actor", "La OEA pidió liberar a los presos políticos en Venezuela.", {"oas"}, True),
    ("missing-actor", "Le BCV a dévalué le bolivar de 8 %.", {"bcv"}, True),
    ("missing-actor", "Henrique Capriles pidió votar.", {"capriles"}, True),
    ("missing-actor", "Lula recebeu o presidente francês em Brasília.", {"lula"}, False),
]


@pytest.mark.parametrize(
    ("kind", "text", "actors", "relevant"), CASES, ids=[f"{c[0]}:{c[1][:40]}" for c in CASES]
)
def test_trap(kind: str, text: str, actors: set[str], relevant: bool) -> None:
    tagging = tag_text(TAGGER, text, scope="general")
    assert {tag.id for tag in confident(tagging.actors)} == actors
    assert tagging.relevant is relevant


def test_every_kind_is_tested() -> None:
    kinds = {kind for kind, *_ in CASES}
    assert kinds == {
        "foreign-body",
        "chain",
        "namesake",
        "place-name",
        "surname",
        "short-form",
        "missing-actor",
    }


CONFIDENCE: list[tuple[str, str, float]] = [
    (
        "La Fiscalía anunció cargos contra los manifestantes en Caracas.",
        "ministerio-publico",
        IN_CONTEXT,
    ),
    ("El CNE de Venezuela anunció el cronograma.", "cne", FULL_MENTION),
    ("La dictadura de Maduro cumplió otro año.", "maduro", DISTINCTIVE),
    # A foreign leader is his country named: nearer than Venezuela, a guess kept out of digests.
    ("Petro y el CNE chocan; los venezolanos esperan en Cúcuta.", "cne", WEAK),
    ("Rubio dijo que Estados Unidos no cederá.", "rubio", IN_CONTEXT),
    ("El gobernador Héctor Rodríguez inauguró un hospital.", "hector-rodriguez", TITLED),
    # Venezuela is named, but Colombia is named nearer to the CNE: a guess, kept out of digests.
    (
        "Venezuelan migrants watched as Colombia's president said the CNE must act.",
        "cne",
        WEAK,
    ),
]


@pytest.mark.parametrize(
    ("text", "actor", "confidence"), CONFIDENCE, ids=[c[0][:40] for c in CONFIDENCE]
)
def test_confidence_says_how_sure(text: str, actor: str, confidence: float) -> None:
    tags = {tag.id: tag.confidence for tag in TAGGER.tag(text).actors}
    assert tags[actor] == confidence


def test_weak_tags_stay_out_of_what_subscribers_see() -> None:
    tagging = tag_text(
        TAGGER, "Venezuelan migrants watched as Colombia's president said the CNE must act."
    )
    assert "cne" in {tag.id for tag in tagging.actors}
    assert "cne" not in {tag.id for tag in confident(tagging.actors)}
    assert WEAK < CONFIDENT <= IN_CONTEXT


def test_a_venezuela_source_is_context_enough_for_a_generic_name() -> None:
    text = "El CNE anunció el cronograma electoral."
    assert tag_text(TAGGER, text, scope="general").actors == ()
    assert [tag.id for tag in tag_text(TAGGER, text, scope="venezuela").actors] == ["cne"]


def test_explanations_name_the_rule_and_the_words() -> None:
    result = TAGGER.tag(
        "El Consejo Nacional Electoral (CNE) de Honduras y el CNE venezolano.", explain=True
    )
    said = {(e.subject, e.rule, e.words) for e in result.evidence}
    assert ("cne", "not tagged: another country's (Honduras)", "Consejo Nacional Electoral") in said
    assert ("cne", "generic name beside Venezuela", "CNE") in said
    assert any(e.subject == "relevance" and e.words == "venezolano" for e in result.evidence)
    assert TAGGER.tag("El CNE venezolano.").evidence == ()  # only when asked: it costs time
