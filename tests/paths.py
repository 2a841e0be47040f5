"""Where the project's files and the tests' own data live, for every test package."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
FIXTURES = ROOT / "tests" / "fixtures"
