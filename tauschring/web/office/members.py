"""Member administration at the office: admit, edit, consents from paper forms, logins, helpers,
suspend, leave (settle and close), erase; and acting for a member."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

import ledger

from ... import audit
from ...db import db
from ...members import (
    EDITABLE_BY_OFFICE,
    MIN_PASSWORD_LENGTH,
    MemberError,
    account_label,
    admit_member,
    assign_helper,
    change_password,
    consents,
    create_login,
    display_name,
    erase_member,
    leave_member,
    member_by_number,
    reactivate_member,
    set_consent,
    suspend_member,
)
from ...models import CONSENT_CHANNELS, CONTACT_FIELDS, ConsentChange, Member, MemberHelper, User
from ...units import whole_number
from ..common import ACTING_KEY, commit, now, today
from . import bp, office_event
from .forms import AdmitForm, ConfirmForm, ConsentForm, EmptyForm, LoginForm, MemberForm, NumberForm

STATUS_FIELDS = ("status", "suspended_on", "left_on")


def _member(number: int) -> Member:
    member = member_by_number(db.session, current_user.ring_id, number) if number < 2**31 else None
    if member is None:
        abort(404)
    return member


def _event(session, action: str, member, summary: str, before=None, after=None) -> None:
    office_event(session, action, "member", member.number, summary, before=before, after=after)


@bp.get("/mitglieder")
def members():
    text = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "")
    query = select(Member).where(Member.ring_id == current_user.ring_id)
    if whole_number(text) is not None:
        query = query.where(Member.number == whole_number(text))
    elif text:
        for word in text.lower().split():
            query = query.where(
                or_(
                    Member.first_name.ilike(f"%{word}%"),
                    Member.last_name.ilike(f"%{word}%"),
                    Member.district.ilike(f"%{word}%"),
                )
            )
    if status in ("active", "suspended", "left"):
        query = query.where(Member.status == status)
    if request.args.get("papier") == "1":
        query = query.where(Member.paper_member.is_(True))
    rows = db.session.scalars(query.order_by(Member.number)).all()
    balances = {b.account_id: b for b in ledger.ring_balances(db.session, ring_id=current_user.ring_id)}
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
        form.joined_on.data = today()
        return render_template("office/member_new.html", form=form)
    if not form.validate_on_submit():
        return render_template("office/member_new.html", form=form), 400
    if bool(form.username.data) != bool(form.password.data):
        form.username.errors.append(_("Für eine Anmeldung braucht es Benutzername und Anfangspasswort."))
        return render_template("office/member_new.html", form=form), 400
    if form.username.data and db.session.scalar(select(User.id).where(User.username == form.username.data)):
        form.username.errors.append(_("Dieser Benutzername ist schon vergeben."))
        return render_template("office/member_new.html", form=form), 400
    details = {
        name: (getattr(form, name).data or None)
        if isinstance(getattr(form, name).data, str)
        else getattr(form, name).data
        for name in EDITABLE_BY_OFFICE
    }
    details.pop("first_name"), details.pop("last_name")

    def work(session):
        member = admit_member(
            session,
            ring_id=current_user.ring_id,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            now=now(),
            joined_on=form.joined_on.data,
            **details,
        )
        if form.username.data:
            create_login(
                session,
                ring_id=member.ring_id,
                username=form.username.data,
                password=form.password.data,
                now=now(),
                member=member,
            )
        _event(
            session,
            "member.admit",
            member,
            _("Mitglied %(n)s aufgenommen", n=member.number),
            after={**audit.snapshot(member, EDITABLE_BY_OFFICE), "login": form.username.data or None},
        )
        return member.number

    number = commit(work)
    flash(_("Mitglied %(n)s ist aufgenommen.", n=number), "success")
    return redirect(url_for("office.member", number=number))


@bp.get("/mitglieder/<int:number>")
def member(number: int):
    found = _member(number)
    balance = ledger.balance_of(db.session, ring_id=found.ring_id, account_id=found.account_id)
    recent = ledger.recent_lines(db.session, ring_id=found.ring_id, account_id=found.account_id, count=10)
    logins = db.session.scalars(select(User).where(User.member_id == found.id)).all()
    helpers = db.session.scalars(
        select(User)
        .join(MemberHelper, MemberHelper.user_id == User.id)
        .where(MemberHelper.member_id == found.id)
    ).all()
    history = db.session.scalars(
        select(ConsentChange).where(ConsentChange.member_id == found.id).order_by(ConsentChange.id.desc())
    ).all()
    consent_form = ConsentForm()
    for (field, channel), granted in consents(found).items():
        getattr(consent_form, f"{field}_{channel}").data = granted
    consent_form.changed_on.data = today()
    return render_template(
        "office/member.html",
        member=found,
        balance=balance,
        recent=recent,
        logins=logins,
        helpers=helpers,
        history=history,
        edit_form=MemberForm(obj=found),
        consent_form=consent_form,
        login_form=LoginForm(),
        action_form=EmptyForm(),
        confirm_form=ConfirmForm(),
        helper_form=NumberForm(),
    )


@bp.post("/mitglieder/<int:number>/bearbeiten")
def edit(number: int):
    found = _member(number)
    if found.erased:
        abort(409)
    form = MemberForm()
    if not form.validate_on_submit():
        flash(
            _(
                "Bitte prüfen Sie die Angaben: %(fields)s",
                fields=", ".join(str(getattr(form, name).label.text) for name in form.errors),
            ),
            "error",
        )
        return redirect(url_for("office.member", number=number)), 303

    def work(session):
        target = session.get(Member, found.id)
        before = audit.snapshot(target, EDITABLE_BY_OFFICE)
        for name in EDITABLE_BY_OFFICE:
            value = getattr(form, name).data
            setattr(target, name, (value.strip() or None) if isinstance(value, str) else value)
        target.first_name, target.last_name = form.first_name.data.strip(), form.last_name.data.strip()
        ledger.relabel_account(
            session, ring_id=target.ring_id, account_id=target.account_id, label=account_label(target)
        )
        _event(
            session,
            "member.edit",
            target,
            _("Angaben von Mitglied %(n)s geändert", n=number),
            before=before,
            after=audit.snapshot(target, EDITABLE_BY_OFFICE),
        )

    commit(work)
    flash(_("Gespeichert."), "success")
    return redirect(url_for("office.member", number=number))


@bp.post("/mitglieder/<int:number>/einwilligungen")
def consent(number: int):
    found = _member(number)
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(_("Bitte geben Sie Quelle und Datum der Erklärung an."), "error")
        return redirect(url_for("office.member", number=number))

    def work(session):
        target = session.get(Member, found.id)
        before = {f"{f}_{c}": v for (f, c), v in consents(target).items()}
        for field in CONTACT_FIELDS:
            for channel in CONSENT_CHANNELS:
                set_consent(
                    session,
                    target,
                    field=field,
                    channel=channel,
                    granted=bool(getattr(form, f"{field}_{channel}").data),
                    source=form.source.data,
                    changed_on=form.changed_on.data,
                    now=now(),
                    recorded_by_id=current_user.id,
                )
        after = {f"{f}_{c}": v for (f, c), v in consents(target).items()}
        _event(
            session,
            "member.consent",
            target,
            _("Einwilligungen von Mitglied %(n)s erfasst", n=number),
            before=before,
            after=after,
        )

    commit(work)
    flash(_("Die Einwilligungen sind erfasst."), "success")
    return redirect(url_for("office.member", number=number))


def _status_change(number: int, action: str, change, summary: str):
    found = _member(number)
    if not EmptyForm().validate_on_submit():
        abort(400)

    def work(session):
        target = session.get(Member, found.id)
        before = audit.snapshot(target, STATUS_FIELDS)
        change(target)
        _event(session, action, target, summary, before=before, after=audit.snapshot(target, STATUS_FIELDS))

    try:
        commit(work)
    except MemberError:
        flash(_("Das ist bei diesem Mitglied nicht möglich."), "error")
    return redirect(url_for("office.member", number=number))


@bp.post("/mitglieder/<int:number>/sperren")
def suspend(number: int):
    return _status_change(
        number, "member.suspend", lambda m: suspend_member(m, today()), _("Mitglied %(n)s gesperrt", n=number)
    )


@bp.post("/mitglieder/<int:number>/entsperren")
def reactivate(number: int):
    return _status_change(
        number, "member.reactivate", reactivate_member, _("Mitglied %(n)s entsperrt", n=number)
    )


def _confirmed(found: Member) -> bool:
    form = ConfirmForm()
    return form.validate_on_submit() and form.confirm.data.strip() == str(found.number)


@bp.post("/mitglieder/<int:number>/austritt")
def leave(number: int):
    found = _member(number)
    if not _confirmed(found):
        flash(_("Zur Bestätigung bitte die Mitgliedsnummer eintippen."), "error")
        return redirect(url_for("office.member", number=number))

    def work(session):
        target = session.get(Member, found.id)
        before = {**audit.snapshot(target, STATUS_FIELDS), "balance": target.account.balance}
        entry = leave_member(
            session,
            target,
            now=now(),
            operator_id=current_user.id,
            memo=_("Ausgleich bei Austritt von Mitglied %(n)s", n=number),
        )
        _event(
            session,
            "member.leave",
            target,
            _("Mitglied %(n)s ausgetreten", n=number),
            before=before,
            after={
                **audit.snapshot(target, STATUS_FIELDS),
                "balance": 0,
                "settlement_entry": entry.id if entry else None,
            },
        )

    try:
        commit(work)
    except MemberError:
        flash(_("Das Mitglied ist schon ausgetreten."), "error")
    else:
        flash(
            _("Mitglied %(n)s ist ausgetreten; das Konto ist ausgeglichen und geschlossen.", n=number),
            "success",
        )
    return redirect(url_for("office.member", number=number))


@bp.post("/mitglieder/<int:number>/loeschen")
def erase(number: int):
    found = _member(number)
    if not _confirmed(found):
        flash(_("Zur Bestätigung bitte die Mitgliedsnummer eintippen."), "error")
        return redirect(url_for("office.member", number=number))

    def work(session):
        target = session.get(Member, found.id)
        erase_member(session, target, now=now())
        # The audit keeps no personal data either: only that the erasure happened.
        _event(session, "member.erase", target, _("Persönliche Daten von Mitglied %(n)s gelöscht", n=number))

    try:
        commit(work)
    except MemberError:
        flash(_("Nur die Daten ausgetretener Mitglieder können gelöscht werden."), "error")
    else:
        flash(
            _(
                "Die persönlichen Daten von Mitglied %(n)s sind gelöscht; "
                "die Buchungen bleiben unter der Nummer.",
                n=number,
            ),
            "success",
        )
    return redirect(url_for("office.member", number=number))


@bp.post("/mitglieder/<int:number>/zugang")
def login(number: int):
    """Create a login for the member, or set a new password for the existing one."""
    found = _member(number)
    if found.status == "left":
        abort(409)
    form = LoginForm()
    if not current_user.is_admin:
        form.role.data = "member"
    if not form.validate_on_submit():
        flash(
            _(
                "Bitte einen Benutzernamen (a–z, 0–9, Punkt, Unterstrich, Strich) und ein Passwort mit "
                "mindestens %(min)d Zeichen angeben.",
                min=MIN_PASSWORD_LENGTH,
            ),
            "error",
        )
        return redirect(url_for("office.member", number=number))
    existing = db.session.scalar(select(User).where(User.member_id == found.id))

    def work(session):
        target = session.get(Member, found.id)
        if existing is not None:
            user = session.get(User, existing.id)
            change_password(user, form.password.data, now())
            user.active = True
            _event(session, "member.password", target, _("Neues Passwort für Mitglied %(n)s", n=number))
        else:
            create_login(
                session,
                ring_id=target.ring_id,
                username=form.username.data,
                password=form.password.data,
                now=now(),
                member=target,
                role=form.role.data,
            )
            _event(
                session,
                "member.login",
                target,
                _("Zugang für Mitglied %(n)s angelegt", n=number),
                after={"username": form.username.data, "role": form.role.data},
            )

    try:
        commit(work)
    except MemberError:
        flash(_("Dieser Benutzername ist schon vergeben."), "error")
    else:
        flash(_("Gespeichert."), "success")
    return redirect(url_for("office.member", number=number))


@bp.post("/mitglieder/<int:number>/betreuer")
def add_helper(number: int):
    """Let another member's login act for this member (Betreuer)."""
    found = _member(number)
    form = NumberForm()
    if not form.validate_on_submit():
        abort(400)
    helper_member = _member(int(form.number.data))
    helper = db.session.scalar(select(User).where(User.member_id == helper_member.id))
    if helper is None or helper_member.id == found.id:
        flash(_("Betreuer kann nur ein anderes Mitglied mit eigenem Zugang sein."), "error")
        return redirect(url_for("office.member", number=number))

    def work(session):
        target = session.get(Member, found.id)
        assign_helper(session, target, session.get(User, helper.id), now())
        _event(
            session,
            "member.helper",
            target,
            _("Betreuer für Mitglied %(n)s: %(h)s", n=number, h=display_name(helper_member, full=True)),
        )

    commit(work)
    flash(_("Gespeichert."), "success")
    return redirect(url_for("office.member", number=number))


@bp.post("/mitglieder/<int:number>/handeln")
def act_for(number: int):
    """The office acts for this member (a paper member on the phone): pay, request, answer."""
    found = _member(number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if found.status != "active":
        flash(_("Für ausgetretene oder gesperrte Mitglieder kann nicht gehandelt werden."), "error")
        return redirect(url_for("office.member", number=number))
    session[ACTING_KEY] = found.id
    return redirect(url_for("member.home"))
