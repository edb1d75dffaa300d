"""The links of a renewal reminder, opened without logging in: the one-click renewal (signed,
valid 60 days) and the one-click unsubscribe (RFC 8058: a mail client may POST to it).

Opening a link changes nothing (mail scanners open links): a button does. The renewal is made
once; the link opened again shows the pledge and how to pay it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from charter.services import pending_charter
from dues.models import PaymentStatus
from dues.services import reminders, renewals
from dues.services.confirmations import confirmation_context
from dues.views.account import renewal_form


def _pledge_page(request, pledge):
    context = confirmation_context(pledge, show_member=True)
    context["year"] = pledge.year
    return render(request, "dues/renewal_done.html", context)


def _invalid(request, error):
    return render(
        request,
        "dues/renewal_link_invalid.html",
        {"error": error.messages[0], "expired": error.code == "expired"},
        status=400,
    )


@require_http_methods(["GET", "POST"])
def renew_by_link(request, renewal_token):
    try:
        member, year = renewals.member_from_renewal_token(renewal_token)
    except ValidationError as error:
        return _invalid(request, error)
    existing = member.pledges.filter(year=year).order_by("-created_at", "-pk").first()
    if existing is not None:
        return _pledge_page(request, existing)
    if member.payments.filter(year=year, status=PaymentStatus.RECEIVED).exists():
        return render(request, "dues/renewal_done.html", {"year": year, "member": member})
    charter = pending_charter(member)
    form = renewal_form(
        member, year, request.POST if request.method == "POST" else None, charter=charter
    )
    if request.method == "POST" and form.is_valid():
        try:
            renewals.renew(
                member,
                year=year,
                amount=form.cleaned_data["value"],
                charter=charter,
                actor=None,
                note=_("lien de la relance"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Votre renouvellement pour %(year)s est enregistré : merci !") % {"year": year},
            )
            return redirect(request.path)
    return render(
        request,
        "dues/renewal.html",
        {"member": member, "year": year, "form": form, "action": request.path},
    )


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", with no token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, unsubscribe_token):
    member = reminders.member_from_unsubscribe_token(unsubscribe_token)
    if member is None:
        return render(request, "dues/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        reminders.unsubscribe(member, actor=None)
    return render(
        request,
        "dues/unsubscribe.html",
        {
            "member": member,
            "done": member.reminders_unsubscribed_at is not None or request.method == "POST",
        },
    )
