"""The resources of /api/v1, one module each. Every call is authorised exactly like the same
action on the web, by the same use case: the token carries its owner's rights; member actions act
as the owner's member (or a member they may act for); office resources need the office role."""

from ..common import ALL_BLUEPRINTS
from . import accounts, batches, editions, entries, listings, me, members, payment_requests  # noqa: F401

__all__ = ["ALL_BLUEPRINTS"]
