"""The main screen (`screen.MainScreen`), its background work (`tasks`) and editors (`editors`)."""

from reader.screens.main.screen import MainScreen

__all__ = ["MainScreen"]
