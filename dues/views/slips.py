"""Deposit slips: pick the cheques, number the slip, print its PDF, mark it deposited."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from cac_portal.forms import SubmissionKeyForm
from charter.models import Collective
from dues.forms_desk import SlipFilterForm, SlipForm
from dues.models import DepositSlip
from dues.pdf import render_pdf
from dues.services.slips import cheques_to_deposit, create_slip, mark_deposited, slip_totals
from dues.views.desk import desk_required
from members.submissions import once, previous

# A slip of more cheques than this is no desk's morning; the page says how many wait.
SLIP_PAGE_CAP = 200


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


def _waiting_summary(total, matching, shown, filtering):
    """The line above the list: how many cheques wait, how many the dates keep, how many show
    (e.g. "964 chèques en attente ; 200 affichés (les plus anciens), filtrez par date…")."""
    text = ngettext("%(count)s chèque en attente", "%(count)s chèques en attente", total) % {
        "count": total
    }
    if filtering:
        text += ngettext(
            ", dont %(count)s reçu dans cette période",
            ", dont %(count)s reçus dans cette période",
            matching,
        ) % {"count": matching}
    if shown < matching:
        return text + _(
            " ; %(shown)s affichés (les plus anciens), filtrez par date pour voir les autres."
        ) % {"shown": shown}
    return text + ngettext(", affiché.", ", tous affichés.", matching)


def _create_once(request, form):
    """The slip of the ticked cheques, once per form key; None (the errors on `form`) if
    refused."""
    try:
        outcome = once(
            form.cleaned_data["submission_key"],
            lambda: _created(create_slip(form.cleaned_data["payments"], actor=request.user)),
            actor=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    return outcome.target


def _created(slip):
    return slip, {"slip": slip.number}


@desk_required
@require_http_methods(["GET", "POST"])
def slip_new(request):
    """The cheques waiting for the bank, oldest first, filtered by date received and at most
    SLIP_PAGE_CAP on the page; what the page shows is ticked until someone unticks it.
    "Tout cocher" / "Tout décocher" are submit buttons, so they work without JavaScript."""
    filters = SlipFilterForm(request.GET or None)
    waiting = cheques_to_deposit()
    total = waiting.count()
    matching_cheques = filters.filter(waiting)
    matching = matching_cheques.count() if filters.is_filtering else total
    cheques = list(matching_cheques[:SLIP_PAGE_CAP])
    shown = {str(cheque.pk) for cheque in cheques}
    form = SlipForm(request.POST if request.method == "POST" else None)
    selected, errors = shown, []
    sent = previous(SubmissionKeyForm(request.POST).key, actor=request.user)
    if sent is not None:
        return redirect("dues:slip_detail", number=sent.result["slip"])
    if request.method == "POST":
        choice = request.POST.get("select")
        if choice in ("all", "none"):
            selected = shown if choice == "all" else set()
        else:
            selected = set(request.POST.getlist("payments"))
            slip = _create_once(request, form) if form.is_valid() else None
            if slip is not None:
                messages.success(request, _("Bordereau %(number)s créé.") % {"number": slip.number})
                return redirect("dues:slip_detail", number=slip.number)
            errors = [*form.errors.get("payments", []), *form.non_field_errors()]
    return render(
        request,
        "dues/desk/slip_new.html",
        {
            "form": form,
            "cheques": cheques,
            "selected": selected,
            "errors": errors,
            "filters": filters,
            "total": total,
            "summary": _waiting_summary(total, matching, len(cheques), filters.is_filtering),
            "querystring": request.GET.urlencode(),
        },
        status=400 if errors else 200,
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
