"""The main screen's compositor: a partial update cuts only the pieces of lines it writes.

Textual writes a key's update as the spans of the lines that changed (`ChopsUpdate`), but makes
them by rendering every widget whose clip meets the box around all the changes and cutting
every line of that box at every widget's edges. The main screen has no containers, so every
widget's clip is the screen: a cursor move (two list rows and the abstract's lines) rendered
the sidebar, its scrollbar, the header, the filter bar, the key line and the screen's own
background too, and cut each of their lines in the box, for pieces that are never written.

`SpanCompositor` writes the same update, byte for byte: for each line it works out which pieces
the update writes (those a changed span reaches, as `ChopsUpdate` reads them) and fills each
from the front-most widget, as Textual does; a widget that has none of them to fill on any
line is not rendered, and a line of a widget with none is not cut.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence

from rich.console import Console
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip


class SpanCompositor(Compositor):
    """A Compositor whose partial updates render and cut only what they write."""

    def render_partial_update(self) -> ChopsUpdate | None:
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        crop = Region.from_union(list(update_regions)).intersection(self.size.region)
        spans = list(self._regions_to_spans(update_regions))
        chops = self._span_chops(crop, spans)
        return SpanUpdate(chops, spans, [cut_set[1:] for cut_set in self.cuts])

    def _span_chops(
        self, crop: Region, spans: list[tuple[int, int, int]]
    ) -> Sequence[Mapping[int, Strip | None]]:
        """Textual's `_render_chops(crop, ...)` with only the chops the spans write filled."""
        cuts = self.cuts
        # Only the lines of spans are read (`ChopsUpdate`): the others are left empty.
        chops: list[dict[int, Strip | None]] = [{} for _ in cuts]
        # Line y's chop from cut x to the next is written when a span of y reaches it:
        # `ChopsUpdate` skips it only when `x > x2 or end <= x1`. One that starts where the
        # span ends is written as a cursor move and nothing of it (cropped to no cells): any
        # strip does, and no widget is rendered for it.
        pending: dict[int, list[int]] = {}
        """The chops of each line still to be filled (ascending), by line."""
        moves: dict[int, list[int]] = {}
        for y, x1, x2 in spans:
            line = cuts[y]
            if not chops[y]:
                chops[y] = dict.fromkeys(line[:-1])
            found = [x for x, end in zip(line, line[1:], strict=False) if x < x2 and end > x1]
            if found:
                pending.setdefault(y, []).extend(found)
            if x2 in line[:-1]:
                moves.setdefault(y, []).append(x2)
        lines = sorted(pending)
        overlaps = crop.overlaps
        for widget, (region, clip) in self.visible_widgets.items():
            if not pending:
                break  # every chop written is filled: the widgets behind show none of it
            if not overlaps(clip):
                continue
            shown = region.intersection(clip)
            if not shown.width or not shown.height:
                continue
            first_cut, last_cut = shown.column_span
            top = shown.y
            rows = []
            for y in lines[bisect_left(lines, top) : bisect_left(lines, shown.bottom)]:
                xs = pending.get(y)
                if xs is not None:
                    at = bisect_left(xs, first_cut)
                    if at < len(xs) and xs[at] < last_cut:
                        rows.append(y)
            if not rows:
                continue  # nothing it would draw is written
            if clip.contains_region(region):
                strips = widget.render_lines(Region(0, 0, region.width, region.height))
            else:
                strips = widget.render_lines(
                    Region(shown.x - region.x, top - region.y, shown.width, shown.height)
                )
            left = shown.x
            for y in rows:
                line_chops = chops[y]
                final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
                pieces = strips[y - top].divide([cut - left for cut in final_cuts[1:]])
                for cut, piece in zip(final_cuts, pieces, strict=False):
                    if line_chops.get(cut) is None:
                        line_chops[cut] = piece
                left_over = [x for x in pending[y] if line_chops[x] is None]
                if left_over:
                    pending[y] = left_over
                else:
                    del pending[y]
        for y, starts in moves.items():
            line_chops = chops[y]
            for x in starts:
                if line_chops[x] is None:
                    line_chops[x] = _MOVE_ONLY
        return chops


class SpanUpdate(ChopsUpdate):
    """Textual's ChopsUpdate, its cursor moves written without making a rich Control for each
    (~2 us apiece; a week switch writes ~100 chops): the same bytes."""

    def render_segments(self, console: Console) -> str:
        sequences: list[str] = []
        append = sequences.append
        chops = self.chops
        chop_ends = self.chop_ends
        last_y = self.spans[-1][0]
        for y, x1, x2 in self.spans:
            line = chops[y]
            ends = chop_ends[y]
            for end, (x, strip) in zip(ends, line.items(), strict=False):
                if strip is None or x > x2 or end <= x1:
                    continue
                if not (x2 > x >= x1 and end <= x2):
                    strip = strip.crop(0, min(end, x2) - x)
                append(f"\x1b[{y + 1};{x + 1}H")  # rich's Control.move_to(x, y)
                append(strip.render(console))
            if y != last_y:
                append("\n")
        return "".join(sequences)


_MOVE_ONLY = Strip([], 0)
"""A chop written as a cursor move alone (`ChopsUpdate` crops it to no cells)."""
