"""The main screen: `screen.MainScreen` draws the browse model; `outward.Outward` (a part of it)
holds the keys that reach outside the reader; `part.ScreenPart` is what the parts share;
`tasks` runs the background work and posts its messages; `editors` the note, tag and search
editors."""

from reader.screens.main.screen import MainScreen

__all__ = ["MainScreen"]
