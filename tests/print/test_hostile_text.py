"""Member text is data, never markup: tags, entities, emoji and endless words print literally or
degrade gracefully, nothing crashes and no file is read."""

from __future__ import annotations

import builtins
import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from print.data import (
    Contact,
    ContactEntry,
    Event,
    NewMember,
    NewsItem,
    PaperMember,
    Statement,
    StatementLine,
)
from print.fonts import register_fonts
from print.inserts import render_inserts
from print.newspaper import render_contact_list, render_large_print, render_newspaper
from print.text import MISSING_GLYPH
from print.vouchers import render_blank_vouchers

from . import samples
from .pdfcheck import all_text, flat, image_count

HOSTILE = samples.HOSTILE_TEXTS
LONG_WORD = "Donaudampfschifffahrtsgesellschaft" * 6


def hostile_edition() -> Any:
    listings = tuple(
        samples.listing(
            "offer",
            900 + index,
            "Haus und Garten",
            text,
            text=text,
            contact=Contact(text, text, text, text),
            district=text,
            availability=text,
            price_hint=text,
        )
        for index, text in enumerate(HOSTILE)
    )
    return samples.edition(
        ring=samples.ring(name="Ring <b>&</b>", sprechstunde="<i>immer</i>"),
        listings=listings,
        events=tuple(Event(dt.date(2026, 12, 1), text, None, text, text) for text in HOSTILE),
        news=tuple(NewsItem(text, text) for text in HOSTILE),
        new_members=tuple(NewMember(text, text) for text in HOSTILE),
        categories=samples.CATEGORIES + (samples.Category("<Rubrik & Co>", 99),),
        contact_list=tuple(ContactEntry(Contact(text, text, text, text), text, text) for text in HOSTILE),
        impressum="\n\n".join(HOSTILE),
        privacy_notice=HOSTILE[0],
    )


def hostile_members() -> list[PaperMember]:
    members = []
    for index, text in enumerate(HOSTILE):
        line = StatementLine(dt.date(2026, 11, 2), text, 30, 30, dt.date(2026, 11, 1), text)
        members.append(
            PaperMember(
                member_number=text,
                name=text,
                address=(text, text, "04177 Leipzig"),
                large_print=bool(index % 2),
                statement=Statement(dt.date(2026, 11, 1), dt.date(2026, 11, 30), 0, 30, (line,)),
                listings=hostile_edition().listings[index : index + 1],
                voucher_numbers=(text, f"2026-9{index:04d}"),
            )
        )
    return members


def render_everything() -> dict[str, bytes]:
    edition = hostile_edition()
    return {
        "marktzeitung": render_newspaper(edition),
        "grossdruck": render_large_print(edition),
        "kontaktliste": render_contact_list(edition),
        "beilagen": render_inserts(hostile_members(), edition.ring, edition.info),
        "belege": render_blank_vouchers(list(HOSTILE), edition.ring),
    }


@pytest.fixture(scope="module")
def opened_files() -> list[str]:
    return []


@pytest.fixture(scope="module")
def rendered(opened_files: list[str]) -> dict[str, bytes]:
    register_fonts()  # the bundled fonts are the only files print/ may open
    real_open: Callable[..., Any] = builtins.open

    def recording_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened_files.append(str(file))
        return real_open(file, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builtins, "open", recording_open)
        return render_everything()


def test_nothing_crashes_and_no_file_is_read(rendered: dict[str, bytes], opened_files: list[str]) -> None:
    assert set(rendered) == {"marktzeitung", "grossdruck", "kontaktliste", "beilagen", "belege"}
    assert not [path for path in opened_files if "passwd" in path or not Path(path).suffix == ".ttf"]
    for pdf in rendered.values():
        assert image_count(pdf) == 0


@pytest.mark.parametrize("name", ["marktzeitung", "grossdruck", "kontaktliste", "beilagen"])
def test_tags_and_entities_print_literally(name: str, rendered: dict[str, bytes]) -> None:
    text = flat(all_text(rendered[name]))
    assert flat("<b>fett?</b> & Co.") in text
    assert flat("Müller & Söhne <i>unclosed <b>tag") in text
    assert flat('<img src="/etc/passwd"> Bild') in text
    assert flat("&amp; &lt;entity&gt; &#169; ]]> <!-- comment -->") in text


@pytest.mark.parametrize("name", ["marktzeitung", "grossdruck", "kontaktliste", "beilagen"])
def test_missing_glyphs_become_white_squares_and_long_words_break(
    name: str, rendered: dict[str, bytes]
) -> None:
    text = all_text(rendered[name])
    assert "\U0001f984" not in text and "\u200d" not in text
    assert MISSING_GLYPH in text
    assert LONG_WORD in flat(text)
    assert "Steuerzeichen" in text and "\x1b" not in text and "\x00" not in text


def test_ring_text_is_escaped_too(rendered: dict[str, bytes]) -> None:
    assert "Ring <b>&</b>" in all_text(rendered["marktzeitung"])
    assert flat("<i>immer</i>") in flat(all_text(rendered["marktzeitung"]))


def test_hostile_voucher_numbers_print_as_text(rendered: dict[str, bytes]) -> None:
    text = all_text(rendered["belege"])
    assert "<b>fett?</b> & Co." in text


def test_a_long_word_in_a_window_address_is_shrunk_not_spilled() -> None:
    member = dataclasses.replace(samples.paper_members()[3], address=(LONG_WORD,) * 12)
    pdf = render_inserts([member], samples.ring(), samples.EDITION_INFO)
    assert LONG_WORD[:20] in all_text(pdf)


def test_texts_longer_than_a_page_split_instead_of_failing() -> None:
    text = "Sehr lange Beschreibung " * 300
    line = StatementLine(dt.date(2026, 11, 2), text, 30, 30, dt.date(2026, 11, 1), text)
    statement = Statement(dt.date(2026, 11, 1), dt.date(2026, 11, 30), 0, 30, (line,))
    long_listing = samples.listing("offer", 1, "Tiere", text * 2, text="kurz")
    for large in (False, True):
        member = PaperMember("1", "Lang", ("Lang",), large, statement, (long_listing,))
        pdf = render_inserts([member], samples.ring(), samples.EDITION_INFO)
        assert all_text(pdf).count("Beschreibung") == 600 + 2 * 600
    edition = samples.edition(
        listings=(samples.listing("offer", 1, "Tiere", "Lang", text=text * 3),),
        news=(NewsItem("Lang", text * 3),),
    )
    for render in (render_newspaper, render_large_print):
        assert all_text(render(edition)).count("Beschreibung") == 1800
