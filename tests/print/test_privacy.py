"""Privacy: only what a member consented to print is printed, and an insert holds only its own
member's data."""

from __future__ import annotations

import re

import pytest

from print.newspaper import contact_line

from . import samples
from .pdfcheck import all_text, flat, metadata_text, page_texts


def insert_pages(pdf: bytes) -> dict[str, str]:
    """The text of each member's insert, by member number (read from the running footer)."""
    by_member: dict[str, list[str]] = {}
    for text in page_texts(pdf):
        numbers = set(re.findall(r"Beilage zur Marktzeitung 12/2026 · Mitglied (\S+)", text))
        assert len(numbers) <= 1
        if numbers:
            by_member.setdefault(numbers.pop(), []).append(text)
        else:  # voucher pages carry no footer: they belong to the member before
            last = list(by_member)[-1]
            by_member[last].append(text)
    return {number: "\n".join(texts) for number, texts in by_member.items()}


def test_the_application_rule_drops_fields_without_print_consent() -> None:
    contact = samples.printable_contact(samples.SECRETIVE)
    assert contact.is_empty
    assert samples.printable_contact(samples.ERIKA).phone == samples.CONSENTED_PHONE
    assert samples.printable_contact(samples.ERIKA).email is None


def test_a_contact_without_printable_fields_reads_via_the_office() -> None:
    ring = samples.ring()
    line = contact_line(samples.printable_contact(samples.SECRETIVE), ring)
    assert line == "Kontakt über das Büro, Tel.\u00a00341\u00a0246\u00a0810"


def test_a_name_without_a_way_to_reach_adds_the_office() -> None:
    line = contact_line(samples.printable_contact(samples.NAME_ONLY), samples.ring()).replace("\u00a0", " ")
    assert line == "Kontakt: Nora Nurname, über das Büro, Tel. 0341 246 810"
    assert "0341 000 1111" not in line


@pytest.mark.parametrize(
    "secret",
    [
        samples.SECRET_PHONE,
        samples.SECRET_EMAIL,
        "Geheimgasse",
        "Hans Heimlich",
        "0341 000 1111",
        "erika@example.org",
        "Lindenweg 5",
    ],
)
def test_unconsented_details_appear_in_no_page_and_no_metadata_of_the_paper(
    secret: str, newspaper: bytes, large_print: bytes, contact_list: bytes
) -> None:
    for pdf in (newspaper, large_print, contact_list):
        assert flat(secret) not in flat(all_text(pdf))
        assert secret not in metadata_text(pdf)


def test_consented_details_do_appear(newspaper: bytes, large_print: bytes, contact_list: bytes) -> None:
    for pdf in (newspaper, large_print, contact_list):
        text = " ".join(all_text(pdf).split())  # at body size the office line may wrap in a column
        assert samples.CONSENTED_PHONE in text
        assert "Erika Mustermann" in text
        assert "Kontakt über das Büro, Tel. 0341 246 810" in text or pdf is contact_list


def test_listings_of_members_without_consent_go_via_the_office(newspaper: bytes) -> None:
    text = " ".join(all_text(newspaper).split())
    assert re.search(
        r"A-0012 LETZTMALIG Blumen gießen im Urlaub .*? Kontakt über das Büro, Tel\. 0341 246 810", text
    )


def test_an_insert_holds_only_its_own_members_data(inserts: bytes) -> None:
    pages = insert_pages(inserts)
    assert list(pages) == ["0042", "0043", "0044", "0045"]
    assert flat(samples.INSERT_PHONE) in flat(pages["0043"])
    for number, text in pages.items():
        if number != "0043":
            assert flat(samples.INSERT_PHONE) not in flat(text)
            assert "Heimlich" not in text and "Geheimgasse" not in text
        if number != "0042":
            assert "Mustermann" not in text and "Lindenweg" not in text
    assert samples.INSERT_PHONE not in metadata_text(inserts)
    assert "Mustermann" not in metadata_text(inserts)


def test_unconsented_details_never_reach_the_inserts_of_others(inserts: bytes) -> None:
    pages = insert_pages(inserts)
    for text in pages.values():
        assert flat(samples.SECRET_PHONE) not in flat(text)
        assert samples.SECRET_EMAIL not in text
