from django import forms
from django.utils.translation import gettext_lazy as _

from charter import fiscal
from charter.models import Collective
from dues.campaign import received_years
from members.validators import normalize_rna, normalize_siren
from receipts.services.fiscal import FISCAL_FIELDS, read_signature


class ErrorReportForm(forms.Form):
    message = forms.CharField(
        label=_("Qu'est-ce qui est faux ?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    reissue = forms.BooleanField(
        label=_("Émettre un reçu rectificatif (données du membre à jour)"),
        required=False,
        initial=True,
    )


class BatchForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("Année des versements"))

    def clean_fiscal_year(self):
        """A year the collective lived and that has begun; whether it is over (its summaries
        sum the whole year) is the service's to say, with from when it may run."""
        year = self.cleaned_data["fiscal_year"]
        years = received_years()
        if year not in years:
            raise forms.ValidationError(
                _("Choisissez une année terminée, entre %(first)s et %(last)s.")
                % {"first": years.start, "last": years.stop - 2},
                code="year_range",
            )
        return year


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _quality_choices():
    """The form's wording of each quality, with the model it appears on when only one has it."""
    only = {
        fiscal.INDIVIDUALS: _(" (reçus des particuliers seulement)"),
        fiscal.COMPANIES: _(" (reçus des entreprises seulement)"),
    }
    labelled = []
    for code, wording in fiscal.choices():
        quality = fiscal.BY_CODE[code]
        if quality.companies is None:
            wording += str(only[fiscal.INDIVIDUALS])
        elif quality.individuals is None:
            wording += str(only[fiscal.COMPANIES])
        labelled.append((code, wording))
    return labelled


class FiscalIdentityForm(forms.ModelForm):
    """The collective's fiscal identity; the signature image is optional once one is stored."""

    signature = forms.FileField(
        label=_("Image de la signature"),
        required=False,
        help_text=_("PNG ou JPEG, 1 Mo au plus ; elle figure sur chaque reçu fiscal."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    class Meta:
        model = Collective
        fields = FISCAL_FIELDS
        widgets = {
            "legal_quality": forms.RadioSelect,
            "quality_decree_on": _date_input(),
            "quality_published_on": _date_input(),
            "quality_order_on": _date_input(),
            "quality_approved_on": _date_input(),
            "rescrit_on": _date_input(),
            "object": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "rna": _("W suivi de 9 chiffres, par exemple W751234567 (RNA ou SIREN)."),
            "siren": _("9 chiffres, si le collectif en a un."),
            "rescrit_reference": _("Facultatif : la réponse de l'administration fiscale."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_quality"].choices = _quality_choices()
        for name in ("signatory_name", "signatory_title", "object"):
            self.fields[name].required = True
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
                field.error_messages["invalid"] = _("Saisissez une date, par exemple 12/03/1998.")

    def clean_rna(self):
        return normalize_rna(self.cleaned_data.get("rna"))

    def clean_siren(self):
        return normalize_siren(self.cleaned_data.get("siren"))

    def clean_signature(self):
        upload = self.cleaned_data.get("signature")
        return read_signature(upload) if upload else None


class DeclarationForm(forms.Form):
    """ "Déclaré le …" for the gifts of one year; its fields' ids carry the year (one per row)."""

    declared_on = forms.DateField(
        label=_("Déclaré le"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=_date_input(),
        error_messages={
            "required": _("Indiquez la date de la déclaration."),
            "invalid": _("Saisissez une date, par exemple 20/04/2026."),
        },
    )

    def __init__(self, *args, year, **kwargs):
        self.year = year
        kwargs.setdefault("auto_id", f"id_declaration_{year}_%s")
        super().__init__(*args, **kwargs)
