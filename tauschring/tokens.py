"""Personal API tokens: created by their owner (shown once), stored only as a hash, listed by
name, revoked; a token carries exactly its owner's rights."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from . import audit, errors
from .models import ApiToken, User
from .permissions import Actor

TOKEN_PREFIX = "tsr_"
MAX_TOKEN_LENGTH = 200
# How often a token's last use is noted: hourly is enough to see which tokens are in use.
LAST_USE_RESOLUTION = dt.timedelta(hours=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, actor: Actor, *, name: str, now: dt.datetime) -> tuple[ApiToken, str]:
    """A new token for the actor's own login; the plain token is returned once and never stored."""
    if actor.user_id is None:
        raise errors.Forbidden()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=actor.user_id,
        name=(name or "").strip()[:100] or "API",
        prefix=token[:10],
        token_hash=hash_token(token),
        created_at=now,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor,
        now=now,
        action="token.create",
        object_type="api_token",
        object_id=record.id,
        summary=f"API-Token {record.prefix}… angelegt",
    )
    return record, token


def revoke_token(session: Session, actor: Actor, *, token_id: int, now: dt.datetime) -> ApiToken:
    """The owner revokes one of their tokens (once revoked, it stays revoked)."""
    record = session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if record is None or actor.user_id is None or record.user_id != actor.user_id:
        raise errors.TokenUnknown(token_id=token_id)
    if record.revoked_at is None:
        record.revoked_at = now
        session.flush()
        audit.record(
            session,
            actor,
            now=now,
            action="token.revoke",
            object_type="api_token",
            object_id=record.id,
            summary=f"API-Token {record.prefix}… widerrufen",
        )
    return record


def tokens_of(actor: Actor) -> Select:
    return select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.created_at.desc())


def user_of_token(session: Session, token: str) -> tuple[User, ApiToken] | None:
    """The active login behind a token that is not revoked; None for any other token. Reads only."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    user = session.get(User, record.user_id) if record is not None else None
    if record is None or record.revoked_at is not None or user is None or not user.active:
        return None
    return user, record


def note_use(session: Session, record: ApiToken, now: dt.datetime) -> bool:
    """Note a token's use, at most hourly; done in the transaction of a request that writes anyway
    (a reading request writes nothing, so it never waits for the write lock)."""
    if record.last_used_at is not None and now - record.last_used_at < LAST_USE_RESOLUTION:
        return False
    session.execute(update(ApiToken).where(ApiToken.id == record.id).values(last_used_at=now))
    return True
