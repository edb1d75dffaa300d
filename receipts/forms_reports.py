"""The forms of the treasurer's reports: the journal's period and its accounts."""

import datetime

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from receipts.models import AccountingSettings

# Years a journal may span at once: the accountant asks for a year, a quarter, a month.
MAX_DAYS = 2 * 366


def _date_field(label):
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class PeriodForm(forms.Form):
    du = _date_field(_("Du"))
    au = _date_field(_("Au"))

    @classmethod
    def this_year(cls):
        today = timezone.localdate()
        return {"du": datetime.date(today.year, 1, 1), "au": today}

    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end:
            if start > end:
                self.add_error("au", _("La fin de la période doit suivre son début."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("au", _("Une période de deux ans au plus."))
        return data


TREASURY = RegexValidator(
    r"^5[0-9]{1,9}$",
    _("Un compte de trésorerie (classe 5) : des chiffres commençant par 5, par exemple 512."),
)
INCOME = RegexValidator(
    r"^7[0-9]{1,9}$",
    _("Un compte de produits (classe 7) : des chiffres commençant par 7, par exemple 756."),
)
JOURNAL = RegexValidator(
    r"^[A-Z0-9]{1,6}$", _("Un code de journal : lettres et chiffres, six au plus (BQ, CA…).")
)


class CodeField(forms.CharField):
    """A journal code, checked once upper-cased ("bq" is "BQ")."""

    def to_python(self, value):
        return super().to_python(value).upper()


class AccountingSettingsForm(forms.ModelForm):
    class Meta:
        model = AccountingSettings
        fields = [*AccountingSettings.JOURNALS, *AccountingSettings.ACCOUNTS]
        field_classes = {name: CodeField for name in AccountingSettings.JOURNALS}
        help_texts = {
            "bank_journal": _("Chèques, remises et virements."),
            "cash_journal": _("Espèces."),
            "bank_account": _("512 dans le plan comptable des associations."),
            "cheques_account": _("5112 : chèques reçus, pas encore remis en banque."),
            "cash_account": _("53 : caisse."),
            "dues_account": _("756 : cotisations."),
            "donations_account": _("7541 : dons manuels."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in AccountingSettings.JOURNALS:
            self.fields[name].validators.append(JOURNAL)
        for name in ("bank_account", "cheques_account", "cash_account"):
            self.fields[name].validators.append(TREASURY)
        for name in ("dues_account", "donations_account"):
            self.fields[name].validators.append(INCOME)
        for field in self.fields.values():
            field.error_messages["required"] = _("Ce champ est obligatoire.")
