"""Modules stay in pieces one can read: no function of `reader.cli` over 60 lines, and the state
store (`reader/state/store.py`) within 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import reader.cli
import reader.state.store

LONGEST = 60
STORE_LINES = 500


def test_no_function_of_the_command_line_is_over_60_lines() -> None:
    package = Path(reader.cli.__file__).parent
    long: list[str] = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > LONGEST:
                    long.append(f"{path.name}: {node.name} ({lines} lines)")
    assert long == []


def test_the_state_store_is_within_500_lines() -> None:
    path = Path(reader.state.store.__file__)
    assert len(path.read_text(encoding="utf-8").splitlines()) <= STORE_LINES
