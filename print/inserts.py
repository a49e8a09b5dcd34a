"""The personal inserts (Beilagen) for members who get the paper by post.

One insert per member, in the order given (the application sorts by postal code for mailing):
a letter page with the address in the DIN 5008 window, the statement since the previous edition,
the member's own listings with a renewal slip, and a page of pre-numbered vouchers. Each insert
numbers its own pages ("Seite x von y"); large-print members get theirs at 16 pt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    FrameBreak,
    KeepInFrame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from print.data import EditionInfo, Listing, PaperMember, RingInfo, Statement
from print.flowables import CutLine, KeepParagraph, WidthDependent, WritingLine
from print.fonts import BOLD, REGULAR
from print.layout import GroupStart, Running, build_pdf, insert_templates
from print.newspaper import CHECKBOX, listing_markup, listing_order
from print.styles import LARGE_SIZE, LIGHT_GREY, NORMAL_SIZE, Styles, styles_for, table_style
from print.text import (
    balance_in_words,
    clean,
    format_amount,
    format_date,
    month_name,
    one_line,
    para,
    phone,
    wrap_lines,
)
from print.vouchers import voucher_story


def _running(member: PaperMember, ring: RingInfo, info: EditionInfo, st: Styles) -> Running:
    name, number = one_line(member.name), one_line(member.member_number)
    return Running(
        header=f"Beilage für {name} (Mitglied {number})",
        footer=f"Beilage zur Marktzeitung {info.label} · Mitglied {number}",
        size=st.header_size,
    )


def _window(member: PaperMember, ring: RingInfo, info: EditionInfo, st: Styles) -> list[Flowable]:
    """Return line, address (in the window field) and the information block beside it."""
    address = "<br/>".join(para(line) for line in member.address if clean(line))
    facts = [
        f"<b>Marktzeitung Nr. {info.number}</b>",
        month_name(info.month, info.year),
        f"Mitgliedsnummer: {para(member.member_number)}",
        f"Datum: {format_date(info.cutoff)}",
        f"Büro: {phone(ring.office_phone)}",
    ]
    if ring.office_email:
        facts.append(para(ring.office_email))
    facts.append(f"Sprechstunde: {para(ring.sprechstunde)}")
    return [
        KeepInFrame(0, 0, [Paragraph(f"<u>{para(ring.sender_line)}</u>", st.sender)], mode="shrink"),
        FrameBreak(),
        KeepInFrame(0, 0, [Paragraph(address, st.address)], mode="shrink"),
        FrameBreak(),
        KeepInFrame(0, 0, [Paragraph("<br/>".join(facts), st.info)], mode="shrink"),
        FrameBreak(),
    ]


def _amount_cells(minutes: int, ring: RingInfo) -> list[str]:
    """Eingang and Ausgang cells of a statement line."""
    amount = format_amount(abs(minutes), ring, "none")
    return [amount, ""] if minutes > 0 else ["", amount]


def _statement(statement: Statement | None, ring: RingInfo, st: Styles) -> list[Flowable]:
    """The account statement: a table whose header repeats on every page, and the balance in words."""
    story: list[Flowable] = [Paragraph("Ihr Kontoauszug", st.h1)]
    if statement is None:
        return story + [Paragraph("Für Sie liegt kein Kontoauszug vor.", st.body)]
    unit = "Stunden und Minuten (h:mm)" if ring.minutes_per_unit == 60 else para(ring.unit_plural)
    summary = balance_in_words(statement.closing_balance, ring, statement.period_end)
    return story + [
        Paragraph(
            f"Zeitraum {format_date(statement.period_start)} bis {format_date(statement.period_end)}; "
            f"Beträge in {unit}.",
            st.body,
        ),
        WidthDependent(lambda width: _statement_table(statement, ring, st, width)),
        Spacer(0, st.size * 0.6),
        Paragraph(f"<b>{para(summary)}</b>", st.body),
    ]


def _statement_table(statement: Statement, ring: RingInfo, st: Styles, width: float) -> Table:
    """The statement lines as a table for the given width.

    Normal print has seven columns (Datum, Leistungsdatum, Text, Partner, Eingang, Ausgang,
    Saldo); large print folds Leistungsdatum and Partner into the text so that 16 pt fits. Cells
    are plain strings wrapped here (a Paragraph per cell would cost three times as much).
    """
    large, size = st.large, st.table_size
    pad = round(size * 0.3, 1)
    opening = statement.period_start - dt.timedelta(days=1)
    balances = [format_amount(line.balance_after, ring, "none") for line in statement.lines]
    amounts = [_amount_cells(line.minutes, ring) for line in statement.lines]
    if large:
        head = ["Datum", "Leistung", "Ein-\ngang", "Aus-\ngang", "Saldo"]
    else:
        head = ["Datum", "Leistungs-\ndatum", "Text", "Partner", "Ein-\ngang", "Aus-\ngang", "Saldo"]
    dates = 1 if large else 2
    text_from, amounts_from = dates, len(head) - 3

    def fits(values: list[str], title: str) -> float:
        widest = max(
            [stringWidth(value, REGULAR, size) for value in values]
            + [stringWidth(part, BOLD, size) for part in title.split("\n")]
        )
        return widest + 2 * pad + 1

    closing = format_amount(statement.closing_balance, ring, "none")
    widths = [fits([format_date(statement.period_end, True)], head[index]) for index in range(dates)]
    amount_width = fits([value for pair in amounts for value in pair], head[amounts_from + 1])
    saldo_width = fits([*balances, closing, format_amount(statement.opening_balance, ring, "none")], "Saldo")
    flexible = max(width - sum(widths) - 2 * amount_width - saldo_width, 4 * size)
    if large:
        text_widths = [flexible]
    else:  # the partner column as wide as its longest name, between 30 and 50 % of the room
        partners = [clean(line.partner) for line in statement.lines if line.partner] or [""]
        partner = fits(partners, head[3])
        partner = min(max(partner, flexible * 0.3), flexible * 0.5)
        text_widths = [flexible - partner, partner]
    widths += text_widths + [amount_width, amount_width, saldo_width]

    def wrapped(text: str | None, column: int) -> str:
        return wrap_lines(text, REGULAR, size, text_widths[column] - 2 * pad)

    def balance_row(label: str, minutes: int) -> list[str]:
        row = [""] * len(head)
        row[text_from] = label
        row[-1] = format_amount(minutes, ring, "none")
        return row

    rows = [head, balance_row(f"Kontostand am {format_date(opening)}", statement.opening_balance)]
    for line, balance, (money_in, money_out) in zip(statement.lines, balances, amounts, strict=True):
        booked = format_date(line.booking_date, True)
        service = format_date(line.service_date, True) if line.service_date is not None else ""
        if large:
            details = ", ".join(
                part
                for part in (
                    f"am {service}" if service else "",
                    f"mit {clean(line.partner)}" if line.partner else "",
                )
                if part
            )
            text = wrapped(line.text, 0) + ("\n" + wrapped(details, 0) if details else "")
            rows.append([booked, text, money_in, money_out, balance])
        else:
            rows.append(
                [
                    booked,
                    service,
                    wrapped(line.text, 0),
                    wrapped(line.partner, 1),
                    money_in,
                    money_out,
                    balance,
                ]
            )
    if not statement.lines:
        empty = [""] * len(head)
        empty[text_from] = "Keine Buchungen in diesem Zeitraum."
        rows.append(empty)
    rows.append(balance_row(f"Kontostand am {format_date(statement.period_end)}", statement.closing_balance))
    last = len(rows) - 1
    style = table_style(
        st,
        ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("ALIGN", (amounts_from, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, "#000000"),
        ("LINEABOVE", (0, last), (-1, last), 0.8, "#000000"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, LIGHT_GREY]),
        ("FONTNAME", (0, 1), (-1, 1), BOLD),
        ("FONTNAME", (0, last), (-1, last), BOLD),
        ("SPAN", (text_from, 1), (-2, 1)),
        ("SPAN", (text_from, last), (-2, last)),
    )
    return Table(rows, colWidths=widths, repeatRows=1, style=style, hAlign="LEFT", splitInRow=1)


def _renewal_slip(member: PaperMember, listings: list[Listing], info: EditionInfo, st: Styles) -> Flowable:
    """A slip to cut off: per listing tick boxes to renew, change or withdraw it."""
    cell = st.cell if st.large else st.body
    boxes = "<br/>".join(f"{CHECKBOX}\u00a0{word}" for word in ("verlängern", "ändern", "zurückziehen"))
    box_width = stringWidth(f"{CHECKBOX} zurückziehen", REGULAR, cell.fontSize) + st.size
    rows = [
        [
            Paragraph(
                f"<b>{para(item.number)}</b> {para(item.title)}<br/>läuft ab am {format_date(item.expires)}",
                cell,
            ),
            Paragraph(boxes, cell),
        ]
        for item in listings
    ]
    table = Table(
        rows,
        colWidths=["100%", box_width],
        hAlign="LEFT",
        splitInRow=1,
        style=table_style(st, ("LINEBELOW", (0, 0), (-1, -1), 0.4, "#999999")),
    )
    lines = [WritingLine(st.size * 2.4) for _ in range(3)]
    signature = Table(
        [["", "", ""], ["Datum", "", "Unterschrift"]],
        colWidths=["30%", "5%", "65%"],
        rowHeights=[st.size * 2.6, None],
        style=table_style(
            st, ("LINEBELOW", (0, 0), (0, 0), 0.6, "#000000"), ("LINEBELOW", (2, 0), (2, 0), 0.6, "#000000")
        ),
    )
    return KeepTogether(
        [
            CutLine("hier abtrennen", st.size),
            Paragraph(
                f"<b>Rückmeldung zu Ihren Inseraten</b> · Mitglied {para(member.member_number)}, "
                f"{para(member.name)}",
                st.body,
            ),
            Paragraph(
                f"Bitte ankreuzen und bis zum {format_date(info.next_cutoff)} im Büro abgeben. Inserate "
                "ohne Rückmeldung laufen zum genannten Datum aus.",
                st.note,
            ),
            table,
            Paragraph("Änderungen (oder den Anzeigenzettel aus der Marktzeitung verwenden):", st.small),
            *lines,
            signature,
        ]
    )


def _own_listings(member: PaperMember, ring: RingInfo, info: EditionInfo, st: Styles) -> list[Flowable]:
    """The member's listings as printed, with expiry dates, and the renewal slip."""
    story: list[Flowable] = [Paragraph("Ihre Inserate", st.h1)]
    listings = sorted(member.listings, key=lambda item: (item.kind != "offer", listing_order(item)))
    if not listings:
        story.append(
            Paragraph(
                "Sie haben zurzeit keine Inserate. Mit dem Anzeigenzettel in der Marktzeitung oder "
                f"telefonisch im Büro ({phone(ring.office_phone)}) können Sie eines aufgeben.",
                st.body,
            )
        )
        return story
    story.append(Paragraph("So stehen Ihre Inserate in dieser Ausgabe:", st.body))
    for item in listings:
        kind = "Angebot" if item.kind == "offer" else "Gesuch"
        markup = listing_markup(item, ring, st)
        markup += f"<br/><b>{kind}, läuft ab am {format_date(item.expires)}</b>"
        story.append(KeepParagraph(markup, st.listing))
    story.append(_renewal_slip(member, listings, info, st))
    return story


def _insert(member: PaperMember, ring: RingInfo, info: EditionInfo) -> list[Flowable]:
    """One member's insert, from the letter page to the vouchers."""
    st = styles_for(LARGE_SIZE if member.large_print else NORMAL_SIZE)
    story: list[Flowable] = [GroupStart(_running(member, ring, info, st))]
    story += _window(member, ring, info, st)
    story.append(NextPageTemplate("body"))
    story += _statement(member.statement, ring, st)
    story += _own_listings(member, ring, info, st)
    if member.voucher_numbers:
        story += [NextPageTemplate("vouchers"), PageBreak(), *voucher_story(member.vouchers, ring)]
    return story


def render_inserts(members: Sequence[PaperMember], ring: RingInfo, info: EditionInfo) -> bytes:
    """beilagen.pdf: one personal insert per paper member, in the order given."""
    story: list[Flowable] = []
    for index, member in enumerate(members):
        if index:
            story += [NextPageTemplate("letter"), PageBreak()]
        story += _insert(member, ring, info)
    if not story:
        story = [Paragraph("Keine Beilagen in dieser Ausgabe.", styles_for().body)]
    return build_pdf(
        story,
        insert_templates(),
        title=f"Beilagen zur Marktzeitung {info.label}",
        author=one_line(ring.name),
    )
