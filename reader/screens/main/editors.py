"""The main screen's editors: a paper's note (N), its tags or the selection's (t), the name of a
saved search (w). Each applies its text to the browse model and then `draw`s."""

from __future__ import annotations

from collections.abc import Callable

from reader.browse import Browse
from reader.screens.edit import LineEditor, NoteEditor

Draw = Callable[[], None]


def note(browse: Browse, draw: Draw) -> NoteEditor | None:
    """The highlighted paper's note (None without a paper)."""
    paper = browse.current_paper
    if paper is None:
        return None
    key = paper.key

    def keep(text: str) -> None:
        browse.set_note(key, text)
        draw()

    return NoteEditor(paper.title, browse.note_to_edit(key), keep)


def tags(browse: Browse, draw: Draw) -> LineEditor | None:
    """The highlighted paper's tags; with a selection, tags to add (`-tag`: remove) on every
    selected paper (None without a paper)."""
    papers = browse.targets()
    if not papers:
        return None
    words = browse.store.all_tags()
    in_use = ", ".join(f"{tag} ({count})" for tag, count in words.items()) or "none yet"
    if len(papers) == 1:
        key = papers[0].key

        def apply_one(text: str) -> None:
            browse.set_tags(key, text)
            draw()

        return LineEditor(
            f"Tags of: {papers[0].title}",
            " ".join(browse.store.tags(key)),
            apply_one,
            hint=f"Separated by spaces; → completes. In use: {in_use}",
            words=words,
            placeholder="to-read project-x",
            editor_id="tag-editor",
        )
    keys = [paper.key for paper in papers]

    def apply_many(text: str) -> None:
        browse.tag_selection(keys, text)
        draw()

    return LineEditor(
        f"Tag {len(keys)} selected papers",
        "",
        apply_many,
        hint=f"tag adds, -tag removes; → completes. In use: {in_use}",
        words=words,
        placeholder="to-read -later",
        editor_id="tag-editor",
    )


def search(browse: Browse, draw: Draw) -> LineEditor | None:
    """The name to save the applied query under (None without a query)."""
    text = browse.query_text.strip()
    if not text:
        return None
    existing = next((n for n, q in browse.store.searches().items() if q == text), "")

    def save(name: str) -> None:
        browse.save_search(name, text)
        draw()

    return LineEditor(
        f"Save the search: {text}",
        existing,
        save,
        hint="A name; an existing name is replaced. Del in the sidebar deletes one.",
        placeholder="name",
        editor_id="search-editor",
    )
