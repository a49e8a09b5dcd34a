"""Moving in: members, listings and opening balances from Cyclos 3, TimeOverflow or a spreadsheet.

``staging`` holds the use cases (stage, preview, map Rubriken, take over, discard), ``formats``
the columns of every file and where they come from, ``reading`` CSV and XLSX files, ``values``
the cells, ``template`` the downloadable spreadsheet template.
"""

from .staging import (
    ImportCheck,
    ImportOutcome,
    LineCheck,
    check_import,
    discard_import,
    import_for,
    map_categories,
    post_import,
    preview_import,
    stage_import,
)

__all__ = [
    "ImportCheck",
    "ImportOutcome",
    "LineCheck",
    "check_import",
    "discard_import",
    "import_for",
    "map_categories",
    "post_import",
    "preview_import",
    "stage_import",
]
