"""The treasurer's dashboard on a data set whose figures were computed by hand: money by month
and year, membership (up to date, new, renewed, back, lapsed, renewal rate), median and average
gift, the work pending; the charts and their tables; a constant number of queries; the PDF."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dues.models import Payment, PaymentStatus, Purpose
from receipts.models import AnnualBatch, EmailStatus, ErrorReport, Receipt
from receipts.services import issue_organisation_receipt
from receipts.services.dashboard import figures, pending_work
from tests.factories import (
    DepositSlipFactory,
    IndividualFactory,
    OrganisationFactory,
    PaymentFactory,
    PledgeFactory,
)
from tests.helpers import LAST_YEAR, pdf_text, text

pytestmark = pytest.mark.django_db
Y = LAST_YEAR


def paid(member, amount, year, on, purpose=None, **extra):
    """A payment of `amount` for dues `year`, received `on` (a date), matched to a new pledge
    of `purpose` if given."""
    pledge = None
    if purpose:
        pledge = PledgeFactory(member=member, year=year, purpose=purpose, amount=Decimal(amount))
    return PaymentFactory(
        member=member,
        amount=Decimal(amount),
        year=year,
        received_on=on,
        pledge=pledge,
        **extra,
    )


def day(year, month, day_of_month):
    return datetime.date(year, month, day_of_month)


@pytest.fixture
def known(cac):
    """A, B, D, F, G, H are people; C and E organisations. Computed by hand in the tests."""
    a, b, d, f, g, h = (IndividualFactory(last_name=name) for name in "ABDFGH")
    c, e = OrganisationFactory(name="C"), OrganisationFactory(name="E")
    # Y-2: A, C and H up to date.
    paid(a, "50", Y - 2, day(Y - 2, 3, 10))
    paid(c, "100", Y - 2, day(Y - 2, 4, 1))
    paid(h, "20", Y - 2, day(Y - 2, 5, 1))
    # Y-1: A and C renew, B is new; G pays its Y-1 dues in January Y (money of Y).
    paid(a, "50", Y - 1, day(Y - 1, 3, 1))
    paid(b, "30", Y - 1, day(Y - 1, 6, 1))
    paid(c, "100", Y - 1, day(Y - 1, 2, 1))
    paid(g, "15", Y - 1, day(Y, 1, 5))
    # Y: A renews (and gives), C renews, D, E and F are new, H is back; B and G lapse.
    paid(a, "60", Y, day(Y, 1, 15), Purpose.ADHESION)
    paid(a, "40", Y, day(Y, 1, 20), Purpose.DONATION)
    paid(c, "200", Y, day(Y, 2, 10))
    paid(d, "10", Y, day(Y, 3, 5))
    paid(e, "500", Y, day(Y, 3, 15), Purpose.DONATION)
    paid(f, "20", Y, day(Y, 4, 1), is_imported=True, cheque_number="")
    paid(h, "20", Y, day(Y, 5, 5))
    # Neither a bounced cheque nor an entry undone counts.
    paid(d, "25", Y, day(Y, 3, 20), status=PaymentStatus.REJECTED, status_reason="impayé")
    paid(a, "99", Y, day(Y, 6, 1), status=PaymentStatus.CANCELLED, status_reason="erreur")
    return {"a": a, "c": c, "e": e}


def euros(value):
    return Decimal(value).quantize(Decimal("0.01"))


def test_money_per_month_is_stacked_by_purpose_and_kind(known):
    result = figures(Y)
    # Series: adhesions of people, of organisations, gifts of people, of organisations.
    by_month = {row.label: [int(amount) for amount in row.amounts] for row in result.months}
    assert by_month[1] == [75, 0, 40, 0]
    assert by_month[2] == [0, 200, 0, 0]
    assert by_month[3] == [10, 0, 0, 500]
    assert by_month[4] == [20, 0, 0, 0]
    assert by_month[5] == [20, 0, 0, 0]
    assert all(amounts == [0, 0, 0, 0] for month, amounts in by_month.items() if month > 5)
    assert result.total == euros(865)
    assert result.count == 8
    assert result.imported == euros(20)
    assert result.this_year.amounts == [euros(125), euros(200), euros(40), euros(500)]


def test_five_years_side_by_side(known):
    years = {row.label: (row.total, row.amounts) for row in figures(Y).years}
    assert list(years) == [str(y) for y in range(Y - 4, Y + 1)]
    assert years[str(Y - 4)][0] == years[str(Y - 3)][0] == 0
    assert years[str(Y - 2)] == (euros(170), [euros(70), euros(100), 0, 0])
    assert years[str(Y - 1)] == (euros(180), [euros(80), euros(100), 0, 0])
    assert years[str(Y)][0] == euros(865)


def test_average_and_median_gift(known):
    result = figures(Y)
    assert result.average == euros("108.13")  # 865 / 8
    assert result.median == euros(30)  # (20 + 40) / 2 of 10 15 20 20 40 60 200 500
    Payment.objects.filter(received_on=day(Y, 5, 5)).delete()
    result = figures(Y)
    assert result.median == euros(40)  # the middle of seven
    assert result.average == euros("120.71")  # 845 / 7


def test_membership_up_to_date_new_renewed_back_and_lapsed(known):
    rows = {row.year: row for row in figures(Y).membership}
    assert list(rows) == list(range(Y - 4, Y + 1))
    two, one, this = rows[Y - 2], rows[Y - 1], rows[Y]
    assert (two.individuals, two.organisations, two.new, two.renewed) == (2, 1, 3, 0)
    assert two.renewal_rate is None, "nobody was up to date the year before"
    assert (one.individuals, one.organisations, one.up_to_date) == (3, 1, 4)
    assert (one.new, one.renewed, one.back, one.lapsed) == (2, 2, 0, 1)
    assert one.renewal_rate == Decimal("66.7")
    assert (this.individuals, this.organisations, this.up_to_date) == (4, 2, 6)
    assert (this.new, this.renewed, this.back, this.lapsed) == (3, 2, 1, 2)
    assert this.renewal_rate == Decimal("50.0")


def test_an_empty_year_has_zeros_and_no_average(cac):
    result = figures(Y)
    assert result.total == 0 and result.count == 0
    assert result.average is None and result.median is None
    assert all(row.up_to_date == 0 for row in result.membership)


def test_the_page_shows_each_chart_with_its_table(client, treasurer_user, known):
    client.force_login(treasurer_user)
    response = client.get(reverse("receipts:dashboard"), {"annee": Y})
    assert response.status_code == 200
    body = text(response)
    assert body.count("<svg") == 3
    assert f'aria-label="Montants reçus par mois en {Y}"' in body
    assert f"<caption>Montants reçus par mois en {Y}</caption>" in body
    assert "<caption>Montants reçus par année</caption>" in body
    assert "<caption>Membres à jour par année de cotisation</caption>" in body
    # The SVG carries no script and no style the Content-Security-Policy would refuse.
    assert "<script" not in body and "<style" not in body and "style=" not in body
    assert "css/charts.css" in body
    assert "865,00\u00a0€" in body and "108,13\u00a0€" in body and "30,00\u00a0€" in body
    assert "dont 20,00\u00a0€ repris de l'ancien fichier" in body
    assert "50,0 %" in body
    assert reverse("receipts:report_pdf", args=[Y]) in body


def test_a_year_that_does_not_parse_shows_this_year(client, treasurer_user):
    client.force_login(treasurer_user)
    for year in ("abc", "1850", "99999"):
        response = client.get(reverse("receipts:dashboard"), {"annee": year})
        assert response.status_code == 200
        assert response.context["year"] == timezone.localdate().year


def more_data(people):
    """Rows of every kind the dashboard reads, `people` times over."""
    slip = DepositSlipFactory()
    for n in range(people):
        person = IndividualFactory()
        organisation = OrganisationFactory()
        for year in (Y - 3, Y - 1, Y):
            paid(person, str(10 + n), year, day(year, 1 + n % 12, 1), Purpose.DONATION)
        waiting = paid(organisation, "70", Y, day(Y, 2, 2), deposit_slip=slip)
        issue_organisation_receipt(waiting.pk, actor=None)
        paid(organisation, "80", Y, timezone.localdate())
        ErrorReport.objects.create(receipt=Receipt.objects.latest("pk"), message="adresse")
    AnnualBatch.objects.update_or_create(
        fiscal_year=timezone.localdate().year - 1, defaults={"total": people}
    )


def test_the_page_costs_the_same_queries_whatever_the_data(client, treasurer_user, known):
    client.force_login(treasurer_user)
    # The first page of a process reads the collective, then kept between requests.
    client.get(reverse("receipts:dashboard"), {"annee": Y})
    counts = []
    for people in (1, 12):
        more_data(people)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("receipts:dashboard"), {"annee": Y})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # The session, the user and their permissions, the collective, then the figures.
    assert counts[0] <= 16


def test_pending_work(cac, known):
    c, e = known["c"], known["e"]
    today = timezone.localdate()
    # Cheques: one received today on no slip, one on a slip not deposited yet, one deposited.
    waiting = paid(c, "80", today.year, today)
    slip = DepositSlipFactory()
    paid(e, "45.50", today.year, today, deposit_slip=slip)
    paid(e, "1000", today.year, today, deposit_slip=DepositSlipFactory(deposited_at=timezone.now()))
    issued = issue_organisation_receipt(waiting.pk, actor=None)
    Receipt.objects.filter(pk=issued.pk).update(email_status=EmailStatus.FAILED)
    ErrorReport.objects.create(receipt=issued, message="Mauvaise adresse")

    pending = pending_work(today)
    # Every cheque of the known set is on no slip: 12 received cheques, imported one left out.
    known_cheques = Payment.objects.receiptable().filter(deposit_slip__isnull=True).count()
    assert pending["cheques"]["count"] == known_cheques + 1
    assert pending["cheques"]["on_slip"] == 1
    total = sum(
        p.amount for p in Payment.objects.receiptable().filter(deposit_slip__isnull=True)
    ) + Decimal("45.50")
    assert pending["cheques"]["total"] == total
    # Organisation payments of C and E still without receipt: all but the one issued above.
    organisations = Payment.objects.receiptable().filter(member__kind="organisation").count()
    assert pending["organisation_payments"] == organisations - 1
    # The service issued it; its PDF is the worker's next step.
    assert pending["without_pdf"] == 1 and pending["failed"] == 1 and pending["deferred"] == 0
    assert pending["reports"] == 1
    january = pending["january"]
    assert january["fiscal_year"] == today.year - 1 and january["batch"] is None


def test_the_january_batch_state_is_shown(client, treasurer_user, cac):
    client.force_login(treasurer_user)
    fiscal_year = timezone.localdate().year - 1
    person = IndividualFactory()
    paid(person, "50", fiscal_year, day(fiscal_year, 6, 1))
    body = text(client.get(reverse("receipts:dashboard")))
    assert f"Lot des reçus annuels {fiscal_year} : pas encore lancé." in body
    assert "1 particulier attend son reçu annuel." in body
    AnnualBatch.objects.create(fiscal_year=fiscal_year, total=1, status="done")
    body = text(client.get(reverse("receipts:dashboard")))
    assert f"Lot des reçus annuels {fiscal_year} : terminé, 0 reçus émis sur 1." in body


def test_the_report_for_the_general_assembly(client, treasurer_user, known):
    client.force_login(treasurer_user)
    response = client.get(reverse("receipts:report_pdf", args=[Y]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="rapport-financier-{Y}.pdf"'
    content = pdf_text(response.content)
    assert f"Rapport financier {Y}" in content
    assert "Collectif des Associations Citoyennes" in content
    assert "865,00 €" in content and "108,13 €" in content
    assert f"Montants reçus par mois en {Y}" in content
    assert "Taux de renouvellement" in content and "50,0 %" in content
    assert "Dons des organisations" in content


@pytest.mark.parametrize("year", [1850, 10000, 99999])
def test_a_report_of_a_year_out_of_reach_is_not_found(client, treasurer_user, year):
    client.force_login(treasurer_user)
    assert client.get(reverse("receipts:report_pdf", args=[year])).status_code == 404
