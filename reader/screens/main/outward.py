"""What the main screen's keys send outside the reader: the clipboard (y, Y, B, I), the browser
(o, P), files (e, E, D), arXiv (D, F), and the digest's own sources (r, --watch)."""

from __future__ import annotations

import gc
import io
from typing import TYPE_CHECKING

from textual import on
from textual.notifications import SeverityLevel

from reader.arxiv import pdf_url
from reader.browse.clips import Clip
from reader.browser import browser_plausible, open_in_browser
from reader.clipboard import copy_local
from reader.model import Paper
from reader.screens.main import tasks
from reader.screens.main.part import ScreenPart
from reader.text import inert, is_web_link

if TYPE_CHECKING:
    from reader.exports import Export


class Outward(ScreenPart):
    """The main screen's keys that reach outside the reader (a part of `MainScreen`)."""

    _reloading = False

    # --- the clipboard and the browser --------------------------------------------------------

    def _copy(self, clip: Clip | None) -> None:
        """Copy the clip's text; the toast shows what it is; the paper becomes read."""
        if clip is None:
            return
        text = clip.text
        self.app.copy_to_clipboard(text)
        if self.app.is_web:  # OSC 52 reaches the page; pyperclip would copy on the server
            how = " to the browser's clipboard"
        else:
            how = "" if copy_local(text) else " (through the terminal, OSC 52)"
        shown = inert(text if clip.shown is None else clip.shown, keep_newlines=True)  # no ␊
        self.say(f"Copied {clip.what}{how}:\n{shown}", timeout=3)
        self.act(self.browse.mark_current_read)

    def action_copy_link(self) -> None:
        self._copy(self.browse.clip("link"))

    def action_copy_markdown(self) -> None:
        self._copy(self.browse.clip("markdown"))

    def action_copy_citation(self, fmt: str) -> None:
        self._copy(self.browse.clip(fmt))

    def action_open_link(self) -> None:
        paper = self.browse.current_paper
        if paper is not None:
            self.open_link(paper.link)

    def action_links(self) -> None:
        """L: the paper's links in a list, to open one or copy it."""
        from reader.screens.links import LinksScreen  # startup: when first asked for

        paper, links = self.browse.current_paper, self.browse.links()
        if paper is None or not links:
            return

        def copy(url: str) -> None:
            self._copy(Clip(url, "link"))

        self.app.push_screen(LinksScreen(paper.title, links, self.open_link, copy))

    def open_link(self, url: str) -> None:
        """Open an http(s) link of the highlighted paper (o; a PDF key may use it too): in a new
        tab of the user's browser when served, else in a local browser, else copy it."""
        link = inert(url)
        if not is_web_link(url):
            self.say(
                f"Not opening {link!r}: only http and https links are opened (y copies it).",
                severity="warning",
            )
            return
        if self.app.is_web:  # textual-serve: the page opens it in a new tab
            self.app.open_url(url.strip(), new_tab=True)
        elif browser_plausible():
            open_in_browser(url.strip())
        else:
            self.app.copy_to_clipboard(url)
            self.say(f"No browser here (no display): copied the link instead.\n{link}")
            self.act(self.browse.mark_current_read)
            return
        self.say(f"Opening {link}", timeout=2)
        self.act(self.browse.mark_current_read)

    # --- files --------------------------------------------------------------------------------

    def action_export(self, fmt: str) -> None:
        """The view as --print writes it: a download in the browser, else a file in the
        downloads folder (`reader.exports.export_view`)."""
        browser = self._download_in_browser if self.app.is_web else None
        notice = self.browse.export(fmt, self.settings.download_dir, browser)
        self.say(notice.message, severity=notice.severity, timeout=6)

    def _download_in_browser(self, export: Export) -> None:
        self.app.deliver_text(
            io.StringIO(export.text),
            save_filename=export.name,
            mime_type=export.mime_type,
            encoding="utf-8",
            name=export.name,
        )

    # --- arXiv: PDFs and metadata -------------------------------------------------------------

    def _arxiv_paper(self, what: str) -> Paper | None:
        """The highlighted paper if it is on arXiv; else None, and a toast says so."""
        paper = self.browse.current_paper
        if paper is not None and not paper.arxiv_id:
            self.say(f"Not an arXiv paper: no {what}.", severity="warning", timeout=3)
            return None
        return paper

    def action_open_pdf(self) -> None:
        paper = self._arxiv_paper("PDF link")
        if paper is not None and paper.arxiv_id:
            self.open_link(pdf_url(paper.arxiv_id))

    def action_download_pdf(self) -> None:
        paper = self._arxiv_paper("PDF to download")
        if paper is not None and paper.arxiv_id:
            settings = self.settings
            self.say(
                tasks.download_pdf(
                    self, paper.arxiv_id, paper.title, settings.arxiv, settings.download_dir
                )
            )

    @on(tasks.PdfSaved)
    def _pdf_saved(self, event: tasks.PdfSaved) -> None:
        path = event.path
        if self.app.is_web:  # served: the browser gets the file too
            self.app.deliver_binary(
                path, save_filename=path.name, mime_type="application/pdf", name=path.name
            )
        self.say(f"Saved {inert(str(path))}", timeout=6)

    def action_fetch_metadata(self) -> None:
        ids = self.browse.arxiv_ids()
        if not ids:
            self.say("No arXiv papers in this view.", timeout=2)
            return
        self.say(f"Fetching arXiv metadata of {len(ids)} papers…", timeout=2)
        tasks.fetch_metadata(self, ids, self.browse.store.arxiv, self.settings.arxiv)

    @on(tasks.MetadataFetched)
    def _metadata_fetched(self, event: tasks.MetadataFetched) -> None:
        report = event.result.report
        if report is not None:  # B and I say so until a fetch brings them
            self.browse.metadata_report(report.failed, report.found)
        if report is not None and report.found:
            self.act(self.browse.authors_fetched)
        failed = report is not None and report.errors
        details = f" ({inert(report.errors[0])})" if failed and report else ""
        severity: SeverityLevel = "warning" if failed else "information"
        self.say(event.result.summary() + details, severity=severity, timeout=5)

    # --- other machines and reference managers ------------------------------------------------

    def action_send_to_zotero(self) -> None:
        self.act(self.browse.send_to_zotero)

    @on(tasks.ZoteroSent)
    def _zotero_sent(self, event: tasks.ZoteroSent) -> None:
        self.act(self.browse.sent_to_zotero, event.sent)

    @on(tasks.Synced)
    def _synced(self, event: tasks.Synced) -> None:
        self.act(self.browse.synced, event.message)

    @on(tasks.Notice)
    def _notice(self, event: tasks.Notice) -> None:
        self.say(event.text, severity=event.severity, timeout=event.timeout)

    # --- the digest's sources: reload (r) and --watch -----------------------------------------

    def action_reload(self) -> None:
        """Read the digest again (r): files afresh, URLs revalidated; the view is kept."""
        self.act(self.browse.merge)  # and what other machines wrote in the sync folder
        if self.source is None or not self.source.reloadable:
            self.app.notify("This digest cannot be reloaded.", severity="warning", markup=False)
        else:
            self._reload(quiet=False)

    def _watch_source(self) -> None:
        """--watch: reload quietly when the sources change; merge the sync folder when one of
        its journals changes."""
        if self.source is not None and self.source.watch:
            tasks.watch(self, self.source, lambda: not self._reloading, self._watched)
            store = self.browse.store
            if store.sync is not None:
                tasks.watch_sync(self, store, lambda: self.act(self.browse.merge))

    def _watched(self) -> None:
        self._reload(quiet=True)

    def _reload(self, quiet: bool) -> None:
        if not self._reloading and self.source is not None:
            self._reloading = True
            tasks.reload(self, self.source, quiet)

    @on(tasks.DigestReloaded)
    def _reloaded(self, event: tasks.DigestReloaded) -> None:
        """Show the digest read again and what is new in it (under --watch only what is new);
        the message goes on to the App, which shows the digest's notices."""
        self._reloading = False
        digest, new = event.reloaded.digest, event.reloaded.change
        self.act(self.browse.replace_digest, digest)
        if new is not None and not new.startswith("changed"):
            self.app.notify(f"{new}.", title="New in the digest", markup=False)
        elif new is not None or not (event.quiet or digest.notices):
            # nothing new is said only on r: --watch keeps quiet, and so does an offline copy
            held = event.reloaded.held or f"{len(digest):,} papers"
            said = "No paper added or removed" if new is not None else "Nothing new"
            self.app.notify(f"{said}, {held}.", title="Reloaded", markup=False)
        if gc.get_freeze_count():  # as the app froze at its first paint (tests do not)
            gc.freeze()

    @on(tasks.ReloadFailed)
    def _reload_failed(self, event: tasks.ReloadFailed) -> None:
        self._reloading = False
        failed = f"Reload failed: {inert(str(event.error))}"
        self.app.notify(failed, severity="error", markup=False)
