"""The member's profile: contact data, every consent switch, and all their data to download."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import context, members, privacy
from ..db import db
from ..members import consents
from ..models import CONSENT_CHANNELS, CONTACT_FIELDS
from .common import REFUSALS, actor, commit, current_member, json_download, member_required, refused_page
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


@bp.get("/profil/meine-daten.json")
@member_required
def export():
    """Everything the ring stores about the member (DSGVO Art. 15/20), as JSON."""
    member = current_member()
    data = privacy.data_of(db.session, actor(), member, now=context.now())
    return json_download(data, f"meine-daten-{member.number}.json")
