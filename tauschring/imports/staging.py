"""Moving in: the office brings a ring's members, listings and opening balances along from Cyclos 3,
TimeOverflow or a spreadsheet, staged like a voucher batch.

A file is staged as it was uploaded (``stage_import``) and read and checked again whenever it is
shown (``check_import``): every line is ready, an error with its reason, or a duplicate of what
the ring has already (a second import of the same file finds every line as a duplicate, through
the ``ImportReference`` rows the first one left). Nothing is written to the ring until the office
takes the file over (``post_import``), in one transaction; a dry run (``preview_import``) writes
nothing at all.

Members keep the number they bring along when it is free and get the next free ones otherwise;
consents are recorded only where the file states them, with source "import" and the date of the
declaration. Listings find their Rubrik by name or by the mapping the office chose. Opening
balances are one entry against the ring's opening account, booked past the limits (the reason is
recorded), and the books must verify afterwards. No logins are created: no export carries a
password; the office sets logins up as for any member.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, true
from sqlalchemy.orm import Session

import ledger

from .. import audit, errors, events
from ..listings import add_months, create_listing, fold
from ..members import admit_member, erased_import_key, member_number_counter, set_consents, set_limits
from ..models import (
    CONSENT_CHANNELS,
    CONTACT_FIELDS,
    Category,
    ImportBatch,
    ImportReference,
    Listing,
    Member,
)
from ..names import display_name
from ..permissions import Actor, require_office
from ..rings import categories_of, settings_of, unit_of
from ..units import Unit, format_amount, whole_number
from . import formats, reading, values
from .formats import SourceRow

REFERENCE_KIND = {"members": "member", "listings": "listing", "balances": "balance"}
MEMBER_LIMITS = {"first_name": 100, "last_name": 100, "phone": 40, "email": 200, "street": 200}
MEMBER_LIMITS |= {"postal_code": 10, "city": 100, "district": 100}
OPENING_REASON = "Eröffnungssaldo beim Umzug in Tauschring: die Grenzen gelten hier nicht"
KEY_MAX = 200


@dataclass
class LineCheck:
    """What the checks found for one line of the file, and what taking it over would make."""

    row: SourceRow
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicate: bool = False
    taken: bool = False  # taken over by this very import
    nothing_to_do: bool = False
    member: Member | None = None  # the owner (listings, balances) or the member a duplicate is
    number: int | None = None  # members: the number the new member gets
    given_number: int | None = None  # members: the number the file brings along
    name: str = ""
    details: dict[str, object] = field(default_factory=dict)
    consents: dict[tuple[str, str], bool] = field(default_factory=dict)
    consent_date: dt.date | None = None
    category: Category | None = None
    category_name: str = ""
    kind: str | None = None
    minutes: int | None = None
    limits: tuple[int | None, int | None] | None = None

    @property
    def key(self) -> str:
        return self.row.key.strip()[:KEY_MAX]

    @property
    def status(self) -> str:
        """ready, error (with its reasons), duplicate, nothing (nothing to do: a zero balance), or
        taken (taken over by this import)."""
        if self.taken:
            return "taken"
        if self.duplicate:
            return "duplicate"
        if self.errors:
            return "error"
        if self.nothing_to_do:
            return "nothing"
        return "ready"

    @property
    def ready(self) -> bool:
        return self.status == "ready"


@dataclass
class ImportCheck:
    batch: ImportBatch
    lines: list[LineCheck]
    unit: Unit
    # The Rubrik names of a listings file, each with the Rubrik it goes to (None: not found yet).
    categories: list[tuple[str, Category | None]] = field(default_factory=list)
    # An earlier import of the very same file (same content), if there was one.
    same_file: ImportBatch | None = None
    # The file was removed because a member in it was erased (DSGVO): only its fingerprint stays.
    removed: bool = False

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def ready_count(self) -> int:
        return self.count("ready")

    @property
    def error_count(self) -> int:
        return self.count("error")

    @property
    def total(self) -> int:
        """Opening balances: the sum of the ready lines (the opening account takes its negative)."""
        return sum(line.minutes or 0 for line in self.lines if line.ready)

    @property
    def unmapped(self) -> list[str]:
        return [name for name, category in self.categories if category is None]


@dataclass(frozen=True)
class ImportOutcome:
    batch: ImportBatch
    created: int  # members admitted, listings created, balances booked
    skipped: int  # lines with errors left out, duplicates, zero balances
    entry_ids: tuple[int, ...] = ()
    verify: ledger.VerifyReport | None = None


# ---------------------------------------------------------------------------------------------
# Staging


def _new_batch(actor: Actor, *, kind: str, source: str, filename: str, raw: bytes, now: dt.datetime):
    if kind not in formats.KINDS or source not in formats.SOURCES:
        raise errors.ImportFormatUnknown(name=f"{source} {kind}"[:60])
    rows = reading.read_rows(raw)
    formats.read_source(source, kind, rows)  # the columns must be there, before anything is kept
    return ImportBatch(
        ring_id=actor.ring_id,
        kind=kind,
        format=source,
        filename=(reading.clean(filename or "") or "import")[:200],
        content=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        mapping="{}",
        status="open",
        created_at=now,
        created_by_id=actor.user_id,
    )


def preview_import(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    source: str,
    filename: str,
    raw: bytes,
    now: dt.datetime,
    mapping: dict[str, str] | None = None,
) -> ImportCheck:
    """A dry run: how each line of the file would be taken over. Writes nothing."""
    require_office(actor)
    batch = _new_batch(actor, kind=kind, source=source, filename=filename, raw=raw, now=now)
    if mapping:
        batch.mapping = json.dumps(_mapping_ids(session, actor.ring_id, mapping), ensure_ascii=False)
    return check_import(session, batch, today=now.date())


def stage_import(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    source: str,
    filename: str,
    raw: bytes,
    now: dt.datetime,
    mapping: dict[str, str] | None = None,
) -> ImportBatch:
    """Keep an uploaded file as an open import: nothing of it reaches the ring until it is taken
    over. ``mapping`` names a Rubrik for Rubrik names of the file (by the Rubrik's name)."""
    require_office(actor)
    batch = _new_batch(actor, kind=kind, source=source, filename=filename, raw=raw, now=now)
    if mapping:
        batch.mapping = json.dumps(_mapping_ids(session, actor.ring_id, mapping), ensure_ascii=False)
    session.add(batch)
    session.flush()
    lines = len(formats.read_source(source, kind, reading.read_rows(raw)))
    _audit(
        session,
        actor,
        batch,
        now,
        "import.stage",
        f"Datei {batch.filename} eingelesen ({lines} Zeilen)",
        after={"kind": kind, "format": source, "filename": batch.filename, "lines": lines},
    )
    return batch


def _audit(
    session: Session, actor: Actor, batch: ImportBatch, now: dt.datetime, action: str, summary: str, **kw
):
    audit.record(
        session,
        actor,
        now=now,
        action=action,
        object_type="import_batch",
        object_id=batch.id,
        summary=f"Umzug {batch.id}: {summary}",
        **kw,
    )


def import_for(session: Session, actor: Actor, import_id: int) -> ImportBatch:
    """An import of the actor's ring, for the office."""
    require_office(actor)
    batch = session.get(ImportBatch, import_id) if 0 < import_id < 2**31 else None
    if batch is None or batch.ring_id != actor.ring_id:
        raise errors.ImportUnknown(import_id=import_id)
    return batch


def _mapping_ids(session: Session, ring_id: int, mapping: dict[str, object]) -> dict[str, int]:
    """Rubrik names of the file to Rubrik ids of the ring; a Rubrik is named by id or by name."""
    by_name = {fold(c.name): c.id for c in categories_of(session, ring_id)}
    ids = set(by_name.values())
    chosen = {}
    for name, target in mapping.items():
        if target in (None, ""):
            continue
        category_id = target if isinstance(target, int) else by_name.get(fold(str(target).strip()))
        if category_id is None or category_id not in ids:
            raise errors.CategoryUnknown()
        chosen[str(name)[:200]] = category_id
    return chosen


def map_categories(
    session: Session, actor: Actor, batch: ImportBatch, mapping: dict[str, object], *, now: dt.datetime
) -> bool:
    """The office tells which Rubrik the listings of a Rubrik name of the file go to (a Rubrik id or
    name; empty: found by name again). Returns whether anything changed."""
    require_office(actor)
    _require_open(batch)
    before = json.loads(batch.mapping or "{}")
    after = {**before, **{str(name): None for name in mapping}}
    after.update(_mapping_ids(session, batch.ring_id, mapping))
    after = {name: category_id for name, category_id in after.items() if category_id is not None}
    if after == before:
        return False
    batch.mapping = json.dumps(after, ensure_ascii=False, sort_keys=True)
    session.flush()
    names = {c.id: c.name for c in categories_of(session, batch.ring_id)}
    shown = lambda chosen: sorted(f"{name} → {names.get(i, i)}" for name, i in chosen.items())  # noqa: E731
    _audit(
        session,
        actor,
        batch,
        now,
        "import.map",
        "Rubriken zugeordnet",
        before={"categories": shown(before)},
        after={"categories": shown(after)},
    )
    return True


def _require_open(batch: ImportBatch) -> None:
    if batch.status != "open":
        raise errors.ImportNotOpen(import_id=batch.id)


def discard_import(session: Session, actor: Actor, batch: ImportBatch, *, now: dt.datetime) -> None:
    """Drop an import that was not taken over (the file stays on record, with nothing made of it)."""
    require_office(actor)
    _require_open(batch)
    batch.status = "discarded"
    session.flush()
    _audit(session, actor, batch, now, "import.discard", f"Datei {batch.filename} verworfen")


# ---------------------------------------------------------------------------------------------
# Checking


def check_import(session: Session, batch: ImportBatch, *, today: dt.date) -> ImportCheck:
    """Read the file again and check every line against the ring and the lines before it. (A file
    whose content was removed, when a member in it was erased, has no lines any more.)"""
    unit = unit_of(session, batch.ring_id)
    if not batch.content:
        return ImportCheck(batch=batch, lines=[], unit=unit, removed=True)
    rows = formats.read_source(batch.format, batch.kind, reading.read_rows(batch.content))
    check = ImportCheck(batch=batch, lines=[LineCheck(row=row) for row in rows], unit=unit)
    {"members": _check_members, "listings": _check_listings, "balances": _check_balances}[batch.kind](
        session, check, today
    )
    check.same_file = session.scalar(
        select(ImportBatch)
        .where(
            ImportBatch.ring_id == batch.ring_id,
            ImportBatch.sha256 == batch.sha256,
            ImportBatch.status == "posted",
            ImportBatch.id != batch.id if batch.id is not None else true(),
        )
        .order_by(ImportBatch.id)
        .limit(1)
    )
    return check


def _references(session: Session, ring_id: int, source: str, kind: str) -> dict[str, ImportReference]:
    query = select(ImportReference).where(
        ImportReference.ring_id == ring_id, ImportReference.source == source, ImportReference.kind == kind
    )
    return {reference.external_id: reference for reference in session.scalars(query)}


def _known(
    line: LineCheck, references: dict[str, ImportReference], seen: dict[str, int], batch: ImportBatch
) -> bool:
    """A line taken over before (by its key), or one standing twice in the file: a duplicate. (A
    line this very import took over is shown as taken.)"""
    key = line.key
    if not key:
        return False
    reference = references.get(key)
    if reference is not None and reference.batch_id == batch.id and key in seen:
        reference = None  # the line this import took over stands above: this one is a duplicate
    if reference is not None:
        member = line.member = reference.member
        line.name = _name(member) if member is not None else ""
        if reference.batch_id is not None and reference.batch_id == batch.id:
            line.taken = True
            seen[key] = line.row.line
            said = line.warnings
        else:
            line.duplicate = True
            said = line.errors
        if reference.listing_id is not None:
            said.append(_("Übernommen: Inserat %(number)s.", number=reference.listing.public_number))
        elif reference.entry_id is not None:
            said.append(_("Übernommen: Buchung Nr. %(entry)s.", entry=reference.entry_id))
        elif member is not None:
            said.append(
                _("Übernommen: Mitglied %(number)s, %(name)s.", number=member.number, name=_name(member))
            )
        return True
    if erased_import_key(key) in references:
        line.duplicate = True
        line.errors.append(
            _("Gehört zu einem Mitglied, dessen Daten gelöscht wurden: wird nicht übernommen.")
        )
        return True
    if key in seen:
        line.duplicate = True
        line.errors.append(_("Steht schon in Zeile %(line)s der Datei.", line=seen[key]))
        return True
    seen[key] = line.row.line
    return False


def _name(member: Member) -> str:
    return display_name(member, full=True)


def _date(line: LineCheck, text: str, what: str, today: dt.date, *, future: bool = False) -> dt.date | None:
    if not text.strip():
        return None
    try:
        day = values.parse_date(text)
    except ValueError:
        line.errors.append(_("%(what)s: „%(text)s“ ist kein Datum (TT.MM.JJJJ).", what=what, text=text[:40]))
        return None
    if day > today and not future:
        line.errors.append(
            _("%(what)s: %(day)s liegt in der Zukunft.", what=what, day=day.strftime("%d.%m.%Y"))
        )
        return None
    return day


def _split_name(full: str) -> tuple[str, str]:
    """ "Anna Maria Becker" -> ("Anna Maria", "Becker"); "Becker, Anna" -> ("Anna", "Becker")."""
    full = " ".join(full.split())
    if "," in full:
        last, _sep, first = full.partition(",")
        return first.strip(), last.strip()
    first, _sep, last = full.rpartition(" ")
    return first, last


def _check_members(session: Session, check: ImportCheck, today: dt.date) -> None:
    batch = check.batch
    members = list(session.scalars(select(Member).where(Member.ring_id == batch.ring_id)))
    by_number = {m.number: m for m in members}
    by_email = {m.email.strip().lower(): m for m in members if m.email}
    by_name: dict[tuple[str, str], list[Member]] = defaultdict(list)
    for m in members:
        by_name[(fold(m.first_name), fold(m.last_name))].append(m)
    references = _references(session, batch.ring_id, batch.format, "member")
    seen: dict[str, int] = {}
    emails: dict[str, int] = {}
    for line in check.lines:
        row = line.row
        if not line.key:
            line.errors.append(
                _("Benutzername fehlt.") if batch.format == "cyclos" else _("Mitgliedsnummer (N) fehlt.")
            )
        if _known(line, references, seen, batch):
            continue
        _member_details(line, batch.format, today)
        email = str(line.details.get("email") or "").lower()
        first, last = str(line.details.get("first_name", "")), str(line.details.get("last_name", ""))
        if email and email in by_email:
            line.duplicate, line.member = True, by_email[email]
            line.errors.append(
                _(
                    "Gleiche E-Mail wie Mitglied %(number)s, %(name)s.",
                    number=by_email[email].number,
                    name=_name(by_email[email]),
                )
            )
            continue
        if email and email in emails:
            line.duplicate = True
            line.errors.append(_("Gleiche E-Mail wie Zeile %(line)s der Datei.", line=emails[email]))
            continue
        if email:
            emails[email] = row.line
        same_name = by_name.get((fold(first), fold(last)), []) if first and last else []
        for other in same_name:
            if _same_address(other, line.details):
                line.duplicate, line.member = True, other
                line.errors.append(
                    _(
                        "Gleicher Name und gleiche Anschrift wie Mitglied %(number)s.",
                        number=other.number,
                    )
                )
                break
        else:
            if same_name:
                line.warnings.append(
                    _(
                        "Ein Mitglied mit gleichem Namen gibt es schon (Nr. %(number)s): bitte prüfen, "
                        "ob es dieselbe Person ist.",
                        number=same_name[0].number,
                    )
                )
    _number_members(session, check, by_number)


def _member_details(line: LineCheck, source: str, today: dt.date) -> None:
    """The member's data from the line: names, contact, dates, flags and the consents it states."""
    row = line.row
    if source == "template":
        first, last = row.get("first_name"), row.get("last_name")
    else:
        first, last = _split_name(row.get("full_name"))
    if not first or not last:
        line.errors.append(
            _(
                "Vor- und Nachname werden gebraucht („%(name)s“): bitte in der Datei ergänzen.",
                name=(row.get("full_name") or f"{first} {last}").strip()[:100],
            )
        )
    phone = row.get("phone")
    if row.get("phone2"):
        both = f"{phone} / {row.get('phone2')}" if phone else row.get("phone2")
        if len(both) <= MEMBER_LIMITS["phone"]:
            phone = both
        else:
            line.warnings.append(_("Die zweite Telefonnummer passt nicht mehr ins Feld und fehlt."))
    details: dict[str, object] = {
        "first_name": first,
        "last_name": last,
        "phone": phone,
        "email": row.get("email"),
        "street": row.get("street"),
        "postal_code": row.get("postal_code"),
        "city": row.get("city"),
        "district": row.get("district"),
    }
    for name, text in details.items():
        if len(str(text)) > MEMBER_LIMITS[name]:
            line.errors.append(
                _(
                    "%(field)s ist zu lang (höchstens %(max)s Zeichen).",
                    field=_member_field(name),
                    max=MEMBER_LIMITS[name],
                )
            )
    email = str(details["email"])
    if email and ("@" not in email or " " in email or "." not in email.rpartition("@")[2]):
        line.errors.append(_("„%(email)s“ ist keine E-Mail-Adresse.", email=email[:100]))
    details = {name: (text or None) for name, text in details.items()}
    details["first_name"], details["last_name"] = first, last
    for flag in ("paper_member", "large_print"):
        if row.get(flag):
            try:
                details[flag] = values.parse_flag(row.get(flag))
            except ValueError:
                line.errors.append(_("„%(text)s“: bitte ja oder nein.", text=row.get(flag)[:40]))
    joined = _date(line, row.get("joined_on"), _("Eintrittsdatum"), today)
    details["joined_on"] = joined or today
    line.details = details
    line.name = f"{first} {last}".strip()
    group = formats.header_key(row.get("group"))
    if "removed" in group or "geloescht" in group or "entfernt" in group:
        line.errors.append(
            _("In Cyclos gelöscht (Gruppe „%(group)s“): wird nicht übernommen.", group=row.get("group")[:60])
        )
    elif "disabled" in group or "gesperrt" in group:
        line.warnings.append(
            _(
                "In Cyclos gesperrt (Gruppe „%(group)s“): bitte nach der Übernahme prüfen.",
                group=row.get("group"),
            )
        )
    given = row.get("number")
    if given:
        number = whole_number(given)
        if number is not None and 0 < number < 2**31:
            line.given_number = number
        elif source == "template":
            line.errors.append(_("„%(text)s“ ist keine Mitgliedsnummer.", text=given[:40]))
    elif source == "cyclos":
        number = whole_number(row.get("login"))  # many rings used the member number as Cyclos login
        line.given_number = number if number is not None and 0 < number < 2**31 else None
    _consents(line, today)


def _member_field(name: str) -> str:
    return {
        "first_name": _("Vorname"),
        "last_name": _("Nachname"),
        "phone": _("Telefon"),
        "email": _("E-Mail"),
        "street": _("Straße"),
        "postal_code": _("PLZ"),
        "city": _("Ort"),
        "district": _("Stadtteil"),
    }[name]


def _consents(line: LineCheck, today: dt.date) -> None:
    """Only what the file states: a "ja" grants, a "nein" or an empty cell grants nothing."""
    row = line.row
    for field_ in CONTACT_FIELDS:
        for channel in CONSENT_CHANNELS:
            text = row.get(f"{field_}_{channel}")
            if not text:
                continue
            try:
                if values.parse_flag(text):
                    line.consents[(field_, channel)] = True
            except ValueError:
                line.errors.append(_("„%(text)s“: bitte ja oder nein.", text=text[:40]))
    line.consent_date = _date(line, row.get("consent_date"), _("Einwilligung vom"), today)
    if line.consents and not row.get("consent_date").strip():
        line.errors.append(_("Einwilligungen brauchen das Datum der Erklärung (Spalte „Einwilligung vom“)."))


def _same_address(member: Member, details: dict[str, object]) -> bool:
    def same(a: object, b: object) -> bool:
        return bool(a) and bool(b) and formats.header_key(str(a)) == formats.header_key(str(b))

    return (
        same(member.street, details.get("street"))
        or same(member.phone, details.get("phone"))
        or (same(member.postal_code, details.get("postal_code")) and not details.get("street"))
    )


def _number_members(session: Session, check: ImportCheck, by_number: dict[int, Member]) -> None:
    """Numbers the file brings along are kept where free; the other members get the next free
    numbers after the highest one handed out (so the office's own numbering goes on from there)."""
    claimed: dict[int, int] = {}
    ready = [line for line in check.lines if line.ready]
    for line in ready:
        number = line.given_number
        if number is None:
            continue
        holder = by_number.get(number)
        if holder is not None:
            line.warnings.append(
                _(
                    "Nr. %(number)s ist schon vergeben (%(name)s): bekommt die nächste freie Nummer.",
                    number=number,
                    name=_name(holder),
                )
            )
        elif number in claimed:
            line.warnings.append(
                _(
                    "Nr. %(number)s hat schon Zeile %(line)s: bekommt die nächste freie Nummer.",
                    number=number,
                    line=claimed[number],
                )
            )
        else:
            claimed[number] = line.row.line
            line.number = number
    last = max([member_number_counter(session, check.batch.ring_id), *claimed])
    for line in ready:
        if line.number is None:
            last += 1
            line.number = last


def _owner(
    line: LineCheck,
    source: str,
    members_by_ref: dict[str, ImportReference],
    by_number: dict[int, Member],
) -> Member | None:
    """The member a listing or balance belongs to: the member the old system's key was taken over
    as; for the template also a Tauschring member number."""
    text = line.row.get("member").strip()
    if not text:
        line.errors.append(_("Das Mitglied fehlt."))
        return None
    key = f"nr:{formats.number_text(text)}" if source == "template" else text
    reference = members_by_ref.get(key)
    member = reference.member if reference is not None else None
    if member is None and source == "template":
        number = whole_number(text)
        member = by_number.get(number) if number is not None else None
    if member is None:
        if source == "template":
            line.errors.append(_("Mitglied %(number)s gibt es nicht.", number=text[:20]))
        else:
            line.errors.append(
                _(
                    "Mitglied „%(who)s“ ist noch nicht übernommen: bitte zuerst die Mitglieder einlesen.",
                    who=(line.row.get("member_text") or text)[:100],
                )
            )
        return None
    if member.erased_at is not None or member.status == "left":
        line.errors.append(_("Mitglied %(number)s ist ausgetreten.", number=member.number))
    return member


def _category_for(name: str, categories: list[Category], mapping: dict[str, int]) -> Category | None:
    """A Rubrik for a name of the file: the office's mapping, else the same name (folded), else a
    part of a Cyclos path ("Haus & Garten: Garten"), from the last part on."""
    by_id = {c.id: c for c in categories}
    if name in mapping:
        return by_id.get(mapping[name])
    by_name = {fold(c.name): c for c in categories}
    for candidate in [name, *reversed(name.split(":"))]:
        found = by_name.get(fold(candidate.strip()))
        if found is not None:
            return found
    return None


def _check_listings(session: Session, check: ImportCheck, today: dt.date) -> None:
    batch = check.batch
    months = settings_of(session, batch.ring_id).listing_months
    categories = categories_of(session, batch.ring_id)
    mapping = {name: int(i) for name, i in json.loads(batch.mapping or "{}").items()}
    members_by_ref = _references(session, batch.ring_id, batch.format, "member")
    by_number = {m.number: m for m in session.scalars(select(Member).where(Member.ring_id == batch.ring_id))}
    references = _references(session, batch.ring_id, batch.format, "listing")
    existing = {
        (listing.member_id, listing.kind, fold(listing.title)): listing
        for listing in session.scalars(
            select(Listing).where(Listing.ring_id == batch.ring_id, Listing.withdrawn_at.is_(None))
        )
    }
    names: dict[str, Category | None] = {}
    seen: dict[str, int] = {}
    titles: dict[tuple[int, str, str], int] = {}
    for line in check.lines:
        row = line.row
        line.category_name = row.get("category").strip()
        if line.category_name and line.category_name not in names:
            names[line.category_name] = _category_for(line.category_name, categories, mapping)
        if _known(line, references, seen, batch):
            continue
        line.member = _owner(line, batch.format, members_by_ref, by_number)
        line.kind = formats.KIND_WORDS.get(formats.header_key(row.get("kind")))
        if line.kind is None:
            line.errors.append(_("Art „%(text)s“: bitte Angebot oder Gesuch.", text=row.get("kind")[:40]))
        line.category = names.get(line.category_name)
        if not line.category_name:
            line.errors.append(_("Die Rubrik fehlt: bitte einer Rubrik zuordnen."))
        elif line.category is None:
            line.errors.append(
                _(
                    "Rubrik „%(name)s“ gibt es hier nicht: bitte einer Rubrik dieses Tauschrings zuordnen.",
                    name=line.category_name[:60],
                )
            )
        title = " ".join(row.get("title").split())
        text = _plain(row.get("text")) or title
        if row.get("tags"):
            text = f"{text}\n{_('Stichworte')}: {row.get('tags')}"
        if not title:
            line.errors.append(_("Der Titel fehlt."))
        elif len(title) > 120:
            line.errors.append(_("Der Titel ist zu lang (höchstens 120 Zeichen)."))
        line.name = title
        expires = _date(line, row.get("expires_on"), _("Läuft bis"), today, future=True)
        permanent = row.get("permanent")
        if permanent and formats.header_key(permanent) in ("true", "ja", "yes", "1"):
            expires = None
        if expires is not None and expires < today:
            line.errors.append(
                _(
                    "Abgelaufen am %(day)s: wird nicht übernommen (für eine Übernahme das Datum ändern).",
                    day=expires.strftime("%d.%m.%Y"),
                )
            )
        published = None
        if row.get("published_at"):
            try:
                published = values.parse_moment(row.get("published_at"))
            except ValueError:
                line.errors.append(
                    _("„%(text)s“ ist kein Datum (TT.MM.JJJJ).", text=row.get("published_at")[:40])
                )
        price = " ".join(part for part in (row.get("price"), row.get("currency")) if part)
        line.details = {
            "title": title,
            "text": text,
            "expires_on": expires or add_months(today, months),
            "published_at": published,
            "price_hint": price[:200] or None,
        }
        if line.member is not None and line.kind is not None and title:
            same = existing.get((line.member.id, line.kind, fold(title)))
            if same is not None:
                line.duplicate = True
                line.errors.append(
                    _(
                        "Mitglied %(number)s hat schon das Inserat %(listing)s mit diesem Titel.",
                        number=line.member.number,
                        listing=same.public_number,
                    )
                )
                continue
            marker = (line.member.id, line.kind, fold(title))
            if marker in titles and not line.duplicate:
                line.duplicate = True
                line.errors.append(_("Steht schon in Zeile %(line)s der Datei.", line=titles[marker]))
                continue
            titles[marker] = row.line
    check.categories = list(names.items())


def _plain(text: str) -> str:
    """Cyclos keeps descriptions as HTML: the text without tags, paragraphs as line breaks."""
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    lines = [" ".join(line.split()) for line in html.unescape(text).splitlines()]
    return "\n".join(line for line in lines if line).strip()


def _opening_entries(session: Session, ring_id: int) -> dict[int, int]:
    """Accounts that have an opening balance already: account id -> entry id."""
    entry, posting = ledger.JournalEntry, ledger.Posting
    rows = session.execute(
        select(posting.account_id, entry.id)
        .join(entry, entry.id == posting.entry_id)
        .where(entry.ring_id == ring_id, entry.kind == "opening")
    )
    return {account_id: entry_id for account_id, entry_id in rows}


def _check_balances(session: Session, check: ImportCheck, today: dt.date) -> None:
    batch = check.batch
    unit = check.unit
    ring = session.get(ledger.Ring, batch.ring_id)
    members_by_ref = _references(session, batch.ring_id, batch.format, "member")
    by_number = {m.number: m for m in session.scalars(select(Member).where(Member.ring_id == batch.ring_id))}
    references = _references(session, batch.ring_id, batch.format, "balance")
    opened = _opening_entries(session, batch.ring_id)
    seen: dict[str, int] = {}
    accounts: dict[int, int] = {}
    for line in check.lines:
        row = line.row
        if _known(line, references, seen, batch):
            continue
        member = line.member = _owner(line, batch.format, members_by_ref, by_number)
        if member is not None:
            line.name = _name(member)
            if member.account_id in opened:
                line.duplicate = True
                line.errors.append(
                    _(
                        "Mitglied %(number)s hat schon einen Eröffnungssaldo (Buchung Nr. %(entry)s).",
                        number=member.number,
                        entry=opened[member.account_id],
                    )
                )
                continue
            if member.account_id in accounts:
                line.duplicate = True
                line.errors.append(
                    _("Steht schon in Zeile %(line)s der Datei.", line=accounts[member.account_id])
                )
                continue
            accounts[member.account_id] = row.line
        line.minutes = _amount(line, row, unit)
        line.limits = _limits(line, row, unit, ring)
        if line.errors:
            continue
        account = member.account
        wanted = line.limits
        if wanted is not None and wanted == (account.min_balance, account.max_balance):
            line.limits = None
        if line.minutes == 0 and line.limits is None:
            line.nothing_to_do = True
            line.warnings.append(_("Kontostand 0: nichts zu buchen."))


def _amount(line: LineCheck, row: SourceRow, unit: Unit) -> int | None:
    text = row.get("balance_seconds") or row.get("balance")
    if not text.strip():
        line.errors.append(_("Der Kontostand fehlt."))
        return None
    try:
        if row.get("balance_seconds"):
            minutes, rounded = values.parse_seconds(text)
        else:
            minutes, rounded = values.parse_minutes(text, unit)
    except ValueError:
        line.errors.append(_("„%(text)s“ ist kein Kontostand (z. B. 12:30 oder -4,5).", text=text[:40]))
        return None
    if abs(minutes) > ledger.MAX_POSTING_MINUTES:
        line.errors.append(_("Dieser Kontostand ist unrealistisch groß."))
        return None
    if rounded:
        line.warnings.append(
            _("Auf ganze Minuten gerundet (%(amount)s).", amount=format_amount(minutes, unit))
        )
    return minutes


def _limits(line: LineCheck, row: SourceRow, unit: Unit, ring) -> tuple[int | None, int | None] | None:
    """The member's own limits, where the file gives them and they differ from the ring's: a lower
    limit as Cyclos writes it (a credit of 30) or as people do (-30:00) is -30:00."""
    lower_text = row.get("credit_limit") or row.get("min_balance")
    upper_text = row.get("upper_limit") or row.get("max_balance")
    if not lower_text.strip() and not upper_text.strip():
        return None
    parsed = []
    for text in (lower_text, upper_text):
        if not text.strip():
            parsed.append(None)
            continue
        try:
            parsed.append(values.parse_minutes(text, unit)[0])
        except ValueError:
            line.errors.append(_("„%(text)s“ ist keine Grenze (z. B. -30:00).", text=text[:40]))
            return None
    lower, upper = parsed
    lower = -abs(lower) if lower is not None else None
    if upper is not None and upper < 0:
        line.errors.append(_("Die Obergrenze darf nicht negativ sein."))
        return None
    if lower == ring.default_min_balance:
        lower = None
    if upper == ring.default_max_balance:
        upper = None
    return lower, upper


# ---------------------------------------------------------------------------------------------
# Taking over


def post_import(
    session: Session, actor: Actor, batch: ImportBatch, *, now: dt.datetime, clean_only: bool = False
) -> ImportOutcome:
    """Take the ready lines over, all in this one transaction (the caller commits or rolls back).

    With errors in the file the office must say ``clean_only``: the lines with errors are left
    out on purpose, to be corrected in the file and imported again (what was taken over is then
    found as a duplicate)."""
    require_office(actor)
    if batch.ring_id != actor.ring_id:
        raise errors.ImportUnknown(import_id=batch.id)
    _require_open(batch)
    check = check_import(session, batch, today=now.date())  # a removed file has nothing ready
    if check.error_count and not clean_only:
        raise errors.ImportHasErrors(count=check.error_count)
    ready = [line for line in check.lines if line.ready]
    if not ready:
        raise errors.ImportNothingReady(import_id=batch.id)
    poster = {"members": _post_members, "listings": _post_listings, "balances": _post_balances}[batch.kind]
    entry_ids, report = poster(session, actor, batch, ready, now)
    batch.status, batch.posted_at, batch.posted_by_id = "posted", now, actor.user_id
    session.flush()
    skipped = len(check.lines) - len(ready)
    _audit(
        session,
        actor,
        batch,
        now,
        "import.post",
        f"{len(ready)} Zeilen übernommen, {skipped} nicht",
        after={
            "kind": batch.kind,
            "created": len(ready),
            "skipped": skipped,
            "clean_only": clean_only,
            **({"entries": list(entry_ids)} if entry_ids else {}),
        },
    )
    events.record(
        session,
        events.ImportPosted(ring_id=batch.ring_id, batch_id=batch.id, kind=batch.kind, created=len(ready)),
    )
    return ImportOutcome(batch, len(ready), skipped, tuple(entry_ids), report)


def _reference(batch: ImportBatch, line: LineCheck, now: dt.datetime, **made: int | None) -> ImportReference:
    return ImportReference(
        ring_id=batch.ring_id,
        batch_id=batch.id,
        source=batch.format,
        kind=REFERENCE_KIND[batch.kind],
        external_id=line.key or f"{batch.id}:{line.row.line}",
        created_at=now,
        **made,
    )


def _post_members(session, actor, batch, ready, now):
    for line in ready:
        details = {k: v for k, v in line.details.items() if k not in ("first_name", "last_name", "joined_on")}
        member = admit_member(
            session,
            actor,
            first_name=str(line.details["first_name"]),
            last_name=str(line.details["last_name"]),
            now=now,
            joined_on=line.details["joined_on"],
            number=line.number,
            **details,
        )
        if line.consents:
            set_consents(
                session, actor, member, line.consents, now=now, changed_on=line.consent_date, source="import"
            )
        session.add(_reference(batch, line, now, member_id=member.id))
    session.flush()
    return (), None


def _post_listings(session, actor, batch, ready, now):
    for line in ready:
        listing = create_listing(
            session,
            actor,
            member=line.member,
            kind=line.kind,
            category_id=line.category.id,
            now=now,
            **line.details,
        )
        session.add(_reference(batch, line, now, member_id=line.member.id, listing_id=listing.id))
    session.flush()
    return (), None


def _post_balances(session, actor, batch, ready, now):
    """One entry against the opening account (more only past the ledger's largest posting), booked
    past the limits with the reason recorded; then the members' own limits; then verify."""
    for line in ready:
        if line.limits is not None:
            set_limits(
                session, actor, line.member, min_balance=line.limits[0], max_balance=line.limits[1], now=now
            )
    opening = ledger.system_account(session, batch.ring_id, "opening")
    moving = [line for line in ready if line.minutes]
    entry_ids: list[int] = []
    for chunk in _chunks(moving):
        total = sum(line.minutes for line in chunk)
        postings = [(line.member.account_id, line.minutes) for line in chunk]
        if total:
            postings.append((opening, -total))
        entry = ledger.book_entry(
            session,
            ring_id=batch.ring_id,
            postings=postings,
            kind="opening",
            memo=f"Eröffnungssalden aus {batch.filename}"[:500],
            service_date=now.date(),
            now=now,
            operator_id=actor.user_id,
            channel="import",
            override_reason=OPENING_REASON,
        )
        entry_ids.append(entry.id)
        for line in chunk:
            session.add(_reference(batch, line, now, member_id=line.member.id, entry_id=entry.id))
    for line in ready:
        if not line.minutes:
            session.add(_reference(batch, line, now, member_id=line.member.id))
    session.flush()
    report = ledger.verify(session, batch.ring_id)
    if not report.ok:
        raise errors.OpeningBalancesUnverified(checks=", ".join(sorted({v.check for v in report.violations})))
    return entry_ids, report


def _chunks(lines: list[LineCheck]) -> list[list[LineCheck]]:
    """Lines in groups whose sum the opening account can take in one posting (nearly always one).
    A single line is never larger than the ledger's largest posting (checked before)."""
    chunks: list[list[LineCheck]] = []
    current: list[LineCheck] = []
    running = 0
    for line in lines:
        if current and abs(running + line.minutes) > ledger.MAX_POSTING_MINUTES:
            chunks.append(current)
            current, running = [], 0
        current.append(line)
        running += line.minutes
    if current:
        chunks.append(current)
    return chunks
