"""The Marktzeitung: sections, Rubriken, listings, index and page numbers, read back with pypdf."""

from __future__ import annotations

import re

from print.data import Edition
from print.newspaper import render_contact_list, render_large_print, render_newspaper

from . import samples
from .pdfcheck import all_text, page_texts, placed_texts

SECTION_ORDER = [
    "Termine",
    "Aus dem Tauschring",
    "Neue Mitglieder",
    "Angebote",
    "Gesuche",
    "Kontaktliste",
    "Formulare",
    "Impressum und Datenschutzhinweis",
]
NUMBER = re.compile(r"^([AG]-\d{4})(?:\s+(NEU|GEÄNDERT|LETZTMALIG))?\b")


def words(text: str) -> str:
    """Text with every run of whitespace (line breaks of the columns) as one space."""
    return " ".join(text.split())


def body(text: str) -> str:
    """A page's own content: what comes before the running header, which is drawn last, followed
    only by index rows drawn when the document was complete."""
    return text.split("Tauschring Lindenau · Marktzeitung")[0]


def headings(pdf: bytes, edition: Edition) -> list[tuple[str, str, int]]:
    """(section, heading, page) for every section and Rubrik heading after the title page."""
    sections = set(SECTION_ORDER)
    rubriken = {category.name for category in edition.categories}
    found = []
    section = ""
    for page_number, text in enumerate(page_texts(pdf)[1:], start=2):
        for line in body(text).splitlines():
            line = line.strip()
            if line in sections:
                section = line
                found.append((section, line, page_number))
            elif line in rubriken and section in ("Angebote", "Gesuche"):
                found.append((section, line, page_number))
    return found


def listing_numbers(pdf: bytes) -> list[tuple[str, str, str | None]]:
    """(Rubrik, number, marker) of every listing in print order."""
    edition = samples.edition()
    rubriken = {category.name for category in edition.categories}
    result = []
    rubrik = ""
    for text in page_texts(pdf)[1:]:
        for line in body(text).splitlines():
            line = line.strip()
            if line in rubriken:
                rubrik = line
            match = NUMBER.match(line)
            if match:
                result.append((rubrik, match.group(1), match.group(2)))
    return result


def index_rows(pdf: bytes, pages: int) -> list[tuple[str, int]]:
    """The category index on the first `pages` pages as (label, page), read by position.

    A row is a label and a page number on the same baseline; rows are read column by column.
    """
    result = []
    for page in range(pages):
        rows: dict[float, list[tuple[float, str]]] = {}
        for piece in placed_texts(pdf, page):
            if 12 < piece.top_mm < 285:  # between running header and footer
                rows.setdefault(round(piece.top_mm, 1), []).append((piece.x_mm, piece.text))
        left, right = [], []
        for top in sorted(rows):
            texts = [text for _, text in sorted(rows[top])]
            if len(texts) in (2, 4) and all(text.isdigit() for text in texts[1::2]):
                left.append((texts[0], int(texts[1])))
                if len(texts) == 4:
                    right.append((texts[2], int(texts[3])))
        result += left + right
    return result


def test_sections_come_in_the_agreed_order(newspaper: bytes, sample_edition: Edition) -> None:
    order = [heading for section, heading, _ in headings(newspaper, sample_edition) if heading == section]
    assert order == SECTION_ORDER


def test_title_page_has_edition_cutoff_office_and_sprechstunde(newspaper: bytes) -> None:
    title = page_texts(newspaper)[0]
    assert "Ausgabe Nr. 12 · Dezember 2026" in title
    assert "Redaktionsschluss für die nächste Ausgabe:\nDienstag, 29. Dezember 2026" in title
    assert "Tel. 0341 246 810" in title
    assert "Sprechstunde: Dienstag 10–12 Uhr und Donnerstag 16–18 Uhr im Bürgerhaus" in title
    assert "buero@tauschring-lindenau.example" in title


def test_rubriken_follow_the_ring_order_and_empty_ones_are_left_out(
    newspaper: bytes, sample_edition: Edition
) -> None:
    found = headings(newspaper, sample_edition)
    offers = [heading for section, heading, _ in found if section == "Angebote" and heading != section]
    requests = [heading for section, heading, _ in found if section == "Gesuche" and heading != section]
    assert offers == [
        "Haus und Garten",
        "Handwerk und Reparaturen",
        "Computer und Technik",
        "Fahrdienste und Begleitung",
        "Lernen und Nachhilfe",
        "Kinder und Familie",
    ]
    assert requests == [
        "Haus und Garten",
        "Computer und Technik",
        "Fahrdienste und Begleitung",
        "Lernen und Nachhilfe",
    ]
    assert "Tiere" not in all_text(newspaper)


def test_within_a_rubrik_new_listings_come_first_then_by_number(newspaper: bytes) -> None:
    printed = listing_numbers(newspaper)
    garden = [
        (number, marker)
        for rubrik, number, marker in printed
        if rubrik == "Haus und Garten" and number.startswith("A-")
    ]
    assert garden[0] == ("A-0201", "NEU")
    rest = [number for number, _ in garden[1:]]
    assert rest == sorted(rest, key=lambda number: int(number[2:]))
    assert rest[:3] == ["A-0012", "A-0137", "A-0300"]


def test_every_listing_is_printed_once_with_its_marker(newspaper: bytes, sample_edition: Edition) -> None:
    printed = {number: marker for _, number, marker in listing_numbers(newspaper)}
    assert len(listing_numbers(newspaper)) == len(sample_edition.listings)
    for item in sample_edition.listings:
        assert printed[item.number] == item.marker, item.number


def test_a_listing_shows_title_text_details_and_contact(newspaper: bytes) -> None:
    text = words(all_text(newspaper))
    assert "A-0137 Rasenmähen und Heckenschnitt Rasenmähen und Heckenschnitt: gern auch kurzfristig" in text
    assert "Stadtteil: Lindenau · Zeit: Samstags · Verrechnung: 1 Std. pro Einsatz" in text
    assert "Kontakt: Erika Mustermann · Tel. 0341 555 0123" in text


def test_listing_titles_are_bold_and_their_text_is_not(newspaper: bytes) -> None:
    pieces = [piece for page in range(2, 4) for piece in placed_texts(newspaper, page)]
    titles = [piece for piece in pieces if piece.text in ("Rasenmähen und", "Heckenschnitt")]
    assert titles and all(piece.font.endswith("DejaVuSans-Bold") for piece in titles)
    texts = [piece for piece in pieces if piece.text.startswith("Rasenmähen und Heckenschnitt: gern")]
    assert texts and all(piece.font.endswith("+DejaVuSans") for piece in texts)


def test_every_page_says_seite_x_von_y_and_only_for_members(
    newspaper: bytes, large_print: bytes, contact_list: bytes
) -> None:
    for pdf in (newspaper, large_print, contact_list):
        texts = page_texts(pdf)
        for number, text in enumerate(texts, start=1):
            assert f"Seite {number} von {len(texts)}" in text
            assert "Nur für Mitglieder" in text


def test_header_names_ring_product_and_edition(newspaper: bytes) -> None:
    for text in page_texts(newspaper):
        assert "Tauschring Lindenau · Marktzeitung · Ausgabe 12/2026" in text


def test_index_page_numbers_point_to_where_each_section_and_rubrik_starts(
    newspaper: bytes, large_print: bytes, sample_edition: Edition
) -> None:
    for pdf in (newspaper, large_print):
        starts: dict[tuple[str, str], int] = {}
        for section, heading, page in headings(pdf, sample_edition):
            starts.setdefault((section, heading), page)
        expected = [
            ("Impressum, Datenschutz" if heading == SECTION_ORDER[-1] else heading, page)
            for (_section, heading), page in starts.items()
        ]
        index_pages = min(starts.values())  # large print: the first section follows the index
        assert index_rows(pdf, index_pages) == expected
        texts = page_texts(pdf)
        for (_section, heading), page in starts.items():
            assert heading in texts[page - 1]


def test_large_print_index_continues_on_the_next_page(large_print: bytes) -> None:
    texts = page_texts(large_print)
    assert "Inhalt" in texts[0]
    assert "Formulare" in texts[1] and "Termine" in body(texts[1])  # and the Termine follow it there


def test_large_print_has_the_same_listings_in_one_column_at_16_pt(
    newspaper: bytes, large_print: bytes
) -> None:
    assert listing_numbers(large_print) == listing_numbers(newspaper)
    body = [
        piece
        for page in (2, 3)
        for piece in placed_texts(large_print, page)
        if piece.text.startswith("Kontakt")
    ]
    assert body and all(piece.x_mm < 20 for piece in body)
    sizes = {piece.size for page in (2, 3) for piece in placed_texts(large_print, page)}
    assert 16 in sizes and 12 not in sizes
    assert len(page_texts(large_print)) > len(page_texts(newspaper))


def test_two_columns_at_12_pt(newspaper: bytes) -> None:
    pieces = placed_texts(newspaper, 2)
    assert {piece.size for piece in pieces if piece.text.startswith("Kontakt")} == {12}
    lefts = {round(piece.x_mm) for piece in pieces if piece.text.startswith("Kontakt")}
    assert 15 in lefts and any(left > 100 for left in lefts)
    assert 12 in {piece.size for piece in pieces}


def test_contact_list_is_on_its_own_pages_and_switchable(newspaper: bytes, sample_edition: Edition) -> None:
    texts = [body(text) for text in page_texts(newspaper)]
    first = next(
        page for section, heading, page in headings(newspaper, sample_edition) if heading == "Kontaktliste"
    )
    forms = next(
        page for section, heading, page in headings(newspaper, sample_edition) if heading == "Formulare"
    )
    assert texts[first - 1].lstrip().startswith("Kontaktliste")
    assert texts[forms - 1].lstrip().startswith("Formulare")
    assert not NUMBER.search(texts[first - 1])  # no listing shares the page
    contact_pages = " ".join(texts[first - 1 : forms - 1])
    assert "Mitglied 39 (Nr. 0139, Leutzsch)" in contact_pages
    assert "Mitglied 0" not in " ".join(texts[: first - 1] + texts[forms - 1 :])

    without = render_newspaper(samples.edition(show_contact_list=False))
    assert "Kontaktliste" not in all_text(without)
    alone = all_text(render_contact_list(samples.edition(show_contact_list=False)))
    assert "Mitglied 39" in alone


def test_the_forms_page_has_the_listing_slip(newspaper: bytes) -> None:
    forms = words(next(text for text in page_texts(newspaper) if "Anzeigenzettel" in text))
    for expected in (
        "ein neues Inserat",
        "ändern",
        "verlängern",
        "zurückziehen",
        "Angebot",
        "Gesuch",
        "Inserat-Nr.",
        "Rubrik",
        "Titel",
        "Text",
        "Kontakt in der Zeitung",
        "Datum, Unterschrift",
        "Redaktionsschluss am 29.12.2026",
    ):
        assert expected in forms
    assert "\u2610" in forms


def test_impressum_and_privacy_notice_close_the_paper(newspaper: bytes) -> None:
    texts = page_texts(newspaper)
    text = words(" ".join(body(page) for page in texts[1:]))
    assert text.index("Impressum und Datenschutzhinweis") > text.index("Anzeigenzettel")
    assert "Redaktion: Arbeitsgruppe Marktzeitung." in text
    assert "Datenschutzhinweis" in text and "Widerruf ab der nächsten Ausgabe" in text


def test_new_members_and_events_are_printed(newspaper: bytes) -> None:
    text = words(all_text(newspaper))
    assert "Ilse Neu (Lindenau)" in text
    assert text.index("Dienstag, 1. Dezember 2026, 10:00 Uhr") < text.index("Dienstag, 8. Dezember 2026")
    assert "Ort: Bürgerhaus Lindenau, Saal" in text


def test_an_edition_without_news_or_listings_still_prints() -> None:
    edition = samples.edition(events=(), news=(), new_members=(), listings=(), contact_list=())
    texts = page_texts(render_newspaper(edition))
    text = words("\n".join(texts))
    assert "In dieser Ausgabe gibt es keine Angebote." in text
    assert "Termine" not in text and "Kontaktliste" not in text
    assert texts[1].lstrip().startswith("Angebote")
    assert all(f"Seite {n} von {len(texts)}" in page for n, page in enumerate(texts, start=1))


def test_listings_in_an_unknown_category_go_last() -> None:
    edition = samples.edition(
        listings=(
            samples.listing("offer", 1, "Zuletzt", "Ohne Rubrik"),
            samples.listing("offer", 2, "Tiere", "Katzen füttern"),
        )
    )
    text = all_text(render_large_print(edition))
    assert text.index("Katzen füttern") < text.index("Ohne Rubrik")
