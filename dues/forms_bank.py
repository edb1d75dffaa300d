"""The forms of the bank's pages: the collective's bank details, a statement to import, the
columns of a bank's CSV, a line confirmed or dismissed."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cac_portal.forms import SearchField
from dues.services.bank_details import compact_iban

MB = 1024 * 1024


class BankDetailsForm(forms.Form):
    holder = forms.CharField(
        label=_("Titulaire du compte"),
        max_length=200,
        required=False,
        help_text=_(
            "Le nom exact sous lequel la banque a enregistré le compte (voir le RIB). La banque "
            "de chaque payeur vérifie désormais que ce nom correspond à l'IBAN avant d'envoyer "
            "le virement : un nom différent l'inquiète ou le bloque."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=50,
        required=False,
        help_text=_("Avec ou sans espaces : il est vérifié puis affiché par groupes de 4."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bic = forms.CharField(
        label=_("BIC"),
        max_length=20,
        required=False,
        help_text=_("8 ou 11 caractères, sur le RIB (facultatif pour un virement SEPA)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _megabytes(size):
    return f"{size / MB:.1f}".replace(".", ",")


class StatementUploadForm(forms.Form):
    statement = forms.FileField(
        label=_("Relevé bancaire"),
        help_text=_("CAMT.053 (XML), OFX ou CSV, tel que la banque le fournit."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,.ofx,.qfx,.csv,.txt"}),
    )
    account_iban = forms.CharField(
        label=_("IBAN du compte"),
        max_length=50,
        required=False,
        help_text=_("Pour les fichiers qui ne le disent pas (CSV, certains OFX)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_statement(self):
        """The size is checked before anything reads the file."""
        upload = self.cleaned_data["statement"]
        limit = settings.BANK_STATEMENT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _(
                    "Ce fichier fait %(size)s Mo : un relevé ne dépasse pas %(limit)s Mo. "
                    "Exportez une période plus courte."
                )
                % {"size": _megabytes(upload.size), "limit": _megabytes(limit)},
                code="too_big",
            )
        return upload

    def clean_account_iban(self):
        try:
            return compact_iban(self.cleaned_data["account_iban"], field="account_iban")
        except ValidationError as error:
            raise ValidationError(error.error_dict["account_iban"]) from None


LAYOUT_ROLES = [
    ("date_column", _("Date d'opération"), True),
    ("value_date_column", _("Date de valeur"), False),
    ("label_column", _("Libellé"), True),
    ("detail_column", _("Libellé complémentaire"), False),
    ("amount_column", _("Montant (crédits positifs, débits négatifs)"), False),
    ("credit_column", _("Crédit"), False),
    ("debit_column", _("Débit"), False),
    ("counterparty_column", _("Donneur d'ordre"), False),
    ("reference_column", _("Référence de l'opération"), False),
]


class CsvLayoutForm(forms.Form):
    """Which column holds what: one select per role, among the file's own column names."""

    upload = forms.CharField(widget=forms.HiddenInput, max_length=64)
    bank_name = forms.CharField(label=_("Banque"), max_length=100, required=False)

    def __init__(self, *args, header=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— aucune —"))] + [(name, name) for name in header]
        for role, label, required in LAYOUT_ROLES:
            self.fields[role] = forms.ChoiceField(label=label, choices=choices, required=required)

    def clean(self):
        data = super().clean()
        if not data.get("amount_column") and not data.get("credit_column"):
            raise ValidationError(
                _("Indiquez la colonne du montant, ou celle des crédits."), code="no_amount"
            )
        return data

    @property
    def mapping(self):
        return {role: self.cleaned_data.get(role) or "" for role, _label, _req in LAYOUT_ROLES}


class MemberPickForm(forms.Form):
    """A member chosen by hand: the combobox's id, or what was typed without JavaScript (a
    reference or a name that finds exactly one member)."""

    member = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    member_query = SearchField(label=_("Membre"))


class SuggestionForm(forms.Form):
    suggestion = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"),
        max_length=500,
        help_text=_("Par ex. : remboursement de frais, subvention, virement interne."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
