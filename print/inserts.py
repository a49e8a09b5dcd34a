"""The personal inserts (Beilagen) for members who get the paper by post.

One insert per member, in the order given (the application sorts by postal code for mailing):
a letter page with the address in the DIN 5008 window, the statement since the previous edition
and the member's limits, the member's own listings with a renewal slip, how to use the vouchers,
and pages of pre-numbered vouchers. Each insert numbers its own pages ("Seite x von y").

Large-print members get all of theirs at 16 pt, vouchers included (two per page). Smaller there
are only the running header and footer and, in the DIN 5008 address field, the return line and
the address, which are for the post; the information block beside the window holds only what
fits at 16 pt, and the office's details move into the letter.
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

from print.data import MARKERS, EditionInfo, Limits, Listing, PaperMember, RingInfo, Statement
from print.flowables import CutLine, KeepParagraph, SplitTable, WidthDependent, WritingLine
from print.fonts import BOLD, REGULAR
from print.layout import GroupStart, Running, build_pdf, insert_templates
from print.newspaper import CHECKBOX, listing_markup, listing_order, marker_legend
from print.styles import LARGE_SIZE, LIGHT_GREY, LINE_FACTOR, NORMAL_SIZE, Styles, styles_for, table_style
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


def _office_facts(ring: RingInfo, large: bool = False) -> list[str]:
    facts = [f"Büro: {phone(ring.office_phone)}"]
    if ring.office_email:
        facts.append(f"E-Mail: {para(ring.office_email)}" if large else para(ring.office_email))
    facts.append(f"Sprechstunde: {para(ring.sprechstunde)}")
    return facts


def _window(member: PaperMember, ring: RingInfo, info: EditionInfo, st: Styles) -> list[Flowable]:
    """Return line, address (in the window field) and the information block beside it.

    In large print the block holds only the edition, the member number and the date (what fits
    there at 16 pt); the office's details follow in the letter (`_office_block`).
    """
    address = "<br/>".join(para(line) for line in member.address if clean(line))
    facts = [
        f"<b>Marktzeitung Nr. {info.number}</b>",
        month_name(info.month, info.year),
        f"Mitgliedsnummer: {para(member.member_number)}",
        f"Datum: {format_date(info.cutoff)}",
    ]
    if not st.large:
        facts += _office_facts(ring)
    return [
        KeepInFrame(0, 0, [Paragraph(f"<u>{para(ring.sender_line)}</u>", st.sender)], mode="shrink"),
        FrameBreak(),
        KeepInFrame(0, 0, [Paragraph(address, st.address)], mode="shrink"),
        FrameBreak(),
        KeepInFrame(0, 0, [Paragraph("<br/>".join(facts), st.info)], mode="shrink"),
        FrameBreak(),
    ]


def _office_block(ring: RingInfo, st: Styles) -> list[Flowable]:
    """The office's phone, e-mail and hours at the top of a large-print letter."""
    facts = _office_facts(ring, large=True)
    facts[0] = f"<b>{facts[0]}</b>"
    return [Paragraph("<br/>".join(facts), st.body)]


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
            st.lead,
        ),
        WidthDependent(lambda width: _statement_table(statement, ring, st, width)),
        Spacer(0, st.size * 0.6),
        Paragraph(f"<b>{para(summary)}</b>", st.body),
    ]


def _statement_table(statement: Statement, ring: RingInfo, st: Styles, width: float) -> SplitTable:
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
    # A page may end inside the table, but never with its repeated header and a sliver of a line.
    two_lines = 2 * round(size * LINE_FACTOR, 2) + 1.6 * pad
    return SplitTable(
        rows,
        colWidths=widths,
        repeatRows=1,
        style=style,
        hAlign="LEFT",
        splitInRow=1,
        min_rows_height=two_lines,
    )


def _amount(minutes: int, ring: RingInfo) -> str:
    return f"<b>{para(format_amount(minutes, ring, 'long'))}</b>"


def _limits_sentence(limits: Limits, ring: RingInfo) -> str:
    """The limits in words, e.g. "Ihr Zeitkonto darf bis 30:00 Stunden ins Minus gehen und
    höchstens 60:00 Stunden Guthaben haben." (None: no limit on that side)."""
    low, high = limits.min_balance, limits.max_balance
    if low is None:
        lower = None
    elif low < 0:
        lower = f"bis {_amount(-low, ring)} ins Minus gehen"
    elif low == 0:
        lower = "nicht ins Minus gehen"
    else:
        lower = f"nicht unter {_amount(low, ring)} Guthaben sinken"
    if high is None:
        upper = None
    elif high >= 0:
        upper = f"höchstens {_amount(high, ring)} Guthaben haben"
    else:
        upper = f"höchstens bei {_amount(high, ring)} stehen"  # a ceiling below zero: odd, but said as it is
    if lower and upper:
        return f"Ihr Zeitkonto darf {lower} und {upper}."
    if lower:
        return f"Ihr Zeitkonto darf {lower}; nach oben gibt es keine Grenze."
    if upper:
        return f"Ihr Zeitkonto darf {upper}; nach unten gibt es keine Grenze."
    return "Ihr Zeitkonto hat keine Grenzen nach unten und nach oben."


def _limits(limits: Limits | None, statement: Statement | None, ring: RingInfo, st: Styles) -> list[Flowable]:
    """The lowest and highest balance allowed and, from the statement's closing balance, what the
    member can still pay and receive; in plain sentences."""
    if limits is None:
        return []
    text = _limits_sentence(limits, ring)
    if statement is not None:
        balance = statement.closing_balance
        low, high = limits.min_balance, limits.max_balance
        pay = "beliebig viel" if low is None else _amount(max(0, balance - low), ring)
        receive = "beliebig viel" if high is None else _amount(max(0, high - balance), ring)
        text += (
            f" Nach Ihrem Kontostand vom {format_date(statement.period_end)} können Sie also noch "
            f"{pay} bezahlen und noch {receive} erhalten."
        )
    return [
        Paragraph("Ihre Kontogrenzen", st.h2),
        Paragraph(text, st.lead),
        Paragraph(
            "Bezahlen heißt: Sie bekommen eine Leistung. Erhalten heißt: Sie erbringen eine Leistung. "
            "Brauchen Sie mehr, sprechen Sie bitte vorher mit dem Büro.",
            st.body,
        ),
    ]


def _renewal_slip(member: PaperMember, listings: list[Listing], info: EditionInfo, st: Styles) -> Flowable:
    """A slip to cut off: per listing tick boxes to renew, change or withdraw it."""
    cell = st.cell if st.large else st.body
    note_size, note_colour = st.note.fontSize, st.note.textColor
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
            CutLine("hier abtrennen", st.size, note_size, note_colour),
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
    story.append(Paragraph("So stehen Ihre Inserate in dieser Ausgabe:", st.lead))
    markers = tuple(marker for marker in MARKERS if any(item.marker == marker for item in listings))
    if markers:
        story.append(marker_legend(st, markers))
    for item in listings:
        kind = "Angebot" if item.kind == "offer" else "Gesuch"
        markup = listing_markup(item, ring, st)
        markup += f"<br/><b>{kind}, läuft ab am {format_date(item.expires)}</b>"
        story.append(KeepParagraph(markup, st.listing))
    story.append(_renewal_slip(member, listings, info, st))
    return story


def _voucher_help(member: PaperMember, ring: RingInfo, st: Styles) -> list[Flowable]:
    """How to use the vouchers that follow: fill in, both sign, keep the stub, hand in."""
    count = len(member.voucher_numbers)
    vouchers = "dem Beleg" if count == 1 else f"den {count} Belegen"
    amount = "Stunden" if ring.minutes_per_unit == 60 else para(ring.unit_plural)
    steps = [
        "<b>Ausfüllen,</b> wenn Sie eine Leistung bekommen haben: wer sie erbracht hat (Name und "
        f"Mitgliedsnummer), Datum, {amount} und was gemacht wurde.",
        "<b>Beide unterschreiben:</b> Sie (Leistungsnehmer) und wer die Leistung erbracht hat "
        "(Leistungsgeber).",
        "<b>Den Kontrollabschnitt</b> links ebenso ausfüllen, abtrennen und aufbewahren.",
        "<b>Abgeben</b> im Büro oder beim Tauschtreffen. Das Büro bucht den Beleg.",
    ]
    return [
        KeepTogether(
            [
                Paragraph("So benutzen Sie die Belege", st.h2),
                Paragraph(
                    f"Auf {vouchers} sind Ihr Name und Ihre Mitgliedsnummer schon eingedruckt.", st.lead
                ),
                *(Paragraph(f"{index}.\u00a0{text}", st.step) for index, text in enumerate(steps, start=1)),
            ]
        )
    ]


def _insert(member: PaperMember, ring: RingInfo, info: EditionInfo) -> list[Flowable]:
    """One member's insert, from the letter page to the vouchers."""
    st = styles_for(LARGE_SIZE if member.large_print else NORMAL_SIZE)
    story: list[Flowable] = [GroupStart(_running(member, ring, info, st))]
    story += _window(member, ring, info, st)
    story.append(NextPageTemplate("body"))
    if st.large:
        story += _office_block(ring, st)
    story += _statement(member.statement, ring, st)
    story += _limits(member.limits, member.statement, ring, st)
    story += _own_listings(member, ring, info, st)
    if member.voucher_numbers:
        template = "vouchers_large" if st.large else "vouchers"
        story += _voucher_help(member, ring, st)
        story += [NextPageTemplate(template), PageBreak(), *voucher_story(member.vouchers, ring, st.large)]
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
