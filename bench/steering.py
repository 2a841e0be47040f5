"""How long `feeds check` takes on large steering files: 1,000 and 10,000 sources and actors.

Prints one line per size; the time should grow with the size, not with its square.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.steering import load_actors, load_sources


def feeds(count: int) -> str:
    return "".join(
        f'[[source]]\nid = "fuente-{n}"\nname = "Fuente {n}"\n'
        f'url = "https://medio{n}.example/feed/"\nlang = "es"\n\n'
        for n in range(count)
    )


def actors(count: int) -> str:
    return "".join(
        f'[[actor]]\nid = "actor-{n}"\nname = "Persona Número {n}"\n'
        f'aliases = ["Alias Largo {n}"]\n\n'
        for n in range(count)
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for count in (1_000, 10_000):
            feeds_path = Path(folder) / f"feeds-{count}.toml"
            actors_path = Path(folder) / f"actors-{count}.toml"
            feeds_path.write_text(feeds(count), encoding="utf-8")
            actors_path.write_text(actors(count), encoding="utf-8")
            started = time.perf_counter()
            load_sources(feeds_path)
            middle = time.perf_counter()
            load_actors(actors_path)
            done = time.perf_counter()
            print(
                f"{count:>6} sources: {middle - started:6.2f} s   "
                f"{count:>6} actors: {done - middle:6.2f} s"
            )


if __name__ == "__main__":
    main()
