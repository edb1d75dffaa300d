"""The paper form: staff type a posted adhesion form and log the cheque that came with it.

The member's part uses the online form's own forms (`members.forms`), so a paper form is held
to the same rules; the rest goes to `record_paper_adhesion`, one transaction. Before creating a
member it shows the likely duplicates next to what was typed: "Utiliser ce membre" goes on with
that member, "Créer quand même" creates (audited); both buttons send the whole form again, so
nothing typed is lost between the two steps.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cac_portal import tasking
from charter.models import Charter
from dues.forms_desk import PaperForm
from dues.services.payments import DuplicatePayment, record_paper_adhesion
from dues.views.desk import desk_required, remember, warn_if_undelivered
from members.duplicates import LikelyDuplicates, side_by_side
from members.forms import CorrespondentFormSet, IndividualForm, OrganisationForm
from members.models import Member, MemberKind
from members.submissions import once


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


def _chosen_member(request, kind):
    """The member staff picked among the likely duplicates ("Utiliser ce membre"), or None."""
    value = request.POST.get("use_member") or ""
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None
    return Member.objects.open().filter(pk=int(value), kind=kind).first()


def _record(request, forms):
    form = forms["form"]
    kind = form.cleaned_data["kind"]
    member_form = forms["organisation" if kind == MemberKind.ORGANISATION else "individual"]

    def create():
        result, payment = record_paper_adhesion(
            kind=kind,
            member_data=member_form.contact_data(),
            correspondents=(
                forms["correspondents"].correspondents() if kind == MemberKind.ORGANISATION else ()
            ),
            purpose=form.cleaned_data["purpose"],
            amount=form.cleaned_data["amount"],
            signed_on=form.cleaned_data["signed_on"],
            year=form.cleaned_data["year"],
            payment=form.payment(),
            member=_chosen_member(request, kind),
            create_anyway=request.POST.get("create_anyway") == "1",
            actor=request.user,
        )
        return result.pledge, {
            "member": str(result.member),
            "created": result.member_created,
            "payment": payment.pk if payment else None,
        }

    return once(form.cleaned_data["submission_key"], create, actor=request.user)


def _saved(request, outcome, undelivered):
    result = outcome.result
    if result["payment"] and not outcome.replayed:
        remember(request, result["payment"])
    if outcome.replayed:
        text = _("Ce formulaire papier était déjà enregistré : %(member)s.")
    elif result["created"]:
        text = _("Formulaire papier saisi : %(member)s (nouveau membre).")
    else:
        text = _("Formulaire papier saisi : %(member)s (membre déjà connu, mis à jour).")
    messages.success(request, text % {"member": result["member"]})
    warn_if_undelivered(request, undelivered)
    return redirect("dues:paper_form")


@desk_required
@require_http_methods(["GET", "POST"])
def paper_form(request):
    if request.method == "POST" and "add_correspondent" in request.POST:
        forms = _forms(_with_one_more_correspondent(request.POST))
        return _render(request, forms, show_errors=False)
    forms = _forms(request.POST if request.method == "POST" else None)
    candidates = None
    if request.method == "POST" and _valid(forms):
        try:
            with tasking.watch() as undelivered:
                outcome = _record(request, forms)
        except LikelyDuplicates as duplicates:
            candidates = duplicates.candidates
        except DuplicatePayment as error:
            forms["form"].twin = error.twin
            forms["form"].add_error(None, error.messages)
        except ValidationError as error:
            forms["form"].add_error(None, error.messages)
        else:
            return _saved(request, outcome, undelivered)
    return _render(request, forms, show_errors=request.method == "POST", candidates=candidates)


def _render(request, forms, *, show_errors, candidates=None):
    kind = forms["form"].data.get("kind") if forms["form"].is_bound else MemberKind.INDIVIDUAL
    comparison = None
    if candidates:
        member_form = forms["organisation" if kind == MemberKind.ORGANISATION else "individual"]
        comparison = side_by_side(kind, member_form.cleaned_data, candidates)
    return render(
        request,
        "dues/desk/paper_form.html",
        {
            **forms,
            "kind": kind,
            "charter": Charter.objects.current(),
            "show_errors": show_errors,
            "hide": not show_errors,
            "candidates": candidates,
            "comparison": comparison,
        },
    )
