"""A member's personal data as the DSGVO sees it: everything the ring holds about them, handed
out (Art. 15 and 20), and erased once they have left (Art. 17).

Erasing keeps the books: every entry stays under the member number, its memos included (they
are the ring's record of what was exchanged). Everything else that names the person goes: their
name and contact data, listings, consents, logins with their sessions and API tokens, helper
links, the reason of a fee exemption, notes on voucher numbers, their values in the audit log,
and the archived edition files that carry their data. A paper already printed cannot be
recalled; its digital copy can, and the edition keeps a note that a file was removed and when.
The erasure report says what was removed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

import ledger

from . import audit, errors, events, sessions, texts
from .members import CONTACT_DATA, EDITABLE_BY_OFFICE, STATUS_FIELDS, erased_import_key
from .models import (
    ApiToken,
    AuditEvent,
    Consent,
    ConsentChange,
    Edition,
    EditionEvent,
    EditionFile,
    EditionFileMember,
    EditionListing,
    EditionNews,
    FeeExemption,
    ImportBatch,
    ImportReference,
    Listing,
    LoginSession,
    Member,
    MemberHelper,
    Outreach,
    PaymentRequest,
    SignInFailure,
    User,
    VoucherRange,
)
from .names import account_label, display_name
from .permissions import Actor, require_may_act_for, require_office, require_same_ring
from .statements import statement_of

ERASED = "[gelöscht]"


@dataclass
class ErasureReport:
    """What an erasure removed, for the office (shown after erasing) and the audit (as counts)."""

    member_number: int
    listings: int = 0
    edition_files: list[str] = field(default_factory=list)
    audit_events: int = 0
    consents: int = 0
    logins: int = 0
    sessions: int = 0
    api_tokens: int = 0
    sign_in_failures: int = 0
    helper_links: int = 0
    voucher_notes: int = 0
    fee_exemption: bool = False
    edition_texts: int = 0
    import_files: int = 0
    outreach: int = 0

    def counts(self) -> dict[str, object]:
        return {
            "listings": self.listings,
            "edition_files": len(self.edition_files),
            "audit_events": self.audit_events,
            "consents": self.consents,
            "logins": self.logins,
            "sessions": self.sessions,
            "api_tokens": self.api_tokens,
            "sign_in_failures": self.sign_in_failures,
            "helper_links": self.helper_links,
            "voucher_notes": self.voucher_notes,
            "fee_exemption": self.fee_exemption,
            "edition_texts": self.edition_texts,
            "import_files": self.import_files,
            "outreach": self.outreach,
        }


def erase_member(session: Session, actor: Actor, member: Member, *, now: dt.datetime) -> ErasureReport:
    """Erase a departed member's personal data everywhere the system keeps it (see the module)."""
    require_office(actor)
    require_same_ring(actor, member)
    if member.status != "left":
        raise errors.MemberNotLeft(number=member.number)
    if member.erased_at is not None:
        raise errors.MemberErased(number=member.number)
    report = ErasureReport(member_number=member.number)
    logins = list(session.scalars(select(User).where(User.member_id == member.id)))
    traces = _traces_of(member, logins)

    report.edition_files = _remove_archived_files(session, member, now)
    report.import_files = _forget_imports(session, member)
    listing_ids = select(Listing.id).where(Listing.member_id == member.id)
    session.execute(delete(EditionListing).where(EditionListing.listing_id.in_(listing_ids)))
    report.listings = _deleted(session, delete(Listing).where(Listing.member_id == member.id))
    report.consents = _deleted(session, delete(Consent).where(Consent.member_id == member.id))
    report.consents += _deleted(session, delete(ConsentChange).where(ConsentChange.member_id == member.id))
    login_ids = [user.id for user in logins]
    helped = MemberHelper.member_id == member.id
    if login_ids:
        helped = or_(helped, MemberHelper.user_id.in_(login_ids))
    report.helper_links = _deleted(session, delete(MemberHelper).where(helped))
    report.outreach = _deleted(session, delete(Outreach).where(Outreach.member_id == member.id))
    report.fee_exemption = bool(
        _deleted(session, delete(FeeExemption).where(FeeExemption.member_id == member.id))
    )
    report.voucher_notes = _changed(
        session, update(VoucherRange).where(VoucherRange.member_id == member.id).values(note="")
    )
    for user in logins:
        sessions.end_everything_of(session, user, now, "deactivated")
        report.sessions += _deleted(session, delete(LoginSession).where(LoginSession.user_id == user.id))
        report.api_tokens += _deleted(session, delete(ApiToken).where(ApiToken.user_id == user.id))
        report.sign_in_failures += _deleted(
            session, delete(SignInFailure).where(SignInFailure.username == user.username)
        )
        user.username = f"geloescht-{user.id}"
        user.display_name = f"Mitglied {member.number}"
        user.active = False
        user.password_hash = "!"
        user.locale = None
        user.last_login_at = None
    report.logins = len(logins)

    member.first_name = member.last_name = ""
    member.phone = member.email = member.street = member.postal_code = member.city = member.district = None
    member.name_display = "number"
    member.paper_member = member.large_print = False
    member.erased_at = now
    ledger.relabel_account(
        session, ring_id=member.ring_id, account_id=member.account_id, label=account_label(member)
    )
    report.audit_events = _scrub_audit(session, member, traces)
    report.edition_texts = _scrub_edition_texts(session, member.ring_id, traces)
    session.flush()
    audit.record(
        session,
        actor,
        now=now,
        action="member.erase",
        object_type="member",
        object_id=member.number,
        summary=f"Persönliche Daten von Mitglied {member.number} gelöscht",
        member=member,
        after=report.counts(),
    )
    events.record(session, events.MemberErased(ring_id=member.ring_id, member_id=member.id))
    return report


def _deleted(session: Session, statement) -> int:
    return session.execute(statement).rowcount or 0


_changed = _deleted


def _traces_of(member: Member, logins: list[User]) -> list[str]:
    """The strings that identify the person, longest first (so a full name goes before its parts)."""
    values = {
        member.full_name,
        member.last_name,
        member.email or "",
        member.phone or "",
        member.street or "",
        *(user.username for user in logins),
        *(user.display_name for user in logins),
    }
    return sorted((v.strip() for v in values if v and len(v.strip()) >= 3), key=len, reverse=True)


def _scrub(text: str | None, traces: list[str], *, as_json: bool = False) -> str | None:
    if not text:
        return text
    for trace in traces:
        text = text.replace(json.dumps(trace, ensure_ascii=False)[1:-1] if as_json else trace, ERASED)
    return text


def _scrub_audit(session: Session, member: Member, traces: list[str]) -> int:
    """The audit keeps that something happened to member N, and by whom; not their data. Events
    about the member lose their values; any other event that quotes them loses the quote."""
    changed = 0
    about = session.scalars(select(AuditEvent).where(AuditEvent.member_id == member.id))
    for event in about:
        if (
            event.before is not None
            or event.after is not None
            or _scrub(event.summary, traces) != event.summary
        ):
            event.before = event.after = None
            event.summary = _scrub(event.summary, traces)
            changed += 1
    if traces:
        quoting = or_(
            *(
                column.contains(trace)
                for trace in traces
                for column in (AuditEvent.summary, AuditEvent.before, AuditEvent.after)
            )
        )
        for event in session.scalars(select(AuditEvent).where(AuditEvent.ring_id == member.ring_id, quoting)):
            event.summary = _scrub(event.summary, traces)
            event.before = _scrub(event.before, traces, as_json=True)
            event.after = _scrub(event.after, traces, as_json=True)
            changed += 1
    session.flush()
    return changed


def _scrub_edition_texts(session: Session, ring_id: int, traces: list[str]) -> int:
    """Termine and articles typed by the office may name the person."""
    if not traces:
        return 0
    changed = 0
    editions = select(Edition.id).where(Edition.ring_id == ring_id)
    for model in (EditionEvent, EditionNews):
        columns = [model.title, model.text] + ([model.place] if model is EditionEvent else [])
        quoting = or_(*(column.contains(trace) for trace in traces for column in columns))
        for row in session.scalars(select(model).where(model.edition_id.in_(editions), quoting)):
            for column in columns:
                setattr(row, column.key, _scrub(getattr(row, column.key), traces))
            changed += 1
    return changed


def _forget_imports(session: Session, member: Member) -> int:
    """The lines the member came in with keep only a hash of their old key (so importing the file
    again does not bring the person back), and the stored files that held them are emptied (their
    fingerprint stays). Returns how many files were emptied."""
    files = set()
    for reference in session.scalars(select(ImportReference).where(ImportReference.member_id == member.id)):
        reference.external_id = erased_import_key(reference.external_id)
        reference.listing_id = None
        files.add(reference.batch_id)
    emptied = 0
    for batch in session.scalars(select(ImportBatch).where(ImportBatch.id.in_(files))):
        if batch.content:
            batch.content = b""
            emptied += 1
    session.flush()
    return emptied


def _remove_archived_files(session: Session, member: Member, now: dt.datetime) -> list[str]:
    """Remove the archived edition files that carry the member's data: those recorded to name
    them, and (for files generated before that was recorded) those of the member's time in the
    ring. Returns them as "Ausgabe 11/2026: marktzeitung.pdf"."""
    named = select(EditionFileMember.file_id).where(EditionFileMember.member_id == member.id)
    joined = member.joined_on
    left = member.left_on or now.date()
    candidates = session.execute(
        select(EditionFile, Edition)
        .join(Edition, Edition.id == EditionFile.edition_id)
        .where(
            Edition.ring_id == member.ring_id,
            EditionFile.removed_at.is_(None),
            EditionFile.name != "belege.pdf",
            or_(
                EditionFile.id.in_(named),
                (EditionFile.members_recorded.is_(False))
                & (Edition.cutoff >= joined)
                & (Edition.cutoff <= left),
            ),
        )
        .order_by(Edition.year, Edition.month, EditionFile.name)
    ).all()
    removed = []
    for archived, edition in candidates:
        archived.content = None
        archived.removed_at = now
        removed.append(f"Ausgabe {edition.month:02d}/{edition.year}: {archived.name}")
    session.execute(delete(EditionFileMember).where(EditionFileMember.member_id == member.id))
    return removed


# ---------------------------------------------------------------------------------------------
# What the ring holds about a member (Art. 15, 20)


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _row(obj, columns) -> dict:
    return {column: _iso(getattr(obj, column)) for column in columns}


def data_of(session: Session, actor: Actor, member: Member, *, now: dt.datetime) -> dict:
    """Everything the ring stores about the member, for the member (or whoever may act for them:
    a helper, the office answering a paper member's request). Of other people only what the
    member already sees: partners named as they chose, helpers by the name they go by, office
    staff as "Büro"."""
    require_may_act_for(session, actor, member)
    logins = list(session.scalars(select(User).where(User.member_id == member.id)))
    login_ids = [user.id for user in logins]
    statement = statement_of(session, member, full_names=False)
    shown_logins = {user.id: user.display_name for user in logins}
    helpers = list(
        session.scalars(
            select(User)
            .join(MemberHelper, MemberHelper.user_id == User.id)
            .where(MemberHelper.member_id == member.id)
        )
    )
    shown_logins.update({user.id: user.display_name for user in helpers})

    def who(user_id: int | None) -> str:
        if user_id is None:
            return "automatisch"
        return shown_logins.get(user_id, "Büro")

    helped = (
        session.execute(
            select(Member, MemberHelper.since)
            .join(MemberHelper, MemberHelper.member_id == Member.id)
            .where(MemberHelper.user_id.in_(login_ids))
        ).all()
        if login_ids
        else []
    )
    files = session.execute(
        select(Edition.year, Edition.month, EditionFile.name, EditionFile.removed_at)
        .join(EditionFile, EditionFile.edition_id == Edition.id)
        .join(EditionFileMember, EditionFileMember.file_id == EditionFile.id)
        .where(EditionFileMember.member_id == member.id)
        .order_by(Edition.year, Edition.month, EditionFile.name)
    ).all()
    exemption = session.get(FeeExemption, member.id)
    requests = session.scalars(
        select(PaymentRequest)
        .where(or_(PaymentRequest.payer_id == member.id, PaymentRequest.payee_id == member.id))
        .order_by(PaymentRequest.id)
    ).all()
    others = {
        m.id: m
        for m in session.scalars(
            select(Member).where(
                Member.id.in_({r.payer_id for r in requests} | {r.payee_id for r in requests})
            )
        )
    }
    return {
        "exported_at": now.isoformat(),
        "member": _row(
            member,
            ("number", *dict.fromkeys((*EDITABLE_BY_OFFICE, *CONTACT_DATA)), *STATUS_FIELDS, "joined_on"),
        ),
        "consents": [
            _row(c, ("field", "channel", "granted", "changed_on", "source")) for c in member.consents
        ],
        "consent_history": [
            {
                **_row(c, ("field", "channel", "granted", "changed_on", "source", "recorded_at")),
                "recorded_by": who(c.recorded_by_id),
            }
            for c in session.scalars(
                select(ConsentChange).where(ConsentChange.member_id == member.id).order_by(ConsentChange.id)
            )
        ],
        "logins": [
            {
                **_row(
                    user,
                    (
                        "username",
                        "role",
                        "locale",
                        "active",
                        "created_at",
                        "last_login_at",
                        "password_changed_at",
                    ),
                ),
                "sessions": [
                    _row(s, ("client", "created_at", "expires_at", "ended_at", "end_reason"))
                    for s in session.scalars(
                        select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
                    )
                ],
                "api_tokens": [
                    _row(t, ("name", "prefix", "created_at", "last_used_at", "revoked_at"))
                    for t in session.scalars(
                        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
                    )
                ],
                "failed_sign_ins": [
                    _iso(at)
                    for at in session.scalars(
                        select(SignInFailure.at)
                        .where(SignInFailure.username == user.username)
                        .order_by(SignInFailure.at)
                    )
                ],
            }
            for user in logins
        ],
        "helpers": [{"name": user.display_name} for user in helpers],
        "helping": [
            {"member_number": m.number, "name": display_name(m), "since": _iso(since)} for m, since in helped
        ],
        "fee_exemption": None if exemption is None else _row(exemption, ("reason", "since")),
        "outreach": [
            {**_row(o, ("reason", "channel", "note", "at")), "by": who(o.by_id)}
            for o in session.scalars(
                select(Outreach).where(Outreach.member_id == member.id).order_by(Outreach.id)
            )
        ],
        "voucher_numbers": [
            _row(r, ("first", "last", "note", "issued_at"))
            for r in session.scalars(
                select(VoucherRange).where(VoucherRange.member_id == member.id).order_by(VoucherRange.id)
            )
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
                ),  # fmt: skip
            }
            for listing in session.scalars(select(Listing).where(Listing.member_id == member.id))
        ],
        "payment_requests": [
            {
                "role": "payer" if r.payer_id == member.id else "payee",
                "other_member": {
                    "number": others[other].number,
                    "name": display_name(others[other]),
                }
                if (other := r.payee_id if r.payer_id == member.id else r.payer_id) in others
                else None,
                **_row(r, ("minutes", "memo", "service_date", "status", "created_at", "answered_at", "note")),
            }
            for r in requests
        ],
        "imported_from": [
            _row(r, ("source", "kind", "external_id", "created_at"))
            for r in session.scalars(
                select(ImportReference)
                .where(ImportReference.member_id == member.id)
                .order_by(ImportReference.id)
            )
        ],
        "printed_in": [
            {
                "edition": f"{month:02d}/{year}",
                "file": name,
                "archive_removed_at": _iso(removed_at),
            }
            for year, month, name, removed_at in files
        ],
        "audit": [
            {
                "at": _iso(event.at),
                "action": texts.in_german(texts.name_of(texts.AUDIT_ACTIONS, event.action)),
                "by": who(event.user_id),
                "summary": event.summary,
                "before": audit.values_of(event.before),
                "after": audit.values_of(event.after),
            }
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.member_id == member.id).order_by(AuditEvent.id)
            )
        ],
    }
