"""Reports and exports: balances, entries of a period and the member list as CSV, and the journal
in hledger format, checked by hledger itself against the ledger's balances."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
from types import SimpleNamespace

import pytest

import ledger
from tauschring import reports
from tauschring.clock import RING_ZONE
from tauschring.logins import create_login
from tauschring.members import admit_member
from tauschring.names import account_label
from tauschring.permissions import Actor
from tauschring.rings import found_ring
from tests.conftest import IN_CI

UTC = dt.UTC
# The period is November 2026 in Berlin (CET, UTC+1): [Oct 31 23:00 UTC, Nov 30 23:00 UTC).
START = dt.datetime(2026, 11, 1, tzinfo=RING_ZONE)
END = dt.datetime(2026, 12, 1, tzinfo=RING_ZONE)
FOUNDED = dt.datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
TRICKY_MEMO = 'Fahrt; "zum" Arzt\u2028– Grüße 😀👩\u200d👩\u200d👧 & Co.'
HYPERLINK = '=HYPERLINK("http://example.org";"klick")'


@pytest.fixture
def book(session, monkeypatch):
    """A ring with five members (Emil left and was erased), an office login and these entries:

    before  transfer Anna -> Bernd 90 (Oct 20)
    start   transfer Bernd -> Clara 60, voucher 4711, formula memo, at the period's exact start
    e3      transfer Clara -> Anna 45 with a tricky memo, 23:30 UTC = next day in Berlin
    fee     fee 30 from Anna, Bernd, Clara and Dora to the fee account
    rev     reversal of e3
    emil    transfer Dora -> Emil 120, then Emil's settlement, closing and erasure
    end     transfer Anna -> Dora 15 at the period's exact end (outside)
    after   transfer Dora -> Bernd 30 in December
    and a transfer in another ring inside the period.
    """
    monkeypatch.setattr("tauschring.logins.generate_password_hash", lambda password: "not-a-hash")
    ring_id = found_ring(session, name="Testring; Lindenau West", now=FOUNDED)
    system = Actor.system(ring_id)
    make = lambda first, last, **kw: admit_member(  # noqa: E731
        session, system, first_name=first, last_name=last, now=FOUNDED, **kw
    )
    anna = make(
        "Anna",
        "Becker",
        phone="0341 100 001",
        email="anna@example.org",
        street="Karl-Heine-Straße 1",
        postal_code="04229",
        city="Leipzig",
        district="Plagwitz",
    )
    bernd = make("Bernd", "Schulz", phone="+49 341 100 002")
    clara = make("Clara", "Wagner", paper_member=True, large_print=True)
    dora = make("Dora", "Neumann", email="=dora@example.org")
    emil = make("Emil", "Erler", phone="0341 555 555", email="emil@example.org", city="Leipzig")
    clerk = create_login(
        session, system, username="buero", password="geheim-und-lang", now=FOUNDED, role="office"
    )

    def transfer(payer, payee, minutes, at, **kw):
        kw.setdefault("memo", "Gartenarbeit")
        kw.setdefault("service_date", at.astimezone(UTC).date())
        return ledger.book_transfer(
            session,
            ring_id=ring_id,
            payer=payer.account_id,
            payee=payee.account_id,
            minutes=minutes,
            now=at,
            **kw,
        )

    e = SimpleNamespace()
    e.before = transfer(anna, bernd, 90, dt.datetime(2026, 10, 20, 10, 0, tzinfo=UTC))
    e.start = transfer(
        bernd,
        clara,
        60,
        START.astimezone(UTC),
        memo=HYPERLINK,
        voucher_number="4711",
        channel="voucher",
        operator_id=clerk.id,
        on_behalf_of_id=clara.account_id,
        service_date=dt.date(2026, 10, 30),
    )
    e.e3 = transfer(clara, anna, 45, dt.datetime(2026, 11, 18, 23, 30, tzinfo=UTC), memo=TRICKY_MEMO)
    fees = ledger.system_account(session, ring_id, "fees")
    e.fee = ledger.book_entry(
        session,
        ring_id=ring_id,
        postings=[(m.account_id, -30) for m in (anna, bernd, clara, dora)] + [(fees, 120)],
        kind="fee",
        memo="Kontoführungsgebühr 11/2026",
        service_date=dt.date(2026, 11, 20),
        now=dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        operator_id=clerk.id,
        channel="office",
    )
    e.rev = ledger.reverse_entry(
        session,
        ring_id=ring_id,
        entry_id=e.e3.id,
        reason="Falsch gebucht",
        now=dt.datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
        operator_id=clerk.id,
    )
    e.emil = transfer(dora, emil, 120, dt.datetime(2026, 11, 22, 10, 0, tzinfo=UTC))
    left = dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    e.settle = ledger.settle_account(
        session, ring_id=ring_id, account_id=emil.account_id, memo="Austritt", now=left, operator_id=clerk.id
    )
    ledger.close_account(session, ring_id=ring_id, account_id=emil.account_id, now=left)
    # Erasure as the office would do it: the row keeps its number, the account its postings.
    emil.status, emil.left_on, emil.erased_at = "left", left.date(), left
    ledger.relabel_account(session, ring_id=ring_id, account_id=emil.account_id, label=account_label(emil))
    e.end = transfer(anna, dora, 15, END.astimezone(UTC))
    e.after = transfer(dora, bernd, 30, dt.datetime(2026, 12, 5, 10, 0, tzinfo=UTC))

    other = found_ring(session, name="Nachbarring", now=FOUNDED)
    neighbour = Actor.system(other)
    xaver = admit_member(session, neighbour, first_name="Xaver", last_name="Fremd", now=FOUNDED)
    yvonne = admit_member(session, neighbour, first_name="Yvonne", last_name="Fremd", now=FOUNDED)
    e.foreign = ledger.book_transfer(
        session,
        ring_id=other,
        payer=xaver.account_id,
        payee=yvonne.account_id,
        minutes=30,
        memo="Nachbarschaftshilfe",
        service_date=dt.date(2026, 11, 10),
        now=dt.datetime(2026, 11, 10, 10, 0, tzinfo=UTC),
    )
    session.flush()
    return SimpleNamespace(
        session=session,
        ring_id=ring_id,
        members=SimpleNamespace(anna=anna, bernd=bernd, clara=clara, dora=dora, emil=emil),
        entries=e,
    )


def parse(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "UTF-8 with BOM, for Excel"
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def as_dicts(text: str) -> list[dict[str, str]]:
    header, *rows = parse(text)
    assert all(len(row) == len(header) for row in rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


# ---------------------------------------------------------------------------------------------
# Balances


def test_balances_csv_equals_the_ledger_and_sums_to_zero(book):
    text = reports.balances_csv(book.session, book.ring_id)
    header, *_ = parse(text)
    assert header == list(reports.BALANCES_HEADER)
    rows = as_dicts(text)
    balances = ledger.ring_balances(book.session, ring_id=book.ring_id)
    by_account = {b.account_id: b for b in balances}
    assert len(rows) == len(balances) + 1

    members = vars(book.members)
    member_rows = [r for r in rows if r["Mitgliedsnummer"]]
    assert [int(r["Mitgliedsnummer"]) for r in member_rows] == sorted(m.number for m in members.values())
    for row in member_rows:
        member = next(m for m in members.values() if m.number == int(row["Mitgliedsnummer"]))
        expected = by_account[member.account_id]
        assert int(row["Saldo in Minuten"]) == expected.balance
        assert row["Untergrenze in Minuten"] == str(expected.min_balance)
        assert row["Obergrenze in Minuten"] == str(expected.max_balance)
    anna = next(r for r in member_rows if r["Name"] == "Anna Becker")
    assert anna["Status"] == "aktiv"
    assert anna["Saldo in Minuten"] == str(by_account[book.members.anna.account_id].balance) == "-135"
    assert anna["Saldo h:mm"] == "-2:15"  # a negative duration, shown as one (no apostrophe)
    assert anna["Untergrenze in Minuten"] == "-1800"  # a number stays a number

    emil = next(r for r in member_rows if int(r["Mitgliedsnummer"]) == book.members.emil.number)
    assert emil["Name"] == f"Mitglied {book.members.emil.number}"
    assert "Emil" not in text and "Erler" not in text

    system_rows = rows[len(member_rows) : -1]
    assert [r["Name"] for r in system_rows] == list(reports.SYSTEM_ACCOUNT_NAMES.values())
    system = {b.label: b.balance for b in balances if b.kind != "member"}
    for row in system_rows:
        assert int(row["Saldo in Minuten"]) == system[row["Name"]]
        assert row["Untergrenze in Minuten"] == row["Obergrenze in Minuten"] == ""
    assert system["Gebührenkonto"] == 120 and system["Gemeinschaftskonto"] == 120

    total = rows[-1]
    assert total["Name"] == "Summe"
    assert total["Saldo in Minuten"] == "0" and total["Saldo h:mm"] == "0:00"
    assert sum(int(r["Saldo in Minuten"]) for r in rows[:-1]) == 0


# ---------------------------------------------------------------------------------------------
# Entries of a period


def test_entries_csv_holds_exactly_the_postings_booked_in_the_period(book):
    e = book.entries
    rows = as_dicts(reports.entries_csv(book.session, book.ring_id, START, END))
    inside = [e.start, e.e3, e.fee, e.rev, e.emil, e.settle]
    assert [int(r["Buchung"]) for r in rows] == [x.id for x in inside for _ in x.postings]
    ids = {int(r["Buchung"]) for r in rows}
    assert e.start.id in ids, "an entry at the exact start belongs to the period"
    assert e.end.id not in ids, "an entry at the exact end belongs to the next period"
    assert e.before.id not in ids and e.after.id not in ids and e.foreign.id not in ids

    numbers = {m.account_id: m.number for m in vars(book.members).values()}
    expected = {(x.id, str(numbers.get(p.account_id, "")), p.amount) for x in inside for p in x.postings}
    got = {(int(r["Buchung"]), r["Konto"] if r["Konto"].isdigit() else "", int(r["Minuten"])) for r in rows}
    assert got == expected
    assert sum(int(r["Minuten"]) for r in rows) == 0


def test_entries_csv_columns_and_local_dates(book):
    e = book.entries
    rows = as_dicts(reports.entries_csv(book.session, book.ring_id, START, END))
    first = [r for r in rows if int(r["Buchung"]) == e.start.id]
    # Booked Oct 31 23:00 UTC: that is Nov 1 in Berlin.
    assert {r["Buchungsdatum"] for r in first} == {"2026-11-01"}
    assert {r["Leistungsdatum"] for r in first} == {"2026-10-30"}
    assert {(r["Art"], r["Belegnummer"], r["Kanal"], r["eingegeben von"]) for r in first} == {
        ("Überweisung", "4711", "Beleg", "buero")
    }
    bernd = next(r for r in first if r["Konto"] == str(book.members.bernd.number))
    assert (bernd["Name"], bernd["Minuten"], bernd["h:mm"]) == ("Bernd Schulz", "-60", "-1:00")

    late = [r for r in rows if int(r["Buchung"]) == e.e3.id]
    assert {r["Buchungsdatum"] for r in late} == {"2026-11-19"}  # 23:30 UTC is past midnight in Berlin
    assert {r["Leistungsdatum"] for r in late} == {"2026-11-18"}
    assert {r["Text"] for r in late} == {TRICKY_MEMO}
    assert {r["eingegeben von"] for r in late} == {""}

    storno = [r for r in rows if int(r["Buchung"]) == e.rev.id]
    assert {(r["Art"], r["Storno von"], r["Text"], r["Kanal"]) for r in storno} == {
        ("Storno", str(e.e3.id), "Falsch gebucht", "Büro")
    }
    fee = [r for r in rows if int(r["Buchung"]) == e.fee.id]
    assert len(fee) == 5 and {r["Art"] for r in fee} == {"Gebühr"}
    assert ("Gebührenkonto", "", "120") in {(r["Konto"], r["Name"], r["Minuten"]) for r in fee}
    settle = [r for r in rows if int(r["Buchung"]) == e.settle.id]
    assert {(r["Art"], r["Konto"], r["Name"], r["Minuten"]) for r in settle} == {
        ("Ausgleich", str(book.members.emil.number), f"Mitglied {book.members.emil.number}", "-120"),
        ("Ausgleich", "Gemeinschaftskonto", "", "120"),
    }


def test_entries_csv_of_a_summer_day_and_an_empty_period(book):
    # Summer time (CEST, UTC+2): 22:30 UTC on Jul 31 is Aug 1 in Berlin; nothing was booked then.
    start = dt.datetime(2026, 8, 1, tzinfo=RING_ZONE)
    assert parse(reports.entries_csv(book.session, book.ring_id, start, start)) == [
        list(reports.ENTRIES_HEADER)
    ]
    with pytest.raises(ValueError):
        reports.entries_csv(book.session, book.ring_id, dt.datetime(2026, 11, 1), END)
    with pytest.raises(ValueError):
        reports.entries_csv(book.session, book.ring_id, END, START)
    with pytest.raises(ledger.UnknownRing):
        reports.entries_csv(book.session, 999_999, START, END)


# ---------------------------------------------------------------------------------------------
# Formula injection


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+49 341", "'+49 341"),
        ("-1:30", "-1:30"),  # a signed duration is a number to the reader, not a formula
        ("-1:30+A1", "'-1:30+A1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Gartenarbeit", "Gartenarbeit"),
        ("a=b", "a=b"),
        ("", ""),
        (-90, -90),
        (0, 0),
        (None, ""),
        (True, "ja"),
        (False, "nein"),
        (dt.date(2026, 11, 18), "2026-11-18"),
    ],
)
def test_csv_cell_protects_text_but_not_numbers(value, cell):
    assert reports.csv_cell(value) == cell


def test_formula_memo_is_quoted_and_negative_minutes_stay_numbers(book):
    text = reports.entries_csv(book.session, book.ring_id, START, END)
    rows = as_dicts(text)
    first = [r for r in rows if int(r["Buchung"]) == book.entries.start.id]
    assert {r["Text"] for r in first} == {"'" + HYPERLINK}
    assert sorted(r["Minuten"] for r in first) == ["-60", "60"]
    assert ";-60;" in text and "'-60" not in text
    assert "\r\n" in text and text.count("\r\n") == len(rows) + 1

    members = as_dicts(reports.members_csv(book.session, book.ring_id))
    dora = next(r for r in members if r["Vorname"] == "Dora")
    bernd = next(r for r in members if r["Vorname"] == "Bernd")
    assert dora["E-Mail"] == "'=dora@example.org"
    assert bernd["Telefon"] == "'+49 341 100 002"


# ---------------------------------------------------------------------------------------------
# Member list


def test_members_csv_lists_every_member_and_no_data_of_erased_ones(book):
    text = reports.members_csv(book.session, book.ring_id)
    header, *_ = parse(text)
    assert header == list(reports.MEMBERS_HEADER)
    rows = as_dicts(text)
    members = vars(book.members)
    assert [int(r["Mitgliedsnummer"]) for r in rows] == sorted(m.number for m in members.values())
    balances = {b.account_id: b.balance for b in ledger.ring_balances(book.session, ring_id=book.ring_id)}
    for row in rows:
        member = next(m for m in members.values() if m.number == int(row["Mitgliedsnummer"]))
        assert int(row["Saldo in Minuten"]) == balances[member.account_id]

    anna = rows[0]
    assert anna == {
        "Mitgliedsnummer": str(book.members.anna.number),
        "Vorname": "Anna",
        "Nachname": "Becker",
        "Telefon": "0341 100 001",
        "E-Mail": "anna@example.org",
        "Straße": "Karl-Heine-Straße 1",
        "PLZ": "04229",
        "Ort": "Leipzig",
        "Stadtteil": "Plagwitz",
        "Papiermitglied": "nein",
        "Großdruck": "nein",
        "Status": "aktiv",
        "Eintritt": "2026-10-01",
        "Austritt": "",
        "Saldo in Minuten": "-135",
        "Saldo h:mm": "-2:15",
    }
    clara = next(r for r in rows if r["Vorname"] == "Clara")
    assert (clara["Papiermitglied"], clara["Großdruck"]) == ("ja", "ja")

    emil = next(r for r in rows if int(r["Mitgliedsnummer"]) == book.members.emil.number)
    personal = ("Vorname", "Nachname", "Telefon", "E-Mail", "Straße", "PLZ", "Ort", "Stadtteil")
    assert all(emil[field] == "" for field in personal)
    assert emil["Status"] == reports.ERASED_STATUS
    assert (emil["Austritt"], emil["Saldo in Minuten"]) == ("2026-11-25", "0")
    for secret in ("Emil", "Erler", "0341 555 555", "emil@example.org"):
        assert secret not in text


# ---------------------------------------------------------------------------------------------
# hledger journal


def _hledger() -> str:
    found = shutil.which("hledger")
    if found is None:
        message = "hledger is not installed (Debian package hledger)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def _run_hledger(*args: str) -> str:
    env = {key: value for key, value in os.environ.items() if key != "LEDGER_FILE"}
    # hledger decodes files by the locale; without a UTF-8 locale umlauts abort it.
    env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8")
    result = subprocess.run(
        [_hledger(), *args], capture_output=True, text=True, encoding="utf-8", env=env, timeout=60
    )
    assert result.returncode == 0, f"hledger {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def _minutes(amount: str) -> int:
    """'-90 Min' (or '0', hledger drops the commodity of a zero) -> -90."""
    number = amount.removesuffix(reports.COMMODITY).strip()
    assert number.lstrip("-").isdigit(), amount
    return int(number)


def _journal_names(book) -> dict[int, str]:
    accounts = ledger.ring_balances(book.session, ring_id=book.ring_id)
    numbers = {m.account_id: m.number for m in vars(book.members).values()}
    return {
        a.account_id: f"Mitglieder:{numbers[a.account_id]:04d}"
        if a.kind == "member"
        else f"Tauschring:{reports.SYSTEM_ACCOUNT_NAMES[a.kind]}"
        for a in accounts
    }


@pytest.fixture
def journal(book, tmp_path):
    text = reports.hledger_journal(
        book.session, book.ring_id, now=dt.datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    )
    path = tmp_path / "tauschring.journal"
    path.write_text(text, encoding="utf-8")
    return SimpleNamespace(text=text, path=str(path))


def test_hledger_balances_equal_the_ledger(book, journal):
    _run_hledger("-f", journal.path, "check", "--strict", "ordereddates")
    out = _run_hledger("-f", journal.path, "balance", "--flat", "--no-total", "-O", "csv")
    header, *rows = list(csv.reader(io.StringIO(out)))
    assert header == ["account", "balance"]
    hledger_balances = {account: _minutes(amount) for account, amount in rows}

    names = _journal_names(book)
    ours = {names[b.account_id]: b.balance for b in ledger.ring_balances(book.session, ring_id=book.ring_id)}
    assert set(hledger_balances) <= set(ours)
    assert {name: hledger_balances.get(name, 0) for name in ours} == ours
    assert any(balance != 0 for balance in ours.values())


def test_ledger_cli_reads_the_same_journal_with_the_same_balances(book, journal):
    found = shutil.which("ledger")
    if found is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("ledger is not installed (Debian package ledger)")
        pytest.skip("ledger is not installed (Debian package ledger)")
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    result = subprocess.run(
        [
            found,
            "-f",
            journal.path,
            "balance",
            "--flat",
            "--no-total",
            "--balance-format",
            "%(account)\t%(amount)\n",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    ledger_balances = {}
    for line in result.stdout.splitlines():
        account, amount = line.split("\t")
        ledger_balances[account] = _minutes(amount)
    names = _journal_names(book)
    ours = {names[b.account_id]: b.balance for b in ledger.ring_balances(book.session, ring_id=book.ring_id)}
    assert {name: ledger_balances.get(name, 0) for name in ours} == ours


def test_hledger_reads_every_entry_with_its_memo_and_tags(book, journal):
    e = book.entries
    out = _run_hledger("-f", journal.path, "print", "-O", "csv")
    header, *rows = list(csv.reader(io.StringIO(out)))
    txns: dict[int, dict[str, str]] = {}
    for row in rows:
        record = dict(zip(header, row, strict=True))
        txns.setdefault(int(record["code"]), record)
    in_ring = [e.before, e.start, e.e3, e.fee, e.rev, e.emil, e.settle, e.end, e.after]
    assert list(txns) == [x.id for x in in_ring], "every entry of the ring, in booking order"
    assert len(rows) == sum(len(x.postings) for x in in_ring)

    tricky = txns[e.e3.id]
    assert tricky["description"] == TRICKY_MEMO.replace(";", ",").replace("\u2028", " ")
    assert tricky["date"] == "2026-11-19"  # the local booking date
    assert "kind:transfer" in tricky["comment"] and "service-date:2026-11-18" in tricky["comment"]
    assert txns[e.start.id]["description"] == HYPERLINK.replace(";", ",")
    assert "voucher:4711" in txns[e.start.id]["comment"]
    assert f"reverses:{e.e3.id}" in txns[e.rev.id]["comment"]

    # Tags are queryable: the voucher finds its entry, the kind finds the fee.
    voucher = _run_hledger("-f", journal.path, "print", "-O", "csv", "tag:voucher=4711")
    assert {int(r[4]) for r in list(csv.reader(io.StringIO(voucher)))[1:]} == {e.start.id}
    fees = _run_hledger("-f", journal.path, "balance", "--flat", "--no-total", "-O", "csv", "tag:kind=fee")
    assert ["Tauschring:Gebührenkonto", "120 Min"] in list(csv.reader(io.StringIO(fees)))


def test_hledger_journal_text(book, journal):
    text = journal.text
    lines = text.splitlines()
    assert lines[0] == "; Tauschring: Testring, Lindenau West"
    assert lines[1] == "; Journal exportiert am 2026-12-06 13:00 (Europe/Berlin)"
    assert any("Beträge in Minuten" in line for line in lines[:5])
    # one line, no "format" sub-directive: ledger-cli 3 refuses that form, hledger needs the "."
    assert "commodity 1000. Min" in lines
    assert "account Tauschring:Gemeinschaftskonto" in lines
    emil = f"account Mitglieder:{book.members.emil.number:04d}"
    assert lines[lines.index(emil) + 1] == f"    ; Mitglied {book.members.emil.number}"
    assert "Emil" not in text
    e3 = next(line for line in lines if line.startswith(f"2026-11-19 ({book.entries.e3.id}) "))
    assert ";" not in e3
    for line in lines:
        if line.startswith("    ") and not line.lstrip().startswith((";", "format ")):
            account, amount = line.strip().split("  ")
            assert ";" not in account and account.count(":") == 1
            assert amount.endswith(" Min") and int(amount.removesuffix(" Min"))


def test_hledger_journal_of_a_ring_without_entries(session, tmp_path):
    ring_id = found_ring(session, name="Leerer Ring", now=FOUNDED)
    admit_member(session, Actor.system(ring_id), first_name="Ida", last_name="Einsam", now=FOUNDED)
    path = tmp_path / "empty.journal"
    path.write_text(reports.hledger_journal(session, ring_id), encoding="utf-8")
    _run_hledger("-f", str(path), "check", "--strict")
    assert _run_hledger("-f", str(path), "balance", "--flat", "--no-total", "-O", "csv").splitlines() == [
        '"account","balance"'
    ]
    rows = as_dicts(reports.balances_csv(session, ring_id))
    assert [r["Name"] for r in rows] == ["Ida Einsam", *reports.SYSTEM_ACCOUNT_NAMES.values(), "Summe"]
