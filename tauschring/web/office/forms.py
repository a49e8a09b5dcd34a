"""Forms of the office desk."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from ... import texts
from ...logins import MIN_PASSWORD_LENGTH
from ..forms import ContactFields, EmptyForm, Form  # noqa: F401 (EmptyForm: for the office views)

SOURCES = [SelectChoice(code, texts.CONSENT_SOURCES[code]) for code in ("paper_form", "office")]


class BatchForm(Form):
    title = StringField(
        _l("Bezeichnung (z. B. Tauschtreffen 14.11.)"), validators=[Optional(), Length(max=200)]
    )


class LineForm(Form):
    """One voucher as the clerk types it, in the order the paper is read (the date last: it
    rarely changes within a stack and defaults from the line before)."""

    voucher_number = StringField(_l("Beleg-Nr."), validators=[Length(max=40)])
    payer_number = StringField(_l("Leistungsnehmer (Nr.)"), validators=[Length(max=20)])
    payee_number = StringField(_l("Leistungsgeber (Nr.)"), validators=[Length(max=20)])
    amount = StringField(_l("Betrag"), validators=[Length(max=20)])
    memo = StringField(_l("Text"), validators=[Length(max=500)])
    service_date = StringField(_l("Leistungsdatum"), validators=[Length(max=20)])
    old_confirmed = BooleanField(_l("alter Beleg: trotzdem buchen"))
    override_reason = StringField(
        _l("Über die Grenze buchen, weil … (sonst leer lassen)"), validators=[Optional(), Length(max=300)]
    )


class TotalsForm(Form):
    expected_count = IntegerField(
        _l("Anzahl Belege laut Stapel"), validators=[Optional(), NumberRange(0, 10000)]
    )
    expected_amount = StringField(_l("Summe laut Stapel"), validators=[Optional(), Length(max=20)])


class PostForm(Form):
    clean_only = BooleanField(
        _l("Nur die fehlerfreien Zeilen buchen; die anderen bleiben ungebucht im Stapel.")
    )


class ImportForm(Form):
    file = FileField(
        _l("CSV-Datei"),
        validators=[
            FileRequired(_l("Bitte wählen Sie eine Datei.")),
            FileAllowed(["csv", "txt"], _l("Nur CSV-Dateien.")),
        ],
    )


class MovingInForm(Form):
    """A file of the ring's old system (or the template), to read and check before taking it over."""

    source = SelectField(
        _l("Herkunft"), choices=[SelectChoice(code, name) for code, name in texts.IMPORT_FORMATS.items()]
    )
    kind = SelectField(
        _l("Inhalt"), choices=[SelectChoice(code, name) for code, name in texts.IMPORT_KINDS.items()]
    )
    file = FileField(
        _l("Datei (CSV oder XLSX)"),
        validators=[
            FileRequired(_l("Bitte wählen Sie eine Datei.")),
            FileAllowed(["csv", "txt", "xlsx"], _l("Nur CSV- oder XLSX-Dateien.")),
        ],
    )


class ImportPostForm(Form):
    clean_only = BooleanField(
        _l("Nur die fehlerfreien Zeilen übernehmen; die anderen in der Datei berichtigen und neu einlesen.")
    )


class MemberForm(ContactFields, Form):
    first_name = StringField(
        _l("Vorname"), validators=[DataRequired(_l("Bitte geben Sie den Vornamen an.")), Length(max=100)]
    )
    last_name = StringField(
        _l("Nachname"), validators=[DataRequired(_l("Bitte geben Sie den Nachnamen an.")), Length(max=100)]
    )
    name_display = SelectField(
        _l("Name zeigen als"),
        choices=[SelectChoice(code, name) for code, name in texts.NAME_DISPLAYS.items()],
        default="first_initial",
    )
    paper_member = BooleanField(_l("Papiermitglied (bekommt die gedruckte Marktzeitung)"))
    large_print = BooleanField(_l("Großdruck"))


class AdmitForm(MemberForm):
    joined_on = DateField(
        _l("Eintrittsdatum"), validators=[DataRequired(_l("Bitte geben Sie ein Datum an."))]
    )
    username = StringField(
        _l("Benutzername für die Anmeldung (freiwillig)"),
        validators=[
            Optional(),
            Length(min=3, max=80),
            Regexp(r"^[a-z0-9._-]+$", message=_l("Nur a–z, 0–9, Punkt, Unterstrich, Strich.")),
        ],
    )
    password = PasswordField(
        _l("Anfangspasswort"), validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )


class ConsentForm(Form):
    source = SelectField(_l("Quelle"), choices=SOURCES)
    changed_on = DateField(
        _l("Datum der Erklärung"), validators=[DataRequired(_l("Bitte geben Sie ein Datum an."))]
    )
    phone_online = BooleanField(_l("Telefon online"))
    phone_print = BooleanField(_l("Telefon im Druck"))
    email_online = BooleanField(_l("E-Mail online"))
    email_print = BooleanField(_l("E-Mail im Druck"))
    address_online = BooleanField(_l("Adresse online"))
    address_print = BooleanField(_l("Adresse im Druck"))


class LoginForm(Form):
    username = StringField(
        _l("Benutzername"),
        validators=[
            DataRequired(),
            Length(min=3, max=80),
            Regexp(r"^[a-z0-9._-]+$", message=_l("Nur a–z, 0–9, Punkt, Unterstrich, Strich.")),
        ],
    )
    password = PasswordField(
        _l("Passwort"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    role = SelectField(
        _l("Rolle"),
        choices=[
            SelectChoice("member", _l("Mitglied")),
            SelectChoice("office", _l("Büro")),
            SelectChoice("admin", _l("Administrator")),
        ],
        default="member",
    )


class ReasonForm(Form):
    reason = StringField(
        _l("Grund"), validators=[DataRequired(_l("Bitte geben Sie einen Grund an.")), Length(max=500)]
    )
    override = BooleanField(_l("auch wenn eine Grenze überschritten wird (Grund wird vermerkt)"))


class ConfirmForm(Form):
    confirm = StringField(_l("Zur Bestätigung die Mitgliedsnummer eintippen"), validators=[DataRequired()])


class LimitsForm(Form):
    min_balance = StringField(
        _l("Untergrenze"),
        description=_l("z. B. -40:00; leer: wie im Tauschring"),
        validators=[Optional(), Length(max=20)],
    )
    max_balance = StringField(
        _l("Obergrenze"),
        description=_l("z. B. 80:00; leer: wie im Tauschring"),
        validators=[Optional(), Length(max=20)],
    )


class NumberForm(Form):
    number = StringField(_l("Mitgliedsnummer"), validators=[DataRequired(), Regexp(r"^\d{1,9}$")])


class FeeForm(Form):
    period = HiddenField(validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$")])


class ExemptionForm(Form):
    number = StringField(_l("Mitgliedsnummer"), validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    reason = StringField(
        _l("Grund"), validators=[DataRequired(_l("Bitte geben Sie einen Grund an.")), Length(max=300)]
    )


class SettingsForm(Form):
    name = StringField(_l("Name des Tauschrings"), validators=[DataRequired(), Length(max=200)])
    unit_singular = StringField(_l("Einheit (Einzahl)"), validators=[DataRequired(), Length(max=30)])
    unit_plural = StringField(_l("Einheit (Mehrzahl)"), validators=[DataRequired(), Length(max=30)])
    unit_symbol = StringField(_l("Kürzel"), validators=[DataRequired(), Length(max=12)])
    units_per_hour = SelectField(
        _l("Einheiten pro Stunde"),
        coerce=int,
        choices=[SelectChoice(n, str(n)) for n in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)],
    )
    step_minutes = IntegerField(
        _l("Kleinster Schritt (Minuten)"), validators=[DataRequired(), NumberRange(1, 240)]
    )
    min_balance = StringField(_l("Untergrenze (h:mm, leer = keine)"), validators=[Optional(), Length(max=20)])
    max_balance = StringField(_l("Obergrenze (h:mm, leer = keine)"), validators=[Optional(), Length(max=20)])
    warn_min_balance = StringField(
        _l("Warnung ab Kontostand unter (h:mm)"), validators=[Optional(), Length(max=20)]
    )
    warn_max_balance = StringField(
        _l("Warnung ab Kontostand über (h:mm)"), validators=[Optional(), Length(max=20)]
    )
    office_address = TextAreaField(
        _l("Anschrift des Büros (wie im Briefumschlag, eine Zeile je Zeile)"),
        validators=[Optional(), Length(max=300)],
    )
    office_phone = StringField(_l("Telefon des Büros"), validators=[Optional(), Length(max=40)])
    office_email = StringField(_l("E-Mail des Büros"), validators=[Optional(), Length(max=200), Email()])
    office_hours = StringField(_l("Sprechstunde"), validators=[Optional(), Length(max=300)])
    auto_accept_days = IntegerField(
        _l("Zahlungsanforderungen gelten als angenommen nach … Tagen (leer = nie)"),
        validators=[Optional(), NumberRange(1, 365)],
    )
    listing_months = IntegerField(
        _l("Laufzeit eines Inserats (Monate)"), validators=[DataRequired(), NumberRange(1, 24)]
    )
    submission_days = IntegerField(
        _l("Belege ohne Rückfrage buchen bis … Tage nach der Leistung"),
        validators=[DataRequired(), NumberRange(1, 366)],
    )
    require_batch_approval = BooleanField(_l("Belegstapel brauchen die Freigabe einer zweiten Person"))
    public_statistics = BooleanField(
        _l(
            "Kurzstatistik (Mitglieder, getauschte Stunden dieses Jahres) "
            "auf der Startseite der Mitglieder zeigen"
        )
    )
    fee_minutes = IntegerField(
        _l("Kontoführungsgebühr pro Monat (Minuten, 0 = keine)"), validators=[Optional(), NumberRange(0, 600)]
    )
    fee_policy = SelectField(
        _l("Wenn die Gebühr eine Grenze überschreiten würde"),
        choices=[SelectChoice(code, name) for code, name in texts.FEE_POLICIES.items()],
    )


class CloseMonthForm(Form):
    period = HiddenField(validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$")])


class CloseYearForm(Form):
    year = IntegerField(_l("Jahr"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])


class ReopenForm(Form):
    reason = StringField(
        _l("Grund für das Öffnen"),
        validators=[DataRequired(message=_l("Bitte geben Sie einen Grund an.")), Length(max=500)],
    )


class OutreachForm(Form):
    reason = SelectField(
        _l("Anlass"),
        choices=[
            SelectChoice("inactive", _l("lange nicht getauscht")),
            SelectChoice("beyond_limit", _l("jenseits der Warnschwelle")),
        ],
    )
    channel = SelectField(
        _l("Wie"),
        choices=[
            SelectChoice("letter", _l("Brief")),
            SelectChoice("phone", _l("Anruf")),
            SelectChoice("visit", _l("Besuch / Gespräch")),
            SelectChoice("email", _l("E-Mail")),
        ],
    )
    note = StringField(_l("Notiz (kurz)"), validators=[Optional(), Length(max=500)])
