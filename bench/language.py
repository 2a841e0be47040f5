"""Which language identifier Vigía uses for sources that declare none: py3langid against lingua.

    python -m bench.language

On the labelled paragraphs (es/en/fr), their first eight words (a headline or a short post), and
paragraphs in Portuguese, German and Italian written for this bench (the languages stop-word
counting got wrong), prints for each contender: accuracy, µs a text (CPU time, best of 5 turns),
the memory a process grows by to load it, and the size of its installed package.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.tagging import load_paragraphs

OTHERS: list[tuple[str, str]] = [
    ("pt", "O presidente venezuelano discursou em Caracas e prometeu novas eleições para o próximo ano."),
    ("pt", "A oposição denunciou fraude e pediu a publicação das atas de votação em todo o país."),
    ("pt", "Milhares de migrantes atravessaram a fronteira com o Brasil durante o fim de semana."),
    ("pt", "O governo brasileiro disse que não reconhecerá o resultado sem verificação independente."),
    ("pt", "Os preços dos alimentos subiram mais de dez por cento no último mês, segundo economistas."),
    ("pt", "Segundo a agência, a produção de petróleo aumentou graças aos investimentos estrangeiros."),
    ("pt", "A polícia prendeu três suspeitos de integrar uma quadrilha de tráfico de pessoas."),
    ("pt", "Lula conversou por telefone com líderes da região sobre a crise no país vizinho."),
    ("de", "Der venezolanische Präsident hat in Caracas neue Wahlen für das kommende Jahr angekündigt."),
    ("de", "Die Opposition wirft der Regierung Wahlbetrug vor und fordert die Veröffentlichung der Ergebnisse."),
    ("de", "Tausende Migranten haben am Wochenende die Grenze nach Kolumbien überquert."),
    ("de", "Die Ölproduktion des Landes ist im vergangenen Monat deutlich gestiegen, sagten Analysten."),
    ("de", "Nach Angaben der Behörden wurden drei Verdächtige festgenommen."),
    ("de", "Die Europäische Union verlängerte die Sanktionen gegen hochrangige Beamte um ein Jahr."),
    ("it", "Il presidente venezuelano ha annunciato a Caracas nuove elezioni per il prossimo anno."),
    ("it", "L'opposizione denuncia brogli e chiede la pubblicazione dei verbali di voto."),
    ("it", "Migliaia di migranti hanno attraversato il confine con la Colombia nel fine settimana."),
    ("it", "Secondo gli analisti, la produzione di petrolio è aumentata nell'ultimo mese."),
]

# Languages a news source in Vigía's region plausibly writes in: a smaller set is more accurate
# on short texts, and everything else is very unlikely to come from a feed about Venezuela.
NEWS_LANGUAGES = ("es", "en", "fr", "pt", "de", "it", "nl", "ca", "ru", "zh", "ar")


def stop_words() -> Callable[[str], str | None]:
    """Vigía's former guess: the most stop words of es, en or fr, at least two."""
    vocab = {
        "es": {"el", "la", "los", "las", "del", "que", "por", "para", "con", "una", "según", "fue"},
        "en": {"the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "said"},
        "fr": {"le", "les", "des", "du", "et", "une", "est", "pour", "dans", "qui", "sur", "selon"},
    }
    word = re.compile(r"\w+")

    def guess(text: str) -> str | None:
        words = word.findall(text[:2000].lower())
        counts = {lang: sum(1 for w in words if w in v) for lang, v in vocab.items()}
        best = max(counts, key=lambda lang: counts[lang])
        return best if counts[best] >= 2 else None

    return guess


def py3langid(languages: tuple[str, ...] | None) -> Callable[[str], str | None]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    if languages:
        identifier.set_languages(list(languages))

    def guess(text: str) -> str | None:
        return str(identifier.classify(text)[0])

    return guess


def lingua(languages: tuple[str, ...] | None) -> Callable[[str], str | None]:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    if languages:
        codes = [IsoCode639_1.from_str(code) for code in languages]
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    else:
        builder = LanguageDetectorBuilder.from_all_languages()
    detector = builder.with_preloaded_language_models().build()

    def guess(text: str) -> str | None:
        found: Language | None = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else None

    return guess


CONTENDERS: dict[str, tuple[str, Callable[[], Callable[[str], str | None]]]] = {
    "stop words (before)": ("", stop_words),
    "py3langid, all 97": ("py3langid", lambda: py3langid(None)),
    "py3langid, 11 news": ("py3langid", lambda: py3langid(NEWS_LANGUAGES)),
    "lingua, all 75": ("lingua-language-detector", lambda: lingua(None)),
    "lingua, 11 news": ("lingua-language-detector", lambda: lingua(NEWS_LANGUAGES)),
}


def memory_of(name: str) -> float:
    """MB a fresh process (Vigía's modules already imported) grows by to load the contender
    and read one text: resident memory, not the high-water mark, which a child inherits."""
    code = (
        "from bench.language import CONTENDERS\n"
        "def rss():\n"
        "    status = open('/proc/self/status').read()\n"
        "    return int(status.split('VmRSS:')[1].split()[0])\n"
        "before = rss()\n"
        f"guess = CONTENDERS[{name!r}][1]()\n"
        "guess('El presidente habló en Caracas sobre las elecciones.')\n"
        "print((rss() - before) / 1024)\n"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    return float(result.stdout)


def installed_mb(distribution: str) -> float:
    if not distribution:
        return 0.0
    files = importlib.metadata.distribution(distribution).files or []
    return sum(f.locate().stat().st_size for f in files if f.locate().exists()) / 1e6


def main() -> None:
    paragraphs = load_paragraphs()
    long = [(p.lang, p.text) for p in paragraphs] + OTHERS
    short = [(lang, " ".join(text.split()[:8])) for lang, text in long]
    print(f"{len(long)} paragraphs (es/en/fr and {len(OTHERS)} pt/de/it), and their first 8 words")
    print(
        f"{'':<22}{'long':>7}{'short':>7}{'pt/de/it':>9}{'µs long':>9}{'µs short':>9}"
        f"{'+MB RSS':>9}{'MB disk':>9}"
    )
    for name, (distribution, build) in CONTENDERS.items():
        guess = build()
        right = sum(guess(text) == lang for lang, text in long) / len(long)
        right_short = sum(guess(text) == lang for lang, text in short) / len(short)
        others = sum(guess(text) == lang for lang, text in OTHERS) / len(OTHERS)
        times = []
        for texts in (long, short):
            best = float("inf")
            for _ in range(5):
                started = time.thread_time()
                for _, text in texts:
                    guess(text)
                best = min(best, time.thread_time() - started)
            times.append(best / len(texts) * 1e6)
        print(
            f"{name:<22}{right:7.3f}{right_short:7.3f}{others:9.3f}{times[0]:9.1f}{times[1]:9.1f}"
            f"{memory_of(name):9.1f}{installed_mb(distribution):9.1f}"
        )


if __name__ == "__main__":
    main()
