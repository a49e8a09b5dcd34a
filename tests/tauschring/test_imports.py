"""Moving in at the service level: sample files of every format (template as CSV and XLSX, Cyclos 3,
TimeOverflow) with umlauts, Windows-1252, duplicates and broken lines, staged, checked, taken over;
then the members, listings and balances as the ring has them, and a second import that changes
nothing. Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

import ledger
from tauschring import errors, imports, members, privacy, rings
from tauschring.imports import values
from tauschring.models import AuditEvent, Consent, ConsentChange, ImportReference, Listing, Member
from tauschring.permissions import Actor
from tauschring.units import Unit
from tests import import_samples as samples
from tests.tauschring.conftest import rows

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def stage(world, source, kind, raw, filename="datei.csv", actor=None, **kw):
    return imports.stage_import(
        world.session,
        actor or world.actor("ute"),
        kind=kind,
        source=source,
        filename=filename,
        raw=raw,
        now=NOW,
        **kw,
    )


def statuses(check) -> list[tuple[int, str]]:
    return [(line.row.line, line.status) for line in check.lines]


def member_named(world, first, last) -> Member:
    return world.session.scalar(
        select(Member).where(
            Member.ring_id == world.ring_id, Member.first_name == first, Member.last_name == last
        )
    )


def take_over(world, batch, **kw):
    return imports.post_import(world.session, world.actor("ute"), batch, now=NOW, **kw)


# --- members from the template -------------------------------------------------------------------


@pytest.fixture
def template_members(world):
    raw = samples.csv_bytes(samples.TEMPLATE_MEMBERS, encoding="cp1252")
    return stage(world, "template", "members", raw, "mitglieder.csv")


def test_template_members_in_windows_1252_are_checked_line_by_line(world, template_members):
    check = imports.check_import(world.session, template_members, today=TODAY)
    assert statuses(check) == [
        (2, "ready"), (3, "ready"), (4, "ready"), (5, "duplicate"), (6, "error"), (7, "error"), (8, "error"),
    ]  # fmt: skip
    juergen, hildegard, oemer = check.lines[:3]
    assert (juergen.number, juergen.name, juergen.details["street"]) == (
        20,
        "Jürgen Müller",
        "Gießerstraße 7",
    )
    assert hildegard.number == 21 and hildegard.details["paper_member"] is True
    assert oemer.name == "Ömer Çelik" and oemer.number == 22
    assert "Nr. 1 ist schon vergeben (Anna Becker)" in oemer.warnings[0]
    assert "Zeile 2" in check.lines[3].errors[0]
    assert "Vor- und Nachname" in check.lines[4].errors[0]
    assert "Datum der Erklärung" in check.lines[5].errors[0]
    assert any("kein Datum" in e for e in check.lines[6].errors)
    assert any("ja oder nein" in e for e in check.lines[6].errors)


def test_errors_are_left_out_only_when_asked_and_then_nothing_else_is_written(world, template_members):
    before = rows(world.session)
    with pytest.raises(errors.ImportHasErrors) as refused:
        take_over(world, template_members)
    assert refused.value.params == {"count": 3}
    assert rows(world.session) == before


def test_taking_members_over_admits_them_with_kept_numbers_and_only_the_stated_consents(
    world, template_members
):
    outcome = take_over(world, template_members, clean_only=True)

    assert (outcome.created, outcome.skipped) == (3, 4)
    juergen = member_named(world, "Jürgen", "Müller")
    assert (juergen.number, juergen.street, juergen.city, juergen.joined_on) == (
        20, "Gießerstraße 7", "Leipzig", dt.date(2019, 3, 15),
    )  # fmt: skip
    assert juergen.large_print is True and juergen.paper_member is False
    consents = {(c.field, c.channel): (c.granted, c.source, c.changed_on) for c in juergen.consents}
    assert consents == {
        ("phone", "online"): (True, "import", dt.date(2025, 2, 1)),
        ("phone", "print"): (True, "import", dt.date(2025, 2, 1)),
    }
    hildegard = member_named(world, "Hildegard", "Weiß")
    assert hildegard.number == 21 and hildegard.consents == [] and hildegard.paper_member
    assert member_named(world, "Ömer", "Çelik").number == 22
    # the office's own numbering goes on after the highest number handed out
    admitted = members.admit_member(
        world.session, world.system, first_name="Neu", last_name="Mitglied", now=NOW
    )
    assert admitted.number == 23
    assert template_members.status == "posted"
    assert world.session.scalar(select(func.count()).select_from(ConsentChange)) == 2
    assert world.session.scalar(
        select(AuditEvent.summary).where(AuditEvent.action == "import.post")
    ).startswith("Umzug")


def test_a_second_import_of_the_same_file_changes_nothing(world, template_members):
    take_over(world, template_members, clean_only=True)
    before = rows(world.session)
    raw = samples.csv_bytes(samples.TEMPLATE_MEMBERS, encoding="cp1252")

    again = imports.preview_import(
        world.session,
        world.actor("ute"),
        kind="members",
        source="template",
        filename="m.csv",
        raw=raw,
        now=NOW,
    )

    assert [line.status for line in again.lines] == ["duplicate"] * 4 + ["error"] * 3
    assert "Übernommen: Mitglied 20, Jürgen Müller." in again.lines[0].errors
    assert again.same_file is template_members
    assert rows(world.session) == before
    second = stage(world, "template", "members", raw)
    with pytest.raises(errors.ImportNothingReady):
        take_over(world, second, clean_only=True)
    assert world.session.scalar(select(func.count()).select_from(Member)) == before["member"]


def test_the_template_as_xlsx_reads_like_the_csv(world):
    raw = samples.xlsx_bytes(
        [samples.TEMPLATE_MEMBERS[0], [20, "Jürgen", "Müller"] + [""] * 6 + [dt.datetime(2019, 3, 15)]]
    )
    check = imports.check_import(
        world.session, stage(world, "template", "members", raw, "m.xlsx"), today=TODAY
    )
    assert statuses(check) == [(2, "ready")]
    assert (check.lines[0].number, check.lines[0].details["joined_on"]) == (20, dt.date(2019, 3, 15))


def test_english_headers_commas_and_a_byte_order_mark_are_read_too(world):
    raw = (
        "\ufeffnumber,first name,last name,email,phone online,consent date\n"
        "7,Zoë,Ångström,zoe@example.org,yes,2024-05-01\n"
    )
    check = imports.check_import(
        world.session, stage(world, "template", "members", raw.encode()), today=TODAY
    )
    line = check.lines[0]
    assert (line.status, line.name, line.consents, line.consent_date) == (
        "ready", "Zoë Ångström", {("phone", "online"): True}, dt.date(2024, 5, 1),
    )  # fmt: skip


def test_cells_with_characters_the_text_rule_refuses_are_read_with_spaces_and_taken_over(world):
    raw = "Nummer;Vorname;Nachname;Straße\n30;Ma\u202eria;Vogel\x00;Am Hang\x1b 3\n"
    batch = stage(world, "template", "members", raw.encode())
    check = imports.check_import(world.session, batch, today=TODAY)
    assert [line.status for line in check.lines] == ["ready"]

    outcome = take_over(world, batch)

    maria = world.session.scalar(select(Member).where(Member.number == 30, Member.ring_id == world.ring_id))
    assert outcome.created == 1
    assert (maria.first_name, maria.last_name, maria.street) == ("Ma ria", "Vogel", "Am Hang  3")


def test_a_member_with_the_e_mail_or_name_and_address_of_a_member_is_a_duplicate(world):
    world.anna.email = "anna@example.org"
    world.session.flush()
    raw = samples.csv_bytes(
        [
            ["Vorname", "Nachname", "Straße", "E-Mail"],
            ["Anna", "B.", "", "ANNA@example.org"],
            ["Anna", "Becker", "Karl-Heine-Straße 1", ""],
            ["Bernd", "Schulz", "Anderswo 3", ""],
        ]
    )
    check = imports.check_import(world.session, stage(world, "template", "members", raw), today=TODAY)
    assert statuses(check) == [(2, "duplicate"), (3, "duplicate"), (4, "ready")]
    assert "Mitglied 1" in check.lines[0].errors[0] and "Mitglied 1" in check.lines[1].errors[0]
    assert "gleichem Namen" in check.lines[2].warnings[0]


# --- Cyclos 3 ----------------------------------------------------------------------------------------


@pytest.fixture
def cyclos_members(world):
    raw = samples.csv_bytes(samples.CYCLOS_MEMBERS_EN, sep=",", quote_all=True)
    batch = stage(world, "cyclos", "members", raw, "members_admin.csv")
    take_over(world, batch, clean_only=True)
    return batch


def test_cyclos_members_keep_a_numeric_login_as_number_and_bring_custom_fields(world, cyclos_members):
    check = imports.check_import(world.session, cyclos_members, today=TODAY)
    assert statuses(check) == [(2, "taken"), (3, "taken"), (4, "error"), (5, "duplicate"), (6, "error")]
    assert "In Cyclos gelöscht" in check.lines[2].errors[0]
    assert "Vor- und Nachname" in check.lines[4].errors[0]
    grete = member_named(world, "Margarete", "Köhler")
    assert (grete.street, grete.postal_code, grete.city, grete.district) == (
        "Karl-Heine-Straße 12", "04229", "Leipzig", "Plagwitz",
    )  # fmt: skip
    assert (grete.phone, grete.email, grete.joined_on) == (
        "0341 555 / 0171 555",
        "grete@example.org",
        dt.date(2012, 5, 3),
    )
    assert grete.consents == []  # Cyclos' export states no consent: none is assumed
    assert member_named(world, "Bernd", "Schulz") is not None
    assert members.member_by_number(world.session, world.ring_id, 117).email == "bernd.s@example.org"
    assert grete.number == 118  # after the highest number handed out (117)
    assert world.session.scalar(select(func.count()).select_from(ledger.Account)) >= 2


def test_cyclos_members_with_german_headers_in_windows_1252(world):
    raw = samples.csv_bytes(samples.CYCLOS_MEMBERS_DE, encoding="cp1252")
    check = imports.check_import(world.session, stage(world, "cyclos", "members", raw), today=TODAY)
    line = check.lines[0]
    assert (line.status, line.name, line.details["street"], line.details["joined_on"]) == (
        "ready", "Käthe Süß", "Straße des 17. Juni 1", dt.date(2010, 12, 24),
    )  # fmt: skip


def test_cyclos_ads_find_their_member_by_login_and_their_rubrik_by_name_or_mapping(world, cyclos_members):
    raw = samples.csv_bytes(samples.CYCLOS_ADS_DE, encoding="cp1252")
    batch = stage(world, "cyclos", "listings", raw, "ads.csv")
    check = imports.check_import(world.session, batch, today=TODAY)
    assert statuses(check) == [(2, "ready"), (3, "error"), (4, "error"), (5, "error")]
    assert check.unmapped == ["Soziales"]
    assert check.lines[0].category.name == "Handwerk"  # "Handwerk: Fahrrad" by its parent
    assert "Abgelaufen am 01.02.2020" in check.lines[2].errors[0]
    assert "noch nicht übernommen" in check.lines[3].errors[0]

    imports.map_categories(world.session, world.actor("ute"), batch, {"Soziales": "Haushalt"}, now=NOW)
    check = imports.check_import(world.session, batch, today=TODAY)
    assert statuses(check)[:2] == [(2, "ready"), (3, "ready")]
    take_over(world, batch, clean_only=True)

    listings = {
        row.title: row
        for row in world.session.scalars(select(Listing).where(Listing.ring_id == world.ring_id))
    }
    bikes, doctor = listings["Fahrräder reparieren"], listings["Begleitung zum Arzt"]
    assert bikes.member.first_name == "Margarete" and bikes.kind == "offer"
    assert bikes.text == "Schläuche, Bremsen & Licht.\nGern!"
    assert (bikes.expires_on, bikes.price_hint) == (dt.date(2027, 3, 1), "1,00 Std.")
    assert bikes.created_at.date() == dt.date(2026, 9, 1)
    assert doctor.kind == "request" and doctor.category.name == "Haushalt" and doctor.member.number == 117
    assert doctor.expires_on > TODAY  # permanent in Cyclos: the ring's months from today


def test_cyclos_balances_and_credit_limits_are_one_entry_against_the_opening_account(world, cyclos_members):
    raw = samples.csv_bytes(samples.CYCLOS_REPORT_EN, sep=",", quote_all=True)
    batch = stage(world, "cyclos", "balances", raw, "members_report.csv")
    check = imports.check_import(world.session, batch, today=TODAY)
    assert statuses(check) == [(2, "ready"), (3, "ready"), (4, "error")]
    assert (check.lines[0].minutes, check.lines[1].minutes, check.total) == (74070, -1545, 72525)
    assert (
        check.lines[0].limits == (-3000, 6000) and check.lines[1].limits is None
    )  # -30 h / 60 h: the ring's

    outcome = take_over(world, batch, clean_only=True)
    world.session.expire_all()  # the ledger writes balances with SQL of its own

    assert len(outcome.entry_ids) == 1 and outcome.verify.ok
    entry = ledger.entry(world.session, ring_id=world.ring_id, entry_id=outcome.entry_ids[0])
    opening = ledger.system_account(world.session, world.ring_id, "opening")
    assert entry.kind == "opening" and entry.channel == "import" and entry.override_reason
    assert {p.account_id: p.amount for p in entry.postings}[opening] == -72525
    grete = member_named(world, "Margarete", "Köhler")
    assert grete.account.balance == 74070  # far beyond the ring's upper limit: limits do not apply here
    assert (grete.account.min_balance, grete.account.max_balance) == (-3000, 6000)
    assert ledger.verify(world.session, world.ring_id).ok

    again = imports.check_import(world.session, stage(world, "cyclos", "balances", raw), today=TODAY)
    assert [line.status for line in again.lines] == ["duplicate", "duplicate", "error"]


def test_a_member_with_an_opening_balance_gets_no_second_one_from_another_file(world):
    opening = ledger.system_account(world.session, world.ring_id, "opening")
    ledger.book_entry(
        world.session,
        ring_id=world.ring_id,
        postings=[(world.anna.account_id, 120), (opening, -120)],
        kind="opening",
        memo="von Hand",
        service_date=TODAY,
        now=NOW,
    )
    other = samples.csv_bytes([["Mitgliedsnummer", "Kontostand"], ["1", "5:00"], ["2", "1:00"]])
    check = imports.check_import(world.session, stage(world, "template", "balances", other), today=TODAY)
    assert statuses(check) == [(2, "duplicate"), (3, "ready")]
    assert "schon einen Eröffnungssaldo" in check.lines[0].errors[0]


def test_template_balances_with_limits_zero_lines_and_broken_lines(world, template_members):
    take_over(world, template_members, clean_only=True)
    raw = samples.xlsx_bytes(samples.TEMPLATE_BALANCES)
    batch = stage(world, "template", "balances", raw, "kontostaende.xlsx")
    check = imports.check_import(world.session, batch, today=TODAY)
    assert statuses(check) == [
        (2, "ready"),
        (3, "ready"),
        (4, "nothing"),
        (5, "duplicate"),
        (6, "error"),
        (7, "error"),
    ]
    assert [line.minutes for line in check.lines[:3]] == [750, -270, 0]
    assert check.lines[0].limits == (-2400, None)
    take_over(world, batch, clean_only=True)
    world.session.expire_all()
    # Number 1 of the file is Ömer (who got number 22 here, as Anna has 1): the balance follows him.
    assert member_named(world, "Ömer", "Çelik").account.balance == -270
    assert (world.anna.account.balance, world.bernd.account.balance) == (0, 0)
    assert member_named(world, "Jürgen", "Müller").account.min_balance == -2400
    assert ledger.verify(world.session, world.ring_id).ok


def test_a_history_of_transfers_is_refused_with_what_to_import_instead(world):
    before = rows(world.session)
    for source, lines in (
        ("cyclos", samples.CYCLOS_HISTORY_DE),
        ("timeoverflow", samples.TIMEOVERFLOW_TRANSFERS_EN),
    ):
        with pytest.raises(errors.ImportHistoryNotImported):
            stage(world, source, "balances", samples.csv_bytes(lines, sep=","))
    assert rows(world.session) == before


# --- TimeOverflow ------------------------------------------------------------------------------------


@pytest.fixture
def timeoverflow_members(world):
    raw = samples.csv_bytes(samples.TIMEOVERFLOW_MEMBERS_ES, sep=",")
    batch = stage(world, "timeoverflow", "members", raw, "Usuarios.csv")
    return batch


def test_timeoverflow_members_are_read_by_position_in_any_language(world, timeoverflow_members):
    check = imports.check_import(world.session, timeoverflow_members, today=TODAY)
    assert statuses(check) == [(2, "ready"), (3, "ready"), (4, "error"), (5, "duplicate")]
    lucia, joerg = check.lines[:2]
    assert (lucia.name, lucia.details["email"], lucia.details["joined_on"]) == (
        "Lucía Fernández", "lucia@example.org", dt.date(2019, 4, 2),
    )  # fmt: skip
    assert "Nr. 1 ist schon vergeben" in lucia.warnings[0]
    assert (joerg.number, joerg.details["phone"]) == (40, "0341 999 / 0172 999")


def test_timeoverflow_balances_in_seconds_and_posts_with_category_headings(world, timeoverflow_members):
    take_over(world, timeoverflow_members, clean_only=True)
    balances = stage(
        world, "timeoverflow", "balances", samples.csv_bytes(samples.TIMEOVERFLOW_MEMBERS_ES, sep=",")
    )
    check = imports.check_import(world.session, balances, today=TODAY)
    assert [(line.status, line.minutes) for line in check.lines] == [
        ("ready", 90), ("ready", -30), ("error", 0), ("duplicate", None),
    ]  # fmt: skip
    take_over(world, balances, clean_only=True)
    world.session.expire_all()
    assert member_named(world, "Lucía", "Fernández").account.balance == 90
    assert members.member_by_number(world.session, world.ring_id, 40).account.balance == -30

    offers = stage(
        world, "timeoverflow", "listings", samples.csv_bytes(samples.TIMEOVERFLOW_OFFERS_EN, sep=",")
    )
    check = imports.check_import(world.session, offers, today=TODAY)
    assert statuses(check) == [(3, "ready"), (4, "ready"), (6, "error"), (7, "error")]
    assert check.lines[0].details["text"] == "Hecke schneiden\nStichworte: garten, hecke"
    assert "Rubrik fehlt" in check.lines[2].errors[0]
    take_over(world, offers, clean_only=True)
    inquiries = stage(
        world, "timeoverflow", "listings", samples.csv_bytes(samples.TIMEOVERFLOW_INQUIRIES_ES, sep=",")
    )
    take_over(world, inquiries)
    ride = world.session.scalar(select(Listing).where(Listing.title == "Fahrt zum Markt"))
    assert (ride.kind, ride.category.name, ride.member.number) == ("request", "Fahrdienste", 40)


# --- bad input, permissions, the ring, erasure --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "refusal"),
    [
        (b"", errors.ImportEmpty),
        (b"\r\n ; \r\n", errors.ImportEmpty),
        ("Vorname;Straße\nAnna;Weg 1\n".encode(), errors.ImportColumnsMissing),
        (b"PK\x03\x04 kein Arbeitsbuch", errors.ImportUnreadable),
        (b"x" * 5_000_001, errors.ImportTooLarge),
        (("Vorname;Nachname\n" + "A;B\n" * 5001).encode(), errors.ImportTooManyLines),
    ],
    ids=["empty", "blank", "columns", "broken-xlsx", "too-large", "too-long"],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_written(world, raw, refusal):
    before = rows(world.session)
    with pytest.raises(refusal):
        stage(world, "template", "members", raw)
    assert rows(world.session) == before


def test_only_the_office_imports(world):
    before = rows(world.session)
    raw = samples.csv_bytes(samples.TEMPLATE_MEMBERS)
    with pytest.raises(errors.OfficeOnly):
        stage(world, "template", "members", raw, actor=world.actor("anna"))
    with pytest.raises(errors.ImportUnknown):
        batch = stage(world, "template", "members", raw)
        imports.import_for(world.session, Actor.system(world.other_ring_id), batch.id)
    with pytest.raises(errors.ImportFormatUnknown):
        stage(world, "excel", "members", raw)
    assert rows(world.session)["member"] == before["member"]


def test_a_taken_over_or_discarded_import_stays_as_it_is(world, template_members):
    imports.discard_import(world.session, world.actor("ute"), template_members, now=NOW)
    with pytest.raises(errors.ImportNotOpen):
        take_over(world, template_members, clean_only=True)
    with pytest.raises(errors.ImportNotOpen):
        imports.map_categories(world.session, world.actor("ute"), template_members, {"x": "Garten"}, now=NOW)


def test_a_mapping_names_a_rubrik_of_the_ring(world):
    batch = stage(world, "template", "listings", samples.csv_bytes(samples.TEMPLATE_LISTINGS))
    with pytest.raises(errors.CategoryUnknown):
        imports.map_categories(
            world.session, world.actor("ute"), batch, {"Haus & Hof": "Gibt es nicht"}, now=NOW
        )
    assert batch.mapping == "{}"


def test_template_listings(world, template_members):
    take_over(world, template_members, clean_only=True)
    batch = stage(
        world, "template", "listings", samples.csv_bytes(samples.TEMPLATE_LISTINGS, encoding="cp1252")
    )
    check = imports.check_import(world.session, batch, today=TODAY)
    assert statuses(check) == [
        (2, "ready"), (3, "error"), (4, "ready"), (5, "duplicate"), (6, "error"), (7, "error"), (8, "error"),
    ]  # fmt: skip
    imports.map_categories(world.session, world.actor("ute"), batch, {"Haus & Hof": "Haushalt"}, now=NOW)
    outcome = take_over(world, batch, clean_only=True)
    assert outcome.created == 3
    moving = world.session.scalar(select(Listing).where(Listing.title == "Hilfe beim Umzug"))
    assert (moving.kind, moving.text, moving.expires_on) == (
        "request",
        "Hilfe beim Umzug",
        dt.date(2027, 12, 31),
    )
    assert moving.member.number == 20


def test_the_ring_is_named_by_number_or_name_and_never_guessed(world):
    session = world.session
    assert rings.ring_by_reference(session, str(world.ring_id)) == world.ring_id
    assert rings.ring_by_reference(session, "Nachbarring") == world.other_ring_id
    with pytest.raises(errors.RingNotNamed):
        rings.ring_by_reference(session, None)
    with pytest.raises(errors.RingUnknown):
        rings.ring_by_reference(session, "Gibt es nicht")


def test_an_erased_member_is_not_brought_back_by_the_old_file(world, cyclos_members):
    grete = member_named(world, "Margarete", "Köhler")
    members.leave_member(world.session, world.system, grete, now=NOW)
    privacy.erase_member(world.session, world.system, grete, now=NOW)
    reference = world.session.scalar(select(ImportReference).where(ImportReference.member_id == grete.id))
    assert reference.external_id.startswith("erased:") and "grete" not in reference.external_id
    assert cyclos_members.content == b"" and cyclos_members.sha256  # the file held her address
    removed = imports.check_import(world.session, cyclos_members, today=TODAY)
    assert removed.removed and removed.lines == []
    raw = samples.csv_bytes(samples.CYCLOS_MEMBERS_EN, sep=",", quote_all=True)
    check = imports.check_import(world.session, stage(world, "cyclos", "members", raw), today=TODAY)
    assert check.lines[0].status == "duplicate" and "gelöscht" in check.lines[0].errors[0]


def test_a_given_member_number_must_be_free(world):
    with pytest.raises(errors.MemberNumberTaken):
        members.admit_member(world.session, world.system, first_name="A", last_name="B", now=NOW, number=1)


def test_consents_from_a_file_are_recorded_as_such(world):
    members.set_consents(
        world.session, world.system, world.dora, {("email", "print"): True}, now=NOW, source="import"
    )
    consent = world.session.scalar(select(Consent).where(Consent.member_id == world.dora.id))
    assert consent.source == "import"


# --- cells ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("20.11.2026", dt.date(2026, 11, 20)),
        ("1.4.26", dt.date(2026, 4, 1)),
        ("20/11/2026", dt.date(2026, 11, 20)),
        ("2026-11-20 10:22:33 +0100", dt.date(2026, 11, 20)),
        ("2026-11-20 10:22:33 UTC", dt.date(2026, 11, 20)),
        ("20/11/2026 10:12:00", dt.date(2026, 11, 20)),
    ],
)
def test_dates_as_the_old_systems_write_them(text, day):
    assert values.parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("12:30", (750, False)),
        ("-4,5", (-270, False)),
        ("1.234,50", (74070, False)),
        ("1,234.50", (74070, False)),
        ("-25,75", (-1545, False)),
        ("0,33", (20, True)),
        ("3 Std.", (180, False)),
        ("2-", (-120, False)),
    ],
)
def test_amounts_in_hours(text, minutes):
    assert values.parse_minutes(text, Unit()) == minutes


def test_amounts_in_a_rings_own_unit_and_seconds():
    assert values.parse_minutes("250", Unit(units_per_hour=20)) == (750, False)
    assert values.parse_seconds("-5400") == (-90, False)
    assert values.parse_seconds("90") == (2, True)
    for bad in ("zwölf", "1:75", "", "1,2,3,4"):
        with pytest.raises(ValueError):
            values.parse_minutes(bad, Unit())
