"""Deposit slips: pick the cheques, number the slip, print its PDF, mark it deposited."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from charter.models import Collective
from dues.models import DepositSlip
from dues.pdf import render_pdf
from dues.services.slips import cheques_to_deposit, create_slip, mark_deposited, slip_totals
from dues.views.desk import desk_required


@desk_required
@require_GET
def slip_list(request):
    slips = DepositSlip.objects.annotate(count=Count("payments"), total=Sum("payments__amount"))
    waiting = cheques_to_deposit().aggregate(count=Count("pk"), total=Sum("amount"))
    return render(
        request,
        "dues/desk/slip_list.html",
        {"slips": slips.order_by("-created_at", "-pk")[:100], "waiting": waiting},
    )


@desk_required
@require_http_methods(["GET", "POST"])
def slip_new(request):
    """Every cheque waiting for the bank is ticked by default; untick what stays behind."""
    cheques = list(cheques_to_deposit())
    selected = {str(cheque.pk) for cheque in cheques}
    error = None
    if request.method == "POST":
        selected = set(request.POST.getlist("payments"))
        try:
            slip = create_slip([int(pk) for pk in selected if pk.isdigit()], actor=request.user)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("Bordereau %(number)s créé.") % {"number": slip.number})
            return redirect("dues:slip_detail", number=slip.number)
    return render(
        request,
        "dues/desk/slip_new.html",
        {"cheques": cheques, "selected": selected, "error": error},
        status=400 if error else 200,
    )


def _slip(number):
    return get_object_or_404(DepositSlip.objects.select_related("created_by"), number=number)


def _slip_context(slip):
    count, total = slip_totals(slip)
    return {
        "slip": slip,
        "payments": slip.payments.select_related("member").order_by("pk"),
        "count": count,
        "total": total,
    }


@desk_required
@require_GET
def slip_detail(request, number):
    return render(request, "dues/desk/slip_detail.html", _slip_context(_slip(number)))


@desk_required
@require_GET
def slip_pdf(request, number):
    slip = _slip(number)
    context = {
        **_slip_context(slip),
        "collective": Collective.load(),
        "date": timezone.localtime(slip.deposited_at or slip.created_at).date(),
    }
    response = HttpResponse(
        render_pdf("dues/desk/slip_pdf.html", context), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{slip.number}.pdf"'
    return response


@desk_required
@require_http_methods(["GET", "POST"])
def slip_deposit(request, number):
    slip = _slip(number)
    error = None
    if request.method == "POST":
        try:
            mark_deposited(slip, actor=request.user)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(
                request, _("Bordereau %(number)s remis en banque.") % {"number": slip.number}
            )
            return redirect("dues:slip_detail", number=slip.number)
    return render(
        request,
        "dues/desk/slip_deposit.html",
        {**_slip_context(slip), "error": error},
        status=400 if error else 200,
    )
