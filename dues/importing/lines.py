"""Each line of an import: checked with the member forms' own rules (`IndividualForm`,
`OrganisationForm`, without a required email), its past payment checked, and matched to the
member it already describes (by reference, by email, or by name and postal code).

Nothing here writes: `dues.services.imports` does, from these lines.
"""

import dataclasses
import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.templatetags.money import format_euros
from dues.importing.columns import PAYMENT_TARGETS, TARGETS, normalise
from dues.models import Payment, PaymentMethod, PaymentStatus
from members.forms import IndividualForm, OrganisationForm
from members.models import CONTACT_FIELDS, Member, MemberKind
from members.validators import AMOUNT_CEILING, COUNTRY_CHOICES, parse_money, validate_money

KINDS = {
    MemberKind.ORGANISATION: {"m", "pm", "morale", "personne morale", "organisation",
                              "association", "structure", "entreprise", "collectivite"},
    MemberKind.INDIVIDUAL: {"p", "pp", "physique", "personne physique", "individu",
                            "individuel", "individuelle", "particulier", "personne"},
}  # fmt: skip
METHODS = {
    PaymentMethod.CHEQUE: {"cheque", "cheques", "chq", "ch"},
    PaymentMethod.TRANSFER: {"virement", "vir", "vrt", "virement bancaire"},
    PaymentMethod.CASH: {"especes", "espece", "liquide", "numeraire"},
}
COUNTRIES = {
    **{normalise(code): code for code, _label in COUNTRY_CHOICES},
    **{normalise(label): code for code, label in COUNTRY_CHOICES},
}
# What each kind's form is given from the line: its own contact fields, and "phone" (the
# generic "Téléphone" column) where the kind keeps its main number.
FORM_FIELDS = {
    MemberKind.INDIVIDUAL: [f for f in CONTACT_FIELDS[MemberKind.INDIVIDUAL]],
    MemberKind.ORGANISATION: [
        f
        for f in CONTACT_FIELDS[MemberKind.ORGANISATION]
        if f not in ("directory_opt_in", "directory_description") and not f.endswith("_count")
    ],
}
MAIN_PHONE = {MemberKind.INDIVIDUAL: "phone_home", MemberKind.ORGANISATION: "phone"}
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y")
FIRST_YEAR = 1990


@dataclasses.dataclass
class Line:
    """One line of the file, as the preview shows it and the import writes it."""

    number: int
    kind: str = MemberKind.INDIVIDUAL
    values: dict = dataclasses.field(default_factory=dict)  # cleaned, non-blank given fields
    payment: dict | None = None
    errors: list = dataclasses.field(default_factory=list)
    member: Member | None = None  # the member it describes, if one exists
    member_is_new: bool = False  # ... made by this line (not saved yet)
    created_by_line: int | None = None  # an earlier line of the file creates that member
    filled: list = dataclasses.field(default_factory=list)
    conflicts: list = dataclasses.field(default_factory=list)
    payment_known: bool = False

    @property
    def action(self):
        if self.errors:
            return "error"
        if self.member is None or self.member_is_new:
            return "create"
        return "complete" if self.filled else "unchanged"

    @property
    def label(self):
        values = self.values
        if self.kind == MemberKind.ORGANISATION:
            return values.get("name", "")
        return " ".join(v for v in (values.get("first_name"), values.get("last_name")) if v)

    def summary(self):
        """What the preview keeps of the line (JSON)."""
        return {
            "line": self.number,
            "action": self.action,
            "kind": self.kind,
            "label": self.label,
            "email": self.values.get("email", ""),
            "city": self.values.get("city", ""),
            "reference": self.member.reference if self.member and self.member.pk else "",
            "same_as_line": self.created_by_line,
            "payment": _payment_text(self.payment) if self.payment else "",
            "payment_known": self.payment_known,
            "errors": self.errors,
            "filled": self.filled,
            "conflicts": self.conflicts,
        }


def _payment_text(payment):
    return _("%(amount)s, %(method)s reçu le %(date)s (cotisation %(year)s)") % {
        "amount": format_euros(payment["amount"]),
        "method": PaymentMethod(payment["method"]).label,
        "date": payment["received_on"].strftime("%d/%m/%Y"),
        "year": payment["year"],
    }


def text(value):
    """A cell as text: numbers without a useless ".0", dates as 15/03/2019."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def cells(row, mapping):
    """{target: raw cell} of a row for the columns that fill a field."""
    return {target: row[i] for i, target in enumerate(mapping) if target and i < len(row)}


def _kind(raw):
    value = normalise(text(raw.get("kind")))
    if value:
        for kind, words in KINDS.items():
            if value in words:
                return kind, None
        return None, _(
            "Type : « %(value)s » n'est ni une personne physique ni une personne morale."
        ) % {"value": text(raw.get("kind"))}
    if text(raw.get("name")) and not text(raw.get("last_name")):
        return MemberKind.ORGANISATION, None
    return MemberKind.INDIVIDUAL, None


def _form_data(kind, raw):
    data = {name: text(raw.get(name)) for name in FORM_FIELDS[kind]}
    phone = text(raw.get("phone"))
    if phone and not data.get(MAIN_PHONE[kind]):
        data[MAIN_PHONE[kind]] = phone
    postal = raw.get("postal_code")
    if isinstance(postal, int | float) and len(data["postal_code"]) == 4:
        # A spreadsheet kept 01000 as the number 1000: put the zero back.
        data["postal_code"] = data["postal_code"].zfill(5)
    country = data.get("country", "")
    data["country"] = COUNTRIES.get(normalise(country), country) if country else "FR"
    return data


def _date(raw):
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    value = text(raw)
    for layout in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, layout).date()
        except ValueError:
            continue
    raise ValidationError(
        _("Paiement : la date « %(value)s » se lit mal (ex. 15/03/2019).") % {"value": value}
    )


def _year(raw, received_on):
    value = text(raw)
    if not value:
        return received_on.year
    if not re.fullmatch(r"\d{4}", value) or not (
        FIRST_YEAR <= int(value) <= timezone.localdate().year + 1
    ):
        raise ValidationError(
            _("Paiement : l'année « %(value)s » n'est pas valable.") % {"value": value}
        )
    return int(value)


def _method(raw):
    value = normalise(text(raw))
    if not value:
        return PaymentMethod.CHEQUE
    for method, words in METHODS.items():
        if value in words:
            return method
    raise ValidationError(
        _("Paiement : mode « %(value)s » inconnu (chèque, virement ou espèces).")
        % {"value": text(raw)}
    )


def _amount(raw):
    if isinstance(raw, int | float):
        raw = Decimal(str(raw))
    try:
        amount = parse_money(raw)
        validate_money(amount, ceiling=AMOUNT_CEILING)
    except ValidationError as error:
        raise ValidationError(
            _("Paiement, montant : %(error)s") % {"error": " ".join(error.messages)}
        ) from None
    return amount.quantize(Decimal("0.01"))


def _missing(raw):
    errors = []
    if not text(raw.get("payment_amount")):
        errors.append(_("Paiement : indiquez le montant."))
    if not text(raw.get("payment_date")):
        errors.append(_("Paiement : indiquez la date de réception."))
    return errors


# Each part of a payment: its key, how it is read, its column; blank amount and date are
# reported by `_missing`, a blank method is a cheque.
PAYMENT_PARTS = [
    ("amount", _amount, "payment_amount", False),
    ("received_on", _date, "payment_date", False),
    ("method", _method, "payment_method", True),
]


def _payment_parts(raw, errors):
    payment = {}
    for key, read, target, blank_allowed in PAYMENT_PARTS:
        if not blank_allowed and not text(raw.get(target)):
            continue
        try:
            payment[key] = read(raw.get(target))
        except ValidationError as error:
            errors.extend(error.messages)
    return payment


def _dues_year(raw, payment, errors):
    if payment["received_on"] > timezone.localdate():
        errors.append(_("Paiement : la date de réception est dans le futur."))
    try:
        payment["year"] = _year(raw.get("payment_year"), payment["received_on"])
    except ValidationError as error:
        errors.extend(error.messages)


def check_payment(raw):
    """The line's past payment {year, received_on, amount, method}, None if it has none, or
    ValidationError with every problem."""
    if not any(text(raw.get(target)) for target in PAYMENT_TARGETS):
        return None
    errors = _missing(raw)
    payment = _payment_parts(raw, errors)
    if "received_on" in payment:
        _dues_year(raw, payment, errors)
    if errors:
        raise ValidationError(errors)
    return payment


def _form_errors(form):
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.append(f"{label} : {error}" if label else str(error))
    return messages


def _no_constraint_queries(exclude=None):
    return None


def _not_required_if_known(form, member):
    """What the matched member already has, the line need not give again."""
    if member is None:
        return
    for name, field in form.fields.items():
        field.required = field.required and getattr(member, name, None) in (None, "")


def _checked_contact(kind, raw, member):
    """(values, errors) of the line's contact fields, checked by the kind's form; a field
    the matched member already has is not required."""
    data = _form_data(kind, raw)
    form_class = OrganisationForm if kind == MemberKind.ORGANISATION else IndividualForm
    instance = Member(kind=kind)
    # The table's constraints say what the form's fields already do (a name, a budget not
    # negative…) and Django checks each through a query: 6 per line, two thirds of the time
    # of a big preview. The database still refuses whatever would slip through.
    instance.validate_constraints = _no_constraint_queries
    form = form_class(data=data, instance=instance, require_email=False)
    _not_required_if_known(form, member)
    given = {name for name, value in data.items() if value not in ("", None)}
    if not form.is_valid():
        # The values typed are shown beside the errors, never written.
        return {name: data[name] for name in given}, _form_errors(form)
    cleaned = form.cleaned_data
    return {name: cleaned[name] for name in given if cleaned.get(name) not in ("", None)}, []


def check_line(number, raw, member=None):
    """The line checked by its kind's form (what the member already has need not be given)."""
    kind, error = _kind(raw)
    line = Line(number=number, kind=kind or MemberKind.INDIVIDUAL)
    if error:
        line.errors.append(error)
        return line
    line.values, line.errors = _checked_contact(kind, raw, member)
    try:
        line.payment = check_payment(raw)
    except ValidationError as error:
        line.errors.extend(error.messages)
    return line


class Index:
    """The members a group of lines may describe, found in one query, and those the import
    creates as it goes (so that a member's second line completes what its first created)."""

    def __init__(self):
        self.by_reference = {}
        self.by_email = {}
        self.by_identity = {}
        self.payments = set()

    @staticmethod
    def identity(kind, values):
        if kind == MemberKind.ORGANISATION:
            key = (values.get("name", ""),)
        else:
            key = (values.get("last_name", ""), values.get("first_name", ""))
        if not key[0]:
            return None
        return (kind, *(str(part).casefold() for part in key), values.get("postal_code", ""))

    def add(self, member, line_number=None):
        values = {name: getattr(member, name) for name in ("name", "last_name", "first_name")}
        values["postal_code"] = member.postal_code
        member._import_line = line_number
        if member.reference:
            self.by_reference.setdefault(member.reference.upper(), member)
        if member.email:
            self.by_email.setdefault((member.kind, member.email.casefold()), member)
        identity = self.identity(member.kind, values)
        if identity:
            self.by_identity.setdefault(identity, member)

    @staticmethod
    def _named(references, emails, names):
        """Members with one of these references, or open ones with one of these emails or
        names (as written, or folded: SQLite folds only ASCII, the file may be in capitals)."""
        folded_emails = {email.casefold() for email in emails}
        folded_names = {name.casefold() for name in names}
        open_ones = (
            Q(email__in=emails)
            | Q(email_folded__in=folded_emails)
            | Q(name__in=names)
            | Q(name_folded__in=folded_names)
            | Q(last_name__in=names)
            | Q(last_folded__in=folded_names)
        )
        return Q(reference__in=references) | (Q(closed_at__isnull=True) & open_ones)

    def load(self, raws):
        """Read the members the raw lines may name: by reference, email, name (one query),
        and their past payments (a second)."""
        references = {text(raw.get("reference")).upper() for raw in raws} - {""}
        emails = {text(raw.get("email")) for raw in raws} - {""}
        names = {text(raw.get(f)) for raw in raws for f in ("name", "last_name")} - {""}
        if not (references or emails or names):
            return
        members = list(
            Member.objects.annotate(
                email_folded=Lower("email"),
                name_folded=Lower("name"),
                last_folded=Lower("last_name"),
            )
            .filter(self._named(references, emails, names))
            .order_by("pk")
        )
        for member in members:
            self.add(member)
        self.payments |= set(
            Payment.objects.filter(member__in=members)
            .exclude(status=PaymentStatus.CANCELLED)
            .values_list("member_id", "year", "received_on", "amount")
        )

    def find(self, kind, raw):
        """(member or None, error or None) for a raw line of `kind`."""
        reference = text(raw.get("reference")).upper()
        if reference:
            member = self.by_reference.get(reference)
            if member is None:
                return None, _("Référence %(reference)s inconnue.") % {"reference": reference}
            if member.kind != kind:
                return None, _("La fiche %(reference)s n'est pas de ce type de membre.") % {
                    "reference": reference
                }
            if member.closed_at:
                return None, _("La fiche %(reference)s est close.") % {"reference": reference}
            return member, None
        email = text(raw.get("email")).casefold()
        if email and (kind, email) in self.by_email:
            return self.by_email[(kind, email)], None
        return None, None

    def find_by_identity(self, line):
        return self.by_identity.get(self.identity(line.kind, line.values))

    @staticmethod
    def _payment_key(member, payment):
        # A member the import has not saved yet is known by the object itself.
        owner = member.pk or id(member)
        return (owner, payment["year"], payment["received_on"], payment["amount"])

    def knows_payment(self, member, payment):
        return self._payment_key(member, payment) in self.payments

    def add_payment(self, member, payment):
        self.payments.add(self._payment_key(member, payment))


def _compare(line, member):
    """What the line would fill on the member (blank there) and where they disagree."""
    for name, value in line.values.items():
        current = getattr(member, name, None)
        if current in (None, ""):
            line.filled.append(name)
        elif _differs(name, current, value):
            line.conflicts.append(
                {"field": str(TARGETS.get(name, name)), "member": str(current), "file": str(value)}
            )


def _differs(name, current, value):
    if name == "email":
        return str(current).casefold() != str(value).casefold()
    if isinstance(current, Decimal) or isinstance(value, Decimal):
        return Decimal(current) != Decimal(value)
    return str(current) != str(value)


def examine(number, raw, index):
    """The line checked and matched against `index` (which the caller keeps up to date)."""
    kind, _error = _kind(raw)
    member, error = index.find(kind, raw) if kind else (None, None)
    line = check_line(number, raw, member)
    if error:
        line.errors.append(error)
        return line
    if line.errors:
        return line
    member = member or index.find_by_identity(line)
    if member is not None:
        line.member = member
        line.created_by_line = getattr(member, "_import_line", None)
        _compare(line, member)
    if line.payment and member is not None and index.knows_payment(member, line.payment):
        line.payment_known = True
    return line
