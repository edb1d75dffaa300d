"""The member space `/compte/`: status per year, pledges, payments, one-click renewal, for the
member the person acts for (`members.accesses.current_member`): their own, or an organisation
that let them in. Its owners see who else has access, invite and remove."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from charter.models import Collective
from charter.services import last_accepted_charter, pending_charter, pending_privacy_notice
from dues.campaign import current_year
from dues.models import PaymentStatus, Pledge
from dues.services import attaching
from dues.services import pledges as pledge_services
from dues.views.public import SESSION_KEY
from members.accesses import access_of, current_member, members_of
from members.forms import InvitationForm


def _needs_resubscription(member):
    return pending_charter(member) is not None or pending_privacy_notice(member) is not None


def year_statuses(member, payments, pledges):
    """One row per year the member pledged or paid for, and the current year: à jour or not."""
    paid = {p.year for p in payments if p.status == PaymentStatus.RECEIVED}
    years = sorted({current_year(), *paid, *(p.year for p in pledges)}, reverse=True)
    return [{"year": year, "up_to_date": year in paid} for year in years]


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
    year = pledge_services.renewal_year(member)
    purpose, amount = pledge_services.renewal_amount(member, year)
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
            "renewal": {"year": year, "purpose": purpose, "amount": amount},
            "to_pay": pledges_to_pay(pledges, payments),
            "collective": Collective.load(),
            "correspondents": member.correspondents.all() if member.is_organisation else [],
            # Listed through the reverse relation: dues does not import receipts.
            "receipts": member.receipts.order_by("-issued_at"),
            "offered": attaching.offered_to(request.user, member),
            **_accesses_context(request, member),
        },
    )


@login_required
@require_POST
def renew(request):
    member = current_member(request)
    if member is None:
        return redirect("dues:account")
    if _needs_resubscription(member):
        return redirect("charter:resubscribe")
    pledge = pledge_services.renew(member, actor=request.user)
    request.session[SESSION_KEY] = pledge.pk
    messages.success(
        request, _("Votre renouvellement pour %(year)s est enregistré.") % {"year": pledge.year}
    )
    return redirect("dues:adhesion_done")


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
