"""Downloads for members and staff, the error report, and the treasurer's pages."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cac_portal.http import redirect_to_next, requires
from cac_portal.paging import Keyset, keyset_page
from charter import published as charter_published
from charter.models import Collective
from dues.campaign import received_years
from dues.services.exports import record_export
from members import spreadsheets
from members.accesses import has_access
from members.models import AuditEntry
from receipts.forms import (
    BatchForm,
    CancelForm,
    DeclarationForm,
    ErrorReportForm,
    FiscalIdentityForm,
)
from receipts.models import AnnualBatch, ErrorReport, Receipt
from receipts.services import cancel_receipt, issue_annual_receipts
from receipts.services.declarations import record_declaration, yearly_figures
from receipts.services.downloads import receipt_file
from receipts.services.fiscal import update_fiscal_identity
from receipts.services.issuing import require_year_over
from receipts.services.readiness import companies_waiting, fiscal_missing
from receipts.services.register import REGISTER_HEADER, register_count, register_rows
from receipts.services.reports import report_error as record_error_report
from receipts.services.reports import resolve_report as record_resolution

# Strangers are asked to log in; logged-in people without the permission get 403.
treasurer_only = requires("receipts.use_treasury")


def _is_staff(user):
    return user.has_perm("dues.use_desk") or user.has_perm("receipts.use_treasury")


@login_required
def download(request, code):
    """The receipt's PDF for its member, staff and the treasurer; a 404 for anyone else.

    The member gets the stored original (the bytes that were emailed); staff and the treasurer
    a copy marked "DUPLICATA"; a cancelled receipt comes marked "ANNULÉ" (see `receipt_file`).
    """
    receipt = get_object_or_404(Receipt.objects.select_related("member"), code=code)
    # Everyone the member let into its space downloads its receipts, as its own.
    is_owner = has_access(request.user, receipt.member)
    if not (is_owner or _is_staff(request.user)):
        raise Http404
    if receipt.is_erased:
        # Past its retention period: nothing personal is kept, not even its PDF.
        raise Http404
    data, suffix = receipt_file(receipt, user=request.user, is_owner=is_owner)
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


def _readiness():
    """The checklist of /tresorerie/: what keeps fiscal receipts from being issued, each item
    once, with the settings field that fixes it."""
    collective = charter_published.collective()
    for_individuals = fiscal_missing(collective, article="200")
    for_companies = fiscal_missing(collective, article="238 bis")
    return {
        "missing": list(dict.fromkeys(for_individuals + for_companies)),
        "batch_blocked": bool(for_individuals),
        "companies_waiting": companies_waiting(),
    }


def _year_not_over(year):
    """Why the batch of `year` cannot run yet, or "" once the year is over."""
    try:
        require_year_over(year)
    except ValidationError as refusal:
        return " ".join(refusal.messages)
    return ""


# The receipts of a year by number, page after page through the number's index.
RECEIPTS_ORDER = Keyset(Receipt, ["number"])


def _treasury_context(request, declaration_form=None):
    """The batch of a fiscal year and its receipts, the error reports, the readiness list, the
    yearly figures of art. 222 bis (with `declaration_form`, bound, for the year it was for)."""
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
    figures = yearly_figures()
    for row in figures:
        bound = declaration_form is not None and declaration_form.year == row.year
        row.form = declaration_form if bound else DeclarationForm(year=row.year)
    return {
        "year": year,
        "years": range(default_year + 1, default_year - 6, -1),
        "batch": AnnualBatch.objects.filter(fiscal_year=year).first(),
        "page": keyset_page(
            {**request.GET.dict(), "annee": year},
            receipts,
            RECEIPTS_ORDER,
            size=50,
            count=receipts.count(),
        ),
        "reports": ErrorReport.objects.filter(resolved_at__isnull=True).select_related("receipt"),
        "figures": figures,
        "declaration_url": settings.RECEIPTS_DECLARATION_URL,
        "issue_year": timezone.localdate().year,
        "batch_form": BatchForm(initial={"fiscal_year": year}),
        "year_not_over": _year_not_over(year),
        **_readiness(),
    }


@treasurer_only
def treasury(request):
    return render(request, "receipts/treasury.html", _treasury_context(request))


@treasurer_only
@require_POST
def declare(request, year):
    """The treasurer declared the gifts of `year` (CGI art. 222 bis) on the date given."""
    form = DeclarationForm(request.POST, year=year)
    if form.is_valid():
        try:
            record_declaration(
                year, declared_on=form.cleaned_data["declared_on"], actor=request.user
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("Déclaration des dons de %(year)s enregistrée.") % {"year": year},
            )
            return redirect(f"{reverse('receipts:treasury')}#declaration-{year}")
    context = _treasury_context(request, declaration_form=form)
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
    try:
        batch = issue_annual_receipts(year, actor=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect(f"{reverse('receipts:treasury')}?annee={year}")
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
    """The register of the receipts numbered in `year` (see `register.REGISTER_HEADER`), for
    the accountant and the tax inspector. Donors' names and addresses: an audited export."""
    record_export(
        AuditEntry.Action.EXPORT_RECEIPTS,
        Receipt,
        actor=request.user,
        filters={"annee": year},
        rows=register_count(year),
    )
    return spreadsheets.response(f"registre-recus-{year}.csv", REGISTER_HEADER, register_rows(year))


@treasurer_only
@require_POST
def resolve_report(request, pk):
    record_resolution(get_object_or_404(ErrorReport, pk=pk), actor=request.user)
    return redirect_to_next(request, reverse("receipts:treasury"))


def _signature_preview(collective):
    """The stored signature as a data: URI for the settings page (the file is not served)."""
    if not (collective and collective.signature):
        return ""
    try:
        with collective.signature.open("rb") as image:
            data = image.read()
    except OSError:
        return ""
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _form_errors(form, error):
    """A service's ValidationError shown next to the fields it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@treasurer_only
def fiscal_settings(request):
    """The collective's fiscal identity: what every fiscal receipt says about the collective."""
    collective = Collective.load()
    if collective is None:
        raise Http404
    form = FiscalIdentityForm(request.POST or None, request.FILES or None, instance=collective)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            update_fiscal_identity(
                collective,
                values=values,
                signature=form.cleaned_data.get("signature"),
                actor=request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Identité fiscale du collectif enregistrée."))
            return redirect("receipts:treasury")
    collective.refresh_from_db()
    context = {
        "form": form,
        "signature_preview": _signature_preview(collective),
        "missing": _readiness()["missing"],
    }
    return render(request, "receipts/fiscal_settings.html", context)


@require_GET
def verify(request, verification_token):
    """Public: what a fiscal receipt's QR code leads to. Its number, date, amount and year, and
    whether it still stands (or which receipt replaced it); nothing about the donor."""
    receipt = (
        Receipt.objects.filter(verification_token=verification_token, is_fiscal=True)
        .select_related("replaces")
        .first()
    )
    if receipt is None:
        raise Http404
    replacement = Receipt.objects.filter(replaces=receipt).only("number", "verification_token")
    context = {
        "receipt": receipt,
        "replacement": replacement.first(),
        "issuer": receipt.beneficiary.get("name", ""),
    }
    response = render(request, "receipts/verify.html", context)
    response["Cache-Control"] = "no-cache, private"
    return response
