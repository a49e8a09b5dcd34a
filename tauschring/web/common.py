"""What the web pages share: the member a page acts as, access decorators, the one commit of a
use case, and refusals shown as a message."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TypeVar

from flask import Response, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

import ledger

from .. import context, errors
from ..db import TransactionFailed, db, run_in_transaction
from ..models import Member
from ..texts import Refusal

T = TypeVar("T")

ACTING_KEY = "acting_member_id"
REFUSALS = (errors.Refusal, ledger.LedgerError)


def current_member() -> Member | None:
    """The member this login acts as: a member chosen for this session (helped, or chosen by the
    office) while it may still act for them, else its own."""
    if not current_user.is_authenticated:
        return None
    acting_id = session.get(ACTING_KEY)
    requested = db.session.get(Member, acting_id) if isinstance(acting_id, int) else None
    member = context.acting_member(requested)
    if acting_id is not None and (member is None or member.id != acting_id):
        session.pop(ACTING_KEY, None)  # the link ended, or the member left: act as oneself again
    return member


def member_required(view: Callable[..., T]) -> Callable[..., T]:
    """Signed in, and acting as a member (helpers and office staff choose one first)."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_member() is None:
            return redirect(url_for("auth.act_for"))
        return view(*args, **kwargs)

    return wrapped


def commit(work: Callable[[object], T]) -> T:
    """Run one use case in one transaction and commit it (with bounded retries on collisions)."""
    try:
        return run_in_transaction(db.session, work)
    except TransactionFailed:
        flash(_("Der Tauschring ist gerade sehr beschäftigt. Bitte versuchen Sie es gleich noch einmal."))
        raise


def refused(refusal: Refusal, *, reader: Member | None = None) -> int:
    """Show a refusal as an error message; returns the HTTP status for the page (a page answers
    input that breaks a rule with 400, as it answers any other bad form input)."""
    flash(context.explain_refusal(refusal, reader=reader), "error")
    status = errors.status_of(refusal)
    return 400 if status == 422 else status


def refused_page(refusal: Refusal, template: str, *, reader: Member | None = None, **values):
    """The page again, with the refusal as its error message and the refusal's status."""
    status = refused(refusal, reader=reader)
    return render_template(template, **values), status


def refusal_or_404(refusal: Refusal) -> None:
    """What does not exist for the reader (another ring's, another member's) is a plain 404."""
    if isinstance(refusal, errors.Unknown):
        abort(404)


def actor():
    return context.actor()


def json_download(data: dict, filename: str) -> Response:
    """A JSON file to download (people's own data; umlauts as they are)."""
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
