"""The main screen's commands, each defined once: its key, its key-line label, its palette entry
and its line in the help screen. The screen makes its `BINDINGS` from `COMMANDS`, the palette lists
them, the help screen draws `HELP_KEYS`; a test checks that the README's key table has them all.

No Textual here: the screen turns a `Command` into a `Binding`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """One command of the main screen."""

    keys: str
    """Textual key names, comma-separated."""
    action: str
    """The action it runs (on the screen; `app.` prefixed: on the App)."""
    label: str
    """Its name in the key line (and in the palette without a `title`)."""
    display: str | None = None
    """The key as shown, where Textual's name is not it (`[` for left_square_bracket)."""
    title: str = ""
    """Its name in the palette, where the label is too short to say what it does."""
    show: bool = False
    """Shown in the key line."""
    priority: bool = False
    palette: bool = True
    """Listed in the command palette."""

    @property
    def name(self) -> str:
        """Its name in the config's `[keys]` table: the action without `app.`, an argument
        joined by `_` (`export_markdown`, `copy_bibtex`, `cycle_focus_next`)."""
        action = self.action.removeprefix("app.")
        base, _, argument = action.partition("(")
        argument = argument.rstrip(")").strip("'\"")
        if base == "copy_citation":
            return f"copy_{argument}"
        if base == "cycle_focus":
            return "cycle_focus_next" if argument == "1" else "cycle_focus_previous"
        return f"{base}_{argument}" if argument else base

    @property
    def palette_title(self) -> str:
        return self.title or self.label

    @property
    def key_display(self) -> str:
        return self.display or self.keys


COMMANDS: tuple[Command, ...] = (
    Command("q", "app.quit", "Quit", show=True),
    Command("question_mark", "app.help", "Help", display="?", show=True),
    Command("f1", "app.help", "Help", display="F1", show=True),  # the key line's in the filter
    Command("slash", "focus_filter", "Filter", "/", "Filter the papers", show=True),
    Command("left_square_bracket", "older_week", "Older", "[", "Older week", show=True),
    Command("right_square_bracket", "newer_week", "Newer", "]", "Newer week", show=True),
    Command("a", "all_weeks", "All weeks"),
    Command("y", "copy_link", "Copy", title="Copy the link", show=True),
    Command("Y", "copy_markdown", "Copy Markdown link"),
    Command("o", "open_link", "Open", title="Open the link in the browser", show=True),
    Command("m", "toggle_read", "Read", title="Mark read / unread", show=True),
    Command("s", "toggle_star", "Star", title="Star / unstar", show=True),
    Command("n", "next_unread", "Unread", title="Next unread paper", show=True),
    Command("p", "previous_unread", "Previous unread"),
    Command("M", "mark_view_read", "Mark all in view read"),
    Command("u", "undo", "Undo the last mark-all"),
    Command("e", "export('markdown')", "Export the view as Markdown"),
    Command("E", "export('json')", "Export the view as JSON"),
    Command("P", "open_pdf", "Open the PDF (arXiv)"),
    Command("D", "download_pdf", "Download the PDF (arXiv)"),
    Command("F", "fetch_metadata", "Fetch arXiv metadata (authors) of the view"),
    Command("B", "copy_citation('bibtex')", "Copy the BibTeX"),
    Command("I", "copy_citation('ris')", "Copy the RIS"),
    Command("c", "narrow_category", "Only this category"),
    Command("S", "cycle_sort", "Sort: week → title → category"),
    Command("R", "reverse_sort", "Reverse the order"),
    Command("r", "reload", "Reload", title="Reload: re-read the files, revalidate the URLs"),
    Command("b", "toggle_sidebar", "Show/hide the sidebar"),
    Command("N", "edit_note", "Note", title="Write a note on the paper"),
    Command("t", "edit_tags", "Tags", title="Tag the paper (or the selection)"),
    Command("x", "toggle_selection", "Select", title="Select / unselect the paper"),
    Command("w", "save_search", "Save search", title="Save the query as a search"),
    Command("delete", "delete_search", "Delete search", "Del", "Delete the saved search"),
    Command("tab", "cycle_focus(1)", "Next pane", palette=False),
    Command("shift+tab", "cycle_focus(-1)", "Previous pane", palette=False),
    Command("escape", "back", "Back / clear the filter"),
    Command("enter", "enter", "Pick / show the abstract", priority=True, palette=False),
)
"""In the order of the key line."""

NEEDS_A_PAPER = frozenset(
    {
        "copy_link",
        "copy_markdown",
        "open_link",
        "toggle_read",
        "toggle_star",
        "narrow_category",
        "open_pdf",
        "download_pdf",
        "copy_citation",
        "edit_note",
        "edit_tags",
        "toggle_selection",
    }
)
"""Actions that act on the highlighted paper: hidden (and their keys idle) without one."""


@dataclass(frozen=True)
class HelpRow:
    """A line of the help screen's key table: the keys as written, what they do, and the actions
    of `COMMANDS` it documents (none for moving in a pane: the widgets' own keys)."""

    keys: str
    meaning: str
    actions: tuple[str, ...] = ()


HELP_KEYS: tuple[HelpRow, ...] = (
    HelpRow("j / k, ↓ / ↑", "Move in the focused pane (Space pages the abstract)"),
    HelpRow("PgDn / PgUp, ctrl+f / ctrl+b", "Move a page"),
    HelpRow("g / G, Home / End", "First / last"),
    HelpRow(
        "Enter",
        "Sidebar: pick the week or category · narrow screens: show the abstract",
        ("enter",),
    ),
    HelpRow(
        "Tab / Shift+Tab", "Focus sidebar → list → abstract", ("cycle_focus(1)", "cycle_focus(-1)")
    ),
    HelpRow(
        "[ / ]", "Previous (older) / next (newer) week, from any pane", ("older_week", "newer_week")
    ),
    HelpRow("a", "All weeks", ("all_weeks",)),
    HelpRow(
        "/",
        "Filter: typing filters live (it replaces the old text; → or End edits it); "
        "Enter keeps it; Esc clears it",
        ("focus_filter",),
    ),
    HelpRow("c", "Only the highlighted paper's category", ("narrow_category",)),
    HelpRow(
        "S / R",
        "Sort by week → title → category / reverse the order",
        ("cycle_sort", "reverse_sort"),
    ),
    HelpRow(
        "y / Y", "Copy the link / a Markdown link [Title](link)", ("copy_link", "copy_markdown")
    ),
    HelpRow("o", "Open the link in the browser (http and https only)", ("open_link",)),
    HelpRow(
        "e / E",
        "Export the view as Markdown / JSON (a download in a browser)",
        ("export('markdown')", "export('json')"),
    ),
    HelpRow(
        "P / D",
        "arXiv papers: open the PDF / download it (into the downloads folder)",
        ("open_pdf", "download_pdf"),
    ),
    HelpRow(
        "F", "Fetch arXiv metadata (authors, dates) of the papers in the view", ("fetch_metadata",)
    ),
    HelpRow(
        "B / I",
        "Copy the paper's BibTeX / RIS",
        ("copy_citation('bibtex')", "copy_citation('ris')"),
    ),
    HelpRow("b", "Show or hide the sidebar", ("toggle_sidebar",)),
    HelpRow("m / s", "Mark read or unread / star or unstar", ("toggle_read", "toggle_star")),
    HelpRow(
        "n / p", "Next / previous unread paper, across weeks", ("next_unread", "previous_unread")
    ),
    HelpRow("M / u", "Mark every paper in the view read / undo that", ("mark_view_read", "undo")),
    HelpRow("r", "Re-read files, revalidate URLs; the view is kept", ("reload",)),
    HelpRow(
        "N", "Write a note on the paper (Markdown; shown under the abstract)", ("edit_note",)
    ),
    HelpRow("t", "Tag the paper, or the selection (tag adds, -tag removes)", ("edit_tags",)),
    HelpRow(
        "x",
        "Select / unselect the paper; y Y B I s m t then act on the selection",
        ("toggle_selection",),
    ),
    HelpRow(
        "w / Del",
        "Save the query as a search (sidebar: Searches) / delete the highlighted one",
        ("save_search", "delete_search"),
    ),
    HelpRow(
        "Esc",
        "Back: leave the filter, clear the selection, the abstract, the sidebar",
        ("back",),
    ),
    HelpRow("ctrl+p", "Command palette: every action by name"),
    HelpRow("? / F1", "This help (in the filter bar: F1; ? types)", ("app.help",)),
    HelpRow("q / ctrl+c / ctrl+q", "Quit (ctrl+c: exit status 130)", ("app.quit",)),
)
"""The help screen's key table, in its order."""
