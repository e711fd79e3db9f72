"""The frame trace's reading of its log (tests/benchmarks/frame_trace.py, the profile behind the
bench's key rows): which frames, layouts and widgets belong to which key."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load() -> ModuleType:
    sys.path.insert(0, str(BENCH))  # it imports its neighbour generate.py
    try:
        spec = importlib.util.spec_from_file_location("frame_trace", BENCH / "frame_trace.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["frame_trace"] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


frame_trace = _load()


def test_each_key_gets_what_followed_it_within_the_window() -> None:
    events = [
        {"ev": "write", "t": 5.0, "bytes": 999},  # before any key: startup
        {"ev": "key", "t": 100.0, "key": "down"},
        {"ev": "routed", "t": 102.5, "key": "down"},
        {"ev": "widget", "t": 104.0, "widget": "PaperList#papers", "lines": 14, "ms": 1.5},
        {"ev": "layout", "t": 104.5, "ms": 2.0},
        {"ev": "write", "t": 106.0, "bytes": 5000},
        {"ev": "widget", "t": 130.0, "widget": "ScrollBar", "lines": 13, "ms": 0.9},
        {"ev": "write", "t": 131.0, "bytes": 300},
        {"ev": "write", "t": 400.0, "bytes": 77},  # long after: not the key's
        {"ev": "key", "t": 500.0, "key": "q"},
    ]
    down, q = frame_trace.traces(events, 2)
    assert (down.key, down.routed, down.layouts) == ("down", 2.5, 1)
    assert down.writes == [(6.0, 5000), (31.0, 300)]
    assert down.widgets == [("PaperList#papers", 14, 1.5)]  # only those of the first frame
    assert (q.key, q.routed, q.writes) == ("q", None, [])
    row = frame_trace.table("t", [down]).splitlines()[-1]
    assert row.startswith("| down | 2.5 | 6.0 | 2 (5,000, 300) | 1 |")


def test_a_half_written_last_line_is_skipped(tmp_path: Path) -> None:
    log = tmp_path / "frames.jsonl"
    log.write_text('{"ev": "key", "t": 1.0, "key": "x"}\n{"ev": "wri', encoding="utf-8")
    assert frame_trace.read_log(log) == [{"ev": "key", "t": 1.0, "key": "x"}]
