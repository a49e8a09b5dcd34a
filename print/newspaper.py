"""The Marktzeitung (two columns, 12 pt), its large-print variant (one column, 16 pt) and the
Kontaktliste on its own.

The story is built section by section by small functions; page geometry lives in layout.py and
the styles in styles.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby

from reportlab.platypus import Flowable, NextPageTemplate, PageBreak, Paragraph, Spacer, Table

from print.data import (
    MARKERS,
    Category,
    Contact,
    ContactEntry,
    Edition,
    Event,
    Listing,
    RingInfo,
    sorted_categories,
)
from print.flowables import IndexEntry, KeepParagraph, PageIndex, WritingLine, anchored
from print.layout import GroupStart, Running, build_pdf, paper_templates
from print.styles import LARGE_SIZE, NORMAL_SIZE, Styles, styles_for, table_style
from print.text import clean, format_date, format_date_long, month_name, one_line, para, paragraphs, phone

SECTION_TITLES = {
    "events": "Termine",
    "news": "Aus dem Tauschring",
    "new-members": "Neue Mitglieder",
    "offer": "Angebote",
    "request": "Gesuche",
    "contacts": "Kontaktliste",
    "forms": "Formulare",
    "impressum": "Impressum und Datenschutzhinweis",
}
INDEX_LABELS = {**SECTION_TITLES, "impressum": "Impressum, Datenschutz"}
MARKER_ORDER = {"NEU": 0}
MARKER_MEANINGS = {
    "NEU": "zum ersten Mal in der Zeitung",
    "GEÄNDERT": "seit der letzten Ausgabe geändert",
    "LETZTMALIG": "zum letzten Mal in der Zeitung",
}
CHECKBOX = "\u2610"

DEFAULT_PRIVACY_NOTICE = (
    "Diese Zeitung ist nur für Mitglieder bestimmt. Bitte geben Sie sie nicht weiter und werfen "
    "Sie sie nach Gebrauch ins Altpapier, nicht in die öffentliche Auslage.\n\n"
    "Kontaktdaten (Name, Telefon, E-Mail, Adresse) erscheinen nur, wenn das Mitglied dem Abdruck "
    "zugestimmt hat; sonst läuft der Kontakt über das Büro. Eine Einwilligung kann jederzeit im "
    "Büro widerrufen werden. Weil eine gedruckte Zeitung nicht zurückgeholt werden kann, gilt der "
    "Widerruf ab der nächsten Ausgabe."
)


# -- plan: which sections and Rubriken this edition has ------------------------------------------


@dataclass(frozen=True)
class Rubrik:
    """The listings of one kind in one category, in print order."""

    key: str
    name: str
    listings: tuple[Listing, ...]


def listing_order(listing: Listing) -> tuple[int, tuple[tuple[int, int | str], ...]]:
    """New listings first, then by number ("A-0099" before "A-0137", digits compared as numbers)."""
    return (MARKER_ORDER.get(listing.marker or "", 1), _natural(listing.number))


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    parts: list[tuple[int, int | str]] = []
    for is_digit, chars in groupby(text, str.isdigit):
        chunk = "".join(chars)
        parts.append((0, int(chunk)) if is_digit else (1, chunk))
    return tuple(parts)


def rubriken(edition: Edition, kind: str) -> list[Rubrik]:
    """The non-empty Rubriken of one kind in ring order; unknown categories last, by name."""
    known = sorted_categories(edition.categories)
    names = [category.name for category in known]
    extra = sorted({listing.category for listing in edition.listings} - set(names))
    ordered = [*known, *(Category(name, 0) for name in extra)]
    result = []
    for index, category in enumerate(ordered):
        listings = sorted(
            (item for item in edition.listings if item.kind == kind and item.category == category.name),
            key=listing_order,
        )
        if listings:
            result.append(Rubrik(f"{kind}:{index}", category.name, tuple(listings)))
    return result


def printed_contacts(entries: tuple[ContactEntry, ...]) -> list[ContactEntry]:
    """Contact-list entries that have anything to print."""
    return [entry for entry in entries if not entry.contact.is_empty]


def _sections(edition: Edition) -> list[str]:
    sections = []
    if edition.events:
        sections.append("events")
    if edition.news:
        sections.append("news")
    if edition.new_members:
        sections.append("new-members")
    sections += ["offer", "request"]
    if edition.show_contact_list and printed_contacts(edition.contact_list):
        sections.append("contacts")
    sections += ["forms", "impressum"]
    return sections


def _index_entries(sections: list[str], by_kind: dict[str, list[Rubrik]]) -> list[IndexEntry]:
    entries = []
    for section in sections:
        entries.append(IndexEntry(INDEX_LABELS[section], section))
        for rubrik in by_kind.get(section, []):
            entries.append(IndexEntry(rubrik.name, rubrik.key, 1))
    return entries


# -- text pieces ------------------------------------------------------------------------------


def contact_line(contact: Contact, ring: RingInfo) -> str:
    """The printed contact of a listing (markup): only the fields that are not None, else the office."""
    office = f"Kontakt über das Büro, {phone(ring.office_phone)}"
    if contact.is_empty:
        return office
    parts = []
    if contact.name:
        parts.append(para(contact.name))
    if contact.phone:
        parts.append(phone(contact.phone))
    if contact.email:
        parts.append(para(contact.email))
    if contact.address:
        parts.append(para(contact.address))
    line = "Kontakt: " + " · ".join(parts)
    if not contact.is_reachable:
        line += f", über das Büro, {phone(ring.office_phone)}"
    return line


def ring_with_address(ring: RingInfo) -> str:
    """The ring and its office address on one line, naming the ring once.

    When the first address line already names the ring (its association, "Tauschring Lindenau
    e. V."), that line stands for the ring instead of repeating the name before it.
    """
    name = one_line(ring.name)
    address = [one_line(line) for line in ring.office_address if one_line(line)]
    if address and name and address[0].casefold().startswith(name.casefold()):
        return ", ".join(address)
    return ", ".join([name, *address])


def _marker(marker: str | None) -> str:
    if not marker:
        return ""
    return f'<font backColor="#000000" color="#FFFFFF"><b>\u00a0{marker}\u00a0</b></font> '


def marker_legend(st: Styles, markers: tuple[str, ...] = MARKERS) -> Paragraph:
    """What the markers NEU, GEÄNDERT and LETZTMALIG mean, each as it appears on a listing.

    It leads into what follows (keepWithNext), so it never stands alone at a page foot.
    """
    lines = [f"{_marker(marker)}{MARKER_MEANINGS[marker]}" for marker in markers]
    return Paragraph("<br/>".join(lines), st.legend)


def listing_markup(listing: Listing, ring: RingInfo, st: Styles) -> str:
    """One listing as Paragraph markup: number, marker, bold title, text, details, contact.

    The contact line is what readers look for: it is set at body size like the text.
    """
    lines = [
        f'<font size="{st.minor_size}">{para(listing.number)}</font> {_marker(listing.marker)}'
        f"<b>{para(listing.title)}</b>"
    ]
    if clean(listing.text):
        lines.append(para(listing.text))
    details = []
    if listing.district:
        details.append(f"Stadtteil: {para(listing.district)}")
    if listing.availability:
        details.append(f"Zeit: {para(listing.availability)}")
    if listing.price_hint:
        details.append(f"Verrechnung: {para(listing.price_hint)}")
    if details:
        lines.append(" · ".join(details))
    lines.append(contact_line(listing.contact, ring))
    return "<br/>".join(lines)


def _event_markup(event: Event) -> str:
    when = format_date_long(event.date)
    if event.time is not None:
        when += f", {event.time:%H:%M} Uhr"
    lines = [f"<b>{when}</b>", f"<b>{para(event.title)}</b>"]
    if event.place:
        lines.append(f"Ort: {para(event.place)}")
    if clean(event.text):
        lines.append(para(event.text))
    return "<br/>".join(lines)


def _contact_entry_markup(entry: ContactEntry) -> str:
    contact = entry.contact
    if contact.name:
        head = f"<b>{para(contact.name)}</b>"
    elif entry.member_number:
        head = f"<b>Mitglied Nr. {para(entry.member_number)}</b>"
    else:
        head = "<b>Mitglied</b>"
    extras = []
    if contact.name and entry.member_number:
        extras.append(f"Nr. {para(entry.member_number)}")
    if entry.district:
        extras.append(para(entry.district))
    if extras:
        head += " (" + ", ".join(extras) + ")"
    lines = [head]
    if contact.phone:
        lines.append(phone(contact.phone))
    if contact.email:
        lines.append(para(contact.email))
    if contact.address:
        lines.append(para(contact.address))
    return "<br/>".join(lines)


# -- story: one small function per section ------------------------------------------------------


def _h1(section: str, st: Styles) -> Paragraph:
    return anchored(SECTION_TITLES[section], st.h1, section)


def _office(ring: RingInfo, st: Styles) -> list[Flowable]:
    lines = [
        f"<b>Büro: {para(ring.name)}</b>",
        *(para(line) for line in ring.office_address),
        phone(ring.office_phone),
    ]
    if ring.office_email:
        lines.append(f"E-Mail: {para(ring.office_email)}")
    lines.append(f"<b>Sprechstunde:</b> {para(ring.sprechstunde)}")
    return [Paragraph("<br/>".join(lines), st.body)]


def _title_page(edition: Edition, st: Styles, entries: list[IndexEntry]) -> list[Flowable]:
    """Masthead, next cut-off, office and the index.

    The normal paper goes on in two columns on the next page. Large print has one column
    throughout, so the sections follow right after the index instead of leaving the rest of the
    title page (and of the index's last page) empty.
    """
    variant = "Marktzeitung in Großdruck" if st.large else "Marktzeitung"
    ending: list[Flowable] = [NextPageTemplate("columns")]
    if not st.large:
        ending.append(PageBreak())
    return [
        Paragraph(para(edition.ring.name), st.title),
        Paragraph(
            f"{variant}<br/><b>Ausgabe Nr. {edition.number} · {month_name(edition.month, edition.year)}</b>",
            st.subtitle,
        ),
        Paragraph(
            f"Redaktionsschluss für die nächste Ausgabe:<br/>{format_date_long(edition.next_cutoff)}",
            st.highlight,
        ),
        Spacer(0, st.size * 0.5),
        *_office(edition.ring, st),
        Paragraph("Inhalt", st.h2),
        PageIndex(entries, st.size, columns=1 if st.large else 2),
        *ending,
    ]


def _events(edition: Edition, st: Styles) -> list[Flowable]:
    events = sorted(edition.events, key=lambda event: (event.date, event.time is not None, event.time))
    return [_h1("events", st), *(KeepParagraph(_event_markup(event), st.listing) for event in events)]


def _news(edition: Edition, st: Styles) -> list[Flowable]:
    story: list[Flowable] = [_h1("news", st)]
    for item in edition.news:
        story.append(Paragraph(para(item.title), st.h3))
        story += [Paragraph(text, st.body) for text in paragraphs(item.text)]
    return story


def _new_members(edition: Edition, st: Styles) -> list[Flowable]:
    story: list[Flowable] = [_h1("new-members", st), Paragraph("Wir begrüßen herzlich:", st.lead)]
    for member in edition.new_members:
        text = f"<b>{para(member.name)}</b>"
        if member.district:
            text += f" ({para(member.district)})"
        story.append(Paragraph(text, st.entry))
    return story


def _listings(section: str, sections: list[Rubrik], edition: Edition, st: Styles) -> list[Flowable]:
    """Angebote or Gesuche by Rubrik, after a legend of the markers.

    Each starts on a new page, except the offers in large print: there they follow the title
    page's index and the short sections (Termine, news, new members) in the same single column,
    so that no near-empty pages come before them.
    """
    story: list[Flowable] = [] if st.large and section == "offer" else [PageBreak()]
    story.append(_h1(section, st))
    if not sections:
        none = "Angebote" if section == "offer" else "Gesuche"
        story.append(Paragraph(f"In dieser Ausgabe gibt es keine {none}.", st.body))
    else:
        story.append(marker_legend(st))
    for rubrik in sections:
        story.append(anchored(para(rubrik.name), st.h2, rubrik.key))
        story += [
            KeepParagraph(listing_markup(item, edition.ring, st), st.listing) for item in rubrik.listings
        ]
    return story


def _contact_list(edition: Edition, st: Styles, heading: Flowable) -> list[Flowable]:
    note = (
        "Nur für Mitglieder, bitte nicht weitergeben. Die Liste enthält nur Angaben, deren Abdruck "
        "die Mitglieder zugestimmt haben. Änderungen und Widerruf im Büro, "
        f"{phone(edition.ring.office_phone)}."
    )
    story: list[Flowable] = [heading, Paragraph(note, st.note_lead)]
    story += [
        KeepParagraph(_contact_entry_markup(entry), st.entry)
        for entry in printed_contacts(edition.contact_list)
    ]
    return story


def _boxes(*words: str, size: float) -> str:
    box = f'<font size="{round(size * 1.35, 1)}">{CHECKBOX}</font>\u00a0'
    return "\u2003 ".join(box + word for word in words)


def _listing_form(edition: Edition, st: Styles) -> list[Flowable]:
    """The Anzeigenzettel: tick boxes and writing lines for a new, changed, renewed or withdrawn listing."""
    size, small = st.size, st.note.fontSize
    hint = f'<br/><font size="{small}">%s</font>'
    rows: list[tuple[str, str, bool]] = [
        ("Ich möchte", _boxes("ein neues Inserat", "ändern", "verlängern", "zurückziehen", size=size), False),
        ("Art", _boxes("Angebot", "Gesuch", size=size), False),
        ("Inserat-Nr." + hint % "(nicht bei neuen)", "", True),
        ("Rubrik", "", True),
        ("Titel", "", True),
        ("Text", "", True),
        ("", "", True),
        ("", "", True),
        ("", "", True),
        ("Stadtteil", "", True),
        ("Zeit", "", True),
        ("Verrechnung", "", True),
        (
            "Kontakt in der Zeitung",
            _boxes("Name", "Telefon", "E-Mail", "Adresse", size=size)
            + hint % "Gedruckt wird nur, was Sie ankreuzen. Ohne Kreuz: Kontakt über das Büro.",
            False,
        ),
        ("Name, Mitgl.-Nr.", "", True),
        ("Telefon für Rückfragen" + hint % "(wird nicht gedruckt)", "", True),
        ("Datum, Unterschrift", "", True),
    ]
    writing = size * (2.8 if st.large else 2.2)
    data = [
        [
            Paragraph(label or "\u00a0", st.form_label),
            WritingLine(writing) if line else Paragraph(value, st.form_label),
        ]
        for label, value, line in rows
    ]
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), size * 0.6),
    ]
    label_width = size * (12.5 if st.large else 11.5)
    table = Table(data, colWidths=[label_width, "100%"], style=table_style(st, *commands))
    ring = edition.ring
    return [
        Paragraph("Anzeigenzettel", st.h2),
        Paragraph(
            "Für ein neues Inserat, eine Änderung, eine Verlängerung oder eine Rücknahme. Bitte "
            "deutlich schreiben.",
            st.lead,
        ),
        table,
        Spacer(0, size),
        Paragraph(
            f"<b>Bitte bis zum Redaktionsschluss am {format_date(edition.next_cutoff)} im Büro "
            f"abgeben:</b> {para(ring_with_address(ring))}, "
            f"{phone(ring.office_phone)}",
            st.body,
        ),
    ]


def _forms(edition: Edition, st: Styles) -> list[Flowable]:
    return [NextPageTemplate("single"), PageBreak(), _h1("forms", st), *_listing_form(edition, st)]


def _impressum(edition: Edition, st: Styles) -> list[Flowable]:
    """Impressum and privacy notice. The publisher is named once: print/ writes the Herausgeber
    line from the ring unless the ring's own imprint text already has one."""
    ring = edition.ring
    publisher: list[Flowable] = []
    if "herausgeber" not in clean(edition.impressum).casefold():
        line = f"Herausgeber: {para(ring_with_address(ring))}"
        if clean(ring.office_phone):
            line += f", {phone(ring.office_phone)}"
        publisher.append(Paragraph(line, st.body))
    story: list[Flowable] = [
        _h1("impressum", st),
        Paragraph("Impressum", st.h2),
        *publisher,
        *(Paragraph(text, st.body) for text in paragraphs(edition.impressum)),
        Paragraph("Datenschutzhinweis", st.h2),
        *(Paragraph(text, st.body) for text in paragraphs(edition.privacy_notice or DEFAULT_PRIVACY_NOTICE)),
    ]
    return story


def _paper_story(edition: Edition, st: Styles) -> list[Flowable]:
    """The whole paper, section by section."""
    sections = _sections(edition)
    by_kind = {kind: rubriken(edition, kind) for kind in ("offer", "request")}
    builders: dict[str, Callable[[], list[Flowable]]] = {
        "events": lambda: _events(edition, st),
        "news": lambda: _news(edition, st),
        "new-members": lambda: _new_members(edition, st),
        "offer": lambda: _listings("offer", by_kind["offer"], edition, st),
        "request": lambda: _listings("request", by_kind["request"], edition, st),
        "contacts": lambda: [PageBreak(), *_contact_list(edition, st, _h1("contacts", st))],
        "forms": lambda: _forms(edition, st),
        "impressum": lambda: _impressum(edition, st),
    }
    story: list[Flowable] = [GroupStart(_running(edition, st, "Marktzeitung"))]
    story += _title_page(edition, st, _index_entries(sections, by_kind))
    first_after_title = True
    for section in sections:
        part = builders[section]()
        if first_after_title and isinstance(part[0], PageBreak):
            part = part[1:]  # the title page already ended with a page break
        first_after_title = False
        story += part
    return story


def _running(edition: Edition, st: Styles, product: str) -> Running:
    header = f"{one_line(edition.ring.name)} · {product} · Ausgabe {edition.info.label}"
    return Running(header, "Nur für Mitglieder", st.header_size)


def _render_paper(edition: Edition, size: float, columns: int) -> bytes:
    st = styles_for(size)
    variant = " (Großdruck)" if st.large else ""
    return build_pdf(
        _paper_story(edition, st),
        paper_templates(columns),
        title=f"Marktzeitung{variant} Ausgabe {edition.info.label}",
        author=one_line(edition.ring.name),
        subject=f"Marktzeitung Nr. {edition.number}",
    )


def render_newspaper(edition: Edition) -> bytes:
    """marktzeitung.pdf: the edition on A4 in two columns at 12 pt."""
    return _render_paper(edition, NORMAL_SIZE, columns=2)


def render_large_print(edition: Edition) -> bytes:
    """grossdruck.pdf: the same edition in one column at 16 pt."""
    return _render_paper(edition, LARGE_SIZE, columns=1)


def render_contact_list(edition: Edition) -> bytes:
    """kontaktliste.pdf: the contact list of the edition on its own (two columns, 12 pt)."""
    st = styles_for(NORMAL_SIZE)
    templates = paper_templates(2)
    templates.sort(key=lambda template: template.id != "columns")  # start in columns
    heading = Paragraph(f"Kontaktliste · {para(edition.ring.name)} · Ausgabe {edition.info.label}", st.h1)
    story: list[Flowable] = [GroupStart(_running(edition, st, "Kontaktliste"))]
    story += _contact_list(edition, st, heading)
    if not printed_contacts(edition.contact_list):
        story.append(Paragraph("Die Liste ist leer.", st.body))
    return build_pdf(
        story,
        templates,
        title=f"Kontaktliste Ausgabe {edition.info.label}",
        author=one_line(edition.ring.name),
    )
