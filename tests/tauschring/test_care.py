"""Activity care: members inactive for N months and beyond the warning thresholds, a letter for
each (mail merge in the insert style), the office's record of reaching out; erasure deletes those
records and the member's data export lists them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from print.letters import render_letters
from tauschring import care, errors, members, payments, privacy, rings
from tauschring.models import AuditEvent, Outreach
from tests.print.pdfcheck import all_text

pytestmark = pytest.mark.usefixtures("app_context")

NOV_10 = dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC)
JUNE = dt.datetime(2027, 6, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def app_context():
    from tauschring import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_ENGINES": {"default": "sqlite://"}})
    with app.test_request_context():
        yield


def _fmt(minutes: int) -> str:
    return (
        f"{minutes // 60}:{minutes % 60:02d} Std."
        if minutes >= 0
        else f"-{-minutes // 60}:{-minutes % 60:02d} Std."
    )


@pytest.fixture
def ring(world):
    payments.pay(
        world.session,
        world.system,
        payer=world.anna,
        payee=world.bernd,
        minutes=600,
        memo="Umzug",
        service_date=dt.date(2026, 11, 9),
        now=NOV_10,
    )
    payments.pay(
        world.session,
        world.system,
        payer=world.dora,
        payee=world.anna,
        minutes=30,
        memo="Einkauf",
        service_date=dt.date(2027, 5, 20),
        now=JUNE,
    )
    settings = rings.settings_of(world.session, world.ring_id)
    settings.warn_min_balance, settings.warn_max_balance = -5 * 60, 5 * 60
    world.session.flush()
    return world


def test_the_care_list_names_the_inactive_and_those_beyond_the_thresholds(ring):
    w = ring
    lines = care.care_list(w.session, w.actor("ute"), months=6, today=JUNE.date())
    inactive = {line.member.number for line in lines if line.reason == "inactive"}
    beyond = {(line.member.number, line.side) for line in lines if line.reason == "beyond_limit"}
    # Bernd and Clara have not exchanged since November (or never); Anna and Dora did in May.
    assert inactive == {w.bernd.number, w.clara.number}
    assert beyond == {(w.anna.number, "low"), (w.bernd.number, "high")}
    assert care.care_list(w.session, w.actor("ute"), months=12, today=JUNE.date()) == [
        line for line in lines if line.reason == "beyond_limit"
    ]
    with pytest.raises(errors.OfficeOnly):
        care.care_list(w.session, w.actor("anna"), months=6, today=JUNE.date())
    with pytest.raises(errors.OutreachInvalid):
        care.care_list(w.session, w.actor("ute"), months=0, today=JUNE.date())


def test_the_letters_are_a_mail_merge_with_the_window_address(ring):
    w = ring
    lines = care.care_list(w.session, w.actor("ute"), months=6, today=JUNE.date())
    clara = next(line for line in lines if line.member.number == w.clara.number)
    letter = care.letter_for(clara, today=JUNE.date(), office_phone="0341 111", format_minutes=_fmt)
    assert letter.address[0] == "Clara Wagner" and "Lützner Straße 5" in letter.address
    from print.data import RingInfo

    info = RingInfo(
        name="Testring", office_address=("Markt 1",), office_phone="0341 111", sprechstunde="Di 10-12"
    )
    pdf = render_letters(
        [letter, care.letter_for(lines[0], today=JUNE.date(), office_phone="", format_minutes=_fmt)], info
    )
    text = all_text(pdf)
    assert "Wir vermissen Sie im Tauschring" in text and "Clara Wagner" in text and "0341 111" in text
    assert pdf == render_letters(
        [letter, care.letter_for(lines[0], today=JUNE.date(), office_phone="", format_minutes=_fmt)], info
    )


def test_the_office_records_that_it_reached_out_and_the_list_shows_it(ring):
    w = ring
    care.record_outreach(
        w.session,
        w.actor("ute"),
        w.clara,
        reason="inactive",
        channel="phone",
        note="Knie operiert, meldet sich im Herbst",
        now=JUNE,
    )
    lines = care.care_list(w.session, w.actor("ute"), months=6, today=JUNE.date())
    clara = next(line for line in lines if line.member.number == w.clara.number)
    assert clara.last_outreach.channel == "phone" and clara.last_outreach.by_id == w.users["ute"].id
    assert (
        w.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "outreach.record")
        )
        == 1
    )
    with pytest.raises(errors.OutreachInvalid):
        care.record_outreach(
            w.session, w.actor("ute"), w.clara, reason="inactive", channel="fax", note="", now=JUNE
        )
    with pytest.raises(errors.MemberUnknown):
        care.record_outreach(
            w.session, w.actor("ute"), w.xaver, reason="inactive", channel="phone", note="", now=JUNE
        )


def test_her_export_lists_the_outreach_and_erasure_deletes_it(ring):
    w = ring
    care.record_outreach(
        w.session,
        w.actor("ute"),
        w.clara,
        reason="inactive",
        channel="letter",
        note="Brief geschickt",
        now=JUNE,
    )
    data = privacy.data_of(w.session, w.actor("ute"), w.clara, now=JUNE)
    [entry] = data["outreach"]
    assert (entry["reason"], entry["channel"], entry["note"]) == ("inactive", "letter", "Brief geschickt")
    assert entry["by"] in ("Büro", "Ute im Büro")
    members.leave_member(w.session, w.actor("ute"), w.clara, now=JUNE)
    report = privacy.erase_member(w.session, w.actor("ute"), w.clara, now=JUNE)
    assert report.outreach == 1
    assert (
        w.session.scalar(select(func.count()).select_from(Outreach).where(Outreach.member_id == w.clara.id))
        == 0
    )
