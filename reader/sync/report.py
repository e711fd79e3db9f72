"""What `reader --sync-status` prints: the sync folder, this machine, every other machine seen
there (when it last changed something, up to when it has merged this machine's changes) and
what is pending. No Textual here."""

from __future__ import annotations

import time

from reader.sync.folder import Status
from reader.text import inert


def _when(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def _count(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def status_lines(status: Status) -> list[str]:
    """The report, a line each (untrusted names made inert)."""
    folder = inert(str(status.folder))
    if not status.reachable:
        state = "not there (not mounted, or moved?)"
    elif not status.writable:
        state = "read-only"
    else:
        state = "readable and writable"
    lines = [f"Sync folder: {folder} ({state})"]
    lines.append(
        f"This machine: {inert(status.name)} ({status.machine}), journal {inert(status.journal)}: "
        f"{_count(status.changes, 'change')}, {status.journal_bytes:,} bytes"
    )
    if status.pending:
        lines.append(
            f"  pending here: {_count(status.pending, 'change')} not yet in the folder "
            "(sent when it can be written)"
        )
    else:
        lines.append("  pending here: nothing (every change is in the folder)")
    if status.incoming:
        lines.append(
            f"  to merge here: {_count(status.incoming, 'field')} where the other machines "
            "say otherwise (merged when the reader opens, on r, --watch, --update)"
        )
    if status.conflicted:
        lines.append(
            f"  {_count(status.conflicted, 'note')} written on two machines: the reader shows "
            "the other text under it (K keeps the one shown)"
        )
    if not status.machines:
        lines.append("No other machine has written to this folder yet.")
    for machine in status.machines:
        name = inert(machine.name)
        if machine.machine == "?":
            lines.append(f"{name}: not read ({'; '.join(inert(p) for p in machine.problems)})")
            continue
        merged = (
            f"has merged this machine's changes up to {_when(machine.merged_mine)}"
            if machine.merged_mine is not None
            else "has not merged this machine's changes yet"
        )
        waiting = (
            f" ({_count(machine.mine_not_merged, 'change')} of this machine's not yet)"
            if machine.mine_not_merged
            else ""
        )
        lines.append(
            f"{name} ({machine.machine}): {_count(machine.changes, 'change')}, the last "
            f"{_when(machine.latest)}; {merged}{waiting}"
        )
        for problem in machine.problems:
            lines.append(f"  {inert(problem)}")
    for warning in status.warnings:
        lines.append(f"warning: {inert(warning)}")
    return lines
