"""What the commands share: the rings they act on."""

from __future__ import annotations

import click

from ..db import db
from ..jobs import ring_ids


def rings_or_all(ring: int | None) -> list[int]:
    """The ring asked for, else every ring of the database."""
    return [ring] if ring is not None else ring_ids(db.session)


def one_ring(ring: int | None) -> int:
    """The ring asked for, else the only one; with several, the command refuses to guess."""
    found = rings_or_all(ring)
    if len(found) != 1:
        raise click.UsageError("Bitte mit --ring angeben, für welchen Tauschring.")
    return found[0]
