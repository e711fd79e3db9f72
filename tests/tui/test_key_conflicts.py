"""A config key that a widget keeps for itself (issue 23, item 10): `quit = "j"` was silently
overridden by the list's `j`; now the app warns, with the config's line."""

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
            f'{path}:5: [keys] quit = "j": j is already Down in the list, which comes first '
            "while the list has the focus, so j does not run quit there; pick another key"
        ) in messages
        assert not any("toggle_star" in message for message in messages)
        before = app.screen.focused
        await pilot.press("j")  # still the list's: the app goes on
        assert app.is_running and app.screen.focused is before


async def test_a_priority_command_is_never_shadowed(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\ninterrupt = "k"\nenter = "g"\n')  # both priority bindings
    app = make_app(load_digest(BUNDLED), config=load_config(path))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        assert not [notice for notice in app._notifications if "[keys]" in notice.message]
