"""What readers of the paper stumbled over, checked on the rendered products.

An 80-year-old reader of the large-print edition and a clerk typing vouchers by member number
reported: headings alone at the foot of a page, a half-empty front page and near-empty pages
before the offers, a contact line smaller than the text around it, large print that was not large
throughout, vouchers without a field for the payer's member number, with pale small labels and a
cut-off address, an insert that never explained the vouchers nor stated the member's limits, the
publisher printed twice in the imprint, and no legend for the markers.

Sizes and colours are read from the PDF content (Tf, the text matrix and the fill colour
operators, through pypdf); positions in millimetres from the top left corner of the page.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from print.data import Edition, Limits, RingInfo
from print.inserts import render_inserts
from print.newspaper import SECTION_TITLES, render_large_print, render_newspaper
from print.vouchers import render_blank_vouchers
from tauschring.editions import IMPRESSUM

from . import samples
from .pdfcheck import Placed, all_text, flat, page_texts, placed_texts, reader, styled_texts
from .test_rendering import ink, render

BODY_SIZE, LARGE_SIZE = 12.0, 16.0
HEADER_ZONE, FOOTER_ZONE = 14.0, 284.0  # the running header and footer lie outside, in mm from the top
INSERT_HEADINGS = (
    "Ihr Kontoauszug",
    "Ihre Kontogrenzen",
    "Ihre Inserate",
    "So benutzen Sie die Belege",
)
LEGEND = (
    "NEU zum ersten Mal in der Zeitung",
    "GEÄNDERT seit der letzten Ausgabe geändert",
    "LETZTMALIG zum letzten Mal in der Zeitung",
)
# A ring whose office address starts with its association and is long, as the demo ring's.
LONG_ADDRESS_RING = samples.ring(
    office_address=("Tauschring Lindenau e. V.", "Stadtteilladen, Demmeringstraße 32", "04177 Leipzig"),
    office_phone="0341 4926 3310",
)


def page_count(pdf: bytes) -> int:
    return len(reader(pdf).pages)


def body_pieces(pdf: bytes, page: int) -> list[Placed]:
    """The text of a page between running header and footer."""
    return [piece for piece in placed_texts(pdf, page) if HEADER_ZONE < piece.top_mm < FOOTER_ZONE]


def words(text: str) -> str:
    return " ".join(text.split())


def insert_page_indices(pdf: bytes) -> dict[str, list[int]]:
    """The page indices of each member's insert (voucher pages, without footer, go with the
    member before)."""
    found: dict[str, list[int]] = {}
    for index, text in enumerate(page_texts(pdf)):
        match = re.search(r"Beilage zur Marktzeitung \S+ · Mitglied (\S+)", text)
        if match:
            found.setdefault(match.group(1), []).append(index)
        else:
            found[list(found)[-1]].append(index)
    return found


def is_voucher_page(pdf: bytes, page: int) -> bool:
    return "Beleg für das Büro" in page_texts(pdf)[page]


# -- 4. headings keep with what follows -------------------------------------------------------


def lonely_headings(pdf: bytes, headings: set[str], minor_headings: set[str], body_size: float) -> list[str]:
    """Headings with too little of their own column below them on their page.

    A heading is a bold piece whose text is a known heading, set larger than the body (section
    and Rubrik headings; the bold body-size rows of the index are not headings) or one of the
    `minor_headings` (news titles, set bold at body size). Lines are counted by the distinct
    baselines of pieces that start where the heading starts (its column). A heading needs two
    lines below it (its intro alone is not enough: the first item must follow); a news title one
    (its text may be a single line).
    """
    lonely = []
    for page in range(page_count(pdf)):
        pieces = body_pieces(pdf, page)
        for heading in pieces:
            if "Bold" not in heading.font or heading.text not in headings | minor_headings:
                continue
            if heading.size <= body_size * 1.05 and heading.text not in minor_headings:
                continue
            below = {
                round(piece.top_mm, 1)
                for piece in pieces
                if piece.top_mm > heading.top_mm + 1 and abs(piece.x_mm - heading.x_mm) < 4
            }
            if len(below) < (1 if heading.text in minor_headings else 2):
                lonely.append(f"page {page + 1}: {heading.text} ({len(below)} lines below)")
    return lonely


def paper_headings(edition: Edition) -> tuple[set[str], set[str]]:
    major = {*SECTION_TITLES.values(), *(category.name for category in edition.categories)}
    major |= {"Inhalt", "Anzeigenzettel", "Impressum", "Datenschutzhinweis", *INSERT_HEADINGS}
    major.add(f"Kontaktliste · {edition.ring.name} · Ausgabe {edition.info.label}")
    return major, {item.title for item in edition.news}


def test_no_heading_stands_alone_at_the_foot_of_a_page(
    products: dict[str, bytes], sample_edition: Edition
) -> None:
    """In every product, the large-print insert (whose headings are larger still) included."""
    major, minor = paper_headings(sample_edition)
    lonely = {
        name: lonely_headings(products[name], major, minor, body_size)
        for name, body_size in (
            ("marktzeitung.pdf", BODY_SIZE),
            ("grossdruck.pdf", LARGE_SIZE),
            ("kontaktliste.pdf", BODY_SIZE),
            ("beilagen.pdf", BODY_SIZE),
        )
    }
    assert lonely == dict.fromkeys(lonely, [])


def test_the_large_print_insert_keeps_its_listings_heading_with_the_first_listing(inserts: bytes) -> None:
    """The reported case: "Ihre Inserate" and its intro at a page foot, the listings overleaf."""
    for page in insert_page_indices(inserts)["0043"]:
        texts = [piece.text for piece in body_pieces(inserts, page)]
        if "Ihre Inserate" in texts:
            rest = texts[texts.index("Ihre Inserate") :]
            assert any(re.match(r"[AG]-\d{4}$", text) for text in rest), rest
            break
    else:
        pytest.fail("no page with Ihre Inserate")


def test_a_long_statement_never_leaves_its_header_row_alone_at_a_page_foot(inserts: bytes) -> None:
    """The statement table repeats its header row on each page, but only above booking lines."""
    for page in insert_page_indices(inserts)["0043"] + insert_page_indices(inserts)["0044"]:
        pieces = body_pieces(inserts, page)
        headers = [piece for piece in pieces if piece.text == "Saldo"]
        assert len(headers) <= 1, f"page {page + 1}: header row twice"
        for header in headers:
            below = {round(piece.top_mm) for piece in pieces if piece.top_mm > header.top_mm + 1}
            assert len(below) >= 2, f"page {page + 1}: header row alone at the foot"


# -- 5. large print fills its first pages ------------------------------------------------------


def lowest_text_mm(pdf: bytes, page: int) -> float:
    return max(piece.top_mm for piece in body_pieces(pdf, page))


def first_page_with(pdf: bytes, heading: str, size_above: float) -> int:
    for page in range(page_count(pdf)):
        if any(p.text == heading and p.size > size_above for p in body_pieces(pdf, page)):
            return page
    raise AssertionError(f"no heading {heading}")


@pytest.mark.parametrize("short_index", [False, True])
def test_large_print_fills_the_pages_before_the_offers(short_index: bool, large_print: bytes) -> None:
    pdf = large_print
    if short_index:  # one Rubrik: the index leaves half the title page free
        categories = samples.CATEGORIES[:1]
        names = {category.name for category in categories}
        listings = tuple(item for item in samples.listings() if item.category in names)
        pdf = render_large_print(samples.edition(categories=categories, listings=listings))
    offers = first_page_with(pdf, "Angebote", LARGE_SIZE * 1.2)
    for page in range(offers):
        assert lowest_text_mm(pdf, page) > 230, f"page {page + 1} is far from full"
    # and as the reader sees it: ink in the lower third of each of those pages
    for page in range(offers):
        assert ink(render(pdf, page + 1), 15, 200, 180, 70) > 0.005, f"page {page + 1}"


# -- 6. a legend for the markers ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["marktzeitung.pdf", "grossdruck.pdf"])
def test_the_markers_are_explained_where_the_listings_start(name: str, products: dict[str, bytes]) -> None:
    pdf = products[name]
    size = LARGE_SIZE if name == "grossdruck.pdf" else BODY_SIZE
    for section in ("Angebote", "Gesuche"):
        page = first_page_with(pdf, section, size * 1.2)
        text = words(page_texts(pdf)[page])
        start = text.index(section)
        first_listing = re.search(r"[AG]-\d{4}", text[start:])
        assert first_listing is not None
        before = text[start : start + first_listing.start()]
        for line in LEGEND:
            assert line in before, (section, line)


def test_the_insert_explains_the_markers_its_listings_carry(inserts: bytes) -> None:
    pages = insert_page_indices(inserts)
    heimlich = words(" ".join(page_texts(inserts)[page] for page in pages["0043"]))
    assert LEGEND[0] in heimlich and LEGEND[2] in heimlich
    assert heimlich.index(LEGEND[0]) < heimlich.index("A-0088 NEU")


# -- 7. the contact line at body size ----------------------------------------------------------


def contact_sizes(pdf: bytes, pages: range | list[int]) -> set[float]:
    return {
        piece.size
        for page in pages
        for piece in body_pieces(pdf, page)
        if piece.text.startswith(("Kontakt:", "Kontakt über das Büro"))
    }


def test_the_contact_line_is_set_at_body_size(newspaper: bytes, large_print: bytes, inserts: bytes) -> None:
    assert contact_sizes(newspaper, range(page_count(newspaper))) == {BODY_SIZE}
    assert contact_sizes(large_print, range(page_count(large_print))) == {LARGE_SIZE}
    pages = insert_page_indices(inserts)
    assert contact_sizes(inserts, pages["0042"]) == {BODY_SIZE}
    assert contact_sizes(inserts, pages["0043"]) == {LARGE_SIZE}


# -- 8. large print is large throughout --------------------------------------------------------


def test_the_large_print_paper_has_no_text_under_16_pt(large_print: bytes) -> None:
    """Only the running header and footer (page furniture in the margins) are smaller."""
    small = [
        (page + 1, piece.text, piece.size)
        for page in range(page_count(large_print))
        for piece in body_pieces(large_print, page)
        if piece.size < LARGE_SIZE
    ]
    assert small == []


def in_window(piece: Placed) -> bool:
    """Inside the DIN 5008 address field (return line and address, which are for the post)."""
    return 20 <= piece.x_mm <= 105 and 45 <= piece.top_mm <= 90


def test_the_large_print_insert_has_no_text_under_16_pt_vouchers_included(inserts: bytes) -> None:
    """Exceptions: the running header and footer, and the return line and address in the window."""
    pages = insert_page_indices(inserts)["0043"]
    small = []
    for page in pages:
        if is_voucher_page(inserts, page):  # no page furniture at all: every piece counts
            small += [(page + 1, p.text, p.size) for p in styled_texts(inserts, page) if p.size < LARGE_SIZE]
            continue
        small += [
            (page + 1, piece.text, piece.size)
            for piece in body_pieces(inserts, page)
            if piece.size < LARGE_SIZE and not (page == pages[0] and in_window(piece))
        ]
    assert small == []
    assert any(is_voucher_page(inserts, page) for page in pages)
    first = placed_texts(inserts, pages[0])
    info = [piece for piece in first if piece.x_mm >= 120 and 45 <= piece.top_mm <= 95]
    assert "Mitgliedsnummer: 0043" in [piece.text for piece in info]
    assert {piece.size for piece in info} == {LARGE_SIZE}


# -- 1. vouchers: member numbers for both, readable labels, the whole address -----------------


def voucher_labels(pdf: bytes, page: int) -> list[tuple[str, float]]:
    """(label, baseline) of the slip's static labels, in the voucher form's own coordinates."""
    return [(piece.text, round(piece.top_mm, 1)) for piece in placed_texts(pdf, page)]


def test_the_blank_voucher_asks_for_the_member_number_of_payer_and_payee(blank_vouchers: bytes) -> None:
    labels = voucher_labels(blank_vouchers, 0)
    rows = {
        text: top for text, top in labels if text in ("Leistungsnehmer (zahlt):", "Leistungsgeber (erhält):")
    }
    numbers = {top for text, top in labels if text == "Mitgl.-Nr."}
    assert rows["Leistungsnehmer (zahlt):"] in numbers  # a number field on the payer's line
    assert rows["Leistungsgeber (erhält):"] in numbers
    assert page_texts(blank_vouchers)[0].count("Mitgl.-Nr.") == 2 * 3


def test_large_print_vouchers_ask_for_both_numbers_too() -> None:
    pdf = render_blank_vouchers(["2026-00001", "2026-00002"], samples.ring(), large_print=True)
    text = page_texts(pdf)[0]
    assert text.count("Kontrollabschnitt") == 2 and text.count("Mitgl.-Nr.") == 2 * 2


def voucher_pieces(pdf: bytes) -> list[tuple[int, str, float, float]]:
    """(page, text, size, distance of the colour from black) of every piece on voucher pages."""
    return [
        (page + 1, piece.text, piece.size, piece.darkest_channel_max)
        for page in range(page_count(pdf))
        if is_voucher_page(pdf, page)
        for piece in styled_texts(pdf, page)
    ]


def test_voucher_labels_are_black_and_at_least_10_pt(blank_vouchers: bytes, inserts: bytes) -> None:
    pieces = voucher_pieces(blank_vouchers)
    assert {"Leistungsnehmer (zahlt):", "Mitgl.-Nr.", "Für Ihre Unterlagen", "Beleg-Nr."} <= {
        text for _, text, _, _ in pieces
    }
    assert [piece for piece in pieces if piece[2] < 10 or piece[3] > 0.2] == []
    heimlich_pages = {page + 1 for page in insert_page_indices(inserts)["0043"]}
    large = [piece for piece in voucher_pieces(inserts) if piece[0] in heimlich_pages]  # large print
    assert large and [piece for piece in large if piece[2] < LARGE_SIZE or piece[3] > 0.2] == []


def test_the_voucher_footer_gives_the_whole_office_address() -> None:
    numbers = ["2026-00001", "2026-00002"]
    for large in (False, True):
        options = {"large_print": True} if large else {}
        text = page_texts(render_blank_vouchers(numbers, LONG_ADDRESS_RING, **options))[0]
        assert "…" not in text
        for part in ("Demmeringstraße 32", "04177 Leipzig", "Tel. 0341 4926 3310", "Tauschtreffen"):
            assert flat(text).count(flat(part)) == 2, (large, part)


# -- 2. the insert explains the vouchers and states the limits --------------------------------


def insert_text(pdf: bytes, member: str) -> str:
    return words(" ".join(page_texts(pdf)[page] for page in insert_page_indices(pdf)[member]))


def test_the_insert_states_the_limits_and_what_is_left_at_the_statements_end(inserts: bytes) -> None:
    erika = insert_text(inserts, "0042")  # closing balance 19:00, limits -30 h and +60 h
    assert "Ihre Kontogrenzen" in erika
    assert (
        "Ihr Zeitkonto darf bis 30:00 Stunden ins Minus gehen und höchstens 60:00 Stunden Guthaben haben. "
        "Nach Ihrem Kontostand vom 30.11.2026 können Sie also noch 49:00 Stunden bezahlen und noch "
        "41:00 Stunden erhalten."
    ) in erika
    heimlich = insert_text(inserts, "0043")  # closing balance 4:45, floor -20 h, no ceiling
    assert "darf bis 20:00 Stunden ins Minus gehen; nach oben gibt es keine Grenze." in heimlich
    assert "noch 24:45 Stunden bezahlen und noch beliebig viel erhalten." in heimlich
    otto = insert_text(inserts, "0045")  # no statement: the limits only
    assert "Ihr Zeitkonto darf nicht ins Minus gehen; nach oben gibt es keine Grenze." in otto
    assert "können Sie also noch" not in otto
    assert "Kontogrenzen" not in insert_text(inserts, "0044")  # no limits given, none printed


def test_a_balance_beyond_a_limit_leaves_nothing_to_receive_and_talente_are_named() -> None:
    member = dataclasses.replace(
        samples.paper_members()[0], voucher_numbers=(), limits=Limits(-600, 600)
    )  # closing balance 19:00 = 380 Talente, above the ceiling of 200 Talente
    text = words(" ".join(page_texts(render_inserts([member], samples.talent_ring(), samples.EDITION_INFO))))
    assert "darf bis 200 Talente ins Minus gehen und höchstens 200 Talente Guthaben haben." in text
    assert "noch 580 Talente bezahlen und noch 0 Talente erhalten." in text


def test_the_insert_explains_how_to_use_the_vouchers_before_them(inserts: bytes) -> None:
    pages = insert_page_indices(inserts)["0042"]
    texts = page_texts(inserts)
    first_voucher = next(page for page in pages if is_voucher_page(inserts, page))
    before = words(" ".join(texts[page] for page in pages if page < first_voucher))
    assert "So benutzen Sie die Belege" in before
    help_text = before[before.index("So benutzen Sie die Belege") :]
    for step in (
        "Ausfüllen,",
        "Name und Mitgliedsnummer",
        "Beide unterschreiben:",
        "Kontrollabschnitt",
        "aufbewahren",
        "Abgeben im Büro oder beim Tauschtreffen",
    ):
        assert step in help_text, step
    assert "So benutzen Sie die Belege" not in insert_text(inserts, "0045")  # no vouchers


# -- 3. the imprint names the publisher once ---------------------------------------------------


def imprint(pdf: bytes) -> str:
    """The imprint part of the last section: between its two headings (Impressum, Datenschutzhinweis)."""
    text = words(all_text(pdf))
    return text[text.rindex("Impressum und Datenschutzhinweis") :].split("Datenschutzhinweis")[1]


@pytest.mark.parametrize("render", [render_newspaper, render_large_print])
@pytest.mark.parametrize(
    ("ring", "impressum"),
    [
        (samples.ring(), IMPRESSUM),  # the application's own imprint text
        (LONG_ADDRESS_RING, IMPRESSUM),  # an office address that starts with the association
        (
            samples.ring(),
            "Herausgeber: Tauschring Lindenau e. V.\n\nRedaktion: AG Zeitung.",
        ),  # the ring's own
    ],
)
def test_the_imprint_names_the_publisher_once(render, ring: RingInfo, impressum: str) -> None:
    # filled in as the application did when its text named the publisher itself
    impressum = impressum.format(
        ring=ring.name, address=", ".join(ring.office_address), phone=ring.office_phone
    )
    text = imprint(render(samples.edition(ring=ring, impressum=impressum)))
    assert text.count("Herausgeber") == 1, text
    assert len(re.findall(r"Tauschring Lindenau\b", text)) == 1, text
