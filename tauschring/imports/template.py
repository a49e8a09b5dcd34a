"""The spreadsheet template a ring fills in to move in: one file per kind of data, as CSV (UTF-8
with a byte order mark and semicolons, which spreadsheet programs open with umlauts intact) and as
XLSX (the columns on the first sheet, what each holds on a second one)."""

from __future__ import annotations

import io

from ..texts import in_german
from .formats import TEMPLATE_HINTS, template_columns

FILE_NAMES = {"members": "mitglieder", "listings": "inserate", "balances": "kontostaende"}


def hint(field: str) -> object:
    """What a template column holds (the consent columns share one hint), as a lazy text."""
    if field.endswith(("_online", "_print")):
        return TEMPLATE_HINTS["phone_online"]
    return TEMPLATE_HINTS.get(field, "")


def template_csv(kind: str) -> bytes:
    """The header line of the template for ``kind``."""
    return ("\ufeff" + ";".join(column.label for column in template_columns(kind)) + "\r\n").encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    """The template as a workbook: the header row (bold, frozen) and a sheet of hints."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Daten"
    columns = template_columns(kind)
    sheet.append([column.label for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(
            14, len(column.label) + 4
        )
    sheet.freeze_panes = "A2"
    hints = workbook.create_sheet("Hinweise")
    hints.append(["Spalte", "Pflicht", "Inhalt"])
    for cell in hints[1]:
        cell.font = Font(bold=True)
    for column in columns:
        hints.append([column.label, "ja" if column.required else "", in_german(hint(column.field))])
    hints.column_dimensions["A"].width = 22
    hints.column_dimensions["C"].width = 70
    workbook.properties.creator = "Tauschring"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
