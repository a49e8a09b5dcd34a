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
