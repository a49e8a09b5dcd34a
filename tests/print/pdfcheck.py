"""Reading the produced PDFs back with pypdf: page texts, text positions, fonts and metadata."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

MM = 72 / 25.4
PAGE_HEIGHT_MM = 297.0


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _normalise(text: str) -> str:
    return text.replace("\xa0", " ")


@lru_cache(maxsize=32)
def _page_texts(pdf: bytes) -> tuple[str, ...]:
    return tuple(_normalise(page.extract_text()) for page in reader(pdf).pages)


def page_texts(pdf: bytes) -> list[str]:
    """The text of every page, in content-stream order (non-breaking spaces as spaces)."""
    return list(_page_texts(pdf))


def all_text(pdf: bytes) -> str:
    return "\n".join(page_texts(pdf))


def flat(text: str) -> str:
    """Text with all whitespace removed (for words that were broken across lines)."""
    return re.sub(r"\s+", "", text)


def metadata_text(pdf: bytes) -> str:
    """Every value of the document information dictionary, as one string."""
    meta = reader(pdf).metadata or {}
    return " ".join(str(value) for value in meta.values())


@dataclass(frozen=True)
class Placed:
    """A piece of text with its position (mm from the left and from the top) and font size."""

    text: str
    x_mm: float
    top_mm: float
    size: float
    font: str


def placed_texts(pdf: bytes, page_index: int) -> list[Placed]:
    """Text pieces of one page with their page position (text matrix times CTM)."""
    return list(_placed_texts(pdf, page_index))


@lru_cache(maxsize=256)
def _placed_texts(pdf: bytes, page_index: int) -> tuple[Placed, ...]:
    found: list[Placed] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (tm[3] * cm[3]) or 1
        name = str(font.get("/BaseFont", "")) if font else ""
        found.append(
            Placed(_normalise(text).strip(), x / MM, PAGE_HEIGHT_MM - y / MM, size * abs(scale), name)
        )

    reader(pdf).pages[page_index].extract_text(visitor_text=visit)
    return tuple(found)


def _font_problems(font: DictionaryObject, problems: list[str], seen: set[str]) -> None:
    base = str(font.get("/BaseFont", "?"))
    seen.add(base)
    if "Helvetica" in base or "Times" in base or "Courier" in base:
        problems.append(f"standard font {base}")
    if font.get("/Subtype") == "/Type0":
        for descendant in font.get("/DescendantFonts", []):
            _font_problems(descendant.get_object(), problems, seen)
        return
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        problems.append(f"{base} has no font descriptor (not embedded)")
        return
    descriptor = descriptor.get_object()
    if "/FontFile2" not in descriptor:
        problems.append(f"{base} is not embedded as TrueType (/FontFile2 missing)")


def _walk_resources(resources: Any, problems: list[str], seen: set[str]) -> None:
    if resources is None:
        return
    resources = resources.get_object()
    for ref in (resources.get("/Font") or {}).values():
        _font_problems(ref.get_object(), problems, seen)
    for ref in (resources.get("/XObject") or {}).values():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form":
            _walk_resources(xobject.get("/Resources"), problems, seen)


def font_report(pdf: bytes) -> tuple[set[str], list[str]]:
    """All font names used on any page, and every embedding problem found."""
    problems: list[str] = []
    seen: set[str] = set()
    for page in reader(pdf).pages:
        _walk_resources(page.get("/Resources"), problems, seen)
    return seen, problems


def image_count(pdf: bytes) -> int:
    """How many image XObjects the pages use."""
    count = 0
    for page in reader(pdf).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for ref in (resources.get_object().get("/XObject") or {}).values():
            if ref.get_object().get("/Subtype") == "/Image":
                count += 1
    return count


@dataclass(frozen=True)
class Styled:
    """A piece of text with its font size (from Tf and the text matrix) and fill colour (grey 0..1
    per RGB channel, 0 is black); positions are left out, since text inside a form XObject (the
    vouchers' labels) is reported in the form's own coordinates."""

    text: str
    size: float
    font: str
    fill: tuple[float, ...]

    @property
    def darkest_channel_max(self) -> float:
        """How far from black the colour is (0 for black, 1 for white)."""
        return max(self.fill) if self.fill else 0.0


def styled_texts(pdf: bytes, page_index: int) -> list[Styled]:
    """Text pieces of one page with size, font and the fill colour in force when drawn."""
    return list(_styled_texts(pdf, page_index))


def _fill_of(operator: bytes, operands: list[Any]) -> tuple[float, ...] | None:
    values = tuple(float(value) for value in operands if isinstance(value, (int, float)))
    if operator == b"g" and len(values) == 1:
        return values * 3
    if operator == b"rg" and len(values) == 3:
        return values
    if operator == b"k" and len(values) == 4:
        c, m, y, k = values
        return tuple(1 - min(1.0, channel + k) for channel in (c, m, y))
    return None


@lru_cache(maxsize=256)
def _styled_texts(pdf: bytes, page_index: int) -> tuple[Styled, ...]:
    found: list[Styled] = []
    state = {"fill": (0.0, 0.0, 0.0)}
    saved: list[tuple[float, ...]] = []

    def before(operator: bytes, operands: list[Any], cm: list[float], tm: list[float]) -> None:
        if operator == b"q":
            saved.append(state["fill"])
        elif operator == b"Q" and saved:
            state["fill"] = saved.pop()
        else:
            fill = _fill_of(operator, operands)
            if fill is not None:
                state["fill"] = fill

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():
            return
        scale = (tm[3] * cm[3]) or 1
        name = str(font.get("/BaseFont", "")) if font else ""
        found.append(Styled(_normalise(text).strip(), round(size * abs(scale), 2), name, state["fill"]))

    reader(pdf).pages[page_index].extract_text(visitor_operand_before=before, visitor_text=visit)
    return tuple(found)
