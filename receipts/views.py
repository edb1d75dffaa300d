"""Downloads for members and staff, the error report, and the treasurer's pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cac_portal.http import redirect_to_next, requires
from dues.campaign import received_years
from members import spreadsheets
from members.accesses import has_access
from receipts.forms import BatchForm, CancelForm, ErrorReportForm
from receipts.models import AnnualBatch, ErrorReport, Receipt
from receipts.services import cancel_receipt, issue_annual_receipts
from receipts.services.downloads import receipt_file
from receipts.services.register import REGISTER_HEADER, fiscal_totals, register_rows
from receipts.services.reports import report_error as record_error_report
from receipts.services.reports import resolve_report as record_resolution

# Strangers are asked to log in; logged-in people without the permission get 403.
treasurer_only = requires("receipts.use_treasury")


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
    is_team = _is_staff(request.user)
    # Everyone the member let into its space downloads its receipts, as its own.
    is_owner = has_access(request.user, receipt.member)
    if not (is_team or is_owner):
        raise Http404
    data, suffix = receipt_file(
        receipt,
        user=request.user,
        is_owner=is_owner,
        is_team=is_team,
        copy=request.GET.get("copie") == "duplicata",
    )
    name = f"recu-{receipt.number}-{suffix}" if suffix else f"recu-{receipt.number}"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def report_error(request, code):
    """A member says their own receipt is wrong; the treasurer sees it on /tresorerie/."""
    receipt = get_object_or_404(Receipt, code=code, member__accesses__user=request.user)
    form = ErrorReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Décrivez l'erreur en quelques mots."))
        return redirect_to_next(request, reverse("dues:account"))
    try:
        record_error_report(receipt, message=form.cleaned_data["message"], actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Merci : le trésorier a reçu votre signalement sur le reçu n° %(number)s.")
            % {"number": receipt.number},
        )
    return redirect_to_next(request, reverse("dues:account"))


def _batch_json(batch):
    done = batch.done
    return {
        "fiscal_year": batch.fiscal_year,
        "status": batch.status,
        "total": batch.total,
        "done": done,
        "failed": batch.failed,
        "percent": batch.percent(done),
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
    if batch.queued:
        messages.success(
            request,
            _("Lot %(year)s lancé : %(total)s reçus à émettre.")
            % {"year": year, "total": batch.queued},
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
    return spreadsheets.response(f"registre-recus-{year}.csv", REGISTER_HEADER, register_rows(year))


@treasurer_only
@require_POST
def resolve_report(request, pk):
    record_resolution(get_object_or_404(ErrorReport, pk=pk), actor=request.user)
    return redirect_to_next(request, reverse("receipts:treasury"))
