"""Page geometry: page templates, frames, running header and footer, and the canvas that holds
pages until the end.

All measurements of the products live here; the story builders only name templates
("title", "columns", "single", "letter", "body", "vouchers").

"Seite x von y" and the page numbers of the category index are only known once the whole
document is laid out. Instead of laying it out twice (multiBuild), `DeferredCanvas` keeps every
page open until `save()` and then draws the footer and the deferred index rows onto each page.
This works in one pass because nothing that is drawn late changes the layout: the index has one
row per entry whatever the page numbers are.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from reportlab import rl_config
from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from print.flowables import KeepWithNext
from print.fonts import REGULAR, register_fonts
from print.styles import RULE_GREY
from print.text import fit_text

# Page streams are zlib-compressed; ASCII85 on top only makes them 25 % larger and slower to write
# (5 % of the time for the inserts). print/ is the application's only reportlab user.
rl_config.useA85 = 0

PAGE_WIDTH, PAGE_HEIGHT = A4

# Marktzeitung, Großdruck, Kontaktliste: 15 mm margins, header and footer inside the margins.
MARGIN = 15 * mm
COLUMN_GAP = 7 * mm
HEADER_BASELINE = PAGE_HEIGHT - 10 * mm
FOOTER_BASELINE = 8 * mm

# Inserts: a letter after DIN 5008 form B.
LETTER_LEFT = 25 * mm
LETTER_RIGHT = 20 * mm
LETTER_TOP = 20 * mm
LETTER_BOTTOM = 17 * mm
WINDOW_LEFT = 20 * mm  # the address field: 20 mm from the left, 45 mm from the top, 85 x 45 mm
WINDOW_TOP = 45 * mm
WINDOW_WIDTH = 85 * mm
WINDOW_HEIGHT = 45 * mm
WINDOW_INSET = 5 * mm  # the address itself starts 25 mm from the left edge
SENDER_ZONE = 17.7 * mm  # upper part of the field (return address); the address goes below
INFO_LEFT = 125 * mm  # the information block right of the window
INFO_TOP = 50 * mm
INFO_WIDTH = 75 * mm
INFO_HEIGHT = 40 * mm
LETTER_BODY_TOP = 98.46 * mm
FOLD_MARKS = (105 * mm, 210 * mm)
HOLE_MARK = 148.5 * mm

# Voucher pages: three vouchers of a third of A4 each, cut apart along dashed lines; in large print
# two of half A4 each (16 pt labels need the room).
VOUCHERS_PER_PAGE = 3
LARGE_VOUCHERS_PER_PAGE = 2

# Templates without running header and footer, and templates without the header only.
_BARE_KINDS = frozenset({"vouchers", "vouchers_large"})
_NO_HEADER_KINDS = frozenset({"letter"})
_LETTER_KINDS = frozenset({"letter", "body"})


@dataclass(frozen=True)
class Running:
    """Running header and footer text of a page group (a whole paper, or one member's insert)."""

    header: str | None
    footer: str
    size: float


@dataclass(frozen=True)
class PageFacts:
    """What is known about a page once the document is complete."""

    kind: str
    number: int
    total: int
    running: Running | None


class DeferredCanvas(Canvas):
    """A canvas that holds every page until `save()`, then decorates each with final facts.

    Pages belong to groups (`start_group`): page numbers and totals count within a group, so one
    PDF of many inserts numbers each member's pages on their own. Flowables may `set_anchor` (the
    page a heading landed on) and `defer` drawing that needs anchors of later pages.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[tuple[dict[str, Any], int, Running | None, str, list[Callable[..., None]]]] = []
        self._group_id = 0
        self._running: Running | None = None
        self._deferred: list[Callable[[DeferredCanvas], None]] = []
        self.anchors: dict[str, int] = {}
        self.page_kind = ""

    def start_group(self, running: Running) -> None:
        """Start a new page group on the current page."""
        self._group_id += 1
        self._running = running

    def set_anchor(self, key: str) -> None:
        """Record that `key` starts on the current page (the first time only)."""
        self.anchors.setdefault(key, self.getPageNumber())

    def defer(self, paint: Callable[[DeferredCanvas], None]) -> None:
        """Draw onto the current page at `save()`, when all anchors are known."""
        self._deferred.append(paint)

    def showPage(self) -> None:
        """Hold the finished page (its whole canvas state) and start the next one."""
        state = dict(self.__dict__)
        self._held.append((state, self._group_id, self._running, self.page_kind, self._deferred))
        self._deferred = []
        self._startPage()

    def save(self) -> None:
        """Decorate every held page with its final facts, emit it, then write the PDF."""
        held = self._held
        totals = Counter(group for _, group, _, _, _ in held)
        seen: Counter[int] = Counter()
        for state, group, running, kind, deferred in held:
            seen[group] += 1
            self.__dict__.update(state)
            facts = PageFacts(kind, seen[group], totals[group], running)
            self.saveState()
            _decorate(self, facts)
            self.restoreState()
            for paint in deferred:
                self.saveState()
                paint(self)
                self.restoreState()
            Canvas.showPage(self)
        self._held = []
        Canvas.save(self)


def _page_margins(kind: str) -> tuple[float, float]:
    if kind in _LETTER_KINDS:
        return LETTER_LEFT, PAGE_WIDTH - LETTER_RIGHT
    return MARGIN, PAGE_WIDTH - MARGIN


def _decorate(canv: DeferredCanvas, facts: PageFacts) -> None:
    """Running header (text and rule) and footer ("Seite x von y") of one page."""
    if facts.kind in _BARE_KINDS or facts.running is None:
        return
    running = facts.running
    left, right = _page_margins(facts.kind)
    size = running.size
    canv.setFont(REGULAR, size)
    canv.setFillColor(black)
    if running.header and facts.kind not in _NO_HEADER_KINDS:
        canv.drawString(left, HEADER_BASELINE, fit_text(running.header, REGULAR, size, right - left))
        canv.setStrokeColor(RULE_GREY)
        canv.setLineWidth(0.5)
        canv.line(left, HEADER_BASELINE - size * 0.45, right, HEADER_BASELINE - size * 0.45)
    pages = f"Seite {facts.number} von {facts.total}"
    canv.drawRightString(right, FOOTER_BASELINE, pages)
    room = right - left - canv.stringWidth(pages, REGULAR, size) - 6 * mm
    canv.drawString(left, FOOTER_BASELINE, fit_text(running.footer, REGULAR, size, room))


class GroupStart(Flowable):
    """Starts a page group (numbering and running texts) on the page it is drawn on."""

    def __init__(self, running: Running) -> None:
        super().__init__()
        self.running = running

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.start_group(self.running)


def _frame(frame_id: str, left: float, top: float, width: float, height: float) -> Frame:
    """A frame given by its distance from the left and the top edge, without padding."""
    return Frame(
        left,
        PAGE_HEIGHT - top - height,
        width,
        height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id=frame_id,
    )


def _mark_kind(kind: str, canv: Canvas, doc: BaseDocTemplate) -> None:
    canv.page_kind = kind


def _mark_letter(canv: Canvas, doc: BaseDocTemplate) -> None:
    """First insert page: fold marks and the hole mark at the left edge (DIN 5008 form B)."""
    canv.page_kind = "letter"
    canv.saveState()
    canv.setStrokeColor(RULE_GREY)
    canv.setLineWidth(0.4)
    for from_top in FOLD_MARKS:
        canv.line(4 * mm, PAGE_HEIGHT - from_top, 9 * mm, PAGE_HEIGHT - from_top)
    canv.line(4 * mm, PAGE_HEIGHT - HOLE_MARK, 11 * mm, PAGE_HEIGHT - HOLE_MARK)
    canv.restoreState()


def _mark_vouchers(kind: str, count: int, canv: Canvas, doc: BaseDocTemplate) -> None:
    """Voucher page: dashed cutting lines between the vouchers."""
    canv.page_kind = kind
    canv.saveState()
    canv.setStrokeColor(RULE_GREY)
    canv.setLineWidth(0.5)
    canv.setDash(4, 3)
    for index in range(1, count):
        y = index * PAGE_HEIGHT / count
        canv.line(0, y, PAGE_WIDTH, y)
    canv.restoreState()


def _voucher_template(kind: str, count: int) -> PageTemplate:
    height = PAGE_HEIGHT / count
    frames = [_frame(f"voucher{index}", 0, index * height, PAGE_WIDTH, height) for index in range(count)]
    return _template(kind, frames, partial(_mark_vouchers, kind, count))


def _template(kind: str, frames: Sequence[Frame], on_page: Callable[..., None] | None = None) -> PageTemplate:
    return PageTemplate(id=kind, frames=list(frames), onPage=on_page or partial(_mark_kind, kind))


def paper_templates(columns: int) -> list[PageTemplate]:
    """Templates of the paper: "title" (full width), "columns" (1 or 2 columns), "single"."""
    width = PAGE_WIDTH - 2 * MARGIN
    height = PAGE_HEIGHT - 2 * MARGIN
    column_width = (width - (columns - 1) * COLUMN_GAP) / columns
    column_frames = [
        _frame(f"column{index}", MARGIN + index * (column_width + COLUMN_GAP), MARGIN, column_width, height)
        for index in range(columns)
    ]
    return [
        _template("title", [_frame("title", MARGIN, MARGIN, width, height)]),
        _template("columns", column_frames),
        _template("single", [_frame("single", MARGIN, MARGIN, width, height)]),
    ]


def insert_templates() -> list[PageTemplate]:
    """Templates of the inserts: "letter" (window address), "body", "vouchers" (three per page)
    and "vouchers_large" (two per page)."""
    body_width = PAGE_WIDTH - LETTER_LEFT - LETTER_RIGHT
    inner = WINDOW_WIDTH - WINDOW_INSET
    sender_height = 5 * mm
    letter = [
        _frame(
            "sender",
            WINDOW_LEFT + WINDOW_INSET,
            WINDOW_TOP + SENDER_ZONE - sender_height,
            inner,
            sender_height,
        ),
        _frame(
            "address",
            WINDOW_LEFT + WINDOW_INSET,
            WINDOW_TOP + SENDER_ZONE,
            inner,
            WINDOW_HEIGHT - SENDER_ZONE,
        ),
        _frame("info", INFO_LEFT, INFO_TOP, INFO_WIDTH, INFO_HEIGHT),
        _frame(
            "body", LETTER_LEFT, LETTER_BODY_TOP, body_width, PAGE_HEIGHT - LETTER_BODY_TOP - LETTER_BOTTOM
        ),
    ]
    body = [_frame("body", LETTER_LEFT, LETTER_TOP, body_width, PAGE_HEIGHT - LETTER_TOP - LETTER_BOTTOM)]
    return [
        _template("letter", letter, _mark_letter),
        _template("body", body),
        _voucher_template("vouchers", VOUCHERS_PER_PAGE),
        _voucher_template("vouchers_large", LARGE_VOUCHERS_PER_PAGE),
    ]


def voucher_templates(large: bool = False) -> list[PageTemplate]:
    """The only template of belege.pdf: three vouchers per page (two in large print)."""
    if large:
        return [_voucher_template("vouchers_large", LARGE_VOUCHERS_PER_PAGE)]
    return [_voucher_template("vouchers", VOUCHERS_PER_PAGE)]


def build_pdf(
    story: list[Flowable],
    templates: list[PageTemplate],
    *,
    title: str,
    author: str,
    subject: str = "",
) -> bytes:
    """Lay out a story on the templates (the first one starts) and return the PDF bytes.

    invariant=1 makes the output byte-identical for the same input. The metadata holds only the
    given title, author and subject: never member data. Flowables with keepWithNext (headings)
    stay with the first part of what follows (`KeepWithNext`).
    """
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=templates,
        invariant=1,
        title=title,
        author=author,
        subject=subject,
        creator="Tauschring",
        keywords="",
        lang="de-DE",
        initialFontName=REGULAR,
        initialFontSize=10,
        initialLeading=12,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        keepTogetherClass=KeepWithNext,
    )
    doc.build(story, canvasmaker=DeferredCanvas)
    return buffer.getvalue()
