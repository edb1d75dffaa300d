"""The renewal's confirmation form (member space and reminder link) and the treasurer's
campaign schedule."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.templatetags.money import format_euros
from dues.models_renewals import MAX_STEPS, validate_steps
from members.validators import MoneyField

OTHER = "other"


class RenewalForm(forms.Form):
    """The amount (the suggestion pre-selected, the scale's others, or any amount) and, when a
    newer charter is in force, its acceptance."""

    amount = forms.ChoiceField(label=_("Montant"), widget=forms.RadioSelect)
    other_amount = MoneyField(label=_("Autre montant (€)"), required=False)
    accept_charter = forms.BooleanField(required=False)

    def __init__(self, *args, tiers, suggested, charter=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"{tier.amount:.2f}", f"{tier.label}") for tier in tiers]
        if f"{suggested:.2f}" not in dict(choices):
            choices.insert(
                0, (f"{suggested:.2f}", _("Comme la dernière fois : %s") % format_euros(suggested))
            )
        choices.append((OTHER, _("Autre montant")))
        self.fields["amount"].choices = choices
        self.fields["amount"].initial = f"{suggested:.2f}"
        self.charter = charter
        if charter is not None:
            self.fields["accept_charter"].required = True
            self.fields["accept_charter"].label = _(
                "Je souscris à la %(title)s (version %(version)s)"
            ) % {"title": charter.title, "version": charter.version}
            self.fields["accept_charter"].error_messages["required"] = _(
                "Cochez la case pour souscrire à la charte."
            )

    def choices(self):
        """(value, label, checked) for the template, which writes the radios itself."""
        selected = self["amount"].value()
        return [(v, label, v == selected) for v, label in self.fields["amount"].choices]

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("amount")
        if choice == OTHER:
            if cleaned.get("other_amount") is None and "other_amount" not in self.errors:
                self.add_error("other_amount", _("Indiquez un montant."))
            cleaned["value"] = cleaned.get("other_amount")
        elif choice:
            cleaned["value"] = Decimal(choice)
        return cleaned


def _parse_steps(value):
    parts = [part.strip().lstrip("+") for part in str(value).replace(";", ",").split(",")]
    try:
        return [int(part) for part in parts if part]
    except ValueError:
        raise forms.ValidationError(
            _("Écrivez des nombres de jours séparés par des virgules, par exemple 0, 30, 60.")
        ) from None


class CampaignForm(forms.Form):
    """The schedule of one year's campaign: its opening day and its steps in days after it."""

    opens_on = forms.DateField(
        label=_("Ouverture de la campagne"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    steps = forms.CharField(
        label=_("Relances (jours après l'ouverture)"),
        max_length=100,
        help_text=_("Par exemple 0, 30, 60 : à l'ouverture, puis 30 et 60 jours après."),
    )

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_steps(self):
        steps = _parse_steps(self.cleaned_data["steps"])
        validate_steps(steps)
        return steps[:MAX_STEPS]

    def clean_opens_on(self):
        day = self.cleaned_data["opens_on"]
        if day.year not in (self.year - 1, self.year):
            raise forms.ValidationError(
                _("La campagne %(year)s ouvre en %(before)s ou en %(year)s.")
                % {"year": self.year, "before": self.year - 1}
            )
        return day
