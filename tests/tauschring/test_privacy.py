"""Erasure and the member's data (DSGVO Art. 15, 17, 20), and names as members chose them, at the
service level on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import LargeBinary, String, Text, func, select

import ledger
from tauschring import editions, fees, listings, logins, members, payments, privacy, rings, tokens, vouchers
from tauschring.models import AuditEvent, EditionFile, metadata
from tests.tauschring.conftest import PASSWORD, T0

LATER = T0 + dt.timedelta(days=20)


def dora_everywhere(world, *, leave=True):
    """Dora as a ring would know her after a year: contact data and consents, a listing in the
    printed paper and the contact list, a login with a session and an API token, a helper, a
    fee exemption, voucher numbers with a note, bookings with Clara (a paper member), and an
    article in the paper that names her."""
    s, ute, dora = world.session, world.actor("ute"), world.dora
    members.edit_member(
        s,
        ute,
        dora,
        now=T0,
        phone="0341 999 888",
        email="dora@example.org",
        street="Dorastraße 7",
        postal_code="04229",
        city="Leipzig",
    )
    members.set_consents(
        s, ute, dora, {("phone", "print"): True, ("email", "online"): True}, now=T0, source="paper_form"
    )
    category = rings.categories_of(s, world.ring_id)[0]
    listings.create_listing(
        s,
        world.actor("dora"),
        member=dora,
        kind="offer",
        category_id=category.id,
        title="Kuchen backen",
        text="Frag Dora Neumann",
        now=T0,
    )
    payments.pay(
        s,
        world.actor("hilde"),
        payer=world.clara,
        payee=dora,
        minutes=60,
        memo="Einkauf",
        service_date=T0.date(),
        now=T0,
    )
    logins.sign_in(s, username="dora", password=PASSWORD, client="c", now=T0, device="Firefox · Linux")
    tokens.create_token(s, world.actor("dora"), name="Doras Tabelle", now=T0)
    logins.add_helper(s, ute, world.anna, helper=world.users["dora"], now=T0)
    fees.exempt(s, ute, dora, reason="Krankheit (Dora Neumann)", now=T0)
    vouchers.hand_out_vouchers(s, ute, member=dora, count=5, note="an Dora Neumann persönlich", now=T0)
    edition = editions.create_edition(
        s,
        ute,
        year=2026,
        month=11,
        cutoff=T0.date() + dt.timedelta(days=1),
        next_cutoff=T0.date() + dt.timedelta(days=31),
        now=T0,
    )
    editions.add_news(s, ute, edition, title="Danke", text="Danke an Dora Neumann für den Kuchen.", now=T0)
    editions.generate_edition(s, ute, edition, now=T0 + dt.timedelta(days=2))
    if leave:
        members.leave_member(s, ute, dora, now=LATER)
    return edition


TRACES = ("Dora", "Neumann", "dora@example.org", "0341 999 888", "Dorastraße", "Doras Tabelle", "Krankheit")


def personal_traces(session) -> dict[str, int]:
    """Every text column of every table searched for Dora's traces (rows found, by table.column)."""
    found = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text) or isinstance(column.type, LargeBinary):
                continue
            for trace in TRACES:
                count = session.scalar(select(func.count()).select_from(table).where(column.contains(trace)))
                if count:
                    found[f"{table.name}.{column.name} ~ {trace}"] = count
    return found


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def test_erasing_after_her_listing_was_printed_leaves_no_trace_but_the_books(world):
    edition = dora_everywhere(world)
    s = world.session
    files = {f.name: f for f in s.scalars(select(EditionFile).where(EditionFile.edition_id == edition.id))}
    assert "Neumann" in pdf_text(files["marktzeitung.pdf"].content)
    balance_before = ledger.balance_of(s, ring_id=world.ring_id, account_id=world.clara.account_id).balance

    report = privacy.erase_member(s, world.actor("ute"), world.dora, now=LATER)

    assert personal_traces(s) == {}
    assert report.listings == 1 and report.api_tokens == 1 and report.sessions == 1 and report.fee_exemption
    assert report.voucher_notes == 1 and report.consents >= 2  # her helper link ended when she left
    assert report.edition_texts == 1 and report.audit_events >= 3
    removed = {name for name, f in files.items() if f.removed_at is not None}
    # The paper and its large print carried her listing and contact; the contact list her phone;
    # Clara's insert names her as the partner of a booking. Blank vouchers name nobody.
    assert removed == {"marktzeitung.pdf", "grossdruck.pdf", "kontaktliste.pdf", "beilagen.pdf"}
    assert all(f.content is None for f in files.values() if f.removed_at) and files["belege.pdf"].content
    assert report.edition_files == [f"Ausgabe 11/2026: {name}" for name in sorted(removed)]
    # The books keep every entry under her number, and add up.
    assert (
        ledger.balance_of(s, ring_id=world.ring_id, account_id=world.clara.account_id).balance
        == balance_before
    )
    assert ledger.verify(s, world.ring_id).ok
    erased = s.scalar(select(AuditEvent).where(AuditEvent.action == "member.erase"))
    assert erased.after and "Dora" not in erased.after


def test_files_archived_before_members_were_recorded_go_by_her_time_in_the_ring(world):
    edition = dora_everywhere(world)
    s = world.session
    for archived in s.scalars(select(EditionFile).where(EditionFile.edition_id == edition.id)):
        archived.members_recorded = False
    s.flush()
    report = privacy.erase_member(s, world.actor("ute"), world.dora, now=LATER)
    assert len(report.edition_files) == 4  # every file but the blank vouchers, to be safe


def test_an_erasure_names_nobody_else_and_removes_no_file_without_her(world):
    s, ute = world.session, world.actor("ute")
    edition = editions.create_edition(
        s, ute, year=2026, month=11, cutoff=T0.date(), next_cutoff=T0.date() + dt.timedelta(days=30), now=T0
    )
    editions.generate_edition(s, ute, edition, now=T0)
    members.leave_member(s, ute, world.dora, now=LATER)
    report = privacy.erase_member(s, ute, world.dora, now=LATER)
    assert report.edition_files == []
    assert (
        s.scalar(select(func.count()).select_from(EditionFile).where(EditionFile.removed_at.is_not(None)))
        == 0
    )
    assert world.anna.full_name == "Anna Becker"


def test_her_data_export_holds_everything_about_her_and_others_only_as_she_sees_them(world):
    dora_everywhere(world, leave=False)
    world.clara.name_display = "number"
    data = privacy.data_of(world.session, world.actor("ute"), world.dora, now=LATER)
    assert data["member"]["email"] == "dora@example.org"
    assert {c["field"] for c in data["consents"]} >= {"phone", "email"}
    (login,) = data["logins"]
    assert (
        login["sessions"][0]["client"] == "Firefox · Linux"
        and login["api_tokens"][0]["name"] == "Doras Tabelle"
    )
    assert data["helping"] == [
        {"member_number": world.anna.number, "name": "Anna Becker", "since": T0.isoformat()}
    ]
    assert data["fee_exemption"]["reason"] == "Krankheit (Dora Neumann)"
    assert data["voucher_numbers"][0]["note"] == "an Dora Neumann persönlich"
    assert {f["file"] for f in data["printed_in"]} >= {"marktzeitung.pdf", "kontaktliste.pdf"}
    (entry,) = data["account"]["entries"]
    assert entry["partners"] == [
        {"member_number": world.clara.number, "name": f"Mitglied {world.clara.number}", "minutes": -60}
    ]
    actions = {event["action"] for event in data["audit"]}
    assert {"Einwilligungen erfasst", "Angaben geändert", "von der Gebühr befreit"} <= actions
    assert {event["by"] for event in data["audit"]} <= {"Büro", "automatisch", "Dora Neumann"}
    assert "Ute im Büro" not in str(data)  # the office is "Büro", not a name


def test_only_she_her_helper_and_the_office_get_her_data(world):
    from tauschring import errors

    for who in ("dora", "ute"):
        assert privacy.data_of(world.session, world.actor(who), world.dora, now=T0)["member"]["number"]
    with pytest.raises(errors.MayNotActFor):
        privacy.data_of(world.session, world.actor("anna"), world.dora, now=T0)


@pytest.mark.parametrize(
    ("display", "typed", "found"),
    [
        ("full", "Neumann", True),
        ("full", "dora", True),
        ("first_initial", "Neumann", False),  # her last name stays hidden
        ("first_initial", "Dora", True),
        ("number", "Dora", False),
        ("number", "Neumann", False),
    ],
)
def test_a_member_finds_others_only_by_what_they_chose_to_show(world, display, typed, found):
    world.dora.name_display = display
    world.session.flush()
    shown = members.find_payees(world.session, world.actor("anna"), typed)
    assert (world.dora in shown) is found
    assert world.dora in members.find_payees(world.session, world.actor("ute"), "Neumann")  # the office
    assert world.dora in members.find_payees(world.session, world.actor("anna"), str(world.dora.number))


def test_percent_and_underscore_find_no_one_by_accident(world):
    assert members.find_payees(world.session, world.actor("anna"), "%") == []
    assert members.find_payees(world.session, world.actor("anna"), "_") == []
