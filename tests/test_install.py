"""The built wheel works anywhere: installed into a fresh venv and run from an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = Path(sys.executable).parent / "uv"


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.timeout(600)
def test_the_wheel_runs_from_an_empty_folder(tmp_path: Path) -> None:
    if not UV.exists():
        pytest.skip(f"uv is not installed beside {sys.executable} (`make test` installs it)")
    # What an operator's shell has: no settings of ours, no checkout on the path.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BOT_", "VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT"))}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    dist, venv, empty = tmp_path / "dist", tmp_path / "venv", tmp_path / "empty"
    empty.mkdir()
    run(UV, "build", "--wheel", "--out-dir", dist, ROOT, cwd=tmp_path, env=env)
    (wheel,) = dist.glob("vigia-*.whl")
    pins = tmp_path / "requirements.txt"
    run(UV, "export", "--frozen", "--no-emit-project", "--no-hashes", "--quiet",
        "--output-file", pins, cwd=ROOT, env=env)
    run(UV, "venv", "--quiet", "--python", sys.executable, venv, cwd=tmp_path, env=env)
    run(UV, "pip", "install", "--quiet", "--python", venv / "bin" / "python",
        "-r", pins, wheel, cwd=tmp_path, env=env)
    vigia = venv / "bin" / "vigia"

    demo = run(vigia, "demo", cwd=empty, env=env)
    assert "3 sources polled, 11 new items, 0 failed" in demo.stdout
    assert "── /actor maduro" in demo.stdout
    assert list(empty.iterdir()) == []  # the demo's database was a temporary one

    checked = run(vigia, "feeds", "check", cwd=empty, env=env)
    assert checked.stdout.startswith("ok, ") and "using the bundled ones" in checked.stderr

    made = run(vigia, "init", cwd=empty, env=env)
    assert "wrote feeds.toml" in made.stdout and (empty / "actors.toml").is_file()

    upgraded = run(vigia, "db", "upgrade", cwd=empty, env=env)
    assert "database is up to date" in upgraded.stdout
    assert (empty / "data" / "vigia.db").is_file()
