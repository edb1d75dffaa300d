"""The treasurer's page of the collective's bank details (/tresorerie/banque/): what members are
told to pay to. The form and the service live in `dues`, beside the creditor references."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from charter.models import Collective
from dues.forms_bank import BankDetailsForm
from dues.services.bank_details import update_bank_details
from receipts.views import treasurer_only


def _current(collective):
    if collective is None:
        return {}
    return {
        "holder": collective.bank_account_holder,
        "iban": collective.bank_account_number,
        "bic": collective.bank_bic,
    }


@treasurer_only
@require_http_methods(["GET", "POST"])
def bank_details(request):
    collective = Collective.load()
    form = BankDetailsForm(request.POST or None, initial=_current(collective))
    if request.method == "POST" and form.is_valid():
        try:
            update_bank_details(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Coordonnées bancaires enregistrées."))
            return redirect("receipts:bank_details")
    return render(
        request,
        "receipts/bank_details.html",
        {"form": form, "collective": collective},
        status=400 if form.is_bound and form.errors else 200,
    )
