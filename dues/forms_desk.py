"""The desk's forms: the morning post (one payment at a time), slips, reasons."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac_portal.forms import SubmissionKeyField
from dues.campaign import (
    current_year,
    validate_dues_year,
    validate_received_on,
    validate_signed_on,
)
from dues.models import Payment, PaymentMethod, Purpose
from dues.services.payments import PAYMENT_CEILING
from dues.services.slips import cheques_to_deposit
from members.forms import KIND_CHOICES
from members.models import Member, MemberKind
from members.validators import MoneyField


def _today():
    return timezone.localdate()


def _amount_field(**extra):
    # The public form's field and parser: "1 000,50" is read, "1.000" asked again, the same way.
    return MoneyField(
        label=_("Montant (€)"),
        ceiling=PAYMENT_CEILING,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": "30"}
        ),
        **extra,
    )


def _received_on_field(**extra):
    return forms.DateField(
        label=_("Reçu le"),
        initial=_today,
        validators=[validate_received_on],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **extra,
    )


class DuesYearField(forms.IntegerField):
    """A dues year within `dues.campaign.dues_years()` (the collective's first year to the next
    campaign): a year the database cannot hold never gets past the form."""

    default_validators = [validate_dues_year]


class EnvelopeForm(forms.Form):
    """What comes in the envelope: the payment fields the morning post and the paper form
    share. Subclasses add `method` (and what else they need).

    `confirm_duplicate` and its reason let staff save a cheque that has the number, bank and
    amount of one already recorded, when it really is another cheque (the page shows them
    once the first attempt was refused)."""

    submission_key = SubmissionKeyField()
    amount = _amount_field()
    cheque_number = forms.CharField(
        label=_("N° de chèque"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    bank = forms.CharField(
        label=_("Banque"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "desk-banks"}),
    )
    drawer = forms.CharField(
        label=_("Tireur"),
        max_length=200,
        required=False,
        help_text=_("Vide : le nom du membre."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    received_on = _received_on_field()
    year = DuesYearField(label=_("Année de cotisation"), initial=current_year)
    confirm_duplicate = forms.BooleanField(
        label=_("C'est bien un autre chèque que celui déjà enregistré"), required=False
    )
    confirm_duplicate_reason = forms.CharField(
        label=_("Pourquoi (par exemple : deux chéquiers, deux tireurs différents)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("method") == PaymentMethod.CHEQUE and not data.get("cheque_number"):
            self.add_error("cheque_number", _("Indiquez le numéro du chèque."))
        if (
            data.get("confirm_duplicate")
            and not (data.get("confirm_duplicate_reason") or "").strip()
        ):
            self.add_error(
                "confirm_duplicate_reason",
                _("Indiquez pourquoi ce chèque est différent de celui déjà enregistré."),
            )
        return data

    @property
    def duplicate_reason(self):
        """The reason given with the confirmation, or "" when it was not ticked."""
        if not self.cleaned_data.get("confirm_duplicate"):
            return ""
        return self.cleaned_data.get("confirm_duplicate_reason") or ""

    @property
    def asks_confirmation(self):
        """Show the confirmation box: a twin was found, or it is being confirmed."""
        return bool(getattr(self, "twin", None)) or bool(self.data.get("confirm_duplicate"))


class PaymentEntryForm(EnvelopeForm):
    """One received payment. The member is picked by the search (JS) or the select (no JS)."""

    member = forms.ModelChoiceField(
        label=_("Membre"),
        queryset=Member.objects.filter(closed_at__isnull=True),
        error_messages={
            "required": _("Choisissez le membre (recherche par nom, référence ou e-mail)."),
            "invalid_choice": _("Ce membre est introuvable."),
        },
    )
    method = forms.ChoiceField(
        label=_("Mode"), choices=PaymentMethod.choices, initial=PaymentMethod.CHEQUE
    )

    field_order = ["member", "method", "amount", "cheque_number", "bank", "drawer"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"), max_length=500, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class ChequeDetailsForm(forms.Form):
    cheque_number = forms.CharField(label=_("N° de chèque"), max_length=30)
    bank = forms.CharField(label=_("Banque"), max_length=100, required=False)
    drawer = forms.CharField(label=_("Tireur"), max_length=200, required=False)


NO_PAYMENT = "none"


class PaperForm(EnvelopeForm):
    """What a paper adhesion form says besides the member's identity, and its envelope."""

    kind = forms.ChoiceField(
        label=_("Le formulaire est rempli"),
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        initial=MemberKind.INDIVIDUAL,
    )
    purpose = forms.ChoiceField(
        label=_("Objet"),
        choices=Purpose.choices,
        widget=forms.RadioSelect,
        initial=Purpose.ADHESION,
    )
    amount = _amount_field(
        required=False,
        help_text=_("Vide pour une organisation : le montant indicatif de sa tranche de budget."),
    )
    signed_on = forms.DateField(
        label=_("Date de signature du formulaire"),
        validators=[validate_signed_on],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    charter_signed = forms.BooleanField(
        label=_("La case « je souscris à la charte de principes » est cochée et signée"),
        error_messages={
            "required": _("Sans souscription à la charte, le formulaire ne peut pas être saisi.")
        },
    )
    method = forms.ChoiceField(
        label=_("Règlement joint"),
        choices=[*PaymentMethod.choices, (NO_PAYMENT, _("aucun règlement joint"))],
        initial=PaymentMethod.CHEQUE,
    )
    received_on = _received_on_field(required=False)

    field_order = ["kind", "purpose", "amount", "signed_on", "charter_signed", "method"]

    def clean(self):
        data = super().clean()
        method = data.get("method")
        if method and method != NO_PAYMENT and not data.get("received_on"):
            self.add_error("received_on", _("Indiquez la date de réception."))
        if data.get("kind") == MemberKind.INDIVIDUAL and data.get("amount") is None:
            self.add_error("amount", _("Indiquez le montant."))
        return data

    def payment(self):
        """`record_payment`'s keywords for the envelope's payment, or None."""
        data = self.cleaned_data
        if data["method"] == NO_PAYMENT:
            return None
        return {
            "method": data["method"],
            "received_on": data["received_on"],
            "cheque_number": data["cheque_number"],
            "bank": data["bank"],
            "drawer": data["drawer"],
            "confirm_duplicate_reason": self.duplicate_reason,
        }


class SlipFilterForm(forms.Form):
    """Which waiting cheques the new-slip page shows: those received between two dates."""

    received_from = forms.DateField(
        label=_("Reçus du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = forms.DateField(
        label=_("au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("Cette date précède la date de début."))
        return data

    @property
    def is_filtering(self):
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

    def filter(self, cheques):
        """`cheques` received within the dates (all of them while the form is not valid)."""
        if not self.is_filtering:
            return cheques
        if self.cleaned_data["received_from"]:
            cheques = cheques.filter(received_on__gte=self.cleaned_data["received_from"])
        if self.cleaned_data["received_to"]:
            cheques = cheques.filter(received_on__lte=self.cleaned_data["received_to"])
        return cheques


# The largest id a bigint column holds.
_MAX_ID = 2**63 - 1
_UNAVAILABLE = _(
    "Certains chèques sélectionnés ne peuvent plus être remis (déjà sur un bordereau, annulés "
    "ou rejetés). Rechargez la page."
)


class ChequesField(forms.ModelMultipleChoiceField):
    """Ticked cheques among those waiting for the bank."""

    def clean(self, value):
        # Django checks an id's type, not its size: "99999999999999999999" would reach the
        # database (an overflow there), "²" is a digit for Python but no number for int().
        for pk in value or ():
            if not (isinstance(pk, str) and pk.isascii() and pk.isdigit() and int(pk) <= _MAX_ID):
                raise forms.ValidationError(_UNAVAILABLE, code="invalid_pk_value")
        return super().clean(value)


class SlipForm(forms.Form):
    submission_key = SubmissionKeyField()
    payments = ChequesField(
        queryset=Payment.objects.none(),
        error_messages={
            "required": _("Sélectionnez au moins un chèque."),
            "invalid_choice": _UNAVAILABLE,
            "invalid_pk_value": _UNAVAILABLE,
            "invalid_list": _UNAVAILABLE,
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payments"].queryset = cheques_to_deposit()
