"""The member's profile: contact data, every consent switch, and all their data to download."""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from .. import context, members, statements
from ..db import db
from ..members import consents
from ..models import CONSENT_CHANNELS, CONTACT_FIELDS, ConsentChange, Listing, PaymentRequest, User
from .common import REFUSALS, actor, commit, current_member, member_required, refused_page
from .forms import ProfileForm

bp = Blueprint("profile", __name__)


@bp.route("/profil", methods=["GET", "POST"])
@member_required
def show():
    member = current_member()
    form = ProfileForm(obj=member) if request.method == "GET" else ProfileForm()
    if request.method == "GET":
        for (field, channel), granted in consents(member).items():
            getattr(form, f"{field}_{channel}").data = granted
        return render_template("profile/show.html", form=form, member=member)
    if not form.validate_on_submit():
        return render_template("profile/show.html", form=form, member=member), 400

    def save(session) -> int:
        members.update_contact(
            session,
            actor(),
            member,
            now=context.now(),
            **{name: getattr(form, name).data for name in members.CONTACT_DATA},
        )
        granted = {
            (field, channel): bool(getattr(form, f"{field}_{channel}").data)
            for field in CONTACT_FIELDS
            for channel in CONSENT_CHANNELS
        }
        return members.set_consents(session, actor(), member, granted, now=context.now())

    try:
        commit(save)
    except REFUSALS as refusal:
        return refused_page(refusal, "profile/show.html", reader=member, form=form, member=member)
    flash(_("Ihre Angaben sind gespeichert."), "success")
    return redirect(url_for("profile.show"))


def _iso(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _row(obj, columns) -> dict:
    return {column: _iso(getattr(obj, column)) for column in columns}


@bp.get("/profil/meine-daten.json")
@member_required
def export():
    """Everything the ring stores about the member (DSGVO Art. 15/20), as JSON."""
    member = current_member()
    session = db.session
    statement = statements.statement_of(session, member, full_names=False)
    data = {
        "exported_at": context.now().isoformat(),
        "member": _row(member, ("number", *members.EDITABLE_BY_OFFICE, *members.STATUS_FIELDS, "joined_on")),
        "consents": [
            _row(c, ("field", "channel", "granted", "changed_on", "source")) for c in member.consents
        ],
        "consent_history": [
            _row(c, ("field", "channel", "granted", "changed_on", "source", "recorded_at"))
            for c in session.scalars(
                select(ConsentChange).where(ConsentChange.member_id == member.id).order_by(ConsentChange.id)
            )
        ],
        "logins": [
            _row(u, ("username", "role", "locale", "created_at", "last_login_at", "password_changed_at"))
            for u in session.scalars(select(User).where(User.member_id == member.id))
        ],
        "account": {
            "balance_minutes": statement.closing_balance,
            "entries": [
                {
                    "entry": line.entry_id,
                    "kind": line.kind,
                    "booked_at": line.booked_at.isoformat(),
                    "service_date": line.service_date.isoformat(),
                    "memo": line.memo,
                    "minutes": line.amount,
                    "balance_after_minutes": line.balance_after,
                    "voucher_number": line.voucher_number,
                    "reverses": line.reverses_id,
                    "reversed_by": line.reversed_by_id,
                    "partners": [
                        {"member_number": p.member_number, "name": str(p.name), "minutes": p.amount}
                        for p in line.partners
                    ],
                }
                for line in statement.lines
            ],
        },
        "listings": [
            {
                "number": listing.public_number,
                **_row(
                    listing,
                    (
                        "kind",
                        "title",
                        "text",
                        "district",
                        "availability",
                        "price_hint",
                        "print_in_paper",
                        "created_at",
                        "edited_at",
                        "renewed_at",
                        "expires_on",
                        "withdrawn_at",
                    ),
                ),
            }
            for listing in session.scalars(select(Listing).where(Listing.member_id == member.id))
        ],
        "payment_requests": [
            {
                "role": "payer" if r.payer_id == member.id else "payee",
                **_row(r, ("minutes", "memo", "service_date", "status", "created_at", "answered_at", "note")),
            }
            for r in session.scalars(
                select(PaymentRequest).where(
                    or_(PaymentRequest.payer_id == member.id, PaymentRequest.payee_id == member.id)
                )
            )
        ],
    }
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="meine-daten-{member.number}.json"'},
    )
