"""`reader.spare`: a reader started before its tab waits for exactly one size packet on its
input and leaves the rest to Textual's web driver."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator

import pytest

from reader.spare import wait_for_size


@pytest.fixture
def pipe(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, int]]:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("ROWS", "24")
    read, write = os.pipe()
    yield read, write
    for fd in (read, write):
        with contextlib.suppress(OSError):
            os.close(fd)


def packet(data: object, kind: bytes = b"M") -> bytes:
    payload = json.dumps(data).encode()
    return kind + len(payload).to_bytes(4, "big") + payload


def test_the_size_is_read_and_nothing_after_it(pipe: tuple[int, int]) -> None:
    read, write = pipe
    following = packet({"type": "focus"})
    os.write(write, packet({"type": "size", "width": 145, "height": 47}) + following)
    assert wait_for_size(read, timeout=5)
    assert (os.environ["COLUMNS"], os.environ["ROWS"]) == ("145", "47")
    assert os.read(read, 1000) == following  # Textual's driver reads on from here


def test_a_size_in_two_writes(pipe: tuple[int, int]) -> None:
    read, write = pipe
    whole = packet({"type": "size", "width": 90, "height": 30})
    os.write(write, whole[:3])
    os.write(write, whole[3:])
    assert wait_for_size(read, timeout=5)
    assert (os.environ["COLUMNS"], os.environ["ROWS"]) == ("90", "30")


@pytest.mark.parametrize(
    "sent",
    [
        b"",  # the server closed its input: let go
        packet({"type": "quit"}),
        packet({"type": "size", "width": "wide", "height": 30}),
        packet({"type": "size", "width": True, "height": 30}),
        packet({"type": "size", "width": 90, "height": 30}, kind=b"D"),
        b"M" + (10**6).to_bytes(4, "big") + b"{",
        b"M" + (5).to_bytes(4, "big") + b"not j",
        packet([1, 2]),
    ],
)
def test_anything_else_lets_the_reader_go(pipe: tuple[int, int], sent: bytes) -> None:
    read, write = pipe
    os.write(write, sent)
    os.close(write)
    assert not wait_for_size(read, timeout=5)
    assert (os.environ["COLUMNS"], os.environ["ROWS"]) == ("80", "24")


def test_no_packet_in_time(pipe: tuple[int, int]) -> None:
    read, _write = pipe
    assert not wait_for_size(read, timeout=0.05)


def test_a_huge_size_is_clamped(pipe: tuple[int, int]) -> None:
    read, write = pipe
    os.write(write, packet({"type": "size", "width": 20000, "height": -5}))
    assert wait_for_size(read, timeout=5)
    assert (os.environ["COLUMNS"], os.environ["ROWS"]) == ("500", "1")


def test_without_a_timeout_it_waits_until_the_size_comes(pipe: tuple[int, int]) -> None:
    read, write = pipe
    size = packet({"type": "size", "width": 70, "height": 20})
    later = threading.Timer(0.2, os.write, (write, size))
    later.start()
    assert wait_for_size(read)  # one waits from the server's start: no time limit
    later.join()
    assert (os.environ["COLUMNS"], os.environ["ROWS"]) == ("70", "20")


def test_without_a_timeout_the_end_of_its_input_lets_it_go(pipe: tuple[int, int]) -> None:
    read, write = pipe
    later = threading.Timer(0.2, os.close, (write,))
    later.start()
    assert not wait_for_size(read)
    later.join()
