"""The paper form: staff type a posted adhesion form and log the cheque that came with it.

The member's part uses the online form's own forms (`members.forms`), so a paper form is held
to the same rules; the rest goes to `record_paper_adhesion`, one transaction.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cac_portal import tasking
from charter.models import Charter
from dues.forms_desk import PaperForm
from dues.services.payments import record_paper_adhesion
from dues.views.desk import _remember, desk_required, warn_if_undelivered
from members.forms import CorrespondentFormSet, IndividualForm, OrganisationForm
from members.models import MemberKind


def _forms(data=None):
    return {
        "form": PaperForm(data),
        "individual": IndividualForm(data, prefix="ind", require_email=False),
        "organisation": OrganisationForm(data, prefix="org", require_email=False),
        "correspondents": CorrespondentFormSet(data, prefix="corr"),
    }


def _with_one_more_correspondent(data):
    data = data.copy()
    key = "corr-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except (TypeError, ValueError):
        total = 0
    data[key] = str(max(0, min(total + 1, CorrespondentFormSet.max_num)))
    return data


def _valid(forms):
    valid = forms["form"].is_valid()
    kind = forms["form"].cleaned_data.get("kind")
    if kind == MemberKind.INDIVIDUAL:
        valid = forms["individual"].is_valid() and valid
    elif kind == MemberKind.ORGANISATION:
        valid = forms["organisation"].is_valid() and valid
        valid = forms["correspondents"].is_valid() and valid
    return valid


@desk_required
@require_http_methods(["GET", "POST"])
def paper_form(request):
    if request.method == "POST" and "add_correspondent" in request.POST:
        forms = _forms(_with_one_more_correspondent(request.POST))
        return _render(request, forms, show_errors=False)
    forms = _forms(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _valid(forms):
        form = forms["form"]
        kind = form.cleaned_data["kind"]
        member_form = forms["organisation" if kind == MemberKind.ORGANISATION else "individual"]
        try:
            with tasking.watch() as undelivered:
                result, payment = record_paper_adhesion(
                    kind=kind,
                    member_data=member_form.contact_data(),
                    correspondents=(
                        forms["correspondents"].correspondents()
                        if kind == MemberKind.ORGANISATION
                        else ()
                    ),
                    purpose=form.cleaned_data["purpose"],
                    amount=form.cleaned_data["amount"],
                    signed_on=form.cleaned_data["signed_on"],
                    year=form.cleaned_data["year"],
                    payment=form.payment(),
                    actor=request.user,
                )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if payment is not None:
                _remember(request, payment)
            messages.success(
                request,
                (
                    _("Formulaire papier saisi : %(member)s (nouveau membre).")
                    if result.member_created
                    else _("Formulaire papier saisi : %(member)s (membre déjà connu, mis à jour).")
                )
                % {"member": result.member},
            )
            warn_if_undelivered(request, undelivered)
            return redirect("dues:paper_form")
    return _render(request, forms, show_errors=request.method == "POST")


def _render(request, forms, *, show_errors):
    kind = forms["form"].data.get("kind") if forms["form"].is_bound else MemberKind.INDIVIDUAL
    return render(
        request,
        "dues/desk/paper_form.html",
        {
            **forms,
            "kind": kind,
            "charter": Charter.objects.current(),
            "show_errors": show_errors,
            "hide": not show_errors,
        },
    )
