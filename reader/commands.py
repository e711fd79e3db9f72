"""The main screen's commands, each defined once: its key, its key-line label, its palette entry,
its line in the help screen (`Help`, shared by the commands one line documents) and whether it
needs a paper. The screen makes its `BINDINGS` from `COMMANDS`, the palette lists them, the help
screen draws `HELP`; a test checks that the README's key table has them all.

No Textual here: the screen turns a `Command` into a `Binding`.
"""

from __future__ import annotations

from collections.abc import Mapping

from reader.records import frozen


@frozen
class Help:
    """A line of the help screen's key table: the keys as written and what they do."""

    keys: str
    meaning: str


@frozen
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
    help: Help | None = None
    """Its line in the help screen (None: none yet; a test wants one for every command)."""
    needs_paper: bool = False
    """It acts on the highlighted paper: hidden (and its keys idle) without one."""

    @property
    def action_name(self) -> str:
        """The action without its arguments (what `check_action` is asked about)."""
        return self.action.partition("(")[0]

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


# --- the help screen's lines, in its order -----------------------------------------------------

MOVE = Help("j / k, ↓ / ↑", "Move in the focused pane (Space pages the abstract)")
PAGE = Help("PgDn / PgUp, ctrl+f / ctrl+b", "Move a page")
ENDS = Help("g / G, Home / End", "First / last")
ENTER = Help(
    "Enter", "Sidebar: pick the week or category · list: read the abstract (Esc: back to the list)"
)
PANES = Help("Tab / Shift+Tab", "Focus sidebar → list → abstract")
WEEKS = Help(
    "[ / ]",
    "Previous (older) / next (newer) week, from any pane; from All weeks the paper's own week",
)
ALL = Help("a", "All weeks")
FILTER = Help(
    "/",
    "Filter: typing filters live (it replaces the old text; → or End edits it); "
    "Enter keeps it; Esc clears it",
)
CATEGORY = Help("c", "Only the highlighted paper's category")
SORT = Help(
    "S / R",
    "Sort by week → title → category (→ upvotes with HF papers, similarity with like:) / "
    "reverse the order",
)
MORE_LIKE = Help(
    "~",
    "More like this paper: the most similar papers of every week first, the words they share "
    "highlighted (like:ID in the filter; Esc comes back)",
)
COPY = Help("y / Y", "Copy the link / a Markdown link [Title](link)")
OPEN = Help("o", "Open the link in the browser (http and https only)")
LINKS = Help("L", "The paper's links (paper, PDF, Tweet, Code, …): Enter opens, y copies")
EXPORT = Help("e / E", "Export the view as Markdown / JSON (a download in a browser)")
PDF = Help("P / D", "arXiv papers: open the PDF / download it (into the downloads folder)")
FETCH = Help("F", "Fetch arXiv metadata (authors, dates) of the papers in the view")
CITE = Help("B / I", "Copy the paper's BibTeX / RIS")
SIDEBAR = Help("b", "Show or hide the sidebar")
MARK = Help("m / s", "Mark read or unread / star or unstar")
UNREAD = Help("n / p", "Next / previous unread paper, across weeks")
ALL_READ = Help("M / u", "Mark all in the view read / undo the last change")
RELOAD = Help("r", "Re-read files, revalidate URLs; the view is kept")
NOTE = Help("N", "Write a note on the paper (Markdown; shown under the abstract)")
KEEP = Help("K", "A note edited on another machine too: keep the one shown (N edits both)")
ZOTERO = Help("Z", "Send the paper, or the selection, to Zotero (desktop, running)")
TAGS = Help("t", "Tag the paper, or the selection (tag adds, -tag removes)")
SELECT = Help(
    "x",
    "Select / unselect the paper and move to the next (x x x: three in a row); "
    "y Y B I s m t then act on the selection",
)
SEARCHES = Help(
    "w / Del", "Save the query as a search (sidebar: Searches) / delete the highlighted one"
)
BACK = Help(
    "Esc",
    "Back: leave the filter, clear the selection, the abstract, the sidebar, a More like view",
)
PALETTE = Help("ctrl+p", "Command palette: every action by name")
HELP_LINE = Help("? / F1", "This help (in the filter bar: F1; ? types)")
QUIT = Help("q / ctrl+c / ctrl+q", "Quit (ctrl+c: exit status 130)")

HELP: tuple[Help, ...] = (
    MOVE, PAGE, ENDS, ENTER, PANES, WEEKS, ALL, FILTER, CATEGORY, SORT, COPY, OPEN, LINKS,
    EXPORT, PDF, FETCH, CITE, ZOTERO, SIDEBAR, MARK, UNREAD, ALL_READ, RELOAD, NOTE, KEEP, TAGS,
    SELECT, SEARCHES, MORE_LIKE, BACK, PALETTE, HELP_LINE, QUIT,
)  # fmt: skip
"""The help screen's key table, in its order (the moving keys are the panes' own: no command)."""

COMMANDS: tuple[Command, ...] = (
    Command("q", "app.quit", "Quit", show=True, help=QUIT),
    Command("question_mark", "app.help", "Help", display="?", show=True, help=HELP_LINE),
    Command("f1", "app.help", "Help", display="F1", show=True, help=HELP_LINE),  # in the filter
    Command("slash", "focus_filter", "Filter", "/", "Filter the papers", show=True, help=FILTER),
    Command("left_square_bracket", "older_week", "Older", "[", "Older week", True, help=WEEKS),
    Command("right_square_bracket", "newer_week", "Newer", "]", "Newer week", True, help=WEEKS),
    Command("a", "all_weeks", "All weeks", help=ALL),
    Command(
        "y", "copy_link", "Copy", title="Copy the link", show=True, help=COPY, needs_paper=True
    ),
    Command("Y", "copy_markdown", "Copy Markdown link", help=COPY, needs_paper=True),
    Command(
        "o",
        "open_link",
        "Open",
        title="Open the link in the browser",
        show=True,
        help=OPEN,
        needs_paper=True,
    ),
    Command(
        "L",
        "links",
        "Links",
        title="The paper's links: open or copy one",
        help=LINKS,
        needs_paper=True,
    ),
    Command(
        "m",
        "toggle_read",
        "Read",
        title="Mark read / unread",
        show=True,
        help=MARK,
        needs_paper=True,
    ),
    Command(
        "s", "toggle_star", "Star", title="Star / unstar", show=True, help=MARK, needs_paper=True
    ),
    Command("n", "next_unread", "Unread", title="Next unread paper", show=True, help=UNREAD),
    Command("p", "previous_unread", "Previous unread", help=UNREAD),
    Command("M", "mark_view_read", "Mark all in view read", help=ALL_READ),
    Command("u", "undo", "Undo", title="Undo the last change", help=ALL_READ),
    Command("e", "export('markdown')", "Export the view as Markdown", help=EXPORT),
    Command("E", "export('json')", "Export the view as JSON", help=EXPORT),
    Command("P", "open_pdf", "Open the PDF (arXiv)", help=PDF, needs_paper=True),
    Command("D", "download_pdf", "Download the PDF (arXiv)", help=PDF, needs_paper=True),
    Command("F", "fetch_metadata", "Fetch arXiv metadata (authors) of the view", help=FETCH),
    Command("B", "copy_citation('bibtex')", "Copy the BibTeX", help=CITE, needs_paper=True),
    Command("I", "copy_citation('ris')", "Copy the RIS", help=CITE, needs_paper=True),
    Command("Z", "send_to_zotero", "Send to Zotero", help=ZOTERO, needs_paper=True),
    Command("c", "narrow_category", "Only this category", help=CATEGORY, needs_paper=True),
    Command(
        "tilde",
        "more_like",
        "More like this",
        "~",
        "More like this paper (similar papers of every week)",
        help=MORE_LIKE,
        needs_paper=True,
    ),
    Command("S", "cycle_sort", "Sort: week → title → category", help=SORT),
    Command("R", "reverse_sort", "Reverse the order", help=SORT),
    Command(
        "r", "reload", "Reload", title="Reload: re-read the files, revalidate the URLs", help=RELOAD
    ),
    Command("b", "toggle_sidebar", "Show/hide the sidebar", help=SIDEBAR),
    Command(
        "N", "edit_note", "Note", title="Write a note on the paper", help=NOTE, needs_paper=True
    ),
    Command(
        "K",
        "keep_note",
        "Keep this note",
        title="Keep the note shown over another machine's text",
        help=KEEP,
        needs_paper=True,
    ),
    Command(
        "t",
        "edit_tags",
        "Tags",
        title="Tag the paper (or the selection)",
        help=TAGS,
        needs_paper=True,
    ),
    Command(
        "x",
        "toggle_selection",
        "Select",
        title="Select / unselect the paper, then the next",
        help=SELECT,
        needs_paper=True,
    ),
    Command("w", "save_search", "Save search", title="Save the query as a search", help=SEARCHES),
    Command(
        "delete", "delete_search", "Delete search", "Del", "Delete the saved search", help=SEARCHES
    ),
    Command("tab", "cycle_focus(1)", "Next pane", palette=False, help=PANES),
    Command("shift+tab", "cycle_focus(-1)", "Previous pane", palette=False, help=PANES),
    Command("escape", "back", "Back / clear the filter", help=BACK),
    Command("enter", "enter", "Pick / show the abstract", priority=True, palette=False, help=ENTER),
)
"""In the order of the key line."""

PAPER_ACTIONS = frozenset(command.action_name for command in COMMANDS if command.needs_paper)
"""The actions that act on the highlighted paper (`check_action` asks by name)."""


PANE_KEYS: dict[str, str] = {
    "j": "Down in the lists and the abstract",
    "k": "Up in the lists and the abstract",
    "down": "Down in the lists",
    "up": "Up in the lists",
    "pagedown": "Page down in the lists",
    "pageup": "Page up in the lists",
    "ctrl+f": "Page down in the lists",
    "ctrl+b": "Page up in the lists",
    "home": "First in the lists",
    "end": "Last in the lists",
    "g": "First in the lists and the abstract",
    "G": "Last in the lists and the abstract",
    "space": "Page down in the abstract",
    "ctrl+p": "the command palette",
}
"""Keys the panes (and the palette) keep: a focused pane's own key comes before the screen's, so
a command remapped onto one would not run there."""

APP_KEYS: dict[str, tuple[str, ...]] = {"interrupt": ("ctrl+c",)}
"""The App's own commands that are not in `COMMANDS`, with their keys."""


def default_keys() -> dict[str, tuple[str, ...]]:
    """Each command's name (as `[keys]` writes it) with its keys (Textual's names)."""
    keys: dict[str, tuple[str, ...]] = dict(APP_KEYS)
    for command in COMMANDS:
        keys[command.name] = keys.get(command.name, ()) + tuple(command.keys.split(","))
    return keys


def _label(name: str) -> str:
    command = next((c for c in COMMANDS if c.name == name), None)
    return f"{command.palette_title} ({name})" if command is not None else name


def settle_keymap(keymap: dict[str, str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The remaps of `keymap` (command name -> "key1,key2") that can apply, and for each one
    that cannot, its name and why. A remap cannot take a key a pane keeps (`PANE_KEYS`), nor a
    key another command still has after the remaps: that command would be left without a key
    (or the two would share it) unless the config gives it another key too. Such a remap is
    ignored: the command keeps its keys."""
    defaults = default_keys()
    applied = dict(keymap)
    problems: dict[str, str] = {}
    while True:
        keys = {**defaults, **{n: tuple(k.split(",")) for n, k in applied.items()}}
        found = {}
        for name, wanted in applied.items():
            for key in wanted.split(","):
                if key in PANE_KEYS:
                    found[name] = f"{key} is {PANE_KEYS[key]}"
                    break
                others = [other for other, taken in keys.items() if other != name and key in taken]
                if others:
                    other = others[0]
                    found[name] = f"{key} is the key of {_label(other)}" + (
                        "" if other in applied else f' (give {other} another key to use it here: '
                        f'{other} = "…")'
                    )
                    break
        if not found:
            return applied, list(problems.items())
        for name, why in found.items():
            problems[name] = why
            del applied[name]


def help_rows(keymap: Mapping[str, str]) -> list[tuple[str, str]]:
    """The help screen's key table (`HELP`) with the keys the `keymap` gives (as written in the
    config), a line that changed marked `(remapped)`."""
    rows = []
    for line in HELP:
        names = list(dict.fromkeys(c.name for c in COMMANDS if c.help is line))
        if not any(name in keymap for name in names):
            rows.append((line.keys, line.meaning))
            continue
        parts = line.keys.split(" / ")
        if len(parts) != len(names):
            parts = [" / ".join(parts)] if len(names) == 1 else parts[:1]
        for index, name in enumerate(names[: len(parts)]):
            if name in keymap:
                parts[index] = ", ".join(keymap[name].split(","))
        rows.append((" / ".join(parts), f"{line.meaning} (remapped)"))
    return rows
