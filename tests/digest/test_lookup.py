"""`/actor NAME` finds the actor a user means, whatever the accents, case or quotes."""

from __future__ import annotations

import pytest

from bot.digest.lookup import find_actor
from bot.model import Actor
from bot.steering import bundled, load_actors

ACTORS = load_actors(bundled("actors.toml")).actors


@pytest.mark.parametrize(
    ("query", "actor_id"),
    [
        ("maduro", "maduro"),
        ("MADURO", "maduro"),
        ('"Delcy Rodríguez"', "delcy-rodriguez"),
        ("Delcy Rodriguez", "delcy-rodriguez"),
        ("«delcy rodríguez»", "delcy-rodriguez"),
        ("delcy", "delcy-rodriguez"),
        ("Padrino", "padrino-lopez"),
        ("padrino lopez", "padrino-lopez"),
        ("maría corina", "machado"),
        ("cne", "cne"),
        ("tren de aragua", "tren-de-aragua"),
        ("  Chávez  ", "chavez"),
        # Generic and distinctive names of actors.toml find their actor too.
        ("Fiscalía", "ministerio-publico"),
        ("fuerza armada", "fanb"),
        ("Capriles", "capriles"),
        ("trump", "trump"),
    ],
)
def test_a_name_that_fits_one_actor_finds_it(query: str, actor_id: str) -> None:
    found = find_actor(ACTORS, query)

    assert found.actor is not None and found.actor.id == actor_id
    assert found.choices == () and found.suggestions == ()


@pytest.mark.parametrize(
    ("query", "actor_ids"),
    [
        # José Luis Rodríguez Zapatero bears it too.
        ("Rodríguez", {"delcy-rodriguez", "jorge-rodriguez", "hector-rodriguez", "zapatero"}),
        ("lópez", {"leopoldo-lopez", "padrino-lopez"}),
        ("Saab", {"alex-saab", "tarek-william-saab"}),
    ],
)
def test_a_shared_surname_offers_a_choice(query: str, actor_ids: set[str]) -> None:
    found = find_actor(ACTORS, query)

    assert found.actor is None
    assert {actor.id for actor in found.choices} == actor_ids


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("madur", "maduro"),
        ("Maduor", "maduro"),
        ("Guaido", "guaido"),
        ("Cabelo", "diosdado-cabello"),
    ],
)
def test_a_misspelt_name_suggests_the_closest_actors(query: str, expected: str) -> None:
    found = find_actor(ACTORS, query)

    assert found.actor is None or found.actor.id == expected
    if found.actor is None:
        assert expected in [actor.id for actor in found.suggestions]
        assert len(found.suggestions) <= 3


@pytest.mark.parametrize("query", ["", "   ", '""', "xyzzy", "de", "<b>", "🇻🇪", "x" * 10_000])
def test_nonsense_finds_nobody_and_does_not_fail(query: str) -> None:
    found = find_actor(ACTORS, query)

    assert found.actor is None and found.choices == ()


def test_two_actors_with_the_same_alias_are_a_choice_not_a_guess() -> None:
    actors = (
        Actor(id="a", name="Pedro Pérez", kind="person", aliases=("El Comandante",)),
        Actor(id="b", name="Juan Pérez", kind="person", aliases=("El Comandante",)),
    )

    found = find_actor(actors, "el comandante")

    assert found.actor is None and {actor.id for actor in found.choices} == {"a", "b"}
