"""Pre-numbered vouchers (Belege): a stub to keep and a slip for the office.

Each voucher fills one voucher frame of a page (three per page, two in large print); it draws
relative to that box. The number is printed as text and as Code128 (without the barcode's own
label, which would be set in Helvetica).

The office books by member number, so the slip has a Mitgl.-Nr. field for the payer and for the
payee. Every label is black and at least 10 pt (16 pt in large print, where the labels stand above
their writing lines to leave room to write), and the office address at the foot is wrapped onto
as many lines as it needs instead of being cut off.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import black
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from print.data import RingInfo, VoucherPayer, VoucherSheet
from print.fonts import BOLD, REGULAR
from print.layout import GroupStart, Running, build_pdf, voucher_templates
from print.styles import RULE_GREY, styles_for
from print.text import fit_text, one_line, wrap_lines

HAND_IN = "Im Büro oder beim Tauschtreffen abgeben"


@dataclass(frozen=True)
class VoucherSizes:
    """Type sizes and the measures that depend on them, for normal and for large print."""

    label: float  # every label and instruction
    title: float  # ring name, "Kontrollabschnitt"
    value: float  # the pre-printed payer
    number: float  # the voucher number on the slip
    stub_number: float
    stub_width: float
    barcode_height: float
    barcode_share: float  # of the slip width, at most
    line: float  # line height of the footer
    side: float  # left and right margin of the voucher
    gap: float  # between stub and slip (the perforation runs in the middle)
    footer_lines: int  # what fits below the signatures


NORMAL = VoucherSizes(10, 12, 11, 13, 12, 46 * mm, 9 * mm, 0.45, 12, 10 * mm, 9 * mm, 3)
LARGE = VoucherSizes(16, 16, 16, 20, 18, 56 * mm, 7 * mm, 0.38, 19, 8 * mm, 7 * mm, 5)

EDGE = 8 * mm  # top and bottom margin, from the cutting line


def footer_lines(ring: RingInfo, size: float, width: float, max_lines: int) -> list[str]:
    """Where to hand the slip in: the instruction, the office phone and address, wrapped to width.

    Parts are kept whole where they fit; only a part longer than a line is broken at spaces, and
    only what exceeds `max_lines` (an address of absurd length) is cut with an ellipsis.
    """
    parts: list[tuple[str, str]] = [(HAND_IN, "")]
    phone = one_line(ring.office_phone)
    if phone:
        parts.append((f"Tel.\u00a0{phone}", " · "))
    address = [one_line(line) for line in ring.office_address if one_line(line)]
    parts += [(line, " · " if index == 0 else ", ") for index, line in enumerate(address)]
    lines: list[str] = []
    current = ""
    for text, separator in parts:
        candidate = f"{current}{separator}{text}" if current else text
        if stringWidth(candidate, REGULAR, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current + ("," if separator == ", " else ""))
        pieces = wrap_lines(text, REGULAR, size, width).split("\n")
        lines += pieces[:-1]
        current = pieces[-1]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], fit_text(rest, REGULAR, size, width)]
    return lines


class Voucher(Flowable):
    """One voucher: stub on the left, slip on the right, filling the box of its frame."""

    def __init__(self, number: str, ring: RingInfo, payer: VoucherPayer | None, large: bool = False) -> None:
        super().__init__()
        self.number = one_line(number)
        self.ring = ring
        self.payer = payer
        self.large = large
        self.sizes = LARGE if large else NORMAL

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, availHeight
        return availWidth, availHeight

    # -- drawing helpers -------------------------------------------------------------------

    def _y(self, down: float) -> float:
        """The baseline `down` points below the top margin."""
        return self.height - EDGE - down

    def _text(
        self, x: float, y: float, text: str, size: float, bold: bool = False, width: float | None = None
    ) -> float:
        font = BOLD if bold else REGULAR
        if width is not None:
            text = fit_text(text, font, size, width)
        self.canv.setFont(font, size)
        self.canv.setFillColor(black)
        self.canv.drawString(x, y, text)
        return self.canv.stringWidth(text, font, size)

    def _line(self, left: float, right: float, y: float) -> None:
        self.canv.setStrokeColor(black)
        self.canv.setLineWidth(0.5)
        self.canv.line(left, y, right, y)

    def _field(self, x: float, down: float, right: float, label: str, line: bool = True) -> None:
        """A label and room to write: on the same line (normal) or below the label (large print)."""
        size = self.sizes.label
        used = self._text(x, self._y(down), label, size, width=right - x) if label else 0
        if not line:
            return
        if self.large:
            self._line(x, right, self._y(down + size * 1.4))
        else:
            self._line(x + used + 2 * mm if label else x, right, self._y(down) - 1.5)

    def _barcode(self, right: float, top: float, max_width: float, height: float) -> None:
        value = self.number
        if not value or not value.isascii() or not value.isprintable():
            return  # Code128 cannot encode it; the number is printed as text anyway
        probe = Code128(value, barWidth=1, barHeight=height, humanReadable=0, quiet=0, fontName=REGULAR)
        modules = probe.width
        bar_width = min(0.33 * mm, max_width / modules)
        code = Code128(
            value, barWidth=bar_width, barHeight=height, humanReadable=0, quiet=0, fontName=REGULAR
        )
        code.drawOn(self.canv, right - code.width, top - height)

    # -- geometry ------------------------------------------------------------------------------

    @property
    def side(self) -> float:
        return self.sizes.side

    @property
    def stub_right(self) -> float:
        return self.side + self.sizes.stub_width

    @property
    def slip_left(self) -> float:
        return self.stub_right + self.sizes.gap

    @property
    def right(self) -> float:
        return self.width - self.side

    def _number_left(self) -> float:
        """Where the Mitgl.-Nr. fields start: room for the label and a four-digit number."""
        size = self.sizes.label
        label = stringWidth("Mitgl.-Nr.", REGULAR, size)
        if self.large:
            return self.right - max(label, 30 * mm)
        return self.right - (label + 2 * mm + 20 * mm)

    def _amount_left(self, label: str) -> float:
        if self.large:
            return self.slip_left + (self.right - self.slip_left) * 0.5
        return self.right - (stringWidth(label, REGULAR, self.sizes.label) + 2 * mm + 16 * mm)

    # -- the voucher -------------------------------------------------------------------------
    #
    # Everything that is the same on every voucher (labels, lines, the office) is drawn once into a
    # form XObject and reused; only the number, the barcode and the payer are drawn per voucher.
    # That keeps a run of a thousand vouchers fast and the PDF small.

    def _form_name(self) -> str:
        key = f"{self.ring!r}|{self.large}|{self.payer is None}|{self.width:.2f}|{self.height:.2f}"
        return f"Voucher{zlib.crc32(key.encode('utf-8')):08x}"

    def draw(self) -> None:
        canv = self.canv
        name = self._form_name()
        if not canv.hasForm(name):
            canv.beginForm(name, 0, 0, self.width, self.height)
            self._draw_static()
            canv.endForm()
        canv.doForm(name)
        self._draw_variable()

    def _rows(self) -> dict[str, float]:
        """Baselines (points below the top margin) of the rows of stub and slip."""
        if self.large:
            return {
                "stub_title": 14, "stub_label": 36, "stub_number": 56, "stub_fields": 80, "stub_pitch": 42,
                "title": 14, "subtitle": 34, "number": 56, "barcode": 0,
                "payer": 80, "payee": 122, "date": 164, "service": 206, "service2": 0,
                "signature": 258,
            }  # fmt: skip
        return {
            "stub_title": 11, "stub_label": 24, "stub_number": 37, "stub_fields": 62, "stub_pitch": 24,
            "title": 11, "subtitle": 24, "number": 11, "barcode": 15,
            "payer": 58, "payee": 82, "date": 106, "service": 130, "service2": 152,
            "signature": 184,
        }  # fmt: skip

    def _draw_static(self) -> None:
        canv, sizes, ring, rows = self.canv, self.sizes, self.ring, self._rows()
        size = sizes.label
        stub_right, slip_left, right = self.stub_right, self.slip_left, self.right
        slip_width = right - slip_left
        unit = "Stunden" if ring.minutes_per_unit == 60 else one_line(ring.unit_plural)

        # perforation between stub and slip
        canv.setStrokeColor(RULE_GREY)
        canv.setLineWidth(0.5)
        canv.setDash(2, 2)
        middle = stub_right + sizes.gap / 2
        canv.line(middle, EDGE, middle, self.height - EDGE)
        canv.setDash()

        # stub: kept by the payer
        side = self.side
        stub_width = stub_right - side
        self._text(side, self._y(rows["stub_title"]), "Kontrollabschnitt", sizes.title, True, stub_width)
        self._text(side, self._y(rows["stub_label"]), "Beleg-Nr.", size, width=stub_width)
        down = rows["stub_fields"]
        for label in ("Datum", "an", unit, "Leistung", ""):
            self._field(side, down, stub_right, label)
            down += rows["stub_pitch"]
        self._text(side, EDGE + 2, "Für Ihre Unterlagen", size, width=stub_width)

        # slip: goes to the office
        name_width = slip_width * (1 - sizes.barcode_share) - 4 * mm
        self._text(slip_left, self._y(rows["title"]), one_line(ring.name), sizes.title, True, name_width)
        subtitle_width = slip_width if self.large else name_width
        self._text(slip_left, self._y(rows["subtitle"]), "Beleg für das Büro", size, width=subtitle_width)
        numbers = self._number_left()
        self._field(
            slip_left, rows["payer"], numbers - 4 * mm, "Leistungsnehmer (zahlt):", self.payer is None
        )
        if self.payer is None:
            self._field(numbers, rows["payer"], right, "Mitgl.-Nr.")
        self._field(slip_left, rows["payee"], numbers - 4 * mm, "Leistungsgeber (erhält):")
        self._field(numbers, rows["payee"], right, "Mitgl.-Nr.")
        amount_label = ("Stunden (Std.:Min.)" if ring.minutes_per_unit == 60 else unit) + ":"
        amount = self._amount_left(amount_label)
        self._field(slip_left, rows["date"], amount - 4 * mm, "Leistungsdatum:")
        self._field(amount, rows["date"], right, amount_label)
        self._field(slip_left, rows["service"], right, "Leistung:")
        if rows["service2"]:
            self._field(slip_left, rows["service2"], right, "")

        # signatures of both, then where to hand the slip in
        split = slip_left + slip_width / 2
        y = self._y(rows["signature"])
        self._line(slip_left, split - 3 * mm, y)
        self._line(split + 3 * mm, right, y)
        column = split - 3 * mm - slip_left
        # large print says who signs as the payer/payee labels above do, to keep to one line
        signers = ("(zahlt)", "(erhält)") if self.large else ("Leistungsnehmer", "Leistungsgeber")
        for x, who in zip((slip_left, split + 3 * mm), signers, strict=True):
            self._text(x, y - size * 1.1, f"Unterschrift {who}", size, width=column)
        lines = footer_lines(ring, size, slip_width, sizes.footer_lines)
        for index, line in enumerate(reversed(lines)):
            self._text(slip_left, EDGE + 2 + index * sizes.line, line, size)

    def _draw_variable(self) -> None:
        canv, sizes, rows = self.canv, self.sizes, self._rows()
        slip_left, right = self.slip_left, self.right
        slip_width = right - slip_left
        self._text(
            self.side,
            self._y(rows["stub_number"]),
            self.number,
            sizes.stub_number,
            True,
            self.stub_right - self.side,
        )
        number_size = sizes.number
        label = fit_text(self.number, BOLD, number_size, slip_width * 0.5)
        baseline = self._y(rows["number"])
        canv.setFont(BOLD, number_size)
        canv.setFillColor(black)
        canv.drawRightString(right, baseline, label)
        canv.setFont(REGULAR, sizes.label)
        canv.drawRightString(
            right - canv.stringWidth(label, BOLD, number_size) - 2 * mm, baseline, "Beleg-Nr."
        )
        self._barcode(right, self._y(rows["barcode"]), slip_width * sizes.barcode_share, sizes.barcode_height)
        if self.payer is not None:
            payer = f"{one_line(self.payer.name)} · Mitgl.-Nr. {one_line(self.payer.member_number)}"
            if self.large:
                start, down = slip_left, rows["payer"] + sizes.label * 1.4 - 2
            else:
                label_width = canv.stringWidth("Leistungsnehmer (zahlt):", REGULAR, sizes.label)
                start, down = slip_left + label_width + 2 * mm, rows["payer"]
            self._text(start, self._y(down), payer, sizes.value, bold=True, width=right - start)


def voucher_story(sheet: VoucherSheet, ring: RingInfo, large: bool = False) -> list[Flowable]:
    """The vouchers of a sheet, one per voucher frame (the story must be on "vouchers" pages, or
    "vouchers_large" pages in large print)."""
    return [Voucher(number, ring, sheet.payer, large) for number in sheet.numbers]


def render_blank_vouchers(
    numbers: Sequence[str], ring: RingInfo, payer: VoucherPayer | None = None, large_print: bool = False
) -> bytes:
    """belege.pdf: pre-numbered vouchers, 3 per A4 page (2 in large print), blank or with a
    pre-printed payer."""
    sheet = VoucherSheet(tuple(numbers), payer)
    story: list[Flowable] = [GroupStart(Running(None, "", 8))]
    story += voucher_story(sheet, ring, large_print) or [Paragraph("Keine Belegnummern.", styles_for().body)]
    return build_pdf(story, voucher_templates(large_print), title=f"Belege {ring.name}", author=ring.name)
