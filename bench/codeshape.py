"""Code shape of bot/ and storage/: module sizes, long functions, uses of `Any` (ast-based)."""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path

PACKAGES = ("bot", "storage")
LONG = 60  # lines: a function longer than this is split


def main(root: Path) -> None:
    """Print the figures for the tree at `root` (the project root by default)."""
    modules = sorted(p for package in PACKAGES for p in (root / package).rglob("*.py")
                     if "migrations" not in p.parts)  # generated revisions, not code we shape
    sizes = {p.relative_to(root).as_posix(): len(p.read_text().splitlines()) for p in modules}
    long_functions: list[tuple[int, str]] = []
    any_uses = 0
    for path in modules:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > LONG:
                    where = f"{path.relative_to(root).as_posix()}:{node.lineno} {node.name}"
                    long_functions.append((length, where))
            elif _names_any(node):
                any_uses += 1
            elif isinstance(node, ast.alias) and node.name == "Any":
                any_uses += 1  # the import too, as the issue counted
    counted = [n for n in sizes.values() if n > 1]  # package markers (`__init__` docstrings) aside
    print(f"modules={len(counted)} lines={sum(counted)} median={statistics.median(counted):.0f}")
    print("largest:")
    for name, lines in sorted(sizes.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {lines:4d} {name}")
    print(f"functions over {LONG} lines: {len(long_functions)}")
    for length, where in sorted(long_functions, reverse=True):
        print(f"  {length:4d} {where}")
    print(f"uses of Any: {any_uses}")


def _names_any(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "Any") or (
        isinstance(node, ast.Attribute) and node.attr == "Any"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
