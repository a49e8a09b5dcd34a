"""What the commands share: the rings they act on, named by short name (slug) or number."""

from __future__ import annotations

import click

from .. import errors
from ..db import db
from ..jobs import ring_ids
from ..rings import ring_by_reference
from ..texts import explain

RING_HELP = "Tauschring (Kurzname oder Nummer)"


def named_ring(reference: str) -> int:
    """The ring a command names; an unknown one ends the command with its reason (exit 2)."""
    try:
        return ring_by_reference(db.session, reference)
    except errors.Refusal as refusal:
        raise click.UsageError(explain(refusal)) from None


def rings_or_all(ring: str | None) -> list[int]:
    """The ring asked for, else every ring of the database."""
    return [named_ring(ring)] if ring is not None else ring_ids(db.session)


def one_ring(ring: str | None) -> int:
    """The ring asked for, else the only one; with several, the command refuses to guess."""
    if ring is not None:
        return named_ring(ring)
    try:
        return ring_by_reference(db.session, None)
    except errors.Refusal as refusal:
        raise click.UsageError(explain(refusal)) from None
