"""The year of a gift is the year the money was received, whatever dues year it pays; no
summary of a year is issued before that year is over."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from dues.services import record_payment
from receipts.models import AnnualBatch, Receipt, ReceiptLine
from receipts.services import issue_annual_receipts, issue_organisation_receipt
from tests.helpers import LAST_YEAR, paris, pay, text

pytestmark = pytest.mark.django_db


def run_batch(year, capture):
    with capture(execute=True):
        return issue_annual_receipts(year, actor=None)


def test_a_cheque_received_on_30_december_for_next_years_dues_is_a_gift_of_that_december(
    donor, django_capture_on_commit_callbacks
):
    before = LAST_YEAR - 1
    pay(donor, "40", year=before, on=datetime.date(before, 5, 2))
    early = pay(donor, "60", year=LAST_YEAR, on=datetime.date(before, 12, 30))

    run_batch(before, django_capture_on_commit_callbacks)
    run_batch(LAST_YEAR, django_capture_on_commit_callbacks)

    summary = Receipt.objects.get(member=donor, fiscal_year=before)
    assert summary.amount == Decimal("100.00")
    assert early.pk in set(summary.lines.values_list("payment_id", flat=True))
    assert not Receipt.objects.filter(fiscal_year=LAST_YEAR).exists(), "nothing was received then"


def test_a_cheque_received_in_january_for_last_years_dues_waits_for_next_years_summary(
    donor, staff_user, django_capture_on_commit_callbacks
):
    year = LAST_YEAR - 1
    pay(donor, "50", year=year, on=datetime.date(year, 3, 1))
    with time_machine.travel(paris(year + 1, 1, 10), tick=False):
        run_batch(year, django_capture_on_commit_callbacks)
    first = Receipt.objects.get(member=donor)

    with time_machine.travel(paris(year + 1, 1, 15), tick=False):
        late = record_payment(
            member=donor,
            amount=Decimal("30"),
            method="cheque",
            received_on=datetime.date(year + 1, 1, 15),
            year=year,
            cheque_number="4400001",
            bank="Banque Populaire",
            actor=staff_user,
        )
    with time_machine.travel(paris(year + 1, 11, 20), tick=False):
        batch = run_batch(year, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.status == "issued", "a summary is never cancelled for money received later"
    assert batch.queued == 0
    assert Receipt.objects.count() == 1

    with time_machine.travel(paris(year + 2, 1, 2, 6), tick=False):
        run_batch(year + 1, django_capture_on_commit_callbacks)
    later = Receipt.objects.get(member=donor, fiscal_year=year + 1)
    assert list(later.lines.values_list("payment_id", flat=True)) == [late.pk]
    assert later.amount == Decimal("30.00")


def test_an_organisations_receipt_is_of_the_year_the_money_arrived(company):
    payment = pay(company, "200", year=LAST_YEAR, on=datetime.date(LAST_YEAR - 1, 12, 30))
    receipt = issue_organisation_receipt(payment.pk, actor=None)
    assert receipt.fiscal_year == LAST_YEAR - 1


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [((LAST_YEAR, 12, 31, 23, 59), False), ((LAST_YEAR + 1, 1, 1, 0, 1), True)],
)
def test_the_batch_of_a_year_waits_for_its_end(
    donor, moment, allowed, django_capture_on_commit_callbacks
):
    pay(donor, "25", year=LAST_YEAR, on=datetime.date(LAST_YEAR, 12, 31))
    with time_machine.travel(paris(*moment), tick=False):
        if allowed:
            run_batch(LAST_YEAR, django_capture_on_commit_callbacks)
            assert Receipt.objects.filter(member=donor, fiscal_year=LAST_YEAR).exists()
        else:
            with pytest.raises(ValidationError) as refusal:
                run_batch(LAST_YEAR, django_capture_on_commit_callbacks)
            assert f"à partir du 1er janvier {LAST_YEAR + 1}" in " ".join(refusal.value.messages)
            assert not AnnualBatch.objects.exists() and not Receipt.objects.exists()


def test_the_treasury_says_from_when_the_batch_of_this_year_can_run(client, treasurer_user, donor):
    this_year = LAST_YEAR + 1
    pay(donor, "25", year=this_year, on=datetime.date(this_year, 2, 1))
    client.force_login(treasurer_user)
    page = text(client.get(f"/tresorerie/?annee={this_year}"))
    assert f"à partir du 1er janvier {this_year + 1}" in page
    assert f"Lancer le lot {this_year}" not in page

    response = client.post("/tresorerie/lot/", {"fiscal_year": this_year}, follow=True)
    assert f"à partir du 1er janvier {this_year + 1}" in text(response)
    assert f"Lot {this_year} lancé" not in text(response)
    assert not AnnualBatch.objects.exists() and not Receipt.objects.exists()


def test_the_command_refuses_this_years_batch(donor):
    with pytest.raises(CommandError, match=f"à partir du 1er janvier {LAST_YEAR + 2}"):
        call_command("issue_annual_receipts", str(LAST_YEAR + 1), "--no-wait", stdout=io.StringIO())
    assert not AnnualBatch.objects.exists()


def test_check_receipts_reports_summaries_holding_gifts_of_another_year(
    donor, django_capture_on_commit_callbacks
):
    pay(donor, "50", year=LAST_YEAR, on=datetime.date(LAST_YEAR, 4, 1))
    run_batch(LAST_YEAR, django_capture_on_commit_callbacks)
    summary = Receipt.objects.get()
    out = io.StringIO()
    call_command("check_receipts", stdout=out)
    assert summary.number not in out.getvalue()

    # What the old rule (the dues year) left behind: a line received the year after.
    line = summary.lines.get()
    moved = datetime.date(LAST_YEAR + 1, 1, 15)
    ReceiptLine.objects.filter(pk=line.pk).update(received_on=moved)
    line.payment.__class__.objects.filter(pk=line.payment_id).update(received_on=moved)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_receipts", stdout=out)
    report = out.getvalue()
    assert summary.number in report and f"15/01/{LAST_YEAR + 1}" in report
    summary.refresh_from_db()
    assert summary.status == "issued", "the command reports, the treasurer decides"
