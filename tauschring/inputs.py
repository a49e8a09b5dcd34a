"""The one rule for text people type, whatever the door it comes through: the web forms, the API,
the command line and imported files.

A text never carries control characters (NUL breaks PostgreSQL, the others have no place in a
name, a listing or a booking text), nor the characters that reverse or isolate the direction of
the text around them (a "bidi override" can make "Miete 100" read as something else in a list),
nor a lone surrogate (which no database can store). Only texts of several lines keep line
breaks and tabs; a line break is always "\n". The API documents the same rule as a pattern.
"""

from __future__ import annotations

import re

from sqlalchemy import String, Text, event, inspect
from sqlalchemy.orm import Session

from . import errors

# The C0 and C1 control characters; long texts may keep tab and line feed.
CONTROL = r"\u0000-\u001f\u007f-\u009f"
CONTROL_BUT_LINES = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), and the line and paragraph
# separators that some programs take for line breaks.
DIRECTION = r"\u202a-\u202e\u2066-\u2069\u2028\u2029"

_ONE_LINE = re.compile(f"[{CONTROL}{DIRECTION}]")
_LINES = re.compile(f"[{CONTROL_BUT_LINES}{DIRECTION}]")


def pattern(*, multiline: bool, blank: bool) -> str:
    """The rule as a regular expression that Python's re and JSON Schema's ECMA dialect read
    alike (the API's documentation): no forbidden character, and unless ``blank`` at least one
    character that is not a space."""
    forbidden = (CONTROL_BUT_LINES if multiline else CONTROL) + DIRECTION
    if blank:
        return f"^[^{forbidden}]*$"
    return rf"^[^\S{forbidden}]*[^\s{forbidden}][^{forbidden}]*$"


def problem(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with a text under the rule ("control", "direction", "surrogate"), or None."""
    found = (_LINES if multiline else _ONE_LINE).search(value)
    if found is not None:
        return "direction" if re.match(f"[{DIRECTION}]", found.group()) else "control"
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        return "surrogate"
    return None


def lines(value: str) -> str:
    """Line breaks as "\n" (a form sends "\r\n", old files a bare "\r")."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


@event.listens_for(Session, "before_flush")
def _every_text_follows_the_rule(session: Session, flush_context, instances) -> None:
    """The last guard, for every door at once: no text reaches the database against the rule or
    longer than its column (PostgreSQL would refuse with an error, SQLite would store it). Long
    texts are the ``Text`` columns and those marked ``info={"lines": True}``."""
    for obj in (*session.new, *session.dirty):
        state = inspect(obj)
        mapper = state.mapper
        for column in mapper.columns:
            if not isinstance(column.type, String):
                continue
            value = state.dict.get(mapper.get_property_by_column(column).key)  # what is loaded or set
            if not isinstance(value, str):
                continue
            multiline = isinstance(column.type, Text) or column.info.get("lines", False)
            if problem(value, multiline=multiline):
                raise errors.TextInvalid(field=column.key)
            length = getattr(column.type, "length", None)
            if length is not None and len(value) > length:
                raise errors.TextTooLong(field=column.key, maximum=length)
