"""Reading a file a ring brings along: a CSV text or an XLSX workbook, as rows of text cells.

CSV files come from spreadsheets and old systems in UTF-8 (with or without a byte order mark),
UTF-16 ("Unicode text" from Excel) or Windows-1252; UTF-8 is tried strictly first, so a file that
is valid UTF-8 is never read as Windows-1252. The separator is the one of ``;``, ``,`` and tab
that the header line uses most (outside quotes). An XLSX workbook is read from its first sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass

from .. import errors, inputs

MAX_BYTES = 5_000_000
MAX_LINES = 5_000
# An XLSX file is a zip: what it unpacks to is bounded too (a small file can unpack to gigabytes).
MAX_UNPACKED_BYTES = 60_000_000


@dataclass(frozen=True)
class Row:
    """One row of the file: its line (CSV) or row number (XLSX), for messages, and its cells."""

    line: int
    cells: tuple[str, ...]

    def cell(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]


def read_rows(raw: bytes) -> list[Row]:
    """Every non-empty row of a CSV or XLSX file (the header first), cells as trimmed text."""
    if len(raw) > MAX_BYTES:
        raise errors.ImportTooLarge(megabytes=MAX_BYTES // 1_000_000)
    if raw.startswith(b"PK\x03\x04"):
        rows = _workbook_rows(raw)
    else:
        rows = _csv_rows(decode(raw))
    if not rows:
        raise errors.ImportEmpty()
    if len(rows) > MAX_LINES + 1:
        raise errors.ImportTooManyLines(maximum=MAX_LINES)
    return rows


def decode(raw: bytes) -> str:
    """The text of a CSV file: UTF-16 by its byte order mark, else UTF-8 (strictly), else
    Windows-1252 (which every byte sequence nearly is)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise errors.ImportUnreadable() from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


_REFUSED = re.compile("[" + inputs.CONTROL_BUT_LINES + inputs.DIRECTION + r"\r\ud800-\udfff" + "]")


def clean(text: str) -> str:
    """A cell as text people may read, under the rule for text (``inputs``): what the rule
    refuses (control characters but line breaks and tabs, direction overrides, lone surrogates)
    becomes a space, so that an odd cell is shown and checked, not a refused import; outer blanks
    dropped."""
    return _REFUSED.sub(" ", text).strip()


def _separator(text: str) -> str:
    """The separator the first line uses most, outside quotes (a semicolon when none is seen)."""
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            if any(counts.values()):
                break
        elif ch in counts and not quoted:
            counts[ch] += 1
    best = max(counts.values())
    return ";" if best == 0 or counts[";"] == best else ("," if counts[","] == best else "\t")


def _csv_rows(text: str) -> list[Row]:
    text = text.lstrip("\ufeff").replace("\x00", "")
    if not text.strip():
        raise errors.ImportEmpty()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text), quotechar='"')
    rows = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append(Row(start, tuple(clean(cell) for cell in cells)))
            start = reader.line_num + 1
            if len(rows) > MAX_LINES + 1:
                break
    except csv.Error:
        raise errors.ImportUnreadable() from None
    return rows


def _workbook_rows(raw: bytes) -> list[Row]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise errors.ImportTooLarge(megabytes=MAX_BYTES // 1_000_000)
        with warnings.catch_warnings():
            # Workbooks from other programs often lack a default style and the like: harmless.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = []
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    cells = tuple(_cell_text(value) for value in values)
                    if any(cells):
                        rows.append(Row(number, cells))
                    if len(rows) > MAX_LINES + 1:
                        break
            finally:
                workbook.close()
    except errors.Refusal:
        raise
    except Exception:  # a broken zip, a workbook openpyxl cannot read: one answer for all
        raise errors.ImportUnreadable() from None
    return rows


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold: dates as YYYY-MM-DD, whole numbers
    without a decimal point, other numbers with a decimal point."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return clean(str(value))
