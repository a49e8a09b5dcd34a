"""Every refusal is worded once for people, in German and in English, and the API shows only what
the caller may see of it."""

from __future__ import annotations

import inspect

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

import ledger
from tauschring import errors, texts
from tauschring.texts import explain, public_params
from tauschring.units import Unit

FALLBACKS = ("Das ist nicht möglich.", "Die Buchung wurde abgelehnt.", "That is not possible.")


def sample(cls):
    """A refusal of this class with a value for every parameter its template names."""
    names = [part.split("}")[0].split("!")[0] for part in cls.template.split("{")[1:]]
    values = {name: 3 for name in names}
    values.update({"side": "lower", "balance": -1700, "amount": -200, "limit": -1800, "reason": "order"})
    values.update({"label": "3 Clara Wagner", "account_id": 9, "field": "phone", "channel": "print"})
    values.update(
        {"key": "api:5:geheim", "period": "2026-13", "names": "Betrag", "value": "x", "role": "admin"}
    )
    values.update({"number": 3, "source": "fax", "voucher_number": "7", "entry_id": 1, "reversal_id": 2})
    values.update({"minutes": 15, "phone": "0341 111 222"})
    return cls(**{name: values[name] for name in names})


APP_REFUSALS = sorted(errors.Refusal.registry.values(), key=lambda cls: cls.code)
LEDGER_REFUSALS = sorted(
    (cls for cls in ledger.LedgerError.registry.values() if cls is not ledger.LedgerError),
    key=lambda cls: cls.code,
)


@pytest.fixture(scope="module")
def app():
    app = Flask("wording")
    Babel(
        app, default_translation_directories=str(inspect.getfile(errors).rsplit("/", 1)[0] + "/translations")
    )
    return app


@pytest.mark.parametrize("cls", APP_REFUSALS, ids=lambda cls: cls.code)
def test_every_refusal_of_a_use_case_has_its_own_words(app, cls):
    with app.test_request_context():
        with force_locale("de"):
            german = explain(sample(cls), Unit())
        with force_locale("en"):
            english = explain(sample(cls), Unit())
    assert german not in FALLBACKS and english not in FALLBACKS
    assert german != english or german.isdigit()
    assert "Std.." not in german  # an amount never ends a sentence with a second period


@pytest.mark.parametrize(
    "cls",
    [
        c
        for c in LEDGER_REFUSALS
        if c.code
        not in ("unknown_ring", "unknown_account", "foreign_account", "unbalanced_entry", "invalid_field")
    ],
    ids=lambda cls: cls.code,
)
def test_every_refusal_of_the_books_a_person_can_meet_has_its_own_words(app, cls):
    with app.test_request_context(), force_locale("de"):
        for own in (None, 9):  # worded for the account's owner and for anyone else
            german = explain(sample(cls), Unit(), own_account_id=own)
            assert german not in FALLBACKS and "Std.." not in german


def test_a_limit_is_worded_for_the_reader_with_the_numbers(app):
    refusal = sample(ledger.LimitExceeded)
    with app.test_request_context(), force_locale("de"):
        own = explain(refusal, Unit(), own_account_id=9)
        other = explain(refusal, Unit(), names={9: "Clara W. (3)"})
    assert "Ihre Untergrenze" in own and "-28:20 Std." in own and "-30:00 Std." in own
    assert "Clara W. (3)" in other and "Clara Wagner" not in other


def test_the_api_sees_no_account_label_and_no_idempotency_key(app):
    assert "label" not in public_params(sample(ledger.LimitExceeded))
    assert "account_id" not in public_params(sample(ledger.LimitExceeded))
    assert public_params(sample(ledger.IdempotencyConflict)) == {}
    assert public_params(sample(ledger.AccountClosed)) == {}


def test_codes_are_unique_and_every_refusal_has_a_status():
    codes = [cls.code for cls in APP_REFUSALS]
    assert len(codes) == len(set(codes))
    assert all(cls.status in (401, 403, 404, 409, 413, 422, 429) for cls in APP_REFUSALS)
    assert errors.status_of(sample(ledger.LimitExceeded)) == 409
    assert errors.status_of(sample(ledger.InvalidAmount)) == 422


def _audited_keys() -> set[str]:
    """Every field name a use case hands to the audit: the snapshot tuples, the settings, the
    consents, and the keys of every literal ``before=`` / ``after=`` dict in tauschring/."""
    import ast
    from pathlib import Path

    from tauschring import listings, members, rings, vouchers

    keys = {
        *members.EDITABLE_BY_OFFICE, *members.CONTACT_DATA, *members.STATUS_FIELDS, *listings.EDITABLE,
        *rings.SETTINGS_FIELDS, *vouchers.LINE_FIELDS,
        "old_confirmed", "override_reason", "name", "min_balance", "max_balance",
    }  # fmt: skip
    keys |= {f"{field}_{channel}" for field in texts.CONTACT_FIELDS for channel in texts.CONSENT_CHANNELS}
    for path in (Path(texts.__file__).parent).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.keyword)
                and node.arg in ("before", "after")
                and isinstance(node.value, ast.Dict)
            ):
                keys |= {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
    return keys


def test_every_field_the_audit_keeps_has_a_name_for_the_office(app):
    with app.test_request_context(), force_locale("de"):
        unnamed = sorted(key for key in _audited_keys() if texts.audit_field(key) == key)
    assert unnamed == []


def test_audit_values_are_shown_in_words(app):
    with app.test_request_context(), force_locale("de"):
        shown = texts.describe_change(
            {
                "status": "suspended",
                "min_balance": -1800,
                "max_balance": None,
                "phone_print": True,
                "role": "admin",
            }
        )
    assert shown == [
        ("Status", "gesperrt"),
        ("Untergrenze", "-30:00"),
        ("Obergrenze", "–"),
        ("Einwilligung Telefon im Druck", "ja"),
        ("Rolle", "Administrator"),
    ]
