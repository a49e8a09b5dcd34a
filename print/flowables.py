"""Flowables of our own: headings that record their page, listings that keep together, headings
that keep with what follows, the category index whose page numbers are drawn when the document is
complete, tables that split sensibly, and a cutting line.

None of them knows page geometry: they draw inside the box their frame gives them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import black
from reportlab.platypus import Flowable, FrameBreak, KeepTogether, Paragraph, Table
from reportlab.platypus.flowables import _listWrapOn

from print.fonts import BOLD, REGULAR
from print.styles import GREY, RULE_GREY
from print.text import fit_text


class AnchoredParagraph(Paragraph):
    """A heading that records, when drawn, the page it landed on under `anchor_key`."""

    anchor_key: str | None = None

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        if parts:
            for part in parts:
                part.anchor_key = None
            parts[0].anchor_key = self.anchor_key
        return parts

    def draw(self) -> None:
        if self.anchor_key:
            self.canv.set_anchor(self.anchor_key)
        super().draw()


def anchored(text: str, style: Any, key: str) -> AnchoredParagraph:
    """A paragraph that records its page under `key` (for the category index)."""
    paragraph = AnchoredParagraph(text, style)
    paragraph.anchor_key = key
    return paragraph


class KeepParagraph(Paragraph):
    """A paragraph that moves to the next column whole unless it is taller than `keep_lines`.

    Short listings then never break across columns; long ones still split (a listing taller
    than a column must).
    """

    keep_lines = 10

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        height = getattr(self, "height", None)
        if height is None:
            _, height = self.wrap(availWidth, availHeight)
        if height > availHeight and height <= self.keep_lines * self.style.leading:
            return []
        return super().split(availWidth, availHeight)


class KeepWithNext(KeepTogether):
    """The group reportlab forms of flowables with keepWithNext (headings, an intro) and the next one.

    Used as the document template's `keepTogetherClass`. reportlab's own KeepTogether moves the
    whole group to the next frame when it does not fit, so a heading before a long table or index
    leaves the rest of the page empty. This one moves on only when the headings and the *first
    part* of what follows (the lines, rows or index entries it can split off there) do not fit
    together; otherwise the follower is split right there. At the top of a frame moving on would
    not help, so there it lets everything split as usual.
    """

    def split(self, aW: float, aH: float) -> list[Flowable]:
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        content = list(self._content)
        if self._H <= aH:
            return content
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", False):
            return content
        heads, follower = content[:-1], content[-1]
        if heads:
            _, used = _listWrapOn(heads, aW, self.canv)
            room = aH - used - max(heads[-1].getSpaceAfter(), follower.getSpaceBefore())
            if room > 0:
                _, height = follower.wrapOn(self.canv, aW, room)
                if height <= room:
                    return content
                parts = _split_in(frame, follower, self.canv, aW, room)
                if parts:
                    return [*heads, *parts]
        return [FrameBreak(), *content]


def _split_in(frame: Any, flowable: Flowable, canv: Any, aW: float, aH: float) -> list[Flowable]:
    """Split a flowable as the frame would, letting it see the frame (SplitTable asks its height)."""
    if frame is not None:
        flowable._frame = frame
    try:
        return flowable.splitOn(canv, aW, aH)
    finally:
        flowable.__dict__.pop("_frame", None)


class SplitTable(Table):
    """A table that never leaves only its (repeated) header and a sliver of a row at a page foot.

    It splits only where the header rows and at least `min_rows_height` points of the body fit;
    otherwise the whole rest moves to the next page. A row is split inside only when even a whole
    frame cannot hold it (reportlab would otherwise split a row to fill the last few lines).
    """

    def __init__(self, *args: Any, min_rows_height: float = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.min_rows_height = min_rows_height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._calc(availWidth, availHeight)
        repeat = self.repeatRows if isinstance(self.repeatRows, int) else max(self.repeatRows) + 1
        header = sum(self._rowHeights[:repeat])
        if availHeight < header + self.min_rows_height:
            return []
        by_rows = self._splitRows(availHeight, doInRowSplit=0)
        if by_rows or not self.splitInRow:
            return by_rows
        frame = getattr(self, "_frame", None)
        row = self._rowHeights[repeat] if len(self._rowHeights) > repeat else 0
        frame_height = getattr(frame, "_aH", None) if frame is not None else None
        if frame_height is not None and header + row <= frame_height:
            return []  # the row fits on the next page whole
        return self._splitRows(availHeight, doInRowSplit=1)


@dataclass(frozen=True)
class IndexEntry:
    """One row of the category index: a section (level 0) or a Rubrik (level 1)."""

    label: str
    key: str
    level: int = 0


class PageIndex(Flowable):
    """The category index: rows of label, dotted leader and page number, in 1 or 2 columns.

    The page numbers are only known when the document is complete, so the rows are drawn at the
    end by the DeferredCanvas; the space they take is fixed, so the layout does not change.
    """

    def __init__(self, entries: list[IndexEntry], size: float, columns: int = 2) -> None:
        super().__init__()
        self.entries = entries
        self.size = size
        self.columns = max(1, columns)
        self.row_height = size * 1.5
        self.gap = size * 2
        self._origin = (0.0, 0.0)

    @property
    def rows(self) -> int:
        """Rows per column."""
        return math.ceil(len(self.entries) / self.columns)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self.rows * self.row_height
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        rows = int(availHeight // self.row_height)
        if rows < min(2, self.rows):  # never one row alone under the heading (or at the top)
            return []
        if rows >= self.rows:
            return [self]
        cut = rows * self.columns
        return [
            PageIndex(self.entries[:cut], self.size, self.columns),
            PageIndex(self.entries[cut:], self.size, self.columns),
        ]

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        self._origin = (x, y)
        super().drawOn(canvas, x, y, _sW)

    def draw(self) -> None:
        self.canv.defer(self._paint)

    def _paint(self, canv: Any) -> None:
        x0, y0 = self._origin
        rows = self.rows
        column_width = (self.width - (self.columns - 1) * self.gap) / self.columns
        size = self.size
        for index, entry in enumerate(self.entries):
            column, row = divmod(index, rows)
            left = x0 + column * (column_width + self.gap) + entry.level * size * 1.2
            right = x0 + column * (column_width + self.gap) + column_width
            baseline = y0 + self.height - (row + 1) * self.row_height + size * 0.35
            page = canv.anchors.get(entry.key)
            number = str(page) if page is not None else "–"
            font = BOLD if entry.level == 0 else REGULAR
            number_width = canv.stringWidth(number, font, size)
            label = fit_text(entry.label, font, size, right - left - number_width - size * 1.5)
            canv.setFillColor(black)
            canv.setFont(font, size)
            canv.drawString(left, baseline, label)
            canv.drawRightString(right, baseline, number)
            start = left + canv.stringWidth(label, font, size) + size * 0.4
            end = right - number_width - size * 0.4
            if end > start:
                canv.setStrokeColor(GREY)
                canv.setLineWidth(size * 0.09)
                canv.setLineCap(1)
                canv.setDash(0.1, size * 0.45)
                canv.line(start, baseline + size * 0.05, end, baseline + size * 0.05)
                canv.setDash()


class WidthDependent(Flowable):
    """Builds its content for the width the frame offers (e.g. a table with pre-wrapped cells).

    The story function stays free of page geometry; the content is built once per width.
    """

    def __init__(self, build: Callable[[float], Flowable]) -> None:
        super().__init__()
        self._build = build
        self._content: Flowable | None = None
        self._built_for: float | None = None

    def content(self, availWidth: float) -> Flowable:
        """The content built for this width (built again only when the width changes)."""
        if self._content is None or self._built_for != availWidth:
            self._content, self._built_for = self._build(availWidth), availWidth
        return self._content

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        width, height = self.content(availWidth).wrapOn(self.canv, availWidth, availHeight)
        self.width, self.height = width, height
        return width, height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        frame = getattr(self, "_frame", None)
        return _split_in(frame, self.content(availWidth), self.canv, availWidth, availHeight)

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        assert self._content is not None
        self._content.drawOn(canvas, x, y, _sW)


class WritingLine(Flowable):
    """Room to write by hand: empty space of a given height with a line at its bottom.

    Used in form tables instead of a cell border, so that a form split over two pages does not
    repeat the line at the top of the continuation.
    """

    def __init__(self, height: float) -> None:
        super().__init__()
        self.height = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.height

    def draw(self) -> None:
        self.canv.setStrokeColor(black)
        self.canv.setLineWidth(0.6)
        self.canv.line(0, 0, self.width, 0)


class CutLine(Flowable):
    """A dashed line across the frame with scissors and a short instruction.

    The instruction is set at `label_size` in `colour` (by default smaller and grey; large print
    passes its body size and black).
    """

    def __init__(self, text: str, size: float, label_size: float | None = None, colour: Any = GREY) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.label_size = label_size if label_size is not None else size * 0.8
        self.colour = colour

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.size * 2.2

    def draw(self) -> None:
        canv = self.canv
        size = self.label_size
        middle = self.size * 1.1
        label = fit_text(f"\u2702  {self.text}", REGULAR, size, self.width * 0.8)
        label_width = canv.stringWidth(label, REGULAR, size)
        canv.setFont(REGULAR, size)
        canv.setFillColor(self.colour)
        canv.drawString(0, middle - size * 0.35, label)
        canv.setStrokeColor(RULE_GREY)
        canv.setLineWidth(0.6)
        canv.setDash(4, 3)
        canv.line(label_width + size * 0.6, middle, self.width, middle)
