"""The bundled DejaVu Sans fonts: registered once, embedded in every PDF.

reportlab falls back to Helvetica (not embedded, cp1252 only) wherever a font is not set, so every
style, table, canvas and barcode in print/ names one of these two fonts explicitly.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).with_name("fonts")
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with reportlab, mapping <b> and <i> onto them."""
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    # No oblique face is bundled: <i> falls back to the upright faces instead of Helvetica.
    for family in (REGULAR, BOLD):
        addMapping(family, 0, 0, REGULAR if family == REGULAR else BOLD)
        addMapping(family, 1, 0, BOLD)
        addMapping(family, 0, 1, REGULAR if family == REGULAR else BOLD)
        addMapping(family, 1, 1, BOLD)


@lru_cache(maxsize=1)
def printable_characters() -> frozenset[str]:
    """Every character both faces have a glyph for (text in either face must be printable)."""
    register_fonts()
    regular = pdfmetrics.getFont(REGULAR).face.charToGlyph
    bold = pdfmetrics.getFont(BOLD).face.charToGlyph
    both = (chr(code) for code in regular.keys() & bold.keys())
    return frozenset(char for char in both if unicodedata.category(char) != "Cc")
