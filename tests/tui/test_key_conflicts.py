"""A config key that a widget keeps for itself (issue 23, item 10): `quit = "j"` was silently
overridden by the list's `j`; now the remap is ignored with a warning naming the config's line,
and the command keeps its own key (issue 24, item 8: no command is left without a key)."""

from __future__ import annotations

from pathlib import Path

from reader.app import make_app
from reader.config import load_config
from reader.sources.loader import load_digest
from tests.conftest import BUNDLED


async def test_a_remapped_key_that_the_list_keeps_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('read_delay = 60\n\n[keys]\ntoggle_star = "f"\nquit = "j"\n')
    app = make_app(load_digest(BUNDLED), config=load_config(path))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        messages = [notice.message for notice in app._notifications]
        assert (
            f'{path}:5: [keys] quit = "j" ignored: j is Down in the lists and the abstract'
        ) in messages
        assert not any("toggle_star" in message for message in messages)
        before = app.screen.focused
        await pilot.press("j")  # still the list's: the app goes on
        assert app.is_running and app.screen.focused is before


async def test_a_priority_command_cannot_take_a_pane_key_either(tmp_path: Path) -> None:
    """A priority binding would run before the list: `interrupt = "k"` would take Up away."""
    path = tmp_path / "config.toml"
    path.write_text('[keys]\ninterrupt = "k"\nenter = "g"\n')  # both priority bindings
    app = make_app(load_digest(BUNDLED), config=load_config(path))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        warned = [n.message for n in app._notifications if "[keys]" in n.message]
        assert any(f'{path}:2: [keys] interrupt = "k" ignored' in m for m in warned)
        assert any(f'{path}:3: [keys] enter = "g" ignored' in m for m in warned)
        await pilot.press("j", "j", "k")  # k is still Up in the list, and the app runs on
        assert app.is_running
