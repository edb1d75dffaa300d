"""The treasurer's reports: the dashboard, the general assembly's PDF report, the accountant's
journal and its accounts. Thin views: read the figures, draw the charts, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_AP
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from charter.models import Collective
from dues.models import Payment
from dues.pdf import render_pdf
from dues.services.exports import record_export
from members import spreadsheets
from members.models import AuditEntry
from receipts import charts
from receipts.forms_reports import AccountingSettingsForm, PeriodForm
from receipts.models import AccountingSettings
from receipts.services import dashboard, journal
from receipts.views import treasurer_only

FIRST_YEAR = 2000
YEARS_OFFERED = 10


def _year(request):
    """The year asked for (`?annee=`), or the current one: never an error."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("annee", this_year))
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= this_year + 1 else this_year


def _money_series(figures, rows):
    return [
        (label, [row.amounts[index] for row in rows]) for index, label in enumerate(figures.series)
    ]


def _charts(figures):
    """The three charts of the dashboard, as SVG text."""
    membership = figures.membership
    return {
        "months": charts.stacked_bars(
            _("Montants reçus par mois en %(year)s") % {"year": figures.year},
            [MONTHS_AP[month] for month in range(1, 13)],
            _money_series(figures, figures.months),
        ),
        "years": charts.stacked_bars(
            _("Montants reçus par année"),
            [row.label for row in figures.years],
            _money_series(figures, figures.years),
        ),
        "membership": charts.counted_bars(
            _("Membres à jour par année de cotisation"),
            [row.year for row in membership],
            [
                (_("Nouveaux"), [row.new for row in membership]),
                (_("Renouvelés"), [row.renewed for row in membership]),
                (_("De retour"), [row.back for row in membership]),
            ],
        ),
    }


def _context(year):
    figures = dashboard.figures(year)
    for row in figures.months:
        row.name = MONTHS[row.label]
    return {"year": year, "figures": figures, "charts": _charts(figures)}


@treasurer_only
@require_GET
def dashboard_page(request):
    """The year's money and membership, with their charts, and the work pending."""
    year = _year(request)
    this_year = timezone.localdate().year
    context = _context(year)
    context.update(
        charts={name: charts.inline(svg) for name, svg in context["charts"].items()},
        years=range(this_year, this_year - YEARS_OFFERED, -1),
        pending=dashboard.pending_work(timezone.localdate()),
    )
    return render(request, "receipts/dashboard.html", context)


@treasurer_only
@require_GET
def report_pdf(request, year):
    """The same figures and charts as a PDF for the general assembly."""
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise Http404
    context = _context(year)
    context.update(
        charts={name: charts.data_uri(svg) for name, svg in context["charts"].items()},
        collective=Collective.load(),
        today=timezone.localdate(),
    )
    response = HttpResponse(
        render_pdf("receipts/report_pdf.html", context), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="rapport-financier-{year}.pdf"'
    return response


def _period(request):
    """The journal's period form: bound to the query string if it has one, else this year."""
    if "du" in request.GET or "au" in request.GET:
        return PeriodForm(request.GET)
    return PeriodForm(PeriodForm.this_year())


@treasurer_only
@require_GET
def journal_page(request):
    """Choose the period; see its balance per account; download its lines."""
    form = _period(request)
    balances = None
    if form.is_valid():
        balances = journal.balances(form.cleaned_data["du"], form.cleaned_data["au"])
    return render(
        request,
        "receipts/journal.html",
        {"form": form, "balances": balances, "accounts": AccountingSettings.load()},
        status=200 if form.is_valid() else 400,
    )


@treasurer_only
@require_GET
def journal_csv(request):
    """The period's accounting lines as CSV, for the accountant (an audited export)."""
    form = _period(request)
    if not form.is_valid():
        return journal_page(request)
    start, end = form.cleaned_data["du"], form.cleaned_data["au"]
    record_export(
        AuditEntry.Action.EXPORT_JOURNAL,
        Payment,
        actor=request.user,
        filters={"du": start.isoformat(), "au": end.isoformat()},
        rows=journal.count_rows(start, end),
    )
    return spreadsheets.response(
        f"journal-{start.isoformat()}-{end.isoformat()}.csv",
        journal.header(),
        journal.rows(start, end),
    )


@treasurer_only
@require_http_methods(["GET", "POST"])
def accounts_page(request):
    """The journal's accounts and journal codes; the chart's defaults until changed."""
    form = AccountingSettingsForm(request.POST or None, instance=AccountingSettings.load())
    if request.method == "POST" and form.is_valid():
        try:
            journal.update_accounting_settings(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Comptes du journal enregistrés."))
            return redirect("receipts:journal")
    return render(
        request,
        "receipts/accounts.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
