"""Member administration at the office: admit, edit, consents from paper forms, logins, helpers,
suspend, leave (settle and close), erase; and acting for a member. Every rule is a use case in
``members`` or ``logins``; these views parse forms, call one use case and show the outcome."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

import ledger

from ... import context, logins, members, privacy, texts
from ...db import db
from ...members import EDITABLE_BY_OFFICE, consents
from ...models import CONSENT_CHANNELS, CONTACT_FIELDS, ConsentChange, Member, User
from ...units import AmountError, hm, parse_limit, whole_number
from ..common import ACTING_KEY, REFUSALS, actor, commit, json_download, refused, refused_page
from . import bp
from .forms import (
    AdmitForm,
    ConfirmForm,
    ConsentForm,
    EmptyForm,
    LimitsForm,
    LoginForm,
    MemberForm,
    NumberForm,
)


def _member(number: int) -> Member:
    try:
        return members.require_member(db.session, actor(), number)
    except REFUSALS:
        abort(404)


def _back(number: int):
    return redirect(url_for("office.member", number=number))


def _run(number: int, work, done: str | None = None):
    """Run one use case for the member page and go back to it, with its outcome as a message."""
    try:
        commit(work)
    except REFUSALS as refusal:
        refused(refusal)
    else:
        if done:
            flash(done, "success")
    return _back(number)


@bp.get("/mitglieder", endpoint="members")
def members_list():
    text = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "")
    query = members.search_members(
        db.session,
        actor().ring_id,
        text,
        status=status if status in ("active", "suspended", "left") else None,
        paper_only=request.args.get("papier") == "1",
        with_district=True,
    )
    rows = db.session.scalars(query.order_by(Member.number)).all()
    balances = {b.account_id: b for b in ledger.ring_balances(db.session, ring_id=actor().ring_id)}
    return render_template(
        "office/members.html",
        rows=rows,
        balances=balances,
        text=text,
        status=status,
        number_form=NumberForm(),
    )


@bp.route("/mitglieder/neu", methods=["GET", "POST"])
def admit():
    form = AdmitForm()
    if request.method == "GET":
        form.joined_on.data = context.today()
        return render_template("office/member_new.html", form=form)
    if not form.validate_on_submit():
        return render_template("office/member_new.html", form=form), 400
    if bool(form.username.data) != bool(form.password.data):
        form.username.errors.append(_("Für eine Anmeldung braucht es Benutzername und Anfangspasswort."))
        return render_template("office/member_new.html", form=form), 400
    details = {
        name: getattr(form, name).data
        for name in EDITABLE_BY_OFFICE
        if name not in ("first_name", "last_name")
    }

    def work(session):
        member = members.admit_member(
            session,
            actor(),
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            now=context.now(),
            joined_on=form.joined_on.data,
            **details,
        )
        if form.username.data:
            logins.create_login(
                session,
                actor(),
                username=form.username.data,
                password=form.password.data,
                now=context.now(),
                member=member,
            )
        return member.number

    try:
        number = commit(work)
    except REFUSALS as refusal:
        return refused_page(refusal, "office/member_new.html", form=form)
    flash(_("Mitglied %(n)s ist aufgenommen.", n=number), "success")
    return _back(number)


@bp.get("/mitglieder/<int:number>")
def member(number: int):
    found = _member(number)
    balance = ledger.balance_of(db.session, ring_id=found.ring_id, account_id=found.account_id)
    recent = ledger.recent_lines(db.session, ring_id=found.ring_id, account_id=found.account_id, count=10)
    history = db.session.scalars(
        select(ConsentChange).where(ConsentChange.member_id == found.id).order_by(ConsentChange.id.desc())
    ).all()
    consent_form = ConsentForm()
    for (field, channel), granted in consents(found).items():
        getattr(consent_form, f"{field}_{channel}").data = granted
    consent_form.changed_on.data = context.today()
    return render_template(
        "office/member.html",
        member=found,
        balance=balance,
        recent=recent,
        logins=db.session.scalars(select(User).where(User.member_id == found.id)).all(),
        helpers=logins.helpers_of(db.session, found),
        history=history,
        edit_form=MemberForm(obj=found),
        consent_form=consent_form,
        login_form=LoginForm(),
        action_form=EmptyForm(),
        confirm_form=ConfirmForm(),
        helper_form=NumberForm(),
        limits_form=_limits_form(found),
        ring_limits=_ring_limits(found.ring_id),
    )


def _ring_limits(ring_id: int) -> tuple[int | None, int | None]:
    ring = db.session.get(ledger.Ring, ring_id)
    return ring.default_min_balance, ring.default_max_balance


def _limits_form(member: Member) -> LimitsForm:
    form = LimitsForm()
    own = (member.account.min_balance, member.account.max_balance)
    form.min_balance.data, form.max_balance.data = (hm(m) if m is not None else "" for m in own)
    return form


@bp.post("/mitglieder/<int:number>/bearbeiten")
def edit(number: int):
    found = _member(number)
    form = MemberForm()
    if not form.validate_on_submit():
        flash(
            _(
                "Bitte prüfen Sie die Angaben: %(fields)s",
                fields=", ".join(str(getattr(form, name).label.text) for name in form.errors),
            ),
            "error",
        )
        return _back(number), 303
    changes = {name: getattr(form, name).data for name in EDITABLE_BY_OFFICE}
    return _run(
        number,
        lambda session: members.edit_member(session, actor(), found, now=context.now(), **changes),
        _("Gespeichert."),
    )


@bp.post("/mitglieder/<int:number>/einwilligungen")
def consent(number: int):
    found = _member(number)
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(_("Bitte geben Sie Quelle und Datum der Erklärung an."), "error")
        return _back(number)
    granted = {
        (field, channel): bool(getattr(form, f"{field}_{channel}").data)
        for field in CONTACT_FIELDS
        for channel in CONSENT_CHANNELS
    }
    return _run(
        number,
        lambda session: members.set_consents(
            session,
            actor(),
            found,
            granted,
            now=context.now(),
            changed_on=form.changed_on.data,
            source=form.source.data,
        ),
        _("Die Einwilligungen sind erfasst."),
    )


def _action(number: int, use_case, done: str):
    found = _member(number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _run(number, lambda session: use_case(session, actor(), found, now=context.now()), done)


@bp.post("/mitglieder/<int:number>/sperren")
def suspend(number: int):
    return _action(number, members.suspend_member, _("Mitglied %(n)s ist gesperrt.", n=number))


@bp.post("/mitglieder/<int:number>/entsperren")
def reactivate(number: int):
    return _action(number, members.reactivate_member, _("Mitglied %(n)s ist entsperrt.", n=number))


def _confirmed(found: Member) -> bool:
    """The clerk typed the member number again: leaving and erasing cannot be undone."""
    form = ConfirmForm()
    return form.validate_on_submit() and form.confirm.data.strip() == str(found.number)


@bp.post("/mitglieder/<int:number>/austritt")
def leave(number: int):
    found = _member(number)
    if not _confirmed(found):
        flash(_("Zur Bestätigung bitte die Mitgliedsnummer eintippen."), "error")
        return _back(number)
    return _run(
        number,
        lambda session: members.leave_member(session, actor(), found, now=context.now()),
        _("Mitglied %(n)s ist ausgetreten; das Konto ist ausgeglichen und geschlossen.", n=number),
    )


@bp.post("/mitglieder/<int:number>/loeschen")
def erase(number: int):
    found = _member(number)
    if not _confirmed(found):
        flash(_("Zur Bestätigung bitte die Mitgliedsnummer eintippen."), "error")
        return _back(number)
    try:
        report = commit(lambda session: privacy.erase_member(session, actor(), found, now=context.now()))
    except REFUSALS as refusal:
        refused(refusal)
        return _back(number)
    flash(
        _(
            "Die persönlichen Daten von Mitglied %(n)s sind gelöscht; "
            "die Buchungen bleiben unter der Nummer.",
            n=number,
        ),
        "success",
    )
    flash(texts.erasure_report(report), "success")
    return _back(number)


@bp.get("/mitglieder/<int:number>/daten.json")
def member_data(number: int):
    """The member's data as they would download it themselves (a paper member asks the office)."""
    found = _member(number)
    data = privacy.data_of(db.session, actor(), found, now=context.now())
    return json_download(data, f"daten-mitglied-{number}.json")


@bp.post("/mitglieder/<int:number>/grenzen")
def member_limits(number: int):
    """Limits of this member's own, or back to the ring's."""
    found = _member(number)
    form = LimitsForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        low, high = parse_limit(form.min_balance.data), parse_limit(form.max_balance.data)
    except AmountError as error:
        flash(str(error), "error")
        return _back(number)
    return _run(
        number,
        lambda session: members.set_limits(
            session, actor(), found, min_balance=low, max_balance=high, now=context.now()
        ),
        _("Die Grenzen sind gespeichert."),
    )


@bp.post("/mitglieder/<int:number>/zugang")
def login(number: int):
    """Create a login for the member, or set a new password on the existing one."""
    found = _member(number)
    form = LoginForm()
    existing = db.session.scalar(select(User).where(User.member_id == found.id))
    if existing is not None:
        form.username.data = existing.username
    if not form.validate_on_submit():
        flash(
            _(
                "Bitte einen Benutzernamen (a–z, 0–9, Punkt, Unterstrich, Strich) und ein Passwort mit "
                "mindestens %(min)d Zeichen angeben.",
                min=logins.MIN_PASSWORD_LENGTH,
            ),
            "error",
        )
        return _back(number)
    if existing is not None:
        work = lambda session: logins.set_password(  # noqa: E731
            session, actor(), existing, password=form.password.data, now=context.now()
        )
    else:
        work = lambda session: logins.create_login(  # noqa: E731
            session,
            actor(),
            username=form.username.data,
            password=form.password.data,
            now=context.now(),
            member=found,
            role=form.role.data or "member",
        )
    return _run(number, work, _("Gespeichert."))


@bp.post("/mitglieder/<int:number>/betreuer")
def add_helper(number: int):
    """Let another member's login act for this member (Betreuer)."""
    found = _member(number)
    form = NumberForm()
    if not form.validate_on_submit():
        abort(400)
    return _run(
        number,
        lambda session: logins.add_helper(
            session,
            actor(),
            found,
            helper=logins.helper_login(session, actor(), whole_number(form.number.data)),
            now=context.now(),
        ),
        _("Gespeichert."),
    )


@bp.post("/mitglieder/<int:number>/betreuer/<int:user_id>/beenden")
def end_helper(number: int, user_id: int):
    """End a helper link (Betreuung beenden)."""
    found = _member(number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _run(
        number,
        lambda session: logins.end_helper(session, actor(), found, helper_user_id=user_id, now=context.now()),
        _("Die Betreuung ist beendet."),
    )


@bp.post("/mitglieder/<int:number>/handeln")
def act_for(number: int):
    """The office acts for this member (a paper member on the phone): pay, request, answer."""
    found = _member(number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        logins.act_for(db.session, actor(), found)
    except REFUSALS as refusal:
        refused(refusal)
        return _back(number)
    session[ACTING_KEY] = found.id
    return redirect(url_for("member.home"))
