"""Near-duplicate detection: the labelled pairs, fingerprint behaviour, and the band index in storage."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.pipeline.dedup import (
    BANDS,
    CHAR_GRAM,
    PERMUTATIONS,
    bands,
    fingerprint,
    is_same_story,
    normalise_text,
    share_band,
    shingles,
    signature,
    similar,
)
from storage.bands import (
    HOT_BAND,
    MAX_RUN,
    BandIndex,
    add_bands,
    add_bands_many,
    prune_bands,
)
from storage.db import sessionmaker, transaction
from storage.models import Item, Source
from tests.paths import DATA, ROOT

PAIRS = DATA / "pairs.jsonl"
NOW = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)

ARTICLE_TITLE = "Maduro ordena cerrar la frontera con Brasil por 72 horas"
ARTICLE = (
    "El presidente Nicolás Maduro anunció este viernes el cierre temporal de la frontera con "
    "Brasil, alegando la presencia de grupos armados que planeaban ingresar al territorio "
    "venezolano. La medida se extenderá por 72 horas y afecta el paso por Santa Elena de Uairén, "
    "en el estado Bolívar.\n\nComerciantes de la zona denunciaron que cientos de camiones con "
    "alimentos quedaron varados del lado brasileño. El gobierno de Brasil dijo que no había "
    "recibido ninguna notificación oficial de Caracas.\n\nVenezuela atraviesa una profunda crisis "
    "política desde las elecciones presidenciales del 28 de julio de 2024, cuando el CNE proclamó "
    "la victoria de Nicolás Maduro sin publicar los resultados desglosados por mesa."
)
OTHER_TITLE = "Chevron gets new US license to operate in Venezuela"
OTHER = (
    "Chevron has received a new license from the US Treasury allowing it to continue limited "
    "operations in Venezuela, according to two people familiar with the matter. The license bars "
    "the company from paying taxes or royalties to the government. Chevron produces roughly a "
    "quarter of Venezuela's crude through joint ventures with PDVSA. The company declined to "
    "comment on the terms of the authorization."
)


@dataclass(frozen=True, slots=True)
class Pair:
    id: str
    kind: str
    a: tuple[str, str]
    b: tuple[str, str]
    same: bool


def read_pairs() -> list[Pair]:
    pairs = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        a, b = row["a"], row["b"]
        pairs.append(
            Pair(
                row["id"],
                row["class"],
                (a["title"], a["text"]),
                (b["title"], b["text"]),
                row["same"],
            )
        )
    return pairs


# --- the labelled set ------------------------------------------------------------------------


def test_labelled_set_is_big_and_varied() -> None:
    pairs = read_pairs()
    assert len(pairs) >= 200
    assert {p.kind for p in pairs} == {"copy", "republish", "summary", "hard-negative", "follow-up"}
    langs = {json.loads(line)["lang"] for line in PAIRS.read_text(encoding="utf-8").splitlines()}
    assert langs == {"es", "en", "fr"}


def test_labelled_pairs_are_folded_with_high_precision_and_recall() -> None:
    true_pos = false_pos = false_neg = 0
    wrong: list[str] = []
    for pair in read_pairs():
        a, b = fingerprint(*pair.a), fingerprint(*pair.b)
        # Detected only as the service detects it: an LSH candidate, then the exact check.
        detected = share_band(a, b) and is_same_story(a, b)
        true_pos += detected and pair.same
        false_pos += detected and not pair.same
        false_neg += pair.same and not detected
        if detected != pair.same:
            wrong.append(pair.id)
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    assert precision >= 0.95, (precision, wrong)
    assert recall >= 0.85, (recall, wrong)


def test_no_copy_or_republished_item_is_missed_and_no_follow_up_is_folded() -> None:
    for pair in read_pairs():
        a, b = fingerprint(*pair.a), fingerprint(*pair.b)
        detected = share_band(a, b) and is_same_story(a, b)
        if pair.kind in {"copy", "republish"}:
            assert detected, pair.id
        if pair.kind == "follow-up":
            assert not detected, pair.id


# --- fingerprints ----------------------------------------------------------------------------


def test_identical_texts_are_the_same_story() -> None:
    a = fingerprint(ARTICLE_TITLE, ARTICLE)
    b = fingerprint(ARTICLE_TITLE, ARTICLE)
    assert a.bands == b.bands
    assert similar(a.shingles, b.shingles).jaccard == 1.0
    assert share_band(a, b) and is_same_story(a, b)


def test_copy_differing_in_case_accents_spacing_and_tracking_link_is_the_same_story() -> None:
    copy = ARTICLE.upper().replace("á", "a").replace("\n\n", "  ") + (
        "\nhttps://efectococuyo.com/frontera/?utm_source=telegram&utm_medium=social"
    )
    a, b = fingerprint(ARTICLE_TITLE, ARTICLE), fingerprint(ARTICLE_TITLE + "!", copy)
    assert np.array_equal(a.shingles, b.shingles)
    assert is_same_story(a, b)


def test_unrelated_texts_are_not_the_same_story() -> None:
    a, b = fingerprint(ARTICLE_TITLE, ARTICLE), fingerprint(OTHER_TITLE, OTHER)
    assert similar(a.shingles, b.shingles).jaccard < 0.05
    assert not share_band(a, b)
    assert not is_same_story(a, b)


def test_a_channel_post_pasting_the_first_lines_joins_its_full_article() -> None:
    lead = ARTICLE.split(". ")[0] + "."
    post = fingerprint(f"🔴 {ARTICLE_TITLE}", f"{lead}\n\nMás detalles: https://t.me/vzla/4512")
    article = fingerprint(ARTICLE_TITLE, ARTICLE)
    assert post.short and not article.short
    assert similar(post.shingles, article.shingles).jaccard < 0.5  # Jaccard alone would miss it
    assert share_band(post, article) and is_same_story(post, article)


def test_same_template_with_other_figures_is_another_story() -> None:
    bulletin = (
        "El Banco Central de Venezuela (BCV) fijó este {day} la tasa de cambio oficial en {rate} "
        "bolívares por dólar, lo que representa una variación de {pct} % respecto a la jornada "
        "anterior. El euro se ubicó en {eur} bolívares. El tipo de cambio oficial es la referencia "
        "para el pago de impuestos, servicios y precios regulados en el país."
    )
    monday = fingerprint(
        "Tasa BCV", bulletin.format(day="lunes", rate="36,52", pct="0,31", eur="39,87")
    )
    tuesday = fingerprint(
        "Tasa BCV", bulletin.format(day="martes", rate="36,61", pct="0,25", eur="39,95")
    )
    again = fingerprint(
        "Tasa BCV", bulletin.format(day="lunes", rate="36,52", pct="0,31", eur="39,87")
    )
    assert not is_same_story(monday, tuesday)
    assert is_same_story(monday, again)


def test_short_headlines_are_shingled_as_character_5_grams() -> None:
    headline = "Maduro cierra la frontera con Brasil"
    normal = normalise_text(headline)
    assert np.array_equal(shingles(headline, ""), fingerprint(headline, "").shingles)
    assert len(shingles(headline, "")) == len(
        {normal[i : i + CHAR_GRAM] for i in range(len(normal) - CHAR_GRAM + 1)}
    )
    # A typo changes a few 5-grams, not every word 3-shingle around it.
    typo = fingerprint("Maduro cierra la fronetra con Brasil", "")
    assert similar(fingerprint(headline, "").shingles, typo.shingles).jaccard > 0.6
    assert fingerprint(headline, "").short and not fingerprint(ARTICLE_TITLE, ARTICLE).short


def test_normalisation_folds_case_accents_punctuation_and_links() -> None:
    assert normalise_text("  ¡Últimas NOTICIAS!  de   Mérida... https://x.example/a?utm=1 ") == (
        "ultimas noticias de merida"
    )


def test_signature_has_128_values_and_band_hashes_fit_signed_64_bits() -> None:
    fp = fingerprint(ARTICLE_TITLE, ARTICLE)
    assert fp.signature.shape == (PERMUTATIONS,)
    assert all(-(1 << 63) <= band < (1 << 63) for band in fp.bands)
    assert len(set(fp.bands)) == len(fp.bands)  # equal rows in different bands never collide
    assert any(band < 0 for band in fp.bands)  # the signed range is used, not only half of it


def test_equal_rows_in_different_bands_hash_differently() -> None:
    constant = np.full(PERMUTATIONS, 7, dtype=np.uint64)  # every row of every band alike
    assert len(set(bands(constant))) == BANDS
    assert bands(constant) == bands(constant.copy())
    assert signature(frozenset({1, 2, 3})).shape == (PERMUTATIONS,)


def test_empty_text_has_no_bands_and_matches_nothing() -> None:
    empty = fingerprint("", "  ")
    assert empty.bands == ()
    assert not is_same_story(empty, fingerprint("", ""))


def test_fingerprints_are_the_same_in_another_process() -> None:
    # Band hashes are stored: they must not depend on Python's per-process hash() salt.
    code = (
        "from bot.pipeline.dedup import fingerprint;"
        f"print(list(fingerprint({ARTICLE_TITLE!r}, {ARTICLE!r}).bands))"
    )
    env = {"PYTHONHASHSEED": "random", "PATH": ""}
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for _ in range(2)
    }
    assert outputs == {f"{list(fingerprint(ARTICLE_TITLE, ARTICLE).bands)}\n"}


# --- the band index --------------------------------------------------------------------------


@pytest.fixture
def band_engine(any_engine: AsyncEngine) -> AsyncEngine:
    """A migrated database of each kind (conftest's any_engine): the index as the service has it."""
    return any_engine


async def add_item(session: AsyncSession, key: str, title: str, text: str) -> int:
    if await session.get(Source, "src") is None:
        session.add(Source(id="src", name="Source"))
        await session.flush()
    item = Item(
        source_id="src",
        key=key,
        title=title,
        text=text,
        text_hash=key,
        published_at=NOW,
        fetched_at=NOW,
    )
    session.add(item)
    await session.flush()
    assert item.id is not None
    return item.id


async def indexed(maker: async_sessionmaker[AsyncSession]) -> BandIndex:
    """A worker's index as it stands after reading every committed row."""
    index = BandIndex()
    async with maker() as session:
        await index.refresh(session)
    return index


async def test_bands_find_the_copy_and_not_the_unrelated_item(band_engine: AsyncEngine) -> None:
    maker = sessionmaker(band_engine)
    article, other = fingerprint(ARTICLE_TITLE, ARTICLE), fingerprint(OTHER_TITLE, OTHER)
    async with transaction(maker) as session:
        article_id = await add_item(session, "a", ARTICLE_TITLE, ARTICLE)
        other_id = await add_item(session, "b", OTHER_TITLE, OTHER)
        await add_bands(session=session, item_id=article_id, bands=article.bands, seen_at=NOW)
        await add_bands(session=session, item_id=other_id, bands=other.bands, seen_at=NOW)
    copy = fingerprint(ARTICLE_TITLE.upper(), ARTICLE + " https://x.example/?utm_source=tg")
    index = await indexed(maker)
    assert index.candidates(copy.bands, since=NOW - timedelta(hours=72)) == [article_id]


async def test_candidates_come_most_shared_bands_first_and_respect_the_limit(
    band_engine: AsyncEngine,
) -> None:
    maker = sessionmaker(band_engine)
    async with transaction(maker) as session:
        ids = [await add_item(session, f"k{n}", f"t{n}", "") for n in range(4)]
        for n, item_id in enumerate(ids):
            await add_bands(session=session, item_id=item_id, bands=list(range(n + 1)), seen_at=NOW)
    index = await indexed(maker)
    assert index.candidates([0, 1, 2, 3], since=NOW - timedelta(hours=1)) == list(reversed(ids))
    assert index.candidates([0, 1, 2, 3], since=NOW, limit=2) == list(reversed(ids))[:2]
    assert index.candidates([999], since=NOW) == []


async def test_each_entry_of_a_batch_gets_its_own_candidates_and_window(
    band_engine: AsyncEngine,
) -> None:
    maker = sessionmaker(band_engine)
    async with transaction(maker) as session:
        old = await add_item(session, "old", "t", "")
        new = await add_item(session, "new", "t", "")
        await add_bands(session=session, item_id=old, bands=[1, 2], seen_at=NOW - timedelta(days=2))
        await add_bands(session=session, item_id=new, bands=[2, 3], seen_at=NOW)
    index = await indexed(maker)
    found = index.candidates_many(
        {"a": [1, 2], "b": [1, 2], "c": [3], "d": [7]},
        since_of={
            "a": NOW - timedelta(days=3),
            "b": NOW - timedelta(days=1),
            "c": NOW - timedelta(days=3),
            "d": NOW - timedelta(days=3),
        },
    )
    assert found == {"a": [old, new], "b": [new], "c": [new]}  # old shares two bands with "a"


async def test_a_refresh_reads_only_what_was_committed_since_the_last(
    band_engine: AsyncEngine,
) -> None:
    maker = sessionmaker(band_engine)
    index = await indexed(maker)
    assert len(index) == 0
    async with transaction(maker) as session:
        first = await add_item(session, "a", "t", "")
        await add_bands(session=session, item_id=first, bands=[10, 11], seen_at=NOW)
    async with maker() as session:
        assert await index.refresh(session) == 1
        assert await index.refresh(session) == 0  # nothing new: nothing read twice
    async with transaction(maker) as session:
        second = await add_item(session, "b", "t", "")
        await add_bands(session=session, item_id=second, bands=[11, 12], seen_at=NOW)
    async with maker() as session:
        assert await index.refresh(session) == 1
    assert len(index) == 4
    assert index.candidates([11], since=NOW) == [second, first]


async def test_many_small_batches_merge_into_few_runs_and_find_everything() -> None:
    index = BandIndex()
    for batch in range(300):
        index.add([(batch * 10 + n, [batch * 10 + n, -1], NOW) for n in range(10)])
    assert len(index._parts) <= 12  # a log-structured merge: about log2(batches) runs
    assert index.candidates([1234], since=NOW) == [1234]
    # A band all 3000 items hold is boilerplate: only its newest holders are read, newest first.
    shared = index.candidates([-1], since=NOW, limit=5000)
    assert shared[0] == 2999
    assert len(shared) <= HOT_BAND * len(index._parts)


async def test_a_large_index_stays_in_bounded_runs_and_finds_its_items() -> None:
    rng = np.random.default_rng(7)
    index = BandIndex()
    prints = rng.integers(-(2**63), 2**63 - 1, size=(9000, 64), dtype=np.int64)
    for start in range(0, 9000, 300):
        index.add([(item_id, prints[item_id], NOW) for item_id in range(start, start + 300)])
    assert len(index) == 9000 * 64
    assert max(len(part) for part in index._parts) <= MAX_RUN  # merging never copies it all
    assert index.candidates(prints[4321][:10].tolist(), since=NOW) == [4321]


async def test_a_worker_starting_on_a_full_window_reads_it_all(band_engine: AsyncEngine) -> None:
    maker = sessionmaker(band_engine)
    async with transaction(maker) as session:
        await add_bands_many(
            session=session,
            rows=[(item_id, [item_id, -item_id, 10**6], NOW) for item_id in range(1, 5001)],
        )
    index = await indexed(maker)  # read in slices, as a restarted worker reads its window
    assert len(index) == 5000 * 3
    assert index.candidates([4999], since=NOW) == [4999]
    assert index.candidates([10**6], since=NOW)[0] == 5000  # the newest holder of a shared band


async def test_items_older_than_the_window_are_not_candidates_and_are_pruned(
    band_engine: AsyncEngine,
) -> None:
    maker = sessionmaker(band_engine)
    fp = fingerprint(ARTICLE_TITLE, ARTICLE)
    window = timedelta(hours=72)
    async with transaction(maker) as session:
        old_id = await add_item(session, "old", ARTICLE_TITLE, ARTICLE)
        new_id = await add_item(session, "new", ARTICLE_TITLE, ARTICLE)
        await add_bands(
            session=session,
            item_id=old_id,
            bands=fp.bands,
            seen_at=NOW - window - timedelta(hours=1),
        )
        await add_bands(
            session=session, item_id=new_id, bands=fp.bands, seen_at=NOW - timedelta(hours=1)
        )
    index = await indexed(maker)
    assert index.candidates(fp.bands, since=NOW - window) == [new_id]
    async with transaction(maker) as session:
        deleted = await prune_bands(session=session, before=NOW - window)
    assert deleted == 1
    assert index.prune(NOW - window) == len(set(fp.bands))
    assert index.candidates(fp.bands, since=NOW - 10 * window) == [new_id]
    assert (await indexed(maker)).candidates(fp.bands, since=NOW - 10 * window) == [new_id]


async def test_bands_are_not_read_until_the_writer_commits(band_engine: AsyncEngine) -> None:
    maker = sessionmaker(band_engine)
    fp = fingerprint(ARTICLE_TITLE, ARTICLE)
    async with maker() as session:
        item_id = await add_item(session, "a", ARTICLE_TITLE, ARTICLE)
        await add_bands(session=session, item_id=item_id, bands=fp.bands, seen_at=NOW)
        await session.rollback()
    index = await indexed(maker)
    assert index.candidates(fp.bands, since=NOW - timedelta(days=1)) == []
