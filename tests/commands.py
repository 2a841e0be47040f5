"""`python -m bot …` run as an operator runs it, from the project's folder, for the CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.paths import ROOT


def run_cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
    )
