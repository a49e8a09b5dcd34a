"""Pre-numbered vouchers (Tauschscheck / Buchungsbeleg): a stub to keep and a slip for the office.

Each voucher fills one of the three voucher frames of a page; it draws relative to that box.
The number is printed as text and as Code128 (without the barcode's own label, which would be
set in Helvetica).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import black
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from print.data import RingInfo, VoucherPayer, VoucherSheet
from print.fonts import BOLD, REGULAR
from print.layout import GroupStart, Running, build_pdf, voucher_templates
from print.styles import GREY, RULE_GREY, styles_for
from print.text import fit_text, one_line


class Voucher(Flowable):
    """One voucher: stub on the left, slip on the right, filling the box of its frame."""

    def __init__(self, number: str, ring: RingInfo, payer: VoucherPayer | None, scale: float = 1.0) -> None:
        super().__init__()
        self.number = one_line(number)
        self.ring = ring
        self.payer = payer
        self.scale = scale

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, availHeight
        return availWidth, availHeight

    # -- drawing helpers -------------------------------------------------------------------

    def _text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        bold: bool = False,
        width: float | None = None,
        grey: bool = False,
    ) -> float:
        font = BOLD if bold else REGULAR
        if width is not None:
            text = fit_text(text, font, size, width)
        self.canv.setFont(font, size)
        self.canv.setFillColor(GREY if grey else black)
        self.canv.drawString(x, y, text)
        return self.canv.stringWidth(text, font, size)

    def _field(self, x: float, y: float, right: float, label: str, value: str | None = None) -> None:
        """A label followed by a writing line up to `right` (or a pre-printed value)."""
        size = 9 * self.scale
        used = self._text(x, y, label, size, grey=True)
        start = x + used + 2 * mm if label else x
        if value:
            self._text(start, y, value, 11 * self.scale, bold=True, width=right - start)
            return
        self.canv.setStrokeColor(black)
        self.canv.setLineWidth(0.5)
        self.canv.line(start, y - 1.5, right, y - 1.5)

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

    # -- the voucher -------------------------------------------------------------------------
    #
    # Everything that is the same on every voucher (labels, lines, the office) is drawn once into a
    # form XObject and reused; only the number, the barcode and the payer are drawn per voucher.
    # That keeps a run of a thousand vouchers fast and the PDF small.

    def _geometry(self) -> dict[str, float]:
        side, edge = 10 * mm, 8 * mm
        stub_right = side + 46 * mm
        return {
            "side": side,
            "edge": edge,
            "top": self.height - edge,
            "stub_right": stub_right,
            "slip_left": stub_right + 9 * mm,
            "right": self.width - side,
            "middle": stub_right + 9 * mm + (self.width - side - stub_right - 9 * mm) * 0.62,
        }

    def _form_name(self) -> str:
        key = f"{self.ring!r}|{self.scale}|{self.payer is None}|{self.width:.2f}|{self.height:.2f}"
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

    def _draw_static(self) -> None:
        canv, scale, ring = self.canv, self.scale, self.ring
        g = self._geometry()
        side, edge, top = g["side"], g["edge"], g["top"]
        stub_right, slip_left, right, middle = g["stub_right"], g["slip_left"], g["right"], g["middle"]
        hours = ring.minutes_per_unit == 60

        # perforation between stub and slip
        canv.setStrokeColor(RULE_GREY)
        canv.setLineWidth(0.5)
        canv.setDash(2, 2)
        canv.line(stub_right + 4.5 * mm, edge, stub_right + 4.5 * mm, self.height - edge)
        canv.setDash()

        # stub: kept by the payer
        stub_width = stub_right - side
        self._text(side, top - 10 * scale, "Kontrollabschnitt", 10 * scale, bold=True, width=stub_width)
        self._text(side, top - 22 * scale, "Beleg-Nr.", 8 * scale, grey=True)
        y = top - 62 * scale
        for label in ("Datum", "an", "Stunden" if hours else one_line(ring.unit_plural), "Leistung", ""):
            self._field(side, y, stub_right, label)
            y -= 24 * scale
        self._text(side, edge + 2, "Für Ihre Unterlagen", 7.5 * scale, grey=True, width=stub_width)

        # slip: goes to the office
        slip_width = right - slip_left
        title_width = slip_width * 0.45
        self._text(slip_left, top - 10 * scale, one_line(ring.name), 11 * scale, bold=True, width=title_width)
        self._text(slip_left, top - 23 * scale, "Tauschscheck · Buchungsbeleg", 9 * scale, width=title_width)
        y = top - 58 * scale
        if self.payer is None:
            self._field(slip_left, y, right, "Leistungsnehmer (zahlt):")
        else:
            self._text(slip_left, y, "Leistungsnehmer (zahlt):", 9 * scale, grey=True)
        y -= 25 * scale
        self._field(slip_left, y, middle - 4 * mm, "Leistungsgeber (erhält):")
        self._field(middle, y, right, "Mitgl.-Nr.")
        y -= 25 * scale
        self._field(slip_left, y, middle - 4 * mm, "Leistungsdatum:")
        self._field(middle, y, right, ("Stunden (Std.:Min.)" if hours else one_line(ring.unit_plural)) + ":")
        y -= 25 * scale
        self._field(slip_left, y, right, "Leistung:")
        y -= 22 * scale
        self._field(slip_left, y, right, "")
        y -= 34 * scale
        canv.setStrokeColor(black)
        canv.setLineWidth(0.5)
        canv.line(slip_left, y, middle - 6 * mm, y)
        canv.line(middle, y, right, y)
        self._text(slip_left, y - 9 * scale, "Unterschrift Leistungsnehmer", 8 * scale, grey=True)
        self._text(middle, y - 9 * scale, "Unterschrift Leistungsgeber", 8 * scale, grey=True)
        office = f"Bitte im Büro abgeben · Tel. {one_line(ring.office_phone)} · " + ", ".join(
            one_line(line) for line in ring.office_address
        )
        self._text(slip_left, edge + 2, office, 7.5 * scale, grey=True, width=slip_width)

    def _draw_variable(self) -> None:
        canv, scale = self.canv, self.scale
        g = self._geometry()
        side, top, stub_right = g["side"], g["top"], g["stub_right"]
        slip_left, right = g["slip_left"], g["right"]
        slip_width = right - slip_left
        self._text(side, top - 35 * scale, self.number, 12 * scale, bold=True, width=stub_right - side)
        number_size = 13 * scale
        label = fit_text(self.number, BOLD, number_size, slip_width * 0.5)
        canv.setFont(BOLD, number_size)
        canv.setFillColor(black)
        canv.drawRightString(right, top - 10 * scale, label)
        canv.setFont(REGULAR, 8 * scale)
        canv.setFillColor(GREY)
        canv.drawRightString(
            right - canv.stringWidth(label, BOLD, number_size) - 2 * mm, top - 10 * scale, "Beleg-Nr."
        )
        self._barcode(right, top - 15 * scale, slip_width * 0.45, 9 * mm)
        if self.payer is not None:
            payer = f"{one_line(self.payer.name)} · Mitgl.-Nr. {one_line(self.payer.member_number)}"
            label_width = canv.stringWidth("Leistungsnehmer (zahlt):", REGULAR, 9 * scale)
            start = slip_left + label_width + 2 * mm
            self._text(start, top - 58 * scale, payer, 11 * scale, bold=True, width=right - start)


def voucher_story(sheet: VoucherSheet, ring: RingInfo, scale: float = 1.0) -> list[Flowable]:
    """The vouchers of a sheet, one per voucher frame (the story must be on "vouchers" pages)."""
    return [Voucher(number, ring, sheet.payer, scale) for number in sheet.numbers]


def render_blank_vouchers(numbers: Sequence[str], ring: RingInfo, payer: VoucherPayer | None = None) -> bytes:
    """belege.pdf: pre-numbered vouchers, 3 per A4 page, blank or with a pre-printed payer."""
    sheet = VoucherSheet(tuple(numbers), payer)
    story: list[Flowable] = [GroupStart(Running(None, "", 8))]
    story += voucher_story(sheet, ring) or [Paragraph("Keine Belegnummern.", styles_for().body)]
    return build_pdf(story, voucher_templates(), title=f"Tauschschecks {ring.name}", author=ring.name)
