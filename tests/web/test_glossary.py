"""One word per concept, and no internal code on a page.

The glossary (DESIGN.md) names each concept once in German and once in English. Where people and
older systems use several words, the catalogs, the paper and the pages use the chosen one:

- Grenze / Untergrenze / Obergrenze (limits), not "Limit" or "Kreditlinie";
- Beleg / Beleg-Nr. (voucher), not "Tauschscheck" or "Buchungsbeleg" (the printed slip is a Beleg too);
- Leistungsnehmer / Leistungsgeber (payer / payee), not "Zahler" or "Empfänger";
- Zahlungsanforderung (payment request), not a bare "Anforderung";
- Administrator, not "Vorstand (Administration)"; gesperrt (suspended), not "ruhend";
- Anmeldung (a signed-in browser, listed under "Angemeldete Geräte"), not "Sitzung".

A refused synonym fails here with the text it was found in. Codes the database stores
(``transfer``, ``paper_form``, ``batch.open``, ``voucher_batch`` ...) have names in texts.py; a
page that shows a code instead of its name fails here with the page and the code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tauschring import texts
from tests.web.conftest import Browser, text_of
from tests.web.content import fill_ring, pages_of

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "tauschring" / "translations" / "en" / "LC_MESSAGES" / "messages.po"

GERMAN_SYNONYMS = {
    r"\bLimits?\b": "Grenze",
    r"Kreditlinie": "Grenze",
    r"Tauschscheck": "Beleg",
    r"Buchungsbeleg": "Beleg",
    r"\bZahler\b|\bZahlers\b": "Leistungsnehmer",
    r"\bEmpfänger": "Leistungsgeber",
    r"\bAnforderung": "Zahlungsanforderung",
    r"Vorstand \(Administration\)|\bAdministration\b": "Administrator",
    r"\bruhend": "gesperrt",
    r"Sitzung": "Anmeldung (an open sign-in, as on the page Angemeldete Geräte)",
    r"Std\.\.": "Std. (one period)",
}
ENGLISH_SYNONYMS = {
    r"\bprovider\b|\brecipient\b|\breceiver\b": "payee",
    r"\bcredit (line|limit)": "limit",
    r"\bcheque": "voucher",
    r"\bstorno\b|\bcancellation\b": "reversal",
    r"\btransaction": "entry",
    r"\b(the )?board\b": "administrator",
    r"\bdormant\b": "suspended",
}


def _catalog() -> list[tuple[str, str]]:
    with PO.open("rb") as f:
        catalog = read_po(f, locale="en")
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += zip(ids, strings, strict=False)
    return pairs


def _found(synonyms: dict[str, str], texts_: list[str]) -> list[str]:
    return [
        f"{text!r}: {re.search(pattern, text).group(0)!r} -> {word}"
        for text in texts_
        for pattern, word in synonyms.items()
        if re.search(pattern, text)
    ]


def test_the_german_catalog_uses_one_word_per_concept():
    assert _found(GERMAN_SYNONYMS, [german for german, _ in _catalog()]) == []


def test_the_english_catalog_uses_one_word_per_concept():
    assert _found(ENGLISH_SYNONYMS, [english for _, english in _catalog()]) == []


def _strings_of(path: Path) -> list[str]:
    """The string constants of a module, without docstrings (those are English, for developers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_the_paper_uses_the_same_words():
    """The Marktzeitung, the inserts and the vouchers are German only (print/ has no catalog)."""
    strings = [text for path in sorted((ROOT / "print").glob("*.py")) for text in _strings_of(path)]
    assert _found(GERMAN_SYNONYMS, strings) == []


def test_the_names_of_codes_are_in_the_glossary_words_too():
    names = [
        str(name)
        for table in (
            texts.ENTRY_KINDS,
            texts.CHANNELS,
            texts.CONTACT_FIELDS,
            texts.CONSENT_SOURCES,
            texts.ROLES,
            texts.MEMBER_STATUSES,
            texts.REQUEST_STATUSES,
            texts.BATCH_STATUSES,
            texts.OBJECT_TYPES,
            texts.AUDIT_ACTIONS,
        )  # fmt: skip
        for name in table.values()
    ]
    assert _found(GERMAN_SYNONYMS, names) == []


def _codes() -> re.Pattern:
    """Every stored code that is not also a plain word (``web``, ``online``, ``email`` are; on a German
    page the English entry kinds and channels are codes too)."""
    tables = (
        texts.ENTRY_KINDS, texts.CHANNELS, texts.CONSENT_SOURCES, texts.REQUEST_STATUSES, texts.OBJECT_TYPES,
        texts.AUDIT_ACTIONS, texts.MEMBER_STATUSES, texts.BATCH_STATUSES,
    )  # fmt: skip
    codes = {code for table in tables for code in table if "_" in code or "." in code}
    return re.compile(
        r"(?<![\w.@/-])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True)) + r")(?![\w-])"
    )


GERMAN_ONLY_CODES = re.compile(r"\b(transfer|reversal|settlement|adjustment|opening|suspended|posted|web)\b")


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("role", ["anonymous", "anna", "hilde", "buero", "admin"])
def test_no_page_shows_an_internal_code_or_a_refused_word(app, ring, role, language):
    made = fill_ring(app, ring)
    browser = Browser(app.test_client())
    if role != "anonymous":
        browser.login(role)
    if role == "hilde":
        browser.post("/handeln-fuer", {"member_id": str(ring.clara.id)})
    if language == "en":
        browser.english()
    codes, words = _codes(), GERMAN_SYNONYMS if language == "de" else ENGLISH_SYNONYMS
    found = {}
    for path in pages_of(role, ring, made):
        response = browser.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        text = text_of(response)
        shown = codes.findall(text) + (GERMAN_ONLY_CODES.findall(text) if language == "de" else [])
        shown += _found(words, [text])
        if shown:
            found[path] = shown
    assert found == {}
