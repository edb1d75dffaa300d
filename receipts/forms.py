from django import forms
from django.utils.translation import gettext_lazy as _

from dues.campaign import received_years


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
        """A year that is over (its receipts sum the whole year) and the collective lived."""
        year = self.cleaned_data["fiscal_year"]
        over = received_years()[:-1]
        if year not in over:
            raise forms.ValidationError(
                _("Choisissez une année terminée, entre %(first)s et %(last)s.")
                % {"first": over.start, "last": over.stop - 1},
                code="year_range",
            )
        return year
