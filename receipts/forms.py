from django import forms
from django.utils.translation import gettext_lazy as _


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
    fiscal_year = forms.IntegerField(
        label=_("Année des versements"), min_value=2000, max_value=2100
    )
