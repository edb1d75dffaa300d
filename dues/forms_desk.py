"""The desk's forms: the morning post (one payment at a time), slips, reasons."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dues.campaign import current_year
from dues.models import PaymentMethod
from members.models import Member


def _today():
    return timezone.localdate()


class PaymentEntryForm(forms.Form):
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
    amount = forms.DecimalField(
        label=_("Montant (€)"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
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
    received_on = forms.DateField(
        label=_("Reçu le"),
        initial=_today,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    year = forms.IntegerField(label=_("Année de cotisation"), initial=current_year, min_value=2000)

    def clean(self):
        data = super().clean()
        if data.get("method") == PaymentMethod.CHEQUE and not data.get("cheque_number"):
            self.add_error("cheque_number", _("Indiquez le numéro du chèque."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"), max_length=500, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class ChequeDetailsForm(forms.Form):
    cheque_number = forms.CharField(label=_("N° de chèque"), max_length=30)
    bank = forms.CharField(label=_("Banque"), max_length=100, required=False)
    drawer = forms.CharField(label=_("Tireur"), max_length=200, required=False)
