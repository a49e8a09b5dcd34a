"""Voucher batches at the office desk: typed line by line, checked at once, posted in one go."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from freezegun import freeze_time
from sqlalchemy import select

import ledger
from tauschring.db import db
from tauschring.models import Member, RingSettings, VoucherBatch, VoucherLine
from tests.web.conftest import balance, counts, text_of

NOW = "2026-11-20 15:00:00"
TODAY = "20.11.2026"


def new_batch(browser, title="Tauschtreffen November") -> int:
    response = browser.post("/buero/stapel/neu", {"title": title})
    assert response.status_code == 302
    return int(response.headers["Location"].split("/stapel/")[1].split("#")[0])


def type_line(browser, batch_id, voucher, payer, payee, amount="1:00", memo="Hilfe", date=TODAY, **extra):
    return browser.post(
        f"/buero/stapel/{batch_id}/zeile",
        {
            "voucher_number": voucher,
            "service_date": date,
            "payer_number": str(payer),
            "payee_number": str(payee),
            "amount": amount,
            "memo": memo,
            **extra,
        },
    )


def batch_page(browser, batch_id) -> str:
    return text_of(browser.get(f"/buero/stapel/{batch_id}"))


def lines(app, batch_id) -> list[VoucherLine]:
    with app.app_context():
        rows = db.session.scalars(
            select(VoucherLine).where(VoucherLine.batch_id == batch_id).order_by(VoucherLine.position)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return rows


@freeze_time(NOW)
def test_a_clerk_types_vouchers_sees_the_totals_and_posts_them_in_one_go(app, browser, other_browser, ring):
    browser.login("buero")
    batch_id = new_batch(browser)
    assert type_line(browser, batch_id, "4711", 1, 2, "1:30", "Rasen gemäht").status_code == 302
    type_line(browser, batch_id, "4712", 2, 3, "2", "Einkauf", date="18.11.")
    type_line(browser, batch_id, "4713", 3, 1, "0,75", "Vorlesen", date="2026-11-19")

    page = batch_page(browser, batch_id)
    assert "Belege: 3" in page and "Summe: 4:15 Std." in page and "bereit: 3" in page
    assert "1 Anna Becker" in page and "2 Bernd Schulz" in page  # the office sees full names
    browser.post(f"/buero/stapel/{batch_id}/summen", {"expected_count": "3", "expected_amount": "4:15"})
    assert "stimmt mit dem gezählten Papierstapel überein" in batch_page(browser, batch_id)

    posted = browser.post(f"/buero/stapel/{batch_id}/buchen", {})
    assert posted.status_code == 302
    assert "Gebucht: 4:15 Std. in 3 Belegen." in text_of(browser.get(posted.headers["Location"]))
    assert (
        balance(app, ring.anna.account),
        balance(app, ring.bernd.account),
        balance(app, ring.clara.account),
    ) == (-45, -30, 75)
    with app.app_context():
        batch = db.session.get(VoucherBatch, batch_id)
        assert batch.status == "posted" and batch.posted_by_id == ring.users["buero"]
        entries = [ledger.entry(db.session, ring_id=ring.id, entry_id=line.entry_id) for line in batch.lines]
    assert [e.voucher_number for e in entries] == ["4711", "4712", "4713"]
    assert {(e.channel, e.batch_id, e.operator_id) for e in entries} == {
        ("voucher", batch_id, ring.users["buero"])
    }
    assert [e.on_behalf_of_id for e in entries] == [ring.anna.account, ring.bernd.account, ring.clara.account]
    assert [e.service_date for e in entries] == [
        dt.date(2026, 11, 20),
        dt.date(2026, 11, 18),
        dt.date(2026, 11, 19),
    ]
    with app.app_context():
        assert ledger.verify(db.session, ring.id).ok


@freeze_time(NOW)
def test_an_open_batch_survives_a_closed_browser(app, browser, other_browser, ring):
    browser.login("buero")
    batch_id = new_batch(browser)
    type_line(browser, batch_id, "1", 1, 2)
    other_browser.login("buero")  # a new browser, a new session
    assert "4711" not in batch_page(other_browser, batch_id) and "Belege: 1" in batch_page(
        other_browser, batch_id
    )


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"payer": 99}, "Leistungsnehmer: Mitglied 99 gibt es nicht."),
        ({"payee": ""}, "Leistungsgeber: Mitgliedsnummer fehlt."),
        ({"payee": 1}, "Leistungsnehmer und Leistungsgeber sind dasselbe Mitglied."),
        ({"amount": "1:20"}, "in Schritten von 0:15 Std."),
        ({"amount": "zwei"}, "ist kein Betrag"),
        ({"amount": ""}, "Bitte geben Sie einen Betrag ein."),
        ({"date": "31.02.2026"}, "ist kein Datum"),
        ({"date": "21.11.2026"}, "Das Leistungsdatum darf nicht in der Zukunft liegen."),
        ({"voucher": ""}, "Beleg-Nr. fehlt."),
        ({"amount": "31:00"}, "Das würde die Untergrenze von Anna Becker (1) unterschreiten"),
    ],
)
def test_each_line_is_checked_at_once_with_a_plain_message(app, browser, ring, line, message):
    browser.login("buero")
    batch_id = new_batch(browser)
    values = {
        "voucher": "100",
        "payer": 1,
        "payee": 2,
        "amount": "1:00",
        "memo": "Hilfe",
        "date": TODAY,
        **line,
    }
    type_line(browser, batch_id, values.pop("voucher"), values.pop("payer"), values.pop("payee"), **values)
    page = batch_page(browser, batch_id)
    assert message in page
    assert "mit Fehlern: 1" in page


@freeze_time(NOW)
def test_a_left_or_suspended_member_is_refused(app, browser, ring):
    with app.app_context():
        db.session.get(Member, ring.bernd.id).status = "suspended"
        db.session.get(Member, ring.dora.id).status = "left"
        db.session.commit()
    browser.login("buero")
    batch_id = new_batch(browser)
    type_line(browser, batch_id, "1", 1, 2)
    type_line(browser, batch_id, "2", 4, 1)
    page = batch_page(browser, batch_id)
    assert "Leistungsgeber: Mitglied 2 ist gesperrt." in page
    assert "Leistungsnehmer: Mitglied 4 ist ausgetreten." in page


@freeze_time(NOW)
def test_the_limit_is_checked_given_all_earlier_lines_of_the_batch(app, browser, ring):
    browser.login("buero")
    batch_id = new_batch(browser)
    for number in range(1, 4):
        type_line(browser, batch_id, f"L{number}", 1, 2, "10:00")  # Anna: -10, -20, -30 hours: all fine
    type_line(browser, batch_id, "L4", 1, 3, "0:15")  # the fourth would take her to -30:15
    checks = {line.voucher_number: line for line in lines(app, batch_id)}
    page = batch_page(browser, batch_id)
    assert "bereit: 3" in page and "mit Fehlern: 1" in page
    assert "Kontostand -30:00 Std., Untergrenze -30:00 Std." in page
    assert set(checks) == {"L1", "L2", "L3", "L4"}


@freeze_time(NOW)
def test_a_voucher_number_used_twice_is_caught_before_it_books(app, browser, ring):
    with app.app_context():
        booked = ledger.book_transfer(
            db.session,
            ring_id=ring.id,
            payer=ring.bernd.account,
            payee=ring.anna.account,
            minutes=60,
            memo="früher",
            service_date=dt.date(2026, 11, 1),
            now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
            voucher_number="4711",
        )
        db.session.commit()
    browser.login("buero")
    batch_id = new_batch(browser)
    type_line(browser, batch_id, "4711", 1, 2)
    type_line(browser, batch_id, "5000", 1, 2)
    type_line(browser, batch_id, "5000", 2, 1)
    page = batch_page(browser, batch_id)
    assert f"Beleg 4711 ist schon gebucht (Buchung Nr. {booked.id})." in page
    # The first line with 5000 is the genuine one: only the second is flagged, so "book the clean
    # lines only" keeps the first.
    assert page.count("Beleg 5000 steht schon weiter oben in diesem Stapel.") == 1
    assert page.count("Doppelt:") == 2  # 4711 (booked before) and the second 5000


@freeze_time(NOW)
def test_a_batch_with_one_bad_line_books_nothing(app, browser, ring):
    browser.login("buero")
    batch_id = new_batch(browser)
    type_line(browser, batch_id, "1", 1, 2)
    type_line(browser, batch_id, "2", 2, 3)
    type_line(browser, batch_id, "3", 3, 99)
    before = counts(app)

    response = browser.post(f"/buero/stapel/{batch_id}/buchen", {})

    assert "1 Zeile hat Fehler" in text_of(browser.get(response.headers["Location"]))
    after = counts(app)
    assert (after["journal_entry"], after["posting"], after["balances"]) == (
        before["journal_entry"],
        before["posting"],
        before["balances"],
    )
    assert all(line.entry_id is None for line in lines(app, batch_id))


@freeze_time(NOW)
def test_a_refusal_in_the_middle_of_posting_rolls_back_every_line(app, browser, ring, monkeypatch):
    """Even when the books change between checking and booking, a batch is all or nothing."""
    browser.login("buero")
    batch_id = new_batch(browser)
    type_line(browser, batch_id, "1", 1, 2)
    type_line(browser, batch_id, "2", 2, 3)
    type_line(browser, batch_id, "3", 3, 4)
    import tauschring.vouchers as vouchers

    real = ledger.book_transfer
    calls = []

    def failing_third(session, **kwargs):
        calls.append(kwargs["voucher_number"])
        if len(calls) == 3:
            raise ledger.LimitExceeded(
                account_id=kwargs["payer"], label="x", side="lower", balance=0, amount=-60, limit=0
            )
        return real(session, **kwargs)

    monkeypatch.setattr(vouchers.ledger, "book_transfer", failing_third)
    before = counts(app)
    browser.post(f"/buero/stapel/{batch_id}/buchen", {})
    assert calls == ["1", "2", "3"]
    after = counts(app)
    assert (after["journal_entry"], after["balances"]) == (before["journal_entry"], before["balances"])
    with app.app_context():
        assert db.session.get(VoucherBatch, batch_id).status == "open"


@freeze_time(NOW)
def test_an_old_voucher_needs_an_explicit_confirmation(app, browser, ring):
    browser.login("buero")
    batch_id = new_batch(browser)
    type_line(browser, batch_id, "1", 1, 2, date="01.09.2026")  # 80 days: past the 56-day period
    page = batch_page(browser, batch_id)
    assert "Älter als die Einreichfrist (56 Tage): bitte bestätigen" in page and "Bestätigen:" in page
    assert "0 Belege buchen" in page
    line = lines(app, batch_id)[0]
    browser.post(f"/buero/stapel/{batch_id}/zeile/{line.id}/bestaetigen", {})
    page = batch_page(browser, batch_id)
    assert "Älter als die Einreichfrist (56 Tage), bestätigt." in page and "bereit: 1" in page


@freeze_time(NOW)
def test_lines_can_be_corrected_and_deleted_while_the_batch_is_open(app, browser, ring):
    browser.login("buero")
    batch_id = new_batch(browser)
    type_line(browser, batch_id, "1", 1, 99)
    type_line(browser, batch_id, "2", 1, 2)
    first, second = lines(app, batch_id)
    browser.post(
        f"/buero/stapel/{batch_id}/zeile/{first.id}",
        {
            "voucher_number": "1",
            "service_date": TODAY,
            "payer_number": "1",
            "payee_number": "3",
            "amount": "1:00",
            "memo": "korrigiert",
        },
    )
    browser.post(f"/buero/stapel/{batch_id}/zeile/{second.id}/loeschen", {})
    remaining = lines(app, batch_id)
    assert [(line.payee_number, line.memo) for line in remaining] == [("3", "korrigiert")]
    assert "bereit: 1" in batch_page(browser, batch_id)


@freeze_time(NOW)
def test_only_clean_lines_are_posted_on_explicit_request_and_the_rest_carries_over(app, browser, ring):
    browser.login("buero")
    batch_id = new_batch(browser)
    type_line(browser, batch_id, "1", 1, 2)
    type_line(browser, batch_id, "2", 1, 99)
    browser.post(f"/buero/stapel/{batch_id}/buchen", {"clean_only": "y"})
    posted, rest = lines(app, batch_id)
    assert posted.entry_id is not None and rest.entry_id is None
    carried = browser.post(f"/buero/stapel/{batch_id}/rest", {})
    new_id = int(carried.headers["Location"].rsplit("/", 1)[1])
    assert [line.voucher_number for line in lines(app, new_id)] == ["2"]


@freeze_time(NOW)
def test_a_second_office_user_must_approve_when_the_ring_requires_it(app, browser, other_browser, ring):
    with app.app_context():
        db.session.get(RingSettings, ring.id).require_batch_approval = True
        db.session.commit()
    browser.login("buero")
    batch_id = new_batch(browser)
    type_line(browser, batch_id, "1", 1, 2)
    refused = browser.post(f"/buero/stapel/{batch_id}/buchen", {})
    assert "erst von einer zweiten Person freigegeben" in text_of(browser.get(refused.headers["Location"]))
    own = browser.post(f"/buero/stapel/{batch_id}/freigeben", {})
    assert "zweite Person aus dem Büro" in text_of(browser.get(own.headers["Location"]))

    other_browser.login("admin")
    other_browser.post(f"/buero/stapel/{batch_id}/freigeben", {})
    with app.app_context():
        batch = db.session.get(VoucherBatch, batch_id)
        assert (batch.status, batch.approved_by_id) == ("approved", ring.users["admin"])
    browser.post(f"/buero/stapel/{batch_id}/buchen", {})
    assert balance(app, ring.anna.account) == -60


@freeze_time(NOW)
def test_a_voucher_file_is_staged_with_each_lines_state_and_booked_only_when_posted(app, browser, ring):
    browser.login("buero")
    content = (
        "Belegnummer;Leistungsdatum;Zahler;Empfänger;Betrag;Text\n"
        "9001;18.11.2026;1;2;1:30;Fahrrad\n"
        "9002;18.11.2026;2;77;1:00;Unbekannt\n"
        "9001;18.11.2026;3;1;0:30;Doppelt\n"
        "9003;18.11.2026;3;1;0:30;Kuchen\n"
    ).encode()
    response = browser.post(
        "/buero/stapel/import",
        {"file": (io.BytesIO(content), "treffen.csv")},
        content_type="multipart/form-data",
    )
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = text_of(browser.get(response.headers["Location"]))
    assert "Noch ist nichts gebucht" in page
    assert "Leistungsgeber: Mitglied 77 gibt es nicht." in page and "Doppelt:" in page
    # The first 9001 is the genuine voucher; only the second one with that number is a duplicate.
    assert "bereit: 2" in page and "mit Fehlern: 2" in page
    assert balance(app, ring.anna.account) == 0

    browser.post(f"/buero/stapel/{batch_id}/buchen", {})  # refused: the file has errors
    assert balance(app, ring.anna.account) == 0
    browser.post(f"/buero/stapel/{batch_id}/buchen", {"clean_only": "y"})  # explicit: only the clean line
    with app.app_context():
        entries = db.session.scalars(
            select(ledger.JournalEntry).where(ledger.JournalEntry.batch_id == batch_id)
        ).all()
        assert [(e.voucher_number, e.channel, e.memo) for e in entries] == [
            ("9001", "import", "Fahrrad"),
            ("9003", "import", "Kuchen"),
        ]
    assert balance(app, ring.clara.account) == -30 and balance(app, ring.anna.account) == -60


@freeze_time(NOW)
def test_an_imported_file_without_a_header_is_read_by_position(app, browser, ring):
    browser.login("buero")
    content = "7001,19.11.2026,1,2,45 min,Tür repariert\n".encode("cp1252")
    response = browser.post(
        "/buero/stapel/import", {"file": (io.BytesIO(content), "alt.csv")}, content_type="multipart/form-data"
    )
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    browser.post(f"/buero/stapel/{batch_id}/buchen", {})
    assert balance(app, ring.bernd.account) == 45
    with app.app_context():
        entry = db.session.scalar(
            select(ledger.JournalEntry).where(ledger.JournalEntry.voucher_number == "7001")
        )
        assert (entry.channel, entry.memo) == ("import", "Tür repariert")


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"Beleg;Datum;Zahler\n1;2;3\n", "Spalten fehlen in der Kopfzeile"),
        (b"   \n", "Die Datei ist leer."),
    ],
)
def test_a_broken_file_is_refused_and_stages_nothing(app, browser, ring, content, message):
    browser.login("buero")
    before = counts(app)
    response = browser.post(
        "/buero/stapel/import", {"file": (io.BytesIO(content), "x.csv")}, content_type="multipart/form-data"
    )
    assert message in text_of(browser.get(response.headers["Location"]))
    assert counts(app) == before


@freeze_time(NOW)
def test_an_upload_without_a_file_is_refused(app, browser, ring):
    browser.login("buero")
    response = browser.post("/buero/stapel/import", {}, content_type="multipart/form-data")
    assert "Bitte wählen Sie eine Datei." in text_of(browser.get(response.headers["Location"]))


@freeze_time(NOW)
def test_the_member_lookup_shows_name_status_and_balance(app, browser, ring):
    browser.login("buero")
    found = json.loads(browser.get("/buero/mitglied/1.json").get_data(as_text=True))
    assert found == {"number": 1, "found": True, "status": "active", "text": "Anna Becker · 0:00 Std."}
    assert browser.get("/buero/mitglied/777.json").status_code == 404


@freeze_time(NOW)
def test_a_posted_batch_cannot_be_changed_posted_again_or_discarded(app, browser, ring):
    browser.login("buero")
    batch_id = new_batch(browser)
    type_line(browser, batch_id, "1", 1, 2)
    browser.post(f"/buero/stapel/{batch_id}/buchen", {})
    before = counts(app)
    type_line(browser, batch_id, "2", 1, 2)
    browser.post(f"/buero/stapel/{batch_id}/buchen", {})
    browser.post(f"/buero/stapel/{batch_id}/verwerfen", {})
    assert counts(app) == before
    with app.app_context():
        assert db.session.get(VoucherBatch, batch_id).status == "posted"


@freeze_time(NOW)
def test_numbers_with_other_digits_are_errors_not_crashes(app, browser, ring):
    browser.login("buero")
    batch_id = new_batch(browser)
    type_line(browser, batch_id, "²", "²", "٣")
    page = batch_page(browser, batch_id)
    assert "Leistungsnehmer: Mitglied ² gibt es nicht." in page
    assert "Leistungsgeber: Mitglied ٣ gibt es nicht." in page
    assert browser.get("/buero/mitglieder?q=²").status_code == 200
