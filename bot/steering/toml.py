"""Reading a TOML steering file so that every problem can be said with file:line."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Report = Callable[[int, str], None]

ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a steering file, said with where and what to write instead."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ConfigError(Exception):
    """A steering file with problems; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def read_toml(path: Path) -> tuple[dict[str, Any], list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(
            [Problem(str(path), 0, f"cannot read the file: {error.strerror}")]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(
            [Problem(str(path), line, "not UTF-8 text; save the file as UTF-8")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = _TOML_POSITION.search(str(error))
        line = int(match.group(1)) if match else 0
        message = _TOML_POSITION.sub("", str(error)).strip()
        raise ConfigError([Problem(str(path), line, f"not valid TOML: {message}")]) from None
    return data, text.splitlines()


def reporter(path: Path, lines: list[str], problems: list[Problem]) -> Report:
    def report(line: int, message: str) -> None:
        problems.append(Problem(str(path), line, message))

    return report


def header_lines(lines: list[str], header: str) -> Callable[[int], int]:
    """The 1-based line of the index-th `header` table (TOML keeps tables in file order), 0 when
    not found; the file is read once, so 10,000 tables cost one pass, not 10,000."""
    found = [
        number
        for number, line in enumerate(lines, start=1)
        if line.strip().split("#", 1)[0].strip() == header
    ]
    return lambda index: found[index] if index < len(found) else 0


def table_keys(lines: list[str], start: int) -> dict[str, int]:
    """Where each key of the table starting at `start` is written: key → line."""
    where: dict[str, int] = {}
    for number in range(start + 1, len(lines) + 1):
        text = lines[number - 1].strip()
        if text.startswith("["):
            break
        key, sep, _ = text.partition("=")
        if sep and not text.startswith("#"):
            where.setdefault(key.strip().strip('"'), number)
    return where


def tables(data: Mapping[str, Any], name: str, report: Report) -> Iterator[Any]:
    tables = data.get(name, [])
    if not isinstance(tables, list):
        report(1, f"write each {name} as a [[{name}]] table")
        return
    yield from tables


def check_keys(
    table: Mapping[str, Any],
    allowed: set[str],
    where: str,
    line: int,
    report: Report,
    block: Mapping[str, int] | None = None,
) -> None:
    for key in table:
        if key in allowed:
            continue
        close = difflib.get_close_matches(key, sorted(allowed), n=1)
        hint = (
            f'; did you mean "{close[0]}"?'
            if close
            else f"; known keys: {', '.join(sorted(allowed))}"
        )
        report((block or {}).get(key, line), f'unknown key "{key}" in {where}{hint}')
