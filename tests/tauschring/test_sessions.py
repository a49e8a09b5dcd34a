"""Login sessions and failed sign-ins at the service level, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tauschring import errors, logins, sessions
from tauschring.db import run_in_transaction
from tauschring.models import LoginSession, SignInFailure
from tests.tauschring.conftest import PASSWORD, T0


def sign_in(world, username="anna", password=PASSWORD, client="c1", now=T0):
    return logins.sign_in(world.session, username=username, password=password, client=client, now=now)


def test_a_sign_in_opens_a_session_whose_key_alone_finds_the_login(world):
    user = sign_in(world)
    key = user.session_key
    stored = world.session.get(LoginSession, user.session_id)
    assert key.split(":", 1)[1] not in stored.secret_hash  # only the hash is kept
    assert sessions.user_of_session(world.session, key, T0 + dt.timedelta(hours=7)) is user
    assert sessions.user_of_session(world.session, key, T0 + sessions.SESSION_LIFETIME) is None
    assert sessions.user_of_session(world.session, key[:-1] + "x", T0) is None
    assert sessions.user_of_session(world.session, "99999999999:x", T0) is None


def test_signing_out_ends_only_this_session(world):
    first, second = sign_in(world).session_key, sign_in(world).session_key
    actor = logins_actor(world, first)
    sessions.sign_out(world.session, actor, now=T0)
    assert sessions.user_of_session(world.session, first, T0) is None
    assert sessions.user_of_session(world.session, second, T0) is not None


def logins_actor(world, key):
    from tauschring.permissions import Actor

    return Actor.of(sessions.user_of_session(world.session, key, T0))


def test_a_login_ends_its_own_sessions_and_no_one_elses(world):
    anna = sign_in(world).session_key
    other = sign_in(world).session_key
    bernd = sign_in(world, "bernd").session_key
    actor = logins_actor(world, anna)
    with pytest.raises(errors.SessionUnknown):
        sessions.end_session(world.session, actor, session_id=int(bernd.split(":")[0]), now=T0)
    assert sessions.end_other_sessions(world.session, actor, now=T0) == 1
    assert sessions.user_of_session(world.session, other, T0) is None
    assert sessions.user_of_session(world.session, anna, T0) is not None
    assert sessions.user_of_session(world.session, bernd, T0) is not None


def test_a_failed_sign_in_is_counted_although_its_transaction_rolls_back(world):
    with pytest.raises(errors.WrongCredentials):
        run_in_transaction(world.session, lambda s: sign_in(world, password="falsch-falsch"))
    assert world.session.scalar(select(func.count()).select_from(SignInFailure)) == 1
    assert world.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def _fail(world, times, **kw):
    for _ in range(times):
        with pytest.raises(errors.WrongCredentials) as refused:
            sign_in(world, password="falsch-falsch", **kw)
        refused.value.remember(world.session)


def test_the_wait_ends_when_the_oldest_counted_failure_is_fifteen_minutes_old(world):
    _fail(world, 5)
    with pytest.raises(errors.SignInThrottled) as waiting:
        sign_in(world, now=T0 + dt.timedelta(minutes=10))
    assert waiting.value.params["minutes"] == 5
    assert sign_in(world, now=T0 + dt.timedelta(minutes=15, seconds=1)).session_key


def test_failures_older_than_a_day_are_forgotten(world):
    _fail(world, 3)
    later = T0 + dt.timedelta(days=1, minutes=1)
    with pytest.raises(errors.WrongCredentials) as refused:
        sign_in(world, password="falsch-falsch", now=later)
    refused.value.remember(world.session)
    assert world.session.scalar(select(func.count()).select_from(SignInFailure)) == 1


def test_a_deactivated_login_cannot_sign_in_and_its_sessions_end(world):
    key = sign_in(world, "dora").session_key
    user = world.users["dora"]
    sessions.end_everything_of(world.session, user, T0, "deactivated")
    user.active = False
    assert sessions.user_of_session(world.session, key, T0) is None
    with pytest.raises(errors.WrongCredentials):
        sign_in(world, "dora")
