"""Validation of what members type: French postal codes, phones (→ E.164), emails, URLs, money.

Each rule is a plain function or a form field, so that the online form, the staff's paper form,
the member's own edit page and the CSV import all say the same thing in the same French words.
"""

import re
from decimal import Decimal

import phonenumbers
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models, router
from django.db.models import ExpressionWrapper, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siren as stdnum_siren

DEFAULT_REGION = "FR"

# A pledge above this is surely a typo (a budget typed in the amount box, an extra zero); the
# CAC can still record a bigger gift at the desk after talking to the giver.
AMOUNT_CEILING = Decimal("100000")
# The largest French associations have budgets of a few hundred million euros.
BUDGET_CEILING = Decimal("10000000000")

# Countries offered in the address; everything French overseas (971–976, 984–988) is "FR".
COUNTRY_CHOICES = [
    ("FR", _("France")),
    ("BE", _("Belgique")),
    ("CH", _("Suisse")),
    ("LU", _("Luxembourg")),
    ("MC", _("Monaco")),
    ("DE", _("Allemagne")),
    ("ES", _("Espagne")),
    ("IT", _("Italie")),
    ("PT", _("Portugal")),
    ("GB", _("Royaume-Uni")),
    ("NL", _("Pays-Bas")),
    ("CA", _("Canada")),
    ("MA", _("Maroc")),
    ("DZ", _("Algérie")),
    ("TN", _("Tunisie")),
    ("SN", _("Sénégal")),
    ("CI", _("Côte d'Ivoire")),
]

_FRENCH_POSTAL_CODE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|97[1-8]|98[046-9])\d{2,3}$", re.ASCII)
_FOREIGN_POSTAL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,9}$")


def normalize_postal_code(value, country=DEFAULT_REGION):
    """The postal code as it is written on an envelope, or ValidationError in French.

    France: five digits; the first two are a department (01–95, 20 for Corsica's 20xxx), or 97x
    / 98x overseas (971 Guadeloupe … 976 Mayotte, 975 Saint-Pierre-et-Miquelon, 977–978 the
    Antilles' collectivities, 984–988 the Pacific). Elsewhere: letters, digits, spaces, hyphens.
    """
    value = re.sub(r"\s+", " ", str(value or "")).strip().upper()
    if not value:
        return ""
    if (country or DEFAULT_REGION) == "FR":
        compact = value.replace(" ", "")
        if not (
            len(compact) == 5
            and compact.isascii()
            and compact.isdigit()
            and _FRENCH_POSTAL_CODE.match(compact)
        ):
            raise ValidationError(
                _("Saisissez un code postal français valide : cinq chiffres, par exemple 75011."),
                code="postal_code",
            )
        return compact
    if not _FOREIGN_POSTAL_CODE.match(value):
        raise ValidationError(_("Saisissez un code postal valide."), code="postal_code")
    return value


FRENCH_OVERSEAS_REGIONS = ["GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF"]


def _parse_phone(value, region):
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_phone(value, region=DEFAULT_REGION):
    """The number in E.164 (+33123456789), or ValidationError in French; "" stays ""."""
    value = str(value or "").strip()
    if not value:
        return ""
    if len(value) > 30:
        raise ValidationError(_("Ce numéro de téléphone est trop long."), code="phone")
    number = _parse_phone(value, region or DEFAULT_REGION)
    if number is None and (region or DEFAULT_REGION) == "FR":
        # 0590…, 0696…, 0262…: overseas departments dial like France but have their own codes.
        number = next((n for r in FRENCH_OVERSEAS_REGIONS if (n := _parse_phone(value, r))), None)
    if number is None:
        raise ValidationError(
            _(
                "Saisissez un numéro de téléphone valide, par exemple 01 23 45 67 89 "
                "ou +33 1 23 45 67 89."
            ),
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value):
    """E.164 back to the way people read it: +33 1 23 45 67 89 → "01 23 45 67 89" in France."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    if phonenumbers.region_code_for_number(number) in ("FR", *FRENCH_OVERSEAS_REGIONS):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_siren(value):
    """Nine digits with a valid check digit (Luhn, by python-stdnum), spaces removed; "" stays
    "". "000000000" passes the Luhn check but names no one: refused too."""
    value = re.sub(r"[\s.\u00a0]", "", str(value or ""))
    if not value:
        return ""
    if not (len(value) == 9 and value.isascii() and value.isdigit()):
        raise ValidationError(
            _("Un numéro SIREN compte 9 chiffres, par exemple 552 100 554."), code="siren_format"
        )
    if not stdnum_siren.is_valid(value) or not int(value):
        raise ValidationError(
            _("Ce numéro SIREN n'existe pas : vérifiez-le sur l'avis de situation INSEE."),
            code="siren_checksum",
        )
    return value


def validate_siren(value):
    normalize_siren(value)


# The RNA (répertoire national des associations): "W", the prefecture's three characters (2A
# and 2B for Corsica), six digits. python-stdnum has no RNA module.
_RNA = re.compile(r"^W(?:\d{3}|2[AB]\d)\d{6}$", re.ASCII)


def normalize_rna(value):
    """The RNA number as written on receipts: capitals, no spaces; an empty value stays empty."""
    value = re.sub(r"\s", "", str(value or "")).upper()
    if value and not _RNA.match(value):
        raise ValidationError(
            _("Un numéro RNA s'écrit W suivi de 9 chiffres, par exemple W751234567."),
            code="rna_format",
        )
    return value


def validate_rna(value):
    normalize_rna(value)


validate_email = EmailValidator(message=_("Saisissez une adresse e-mail valide."))
validate_url = URLValidator(
    schemes=["http", "https"], message=_("Saisissez une adresse de site valide.")
)


_EUROS = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)", re.ASCII)
# A dot or comma between a non-zero figure and exactly three digits: "1.000" is a thousand for
# some and one euro for others. Asked again rather than guessed.
_THOUSANDS = re.compile(r"[1-9]\d*[.,]\d{3}(?!\d)", re.ASCII)


def parse_money(value):
    """A Decimal from what people type, or ValidationError in French; the one money parser.

    Spaces (also non-breaking and thin ones) are thousands separators and a trailing "€" is
    allowed: "1 000,50 €". One dot or comma followed by one or two digits is the decimal
    separator: "1000,50", "1000.5". A dot or comma followed by three digits ("1.000", "1,000",
    "1.000,50") is refused: it could be a thousand or one euro.
    """
    if isinstance(value, Decimal):
        amount = value
    else:
        text = re.sub(r"\s*€\s*$", "", str(value or "").strip())
        text = re.sub(r"\s", "", text)
        if _THOUSANDS.search(text):
            raise ValidationError(
                _("Écrivez le montant sans séparateur de milliers, par exemple 1000 ou 1 000,50."),
                code="thousands",
            )
        if not _EUROS.fullmatch(text):
            raise ValidationError(_("Saisissez un montant en euros, par exemple 50 ou 50,00."))
        amount = Decimal(text.replace(",", "."))
    if not amount.is_finite():
        raise ValidationError(_("Saisissez un montant en euros, par exemple 50 ou 50,00."))
    return amount


def validate_money(amount, *, ceiling, allow_zero=False):
    """Positive (or zero when allowed), at most two decimals, not above `ceiling`."""
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(_("Le montant doit être positif."), code="min_value")
    if amount > ceiling:
        raise ValidationError(
            _("Ce montant dépasse le plafond de %(ceiling)s €, vérifiez-le.")
            % {"ceiling": f"{ceiling:,.0f}".replace(",", "\u00a0")},
            code="max_value",
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            _("Indiquez au plus deux chiffres après la virgule."), code="decimals"
        )


class PhoneField(forms.CharField):
    """A phone number typed any usual way, cleaned to E.164 (region France by default)."""

    widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})

    def __init__(self, *, region=DEFAULT_REGION, **kwargs):
        self.region = region
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # Show the stored E.164 the way people write it; leave what they typed as typed.
        if (
            isinstance(value, str)
            and value.startswith("+")
            and value[1:].isascii()
            and value[1:].isdigit()
        ):
            return format_phone(value)
        return value

    def clean(self, value):
        return normalize_phone(super().clean(value), self.region)


class MoneyField(forms.CharField):
    """Euros typed the French way ("1 000,50"), cleaned to a Decimal with two decimals."""

    def __init__(self, *, ceiling=AMOUNT_CEILING, allow_zero=False, **kwargs):
        self.ceiling = ceiling
        self.allow_zero = allow_zero
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "maxlength": "30"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",").replace(",00", "")
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 30:
            raise ValidationError(_("Saisissez un montant en euros, par exemple 50 ou 50,00."))
        amount = parse_money(value)
        validate_money(amount, ceiling=self.ceiling, allow_zero=self.allow_zero)
        return amount.quantize(Decimal("0.01"))


class PostalCodeField(forms.CharField):
    """Postal code; the form checks it against the country (see `normalize_postal_code`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "text"})
        )
        super().__init__(**kwargs)


class WebsiteField(forms.URLField):
    """A website; "example.org" is understood as "https://example.org"."""

    default_error_messages = {"invalid": _("Saisissez une adresse de site valide.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


def _against(instance):
    """The instance's values as expressions named like its fields (what a constraint reads)."""
    values = {}
    for field in instance._meta.concrete_fields:
        value = Value(getattr(instance, field.attname), output_field=field)
        values[field.name] = values[field.attname] = value
    values["pk"] = values[instance._meta.pk.name]
    return values


def validate_checks_at_once(instance, exclude=()):
    """The model's check constraints on `instance`, asked of the database in one query: what
    `full_clean()` asks with one query and one savepoint per constraint (Member has eight, on
    the public form's every submission). A constraint on an excluded field is not checked;
    NULL passes, as in the database. Raises ValidationError with the constraints' messages."""
    checks = [
        check
        for check in instance._meta.constraints
        if isinstance(check, models.CheckConstraint)
        and not (check.condition.referenced_base_fields & set(exclude))
    ]
    if not checks:
        return
    query = Query(None)
    for name, value in _against(instance).items():
        query.add_annotation(value, name, select=False)
    for number, check in enumerate(checks):
        passes = ExpressionWrapper(check.condition, output_field=models.BooleanField())
        query.add_annotation(Coalesce(passes, Value(True)), f"check_{number}")
    using = router.db_for_write(type(instance), instance=instance)
    row = query.get_compiler(using=using).execute_sql(SINGLE)
    errors = [
        ValidationError(check.get_violation_error_message(), code=check.violation_error_code)
        for check, passed in zip(checks, row, strict=True)
        if not passed
    ]
    if errors:
        raise ValidationError({NON_FIELD_ERRORS: errors})


class ConstraintsInOneQuery:
    """A model mixin: `full_clean()` and model forms check the model's check constraints in
    one query (`validate_checks_at_once`), the other constraints as Django does."""

    def validate_constraints(self, exclude=None):
        exclude = set(exclude or ())
        errors = {}
        try:
            validate_checks_at_once(self, exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        using = router.db_for_write(type(self), instance=self)
        for model, constraints in self.get_constraints():
            for constraint in constraints:
                if isinstance(constraint, models.CheckConstraint):
                    continue
                try:
                    constraint.validate(model, self, exclude=exclude, using=using)
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
