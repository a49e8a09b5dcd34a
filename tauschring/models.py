"""All tables of the application. The ledger's tables come first; the application adds its own
to the same metadata, which Alembic migrates."""

from __future__ import annotations

from ledger.models import Base

metadata = Base.metadata

__all__ = ["Base", "metadata"]
