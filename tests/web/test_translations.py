"""The English catalog is complete, keeps every placeholder, and the shipped .mo is compiled from it.

The sources are extracted again (same options as the documented ``pybabel extract``) into a temporary
directory, so a new German string without an English translation fails here with its msgid. To fix
a failure, run the three commands in the README's "Translations" section and translate what is new.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import ExtractMessages
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "tauschring" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"

# %(name)s, %(min)d, %s, %.1f ... ; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale="en")


def _placeholders(text: str) -> list[str]:
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


def _forms(message) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return ids, strings


def _messages(catalog: Catalog) -> dict[object, object]:
    """msgid -> msgstr; read_mo gives plural ids and strings as lists, read_po as tuples."""

    def plain(value):
        return tuple(value) if isinstance(value, list) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


@pytest.fixture(scope="module")
def po() -> Catalog:
    return _read_po(PO)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output ... ."""
    out = tmp_path_factory.mktemp("translations") / "messages.pot"
    cmd = ExtractMessages()
    cmd.mapping_file = str(ROOT / "babel.cfg")
    cmd.keywords = ["_l", "lazy_gettext"]
    cmd.output_file = str(out)
    cmd.no_location = True
    cmd.sort_output = True
    cmd.project = "Tauschring"
    cmd.copyright_holder = "Tauschring contributors"
    cmd.input_paths = [str(ROOT)]
    cmd.finalize_options()
    cmd.run()
    return _read_po(out)


def test_sources_have_strings(extracted):
    assert len([m for m in extracted if m.id]) > 100


def test_every_source_string_is_translated(extracted, po):
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = po.get(message.id)
        if translated is None or translated.id != message.id or not all(_forms(translated)[1]):
            missing.append(message.id)
    assert not missing, "msgids without an English translation (see the README, “Translations”):\n" + (
        "\n".join(repr(m) for m in missing)
    )


def test_no_fuzzy_entries(po):
    assert not po.fuzzy, "the header of messages.po is marked fuzzy"
    fuzzy = [m.id for m in po if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"


def test_translations_keep_the_placeholders(po):
    wrong = []
    for message in po:
        if not message.id:
            continue
        ids, strings = _forms(message)
        for index, string in enumerate(strings):
            source = ids[min(index, len(ids) - 1)]
            if string and _placeholders(string) != _placeholders(source):
                wrong.append(f"{source!r} -> {string!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_committed_mo_matches_po(po):
    assert MO.is_file(), "messages.mo is missing: run pybabel compile (see the README)"
    compiled = io.BytesIO()
    write_mo(compiled, po)
    compiled.seek(0)
    with MO.open("rb") as f:
        committed = read_mo(f)
    expected = read_mo(compiled)
    assert _messages(committed) == _messages(expected), "messages.mo is stale: run pybabel compile"
    assert committed.plural_forms == expected.plural_forms


def test_flask_babel_finds_the_english_catalog():
    translations = Translations.load(str(TRANSLATIONS), ["en"])
    assert translations.gettext("Jemanden bezahlen") == "Pay someone"
    assert translations.ngettext("%(num)d Inserat gefunden.", "%(num)d Inserate gefunden.", 2) == (
        "%(num)d listings found."
    )
