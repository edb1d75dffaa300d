"""The staff's desk: the morning post, undo, bounced cheques, cheque corrections.

Thin views: parse a form, call a service of `dues.services`, render. Every state change is a
POST (CSRF-protected by the middleware); every page answers GET for staff and treasurer.
"""

import re
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from cac_portal import tasking
from cac_portal.forms import SearchForm
from cac_portal.http import redirect_to_next, requires, safe_next_url
from charter.templatetags.money import format_euros
from dues.campaign import current_year
from dues.forms_desk import ChequeDetailsForm, PaymentEntryForm, ReasonForm
from dues.models import Payment, PaymentMethod, PaymentStatus, Pledge, pledge_reference
from dues.services.payments import (
    DuplicatePayment,
    cancel_payment,
    record_payment,
    reject_payment,
    update_cheque_details,
)
from members.models import AuditEntry, Member
from members.search import merged_references, search_members
from members.submissions import once

DESK_PERMISSION = "dues.use_desk"
RECENT_KEY = "desk_recent_payments"
RECENT_LENGTH = 15
SEARCH_LIMIT = 10
# The audit trail's actions, as the desk shows them.
ACTIONS = {
    "payment.recorded": _lazy("saisi"),
    "payment.rejected": _lazy("marqué rejeté (chèque impayé)"),
    "payment.cancelled": _lazy("saisie annulée"),
    "payment.updated": _lazy("chèque corrigé"),
    "payment.slipped": _lazy("mis sur un bordereau"),
}


# Strangers go to the login page; logged-in people without the desk permission get 403.
desk_required = requires(DESK_PERMISSION)


PLEDGE_REFERENCE = re.compile(r"P(\d{4})-?0*(\d{1,6})", re.IGNORECASE)


def _pledge_references(query):
    return [
        pledge_reference(int(found[1]), int(found[2]))
        for word in query.split()
        if (found := PLEDGE_REFERENCE.fullmatch(word))
    ]


def find_pledges(query):
    """The pledges whose reference (`P2026-000042`, any case) is typed in `query`."""
    references = _pledge_references(query)
    if not references:
        return Pledge.objects.none()
    return Pledge.objects.filter(reference__in=references).select_related(
        "member", "matched_member"
    )


def find_members(query, limit=SEARCH_LIMIT):
    """Members matching every word of `query` whatever its accents and case (name, first name,
    organisation name, acronym, email, reference, city, phones: `members.search`); a number or
    `CAC-123` also finds that reference exactly, a merged record's reference the record it was
    merged into, and a pledge's reference the member it is attached to."""
    members = search_members(query)
    attached = [p.member_id for p in find_pledges(query) if p.member_id is not None]
    if attached:
        members = members | Member.objects.open().filter(pk__in=attached)
    latest_pledge = Pledge.objects.filter(member=OuterRef("pk"), year=current_year()).order_by(
        "-created_at", "-pk"
    )
    return members.annotate(pledge_amount=Subquery(latest_pledge.values("amount")[:1])).order_by(
        "kind", "last_name", "first_name", "name", "pk"
    )[:limit]


def _member_detail(member, merged=()):
    parts = [member.reference, member.get_kind_display()]
    if member.city:
        parts.append(member.city)
    if member.email:
        parts.append(member.email)
    parts += [
        _("%(merged)s → fusionné dans %(survivor)s")
        % {"merged": reference, "survivor": member.reference}
        for reference in merged
    ]
    return " · ".join(parts)


def _pledge_result(pledge):
    return {
        "reference": pledge.reference,
        "label": (
            _("Promesse %(reference)s de %(amount)s : à rattacher")
            if pledge.member_id is None
            else _("Promesse %(reference)s de %(amount)s")
        )
        % {"reference": pledge.reference, "amount": format_euros(pledge.amount)},
        "url": reverse("dues:pledge_detail", args=[pledge.reference]),
    }


@desk_required
@require_GET
def member_search(request):
    """The combobox's data: `{"results": [{id, reference, label, detail, pledge}]}`; a search
    the box refuses (a NUL byte, too long) gets no results, its reasons and a 400."""
    search = SearchForm(request.GET)
    if not search.is_valid():
        return JsonResponse({"results": [], "errors": search.errors["q"]}, status=400)
    merged = merged_references(search.query)
    results = [
        {
            "id": member.pk,
            "reference": member.reference,
            "label": member.display_name,
            "detail": _member_detail(member, merged.get(member.pk, ())),
            "pledge": (
                f"{Decimal(member.pledge_amount):.2f}" if member.pledge_amount is not None else ""
            ),
            "pledge_label": (
                _("promesse %(year)s : %(amount)s")
                % {"year": current_year(), "amount": format_euros(member.pledge_amount)}
                if member.pledge_amount is not None
                else ""
            ),
        }
        for member in find_members(search.query)
    ]
    pledges = [_pledge_result(pledge) for pledge in find_pledges(search.query)]
    return JsonResponse({"results": results, "pledges": pledges})


def warn_if_undelivered(request, undelivered):
    """The payment is saved, but what follows it (a receipt) could not be handed to the
    workers: say so, and that nothing needs doing (the sweep sends it once the queue is back)."""
    if undelivered:
        messages.warning(
            request,
            _(
                "La file de traitement est momentanément injoignable : le reçu sera émis et "
                "envoyé automatiquement dès son retour. Rien à refaire."
            ),
        )


def remember(request, payment_pk):
    """Put the payment first in the desk's recent entries of this session."""
    recent = [pk for pk in request.session.get(RECENT_KEY, []) if pk != payment_pk]
    request.session[RECENT_KEY] = [payment_pk, *recent][:RECENT_LENGTH]


def _recent_payments(request):
    ids = request.session.get(RECENT_KEY, [])
    payments = Payment.objects.filter(pk__in=ids).select_related("member", "deposit_slip")
    by_id = {payment.pk: payment for payment in payments}
    return [by_id[pk] for pk in ids if pk in by_id]


def _record_entry(request, form):
    """Record the entry's payment once per form key; (payment, replayed)."""
    data = form.cleaned_data

    def create():
        payment = record_payment(
            member=data["member"],
            amount=data["amount"],
            method=data["method"],
            received_on=data["received_on"],
            year=data["year"],
            cheque_number=data["cheque_number"],
            bank=data["bank"],
            drawer=data["drawer"],
            confirm_duplicate_reason=form.duplicate_reason,
            actor=request.user,
        )
        return payment, {"payment": payment.pk}

    outcome = once(data["submission_key"], create, actor=request.user)
    return outcome.target, outcome.replayed


def _saved_message(request, payment, replayed):
    if replayed:
        messages.info(
            request, _("Cette saisie était déjà enregistrée : %(payment)s.") % {"payment": payment}
        )
        return
    messages.success(
        request,
        _("Enregistré : %(method)s de %(amount)s pour %(member)s.")
        % {
            "method": payment.get_method_display(),
            "amount": format_euros(payment.amount),
            "member": payment.member,
        },
    )


@desk_required
@require_http_methods(["GET", "POST"])
def desk(request):
    """The morning post: one payment per submit, then straight back to the search."""
    search = SearchForm(request.GET, label=_("Rechercher un membre"), auto_id="nojs-%s")
    form = PaymentEntryForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            with tasking.watch() as undelivered:
                payment, replayed = _record_entry(request, form)
        except DuplicatePayment as error:
            form.twin = error.twin
            form.add_error(None, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            remember(request, payment.pk)
            _saved_message(request, payment, replayed)
            warn_if_undelivered(request, undelivered)
            return redirect("dues:desk")
    return render(request, "dues/desk/desk.html", _desk_context(request, form, search))


def _desk_context(request, form, search):
    selected = form["member"].value() if form.is_bound else None
    query = search.query
    return {
        "form": form,
        "search": search,
        "search_results": find_members(query) if query else None,
        "found_pledges": find_pledges(query) if query else [],
        "selected_member": (
            Member.objects.filter(pk=selected).first()
            if selected and str(selected).isascii() and str(selected).isdigit()
            else None
        ),
        "recent": _recent_payments(request),
        "cheque": PaymentMethod.CHEQUE,
        "to_match": Pledge.objects.to_match().select_related("matched_member")[:10],
        "to_match_count": Pledge.objects.to_match().count(),
    }


def _payment(pk):
    return get_object_or_404(
        Payment.objects.select_related("member", "deposit_slip", "pledge", "recorded_by"), pk=pk
    )


@desk_required
@require_GET
def payment_detail(request, pk):
    payment = _payment(pk)
    history = (
        AuditEntry.objects.filter(
            content_type__app_label="dues",
            content_type__model="payment",
            object_id=str(payment.pk),
        )
        .select_related("actor")
        .order_by("at", "pk")
    )
    for entry in history:
        entry.label = ACTIONS.get(entry.action, entry.action)
    return render(
        request,
        "dues/desk/payment_detail.html",
        {"payment": payment, "history": history, "received": PaymentStatus.RECEIVED},
    )


def _reason_action(request, pk, *, service, template, initial, success, default_next):
    payment = _payment(pk)
    form = ReasonForm(request.POST or None, initial={"reason": initial})
    if request.method == "POST" and form.is_valid():
        try:
            with tasking.watch() as undelivered:
                service(payment, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success % {"payment": payment})
            warn_if_undelivered(request, undelivered)
            return redirect_to_next(request, default_next(payment))
    return render(
        request,
        template,
        {"payment": payment, "form": form, "next": safe_next_url(request, "")},
        status=400 if request.method == "POST" else 200,
    )


@desk_required
@require_http_methods(["GET", "POST"])
def payment_cancel(request, pk):
    """Undo an entry mistake (the payment stays, cancelled, with its audit entry)."""
    return _reason_action(
        request,
        pk,
        service=cancel_payment,
        template="dues/desk/payment_cancel.html",
        initial=_("Erreur de saisie"),
        success=_("Saisie annulée : %(payment)s."),
        default_next=lambda payment: reverse("dues:payment_detail", args=[payment.pk]),
    )


@desk_required
@require_http_methods(["GET", "POST"])
def payment_reject(request, pk):
    """A bounced cheque: rejected with its reason; the member's status for the year follows."""
    return _reason_action(
        request,
        pk,
        service=reject_payment,
        template="dues/desk/payment_reject.html",
        initial="",
        success=_("Paiement marqué rejeté (impayé) : %(payment)s."),
        default_next=lambda payment: reverse("dues:payment_detail", args=[payment.pk]),
    )


@desk_required
@require_http_methods(["GET", "POST"])
def payment_edit(request, pk):
    """Correct a cheque's number, bank or drawer before its slip goes to the bank."""
    payment = _payment(pk)
    form = ChequeDetailsForm(
        request.POST or None,
        initial={
            "cheque_number": payment.cheque_number,
            "bank": payment.bank,
            "drawer": payment.drawer,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_cheque_details(payment, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Chèque corrigé."))
            return redirect("dues:payment_detail", pk=payment.pk)
    return render(
        request,
        "dues/desk/payment_edit.html",
        {"payment": payment, "form": form},
        status=400 if request.method == "POST" else 200,
    )
