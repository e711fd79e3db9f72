"""Remapping keys in the config (reader.commands.settle_keymap, help_rows): no command left
without a key, no key taken from a pane, the help as remapped (issue 24, item 8)."""

from __future__ import annotations

from reader.commands import HELP, default_keys, help_rows, settle_keymap


def test_a_free_key_is_taken() -> None:
    assert settle_keymap({"toggle_star": "f", "edit_note": "ctrl+n"}) == (
        {"toggle_star": "f", "edit_note": "ctrl+n"},
        [],
    )


def test_a_key_of_a_pane_is_refused() -> None:
    assert settle_keymap({"toggle_read": "j"}) == (
        {},
        [("toggle_read", "j is Down in the lists and the abstract")],
    )


def test_another_commands_key_is_refused_unless_that_command_moves_too() -> None:
    applied, refused = settle_keymap({"toggle_star": "m"})
    assert applied == {}
    assert refused == [
        (
            "toggle_star",
            "m is the key of Mark read / unread (toggle_read) (give toggle_read another key to "
            'use it here: toggle_read = "…")',
        )
    ]
    swapped = {"toggle_star": "m", "toggle_read": "s"}
    assert settle_keymap(swapped) == (swapped, [])


def test_refusals_cascade_until_every_command_has_a_key() -> None:
    applied, refused = settle_keymap({"toggle_star": "m", "toggle_read": "r"})  # r is reload
    assert applied == {}
    assert [name for name, _ in refused] == ["toggle_read", "toggle_star"]


def test_whatever_is_applied_leaves_every_command_a_key_of_its_own() -> None:
    for keymap in (
        {"toggle_star": "m", "toggle_read": "s"},
        {"quit": "x", "toggle_selection": "q"},
        {"help": "h", "toggle_star": "question_mark"},
    ):
        applied, _ = settle_keymap(keymap)
        keys = {**default_keys(), **{n: tuple(k.split(",")) for n, k in applied.items()}}
        owners: dict[str, str] = {}
        for name, taken in keys.items():
            assert taken, name
            for key in taken:
                assert owners.setdefault(key, name) == name, (key, name, owners[key])


def test_the_help_shows_the_keys_as_remapped() -> None:
    rows = help_rows({"toggle_star": "f", "open_link": "O,ctrl+o"})
    assert ("m / f", "Mark read or unread / star or unstar (remapped)") in rows
    assert ("O, ctrl+o", "Open the link in the browser (http and https only) (remapped)") in rows
    assert ("m / s", "Mark read or unread / star or unstar") not in rows
    assert help_rows({}) == [(row.keys, row.meaning) for row in HELP]


def test_each_key_of_a_remap_with_several_is_checked() -> None:
    """`f,o`: f is free but o is Open's, so the remap is refused as a whole (each key of the
    comma list is checked, not the list as one key; found by `make mutate`)."""
    assert settle_keymap({"toggle_star": "f,o"}) == (
        {},
        [
            (
                "toggle_star",
                "o is the key of Open the link in the browser (open_link) (give open_link "
                'another key to use it here: open_link = "…")',
            )
        ],
    )
    assert settle_keymap({"toggle_star": "f,j"}) == (
        {},
        [("toggle_star", "j is Down in the lists and the abstract")],
    )
