"""The command line stays in small pieces: no function of `reader.cli` over 60 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import reader.cli

LONGEST = 60


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
