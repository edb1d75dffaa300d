"""Downloads for members and staff, the error report, and the treasurer's pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cac_portal.http import redirect_to_next
from dues.campaign import received_years
from members import audit
from receipts.forms import BatchForm, CancelForm, ErrorReportForm
from receipts.models import AnnualBatch, ErrorReport, Receipt
from receipts.services import cancel_receipt, issue_annual_receipts
from receipts.services.register import fiscal_totals, write_register
from receipts.services.rendering import CANCELLED, DUPLICATE, render_pdf, stored_pdf


def treasurer_only(view):
    """Strangers are asked to log in; logged-in people without the permission get 403."""
    return login_required(permission_required("receipts.use_treasury", raise_exception=True)(view))


def _is_staff(user):
    return user.has_perm("dues.use_desk") or user.has_perm("receipts.use_treasury")


@login_required
def download(request, code):
    """The receipt's PDF for its member, staff and the treasurer; a 404 for anyone else.

    A cancelled receipt comes marked "ANNULÉ". The member's original went out by email: what
    they download again is a "DUPLICATA" with the same number (staff get it with
    ?copie=duplicata). The stored original never changes; a missing file is rendered again.
    """
    receipt = get_object_or_404(Receipt.objects.select_related("member"), code=code)
    is_staff = _is_staff(request.user)
    is_owner = receipt.member.user_id is not None and receipt.member.user_id == request.user.pk
    if not (is_staff or is_owner):
        raise Http404
    if receipt.is_cancelled:
        data, suffix = render_pdf(receipt, mark=CANCELLED), "-annule"
    elif request.GET.get("copie") == "duplicata" or (
        is_owner and not is_staff and receipt.emailed_at
    ):
        data, suffix = render_pdf(receipt, mark=DUPLICATE), "-duplicata"
    else:
        data, suffix = stored_pdf(receipt), ""
    if is_staff and not is_owner:
        audit.record(receipt, "receipt.downloaded", actor=request.user, note=suffix.strip("-"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="recu-{receipt.number}{suffix}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def report_error(request, code):
    """A member says their own receipt is wrong; the treasurer sees it on /tresorerie/."""
    receipt = get_object_or_404(Receipt, code=code, member__user=request.user)
    form = ErrorReportForm(request.POST)
    if form.is_valid():
        ErrorReport.objects.create(receipt=receipt, message=form.cleaned_data["message"])
        messages.success(
            request,
            _("Merci : le trésorier a reçu votre signalement sur le reçu n° %(number)s.")
            % {"number": receipt.number},
        )
    else:
        messages.error(request, _("Décrivez l'erreur en quelques mots."))
    return redirect_to_next(request, reverse("dues:account"))


def _batch_json(batch):
    return {
        "fiscal_year": batch.fiscal_year,
        "status": batch.status,
        "total": batch.total,
        "done": batch.done,
        "failed": batch.failed,
        "percent": batch.percent,
        "finished": batch.status == AnnualBatch.Status.DONE,
    }


@treasurer_only
def treasury(request):
    """The batch of a fiscal year and its receipts, the error reports, the yearly figures."""
    default_year = timezone.localdate().year - 1
    try:
        year = int(request.GET.get("annee", default_year))
    except ValueError:
        year = default_year
    if year not in received_years():
        year = default_year
    receipts = (
        Receipt.objects.filter(fiscal_year=year)
        .select_related("replaces", "replaced_by")
        .order_by("number")
    )
    page = Paginator(receipts, 50).get_page(request.GET.get("page"))
    context = {
        "year": year,
        "years": range(default_year + 1, default_year - 6, -1),
        "batch": AnnualBatch.objects.filter(fiscal_year=year).first(),
        "page": page,
        "reports": ErrorReport.objects.filter(resolved_at__isnull=True).select_related("receipt"),
        "totals": fiscal_totals(),
        "issue_year": timezone.localdate().year,
        "batch_form": BatchForm(initial={"fiscal_year": year}),
    }
    return render(request, "receipts/treasury.html", context)


@treasurer_only
@require_POST
def batch_start(request):
    form = BatchForm(request.POST)
    if not form.is_valid():
        for error in form.errors["fiscal_year"]:
            messages.error(request, error)
        return redirect("receipts:treasury")
    year = form.cleaned_data["fiscal_year"]
    batch = issue_annual_receipts(year, actor=request.user)
    if batch.total:
        messages.success(
            request,
            _("Lot %(year)s lancé : %(total)s reçus à émettre.")
            % {"year": year, "total": batch.total},
        )
    else:
        messages.info(
            request, _("Rien à émettre pour %(year)s : tout est à jour.") % {"year": year}
        )
    return redirect(f"{reverse('receipts:treasury')}?annee={year}")


@treasurer_only
def batch_progress(request, year):
    batch = get_object_or_404(AnnualBatch, fiscal_year=year)
    return JsonResponse(_batch_json(batch))


@treasurer_only
def cancel(request, code):
    receipt = get_object_or_404(Receipt.objects.select_related("replaces"), code=code)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = cancel_receipt(
                receipt,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                reissue=form.cleaned_data["reissue"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            receipt.error_reports.filter(resolved_at__isnull=True).update(
                resolved_at=timezone.now()
            )
            if new is not None:
                messages.success(
                    request,
                    _("Reçu %(old)s annulé ; le reçu %(new)s le remplace.")
                    % {"old": receipt.number, "new": new.number},
                )
            else:
                messages.success(request, _("Reçu %(old)s annulé.") % {"old": receipt.number})
            return redirect(f"{reverse('receipts:treasury')}?annee={receipt.fiscal_year}")
    context = {
        "receipt": receipt,
        "form": form,
        "lines": receipt.lines.all(),
        "reports": receipt.error_reports.all(),
    }
    return render(request, "receipts/cancel.html", context)


@treasurer_only
def register_csv(request, year):
    """The register of the receipts numbered in `year` (number, date, donor, amount, status,
    replaces), for the accountant."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registre-recus-{year}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM
    write_register(year, response)
    return response


@treasurer_only
@require_POST
def resolve_report(request, pk):
    ErrorReport.objects.filter(pk=pk, resolved_at__isnull=True).update(resolved_at=timezone.now())
    return redirect_to_next(request, reverse("receipts:treasury"))
