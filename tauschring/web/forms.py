"""The member area's forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from .. import inputs, texts
from ..logins import MIN_PASSWORD_LENGTH

MEMO = [DataRequired(message=_l("Bitte beschreiben Sie die Leistung.")), Length(max=200)]


class Form(FlaskForm):
    """Every form of the pages: each text field follows the one rule for text (``inputs``), as
    the API's do; long texts get their line breaks as "\n". Passwords are left as typed."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field, PasswordField) or not isinstance(field.data, str):
                continue
            multiline = isinstance(field, TextAreaField)
            if multiline:
                field.data = inputs.lines(field.data)
            if inputs.problem(field.data, multiline=multiline):
                field.errors = [*field.errors, _l("Bitte nur Buchstaben, Ziffern und Satzzeichen.")]
                valid = False
        return valid


class LoginForm(Form):
    username = StringField(_l("Benutzername"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(), Length(max=200)])


class NewPasswordForm(Form):
    """A new password, typed twice (set through a one-time link, or changed below)."""

    new = PasswordField(
        _l("Neues Passwort"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("Das Passwort braucht mindestens %(min)d Zeichen.", min=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    repeat = PasswordField(
        _l("Neues Passwort wiederholen"),
        validators=[EqualTo("new", message=_l("Die beiden Passwörter stimmen nicht überein."))],
    )


class PasswordForm(NewPasswordForm):
    """One's own password changed: the present one first."""

    current = PasswordField(_l("Bisheriges Passwort"), validators=[DataRequired()])


class FoundRingForm(NewPasswordForm):
    """The first ring of an empty instance and its admin."""

    name = StringField(_l("Name des Tauschrings"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Kurzname für Adressen"), validators=[DataRequired(), Length(max=40)])
    username = StringField(_l("Benutzername des Administrators"), validators=[DataRequired(), Length(max=80)])


class AmountMixin:
    amount = StringField(
        _l("Betrag"),
        validators=[DataRequired(message=_l("Bitte geben Sie einen Betrag ein.")), Length(max=20)],
        description=_l("zum Beispiel 1:30 oder 1,5 Stunden"),
    )
    amount_unit = SelectField(
        _l("Einheit"), choices=[SelectChoice("hours", _l("Stunden (1:30 oder 1,5)"))], default="hours"
    )


class PayForm(AmountMixin, Form):
    payee = StringField(
        _l("An wen? (Mitgliedsnummer oder Name)"),
        validators=[DataRequired(message=_l("Bitte geben Sie an, wen Sie bezahlen.")), Length(max=100)],
    )
    service_date = DateField(
        _l("Leistungsdatum"), validators=[DataRequired(message=_l("Bitte geben Sie ein Datum an."))]
    )
    memo = StringField(_l("Wofür? (Buchungstext)"), validators=MEMO)
    payee_id = HiddenField()
    idempotency_key = HiddenField()


class RequestForm(AmountMixin, Form):
    payer = StringField(
        _l("Von wem? (Mitgliedsnummer oder Name)"),
        validators=[DataRequired(message=_l("Bitte geben Sie an, wer bezahlen soll.")), Length(max=100)],
    )
    service_date = DateField(
        _l("Leistungsdatum"), validators=[DataRequired(message=_l("Bitte geben Sie ein Datum an."))]
    )
    memo = StringField(_l("Wofür? (Buchungstext)"), validators=MEMO)
    payer_id = HiddenField()


class AnswerForm(Form):
    note = StringField(_l("Bemerkung (bei Ablehnung, freiwillig)"), validators=[Optional(), Length(max=300)])


class ActForForm(Form):
    member_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])


class ListingForm(Form):
    kind = RadioField(
        _l("Art"),
        choices=[
            SelectChoice("offer", _l("Angebot – ich biete")),
            SelectChoice("request", _l("Gesuch – ich suche")),
        ],
        validators=[DataRequired(message=_l("Bitte wählen Sie Angebot oder Gesuch."))],
    )
    # No Rubrik is chosen for the member: the first choice asks them to pick one.
    category = SelectField(
        _l("Rubrik"),
        coerce=lambda value: int(value) if value not in (None, "") else None,
        validators=[DataRequired(message=_l("Bitte wählen Sie eine Rubrik."))],
    )
    title = StringField(
        _l("Überschrift"),
        validators=[DataRequired(message=_l("Bitte geben Sie eine Überschrift an.")), Length(max=120)],
    )
    text = TextAreaField(
        _l("Beschreibung"),
        validators=[DataRequired(message=_l("Bitte beschreiben Sie Ihr Inserat.")), Length(max=2000)],
    )
    district = StringField(_l("Stadtteil (freiwillig)"), validators=[Optional(), Length(max=100)])
    availability = StringField(_l("Wann? (freiwillig)"), validators=[Optional(), Length(max=200)])
    price_hint = StringField(
        _l("Hinweis zum Preis (freiwillig)"),
        validators=[Optional(), Length(max=200)],
        description=_l("zum Beispiel „nach Absprache“ oder „+ Fahrtkosten“"),
    )
    print_in_paper = BooleanField(_l("In der Marktzeitung drucken"), default=True)


class ContactFields:
    """A member's contact data, as the member and the office type it."""

    phone = StringField(_l("Telefon"), validators=[Optional(), Length(max=40), Regexp(r"^[0-9 +()/-]*$")])
    email = StringField(_l("E-Mail"), validators=[Optional(), Length(max=200), Email()])
    street = StringField(_l("Straße und Hausnummer"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postleitzahl"), validators=[Optional(), Regexp(r"^\d{4,5}$")])
    city = StringField(_l("Ort"), validators=[Optional(), Length(max=100)])
    district = StringField(_l("Stadtteil"), validators=[Optional(), Length(max=100)])


class ProfileForm(ContactFields, Form):
    name_display = SelectField(
        _l("So wird mein Name gezeigt"),
        choices=[SelectChoice(code, name) for code, name in texts.NAME_DISPLAYS.items()],
    )
    large_print = BooleanField(_l("Marktzeitung in Großdruck"))
    phone_online = BooleanField(_l("Telefon im Marktplatz zeigen"))
    phone_print = BooleanField(_l("Telefon in der Marktzeitung drucken"))
    email_online = BooleanField(_l("E-Mail im Marktplatz zeigen"))
    email_print = BooleanField(_l("E-Mail in der Marktzeitung drucken"))
    address_online = BooleanField(_l("Adresse im Marktplatz zeigen"))
    address_print = BooleanField(_l("Adresse in der Marktzeitung drucken"))


class TokenForm(Form):
    name = StringField(
        _l("Wofür ist das Token? (z. B. „Tabellenkalkulation“)"),
        validators=[DataRequired(message=_l("Bitte geben Sie einen Namen an.")), Length(max=100)],
    )


class EmptyForm(Form):
    """Only the CSRF token: for buttons that post."""
