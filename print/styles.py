"""Every paragraph and table style of the printed products, for a given base size.

12 pt for the normal products, 16 pt for large print. All styles name DejaVu Sans explicitly:
a style without a font would fall back to Helvetica, which is not embedded.

Large print is large throughout: no style of the large-print set is smaller than its body text,
except the two that belong to the post (the return line and the address in the envelope window,
set in the DIN 5008 address field) and the running header and footer (`header_size`).

Headings, and the intro sentences that lead into something (`lead`, `note_lead`), have
keepWithNext: the document template keeps them with the first part of what follows (see
`print.flowables.KeepWithNext`), so no heading is left alone at the foot of a page or column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from print.fonts import BOLD, REGULAR, register_fonts

NORMAL_SIZE = 12.0
LARGE_SIZE = 16.0
LINE_FACTOR = 1.22

GREY = Color(0.35, 0.35, 0.35)
LIGHT_GREY = Color(0.88, 0.88, 0.88)
RULE_GREY = Color(0.6, 0.6, 0.6)


@dataclass(frozen=True)
class Styles:
    """The paragraph styles for one base size, plus the sizes the canvas code needs."""

    size: float
    large: bool
    body: ParagraphStyle
    lead: ParagraphStyle
    legend: ParagraphStyle
    plain: ParagraphStyle
    step: ParagraphStyle
    small: ParagraphStyle
    note: ParagraphStyle
    note_lead: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    highlight: ParagraphStyle
    listing: ParagraphStyle
    entry: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    cell_center: ParagraphStyle
    form_label: ParagraphStyle
    address: ParagraphStyle
    sender: ParagraphStyle
    info: ParagraphStyle

    @property
    def leading(self) -> float:
        """Line height of body text."""
        return self.body.leading

    @property
    def table_size(self) -> float:
        """Font size of table cells (statement, slips)."""
        return self.cell.fontSize

    @property
    def minor_size(self) -> float:
        """Secondary text inside a paragraph (listing numbers): smaller only in normal print."""
        return self.size if self.large else round(self.size * 0.85, 1)

    @property
    def header_size(self) -> float:
        """Font size of the running header and footer."""
        return max(8.0, round(self.size * 0.72, 1))


def _style(name: str, size: float, bold: bool = False, **options: Any) -> ParagraphStyle:
    options.setdefault("leading", round(size * LINE_FACTOR, 2))
    options.setdefault("alignment", TA_LEFT)
    options.setdefault("textColor", black)
    return ParagraphStyle(
        name, fontName=BOLD if bold else REGULAR, fontSize=size, splitLongWords=1, **options
    )


@lru_cache(maxsize=4)
def styles_for(size: float = NORMAL_SIZE) -> Styles:
    """The styles for a base size (12 pt normal, 16 pt large print)."""
    register_fonts()
    large = size >= LARGE_SIZE
    cell_size = size if large else round(size * 0.85, 1)
    minor = size if large else round(size * 0.8, 1)  # notes and hints: never smaller in large print
    note_colour = black if large else GREY  # and never paler
    return Styles(
        size=size,
        large=large,
        body=_style("body", size, spaceAfter=size * 0.5),
        lead=_style("lead", size, spaceAfter=size * 0.5, keepWithNext=1),
        legend=_style("legend", size, leading=round(size * 1.45, 2), spaceAfter=size * 0.5, keepWithNext=1),
        plain=_style("plain", size),
        step=_style("step", size, spaceAfter=size * 0.4, leftIndent=size * 1.5, firstLineIndent=-size * 1.5),
        small=_style("small", minor, spaceAfter=size * 0.3),
        note=_style("note", minor, textColor=note_colour, spaceAfter=size * 0.3),
        note_lead=_style("note_lead", minor, textColor=note_colour, spaceAfter=size * 0.3, keepWithNext=1),
        h1=_style(
            "h1", round(size * 1.5, 1), True, spaceBefore=size * 0.9, spaceAfter=size * 0.5, keepWithNext=1
        ),
        h2=_style(
            "h2", round(size * 1.15, 1), True, spaceBefore=size * 0.8, spaceAfter=size * 0.35, keepWithNext=1
        ),
        h3=_style("h3", size, True, spaceBefore=size * 0.3, spaceAfter=size * 0.15, keepWithNext=1),
        title=_style("title", round(size * 2.3, 1), True, spaceAfter=size * 0.3),
        subtitle=_style("subtitle", round(size * 1.4, 1), spaceAfter=size * 0.9),
        highlight=_style(
            "highlight",
            size,
            True,
            spaceBefore=size * 0.8,
            spaceAfter=size * 1.0,
            borderWidth=1,
            borderColor=black,
            borderPadding=size * 0.45,
            leftIndent=size * 0.45,  # keeps the box itself inside the margins
            rightIndent=size * 0.45,
            backColor=LIGHT_GREY,
        ),
        listing=_style("listing", size, spaceAfter=size * 0.75),
        entry=_style("entry", size, spaceAfter=size * 0.55),
        cell=_style("cell", cell_size),
        cell_bold=_style("cell_bold", cell_size, True),
        cell_right=_style("cell_right", cell_size, alignment=TA_RIGHT),
        cell_center=_style("cell_center", cell_size, alignment=TA_CENTER),
        form_label=_style("form_label", size),
        address=_style("address", 10.0, leading=12.0),
        sender=_style("sender", 7.0, leading=8.5, textColor=GREY),
        info=_style("info", size if large else round(size * 0.85, 1)),
    )


def table_style(styles: Styles, *commands: tuple[Any, ...]) -> TableStyle:
    """A TableStyle with DejaVu Sans on every cell, small padding, plus the given commands."""
    size = styles.table_size
    pad = round(size * 0.3, 1)
    base: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), round(size * LINE_FACTOR, 2)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
    ]
    return TableStyle(base + list(commands))
