"""Letters of the office to single members (activity care): a mail merge in the style of the
inserts, one letter per member with the address in the DIN 5008 window field, each numbering
its own pages. Plain dataclasses in, PDF bytes out, deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.platypus import (
    Flowable,
    FrameBreak,
    KeepInFrame,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
)

from print.data import RingInfo
from print.layout import GroupStart, Running, build_pdf, insert_templates
from print.styles import LARGE_SIZE, NORMAL_SIZE, styles_for
from print.text import clean, format_date, one_line, para, phone


@dataclass(frozen=True)
class Letter:
    """One letter: to whom (address lines for the window), the date, a subject, the salutation
    and the paragraphs of plain text (never markup)."""

    member_number: str
    address: tuple[str, ...]
    date: object  # datetime.date
    subject: str
    salutation: str
    paragraphs: tuple[str, ...]
    closing: str = "Mit freundlichen Grüßen\nIhr Büro des Tauschrings"
    large_print: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", tuple(self.address))
        object.__setattr__(self, "paragraphs", tuple(self.paragraphs))


def _letter(letter: Letter, ring: RingInfo) -> list[Flowable]:
    st = styles_for(LARGE_SIZE if letter.large_print else NORMAL_SIZE)
    address = "<br/>".join(para(line) for line in letter.address if clean(line))
    facts = [
        f"Mitgliedsnummer: {para(letter.member_number)}",
        f"Datum: {format_date(letter.date)}",
    ]
    if not st.large:
        facts += [f"Büro: {phone(ring.office_phone)}", f"Sprechstunde: {para(ring.sprechstunde)}"]
    story: list[Flowable] = [
        GroupStart(
            Running(
                header=None,
                footer=f"{one_line(ring.name)} · Mitglied {one_line(letter.member_number)}",
                size=st.header_size,
            )
        ),
        KeepInFrame(0, 0, [Paragraph(f"<u>{para(ring.sender_line)}</u>", st.sender)], mode="shrink"),
        FrameBreak(),
        KeepInFrame(0, 0, [Paragraph(address, st.address)], mode="shrink"),
        FrameBreak(),
        KeepInFrame(0, 0, [Paragraph("<br/>".join(facts), st.info)], mode="shrink"),
        FrameBreak(),
        NextPageTemplate("body"),
        Paragraph(f"<b>{para(letter.subject)}</b>", st.body),
        Spacer(0, st.size * 0.5),
        Paragraph(para(letter.salutation), st.body),
    ]
    for text in letter.paragraphs:
        story.append(Paragraph(para(text), st.body))
    story.append(Paragraph("<br/>".join(para(line) for line in letter.closing.splitlines()), st.body))
    return story


def render_letters(letters: Sequence[Letter], ring: RingInfo, *, title: str = "Briefe") -> bytes:
    """One PDF with a letter per member, in the order given (each starts on a new page)."""
    story: list[Flowable] = []
    for index, letter in enumerate(letters):
        if index:
            story += [NextPageTemplate("letter"), PageBreak()]
        story += _letter(letter, ring)
    if not story:
        story = [Paragraph("Keine Briefe.", styles_for().body)]
    return build_pdf(story, insert_templates(), title=title, author=one_line(ring.name))
