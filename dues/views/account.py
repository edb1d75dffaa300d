"""The member space `/compte/`: status per year, pledges, payments, one-click renewal, for the
member the person acts for (`members.accesses.current_member`): their own, or an organisation
that let them in. Its owners see who else has access, invite and remove."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from charter.models import Collective
from charter.services import last_accepted_charter, pending_charter, pending_privacy_notice
from dues.campaign import current_year
from dues.forms_renewals import RenewalForm
from dues.models import PaymentStatus, Pledge
from dues.services import attaching, renewals
from dues.views.public import SESSION_KEY
from members.accesses import access_of, current_member, members_of
from members.forms import InvitationForm


def _needs_resubscription(member):
    return pending_charter(member) is not None or pending_privacy_notice(member) is not None


def _year_state(year, paid, waiting, last_paid):
    if year in paid:
        return "up_to_date"
    if year in waiting:
        return "waiting"
    if last_paid is not None and last_paid <= year - 2:
        return "former"
    return "not_yet"


def year_statuses(member, payments, pledges):
    """One row per year the member pledged or paid for, and the current year: à jour, waiting
    for the payment of a pledge (its amount), not yet, or a former member (two years without a
    payment)."""
    paid = {p.year for p in payments if p.status == PaymentStatus.RECEIVED}
    paid_pledges = {p.pledge_id for p in payments if p.status == PaymentStatus.RECEIVED}
    waiting = {}
    for pledge in pledges:
        if pledge.pk not in paid_pledges:
            waiting.setdefault(pledge.year, pledge.amount)
    years = sorted({current_year(), *paid, *waiting}, reverse=True)
    last_paid = max(paid, default=None)
    return [
        {
            "year": year,
            "state": _year_state(year, paid, waiting, last_paid),
            "amount": waiting.get(year),
        }
        for year in years
    ]


def _accesses_context(request, member):
    """Who else may log in, for the member's owners; nothing for anyone else."""
    access = access_of(request.user, member)
    if access is None or not access.is_owner:
        return {"is_owner": False}
    return {
        "is_owner": True,
        "accesses": member.accesses.select_related("user").order_by("-role", "created_at"),
        "invitations": member.invitations.filter(
            accepted_at__isnull=True, cancelled_at__isnull=True
        ),
        "invitation_form": InvitationForm(),
    }


def pledges_to_pay(pledges, payments):
    """The pledges of this year and later that no received payment covers: the page gives the
    transfer details and each one's reference beside the cheque's."""
    paid = {p.pledge_id for p in payments if p.status == PaymentStatus.RECEIVED}
    return [p for p in pledges if p.year >= current_year() and p.pk not in paid]


@login_required
def account(request):
    member = current_member(request)
    if member is None:
        return render(request, "dues/account_no_member.html")
    if _needs_resubscription(member):
        return redirect("charter:resubscribe")
    pledges = list(member.pledges.order_by("-year", "-created_at"))
    payments = list(member.payments.order_by("-received_on", "-pk"))
    year = renewals.renewal_year(member)
    return render(
        request,
        "dues/account.html",
        {
            "member": member,
            "members": members_of(request.user),
            "statuses": year_statuses(member, payments, pledges),
            "pledges": pledges,
            "payments": payments,
            "charter": last_accepted_charter(member),
            "renewal_year": year,
            "to_pay": pledges_to_pay(pledges, payments),
            "collective": Collective.load(),
            "correspondents": member.correspondents.all() if member.is_organisation else [],
            # Listed through the reverse relation: dues does not import receipts.
            "receipts": member.receipts.order_by("-issued_at"),
            "offered": attaching.offered_to(request.user, member),
            **_accesses_context(request, member),
        },
    )


def renewal_form(member, year, data=None, *, charter=None):
    suggestions = renewals.Suggestions(year)
    suggested = suggestions.amount(
        member.kind,
        annual_budget=member.annual_budget,
        last_amount=renewals.last_amount(member),
    )
    return RenewalForm(
        data, tiers=suggestions.choices(member.kind), suggested=suggested, charter=charter
    )


@login_required
@require_http_methods(["GET", "POST"])
def renew(request):
    """The member space's renewal: a page to confirm the year and the amount, then the pledge,
    made once (a second click finds it and sends nothing)."""
    member = current_member(request)
    if member is None:
        return redirect("dues:account")
    if _needs_resubscription(member):
        return redirect("charter:resubscribe")
    year = renewals.renewal_year(member)
    if year is None:
        messages.info(request, _("Aucun renouvellement n'est à faire pour l'instant."))
        return redirect("dues:account")
    form = renewal_form(member, year, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            renewal = renewals.renew(
                member, year=year, amount=form.cleaned_data["value"], actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[SESSION_KEY] = renewal.pledge.pk
            messages.success(
                request, _("Votre renouvellement pour %(year)s est enregistré.") % {"year": year}
            )
            return redirect("dues:adhesion_done")
    return render(
        request,
        "dues/renewal.html",
        {"member": member, "year": year, "form": form, "action": request.path},
    )


@login_required
@require_POST
def attach_pledge(request, reference):
    """The member space's "Rattacher": a pledge made with one of the person's verified
    addresses, waiting for the member they act for."""
    try:
        pledge = attaching.attach_from_member_space(
            reference, user=request.user, member=current_member(request)
        )
    except Pledge.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("La promesse %(reference)s est rattachée à votre adhésion.")
            % {"reference": pledge.reference},
        )
    return redirect("dues:account")
