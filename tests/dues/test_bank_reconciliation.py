"""Confirming a line records the payment as any payment (one line, one payment, at most), the
sure ones all at once; a line can be dismissed, a slip credited, and undoing gives lines back."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dues.models import BankLine, KnownPayerAccount, LineSuggestion, Payment, PaymentStatus
from dues.services.matching import lines_to_review
from dues.services.payments import cancel_payment, record_payment
from dues.services.reconciliation import (
    LineHandled,
    confirm_line,
    confirm_suggestion,
    confirm_sure_lines,
    credit_slip,
    dismiss_line,
    late_slips,
    reopen_line,
)
from dues.services.statements import import_statement
from members.models import AuditEntry
from receipts.models import Receipt
from tests.dues.conftest import STATEMENT_YEAR
from tests.factories import IndividualFactory
from tests.helpers import data_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(bank_cast, deposited_slip):
    """Both March statements imported and matched."""
    for name in ("camt053_v02_credit_cooperatif.xml", "camt053_v08_credit_cooperatif.xml"):
        import_statement(data=data_file(name), file_name=name, actor=None)
    return bank_cast


def line(reference):
    return BankLine.objects.get(bank_reference=reference)


def best(reference):
    return LineSuggestion.objects.get(line__bank_reference=reference, position=0)


def test_confirming_a_line_records_the_transfer_as_any_payment(march, staff_user):
    lea = march[101]
    payment = confirm_suggestion(best("CC2026030200001"), actor=staff_user)
    assert payment.member == lea
    assert payment.method == "transfer"
    assert payment.amount == Decimal("50.00")
    assert payment.received_on == datetime.date(2026, 3, 2)  # the booking date
    assert (payment.year, payment.pledge) == (STATEMENT_YEAR, lea.pledges.get())
    assert payment.bank_reference == "CC2026030200001"
    assert payment.bank_line == line("CC2026030200001")
    assert payment.recorded_by == staff_user
    assert line("CC2026030200001") not in lines_to_review()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"payment.recorded", "bank_line.confirmed"} <= actions
    # The payer's account is learned for next time.
    assert KnownPayerAccount.objects.get(iban="FR7630003036200002012345673").member == lea


def test_an_organisations_receipt_follows_as_for_any_payment(
    march, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        confirm_suggestion(best("CC2026031800011"), actor=staff_user)
    receipt = Receipt.objects.get()
    assert (receipt.member, receipt.amount) == (march[103], Decimal("150.00"))


def test_a_line_is_confirmed_once(march, staff_user):
    suggestion = best("CC2026030400003")
    confirm_suggestion(suggestion, actor=staff_user)
    with pytest.raises(
        LineHandled, match=r"déjà rapprochée : paiement de Paul Martin \(CAC-000102\) du 04/03"
    ):
        confirm_suggestion(suggestion, actor=staff_user)
    with pytest.raises(LineHandled):
        confirm_line(suggestion.line, member=march[101], actor=staff_user)
    assert Payment.objects.filter(method="transfer").count() == 1


def test_the_database_refuses_a_second_live_payment_for_a_line(march, staff_user):
    confirm_suggestion(best("CC2026030400003"), actor=staff_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        record_payment(
            member=march[101],
            amount="100.00",
            method="transfer",
            received_on=datetime.date(2026, 3, 4),
            year=STATEMENT_YEAR,
            bank_line=line("CC2026030400003"),
            actor=None,
        )


def test_the_sure_matches_are_confirmed_all_at_once(march, staff_user):
    payments, skipped = confirm_sure_lines(actor=staff_user)
    assert sorted(p.member.reference for p in payments) == [
        "CAC-000101",
        "CAC-000102",
        "CAC-000107",
    ]
    assert skipped == []
    assert all(p.pledge.amount == p.amount for p in payments)
    assert lines_to_review().count() == 10 - 3
    assert confirm_sure_lines(actor=staff_user) == ([], [])


def test_the_bulk_confirmation_skips_a_line_whose_pledge_was_paid_meanwhile(march, staff_user):
    lea = march[101]
    record_payment(
        member=lea,
        amount="50",
        method="cheque",
        cheque_number="1234567",
        received_on=datetime.date(2026, 3, 3),
        year=STATEMENT_YEAR,
        actor=staff_user,
    )
    payments, skipped = confirm_sure_lines(actor=staff_user)
    assert [p.member for p in payments] == [march[102], march[107]]
    assert skipped == [line("CC2026030200001")]
    # Matched again: still Léa's RF, but no longer sure (her pledge is paid).
    assert best("CC2026030200001").confidence == "likely"
    assert lea.payments.count() == 1


def test_undoing_the_payment_gives_the_line_back_and_forgets_the_account(march, staff_user):
    payment = confirm_suggestion(best("CC2026030200001"), actor=staff_user)
    cancel_payment(payment, reason="Erreur : pas Léa", actor=staff_user)
    freed = line("CC2026030200001")
    assert freed in lines_to_review()
    assert not KnownPayerAccount.objects.filter(iban="FR7630003036200002012345673").exists()
    other = IndividualFactory()
    again = confirm_line(freed, member=other, actor=staff_user)
    assert again.bank_line == freed
    assert Payment.objects.filter(bank_line=freed).count() == 2  # one cancelled, one received
    assert again.pledge is None and again.year == 2026  # no pledge: the booking year


def test_a_hand_picked_member_pays_their_open_pledge_of_the_same_amount(march, staff_user):
    jeanne = march[104]
    payment = confirm_line(line("CC2026031400007"), member=jeanne, actor=staff_user)
    assert payment.pledge == jeanne.pledges.get()


def test_dismissing_a_line_needs_a_reason_and_can_be_undone(march, staff_user):
    subsidy = line("CC2026031200006")
    with pytest.raises(ValidationError, match="Indiquez pourquoi"):
        dismiss_line(subsidy, reason="  ", actor=staff_user)
    dismiss_line(subsidy, reason="Subvention de la Ville", actor=staff_user)
    subsidy.refresh_from_db()
    assert (subsidy.status, subsidy.dismissed_reason) == ("dismissed", "Subvention de la Ville")
    assert subsidy not in lines_to_review()
    with pytest.raises(LineHandled, match="déjà été écartée : Subvention de la Ville"):
        confirm_line(subsidy, member=march[101], actor=staff_user)
    reopen_line(subsidy, actor=staff_user)
    assert subsidy in lines_to_review()


def test_a_slips_credit_marks_it_credited(march, deposited_slip, staff_user):
    credit = line("CC2026030500004")
    assert late_slips(today=datetime.date(2026, 3, 20)).get() == deposited_slip
    confirm_suggestion(best("CC2026030500004"), actor=staff_user)
    deposited_slip.refresh_from_db()
    assert deposited_slip.credited_on == datetime.date(2026, 3, 5)
    assert deposited_slip.bank_credit == credit
    assert not Payment.objects.filter(bank_line=credit).exists()  # a slip, not a payment
    assert not late_slips(today=datetime.date(2026, 3, 20)).exists()
    assert AuditEntry.objects.filter(action="slip.credited").count() == 1
    # Undone: the slip waits for its credit again.
    reopen_line(credit, actor=staff_user)
    deposited_slip.refresh_from_db()
    assert deposited_slip.credited_on is None
    assert late_slips(today=datetime.date(2026, 3, 20)).get() == deposited_slip


def test_a_slip_is_credited_only_by_its_total(march, deposited_slip, staff_user):
    with pytest.raises(ValidationError, match="n'est pas le montant de la ligne"):
        credit_slip(line("CC2026030200001"), deposited_slip, actor=staff_user)
    assert line("CC2026030200001").status == "open"


def test_late_slips_wait_ten_days_and_start_with_the_first_statement(march, deposited_slip):
    assert not late_slips(today=datetime.date(2026, 3, 13)).exists()  # deposited on the 3rd
    assert late_slips(today=datetime.date(2026, 3, 14)).get() == deposited_slip
    BankLine.objects.filter(booking_date__lt=datetime.date(2026, 3, 10)).update(
        booking_date=datetime.date(2026, 3, 10)
    )
    # The bank's statements start after the deposit: the portal cannot know.
    assert not late_slips(today=datetime.date(2026, 3, 20)).exists()


def test_a_cancelled_payment_keeps_its_bank_reference(march, staff_user):
    payment = confirm_suggestion(best("CC2026030400003"), actor=staff_user)
    cancel_payment(payment, reason="doublon", actor=staff_user)
    payment.refresh_from_db()
    assert (payment.status, payment.bank_reference) == (PaymentStatus.CANCELLED, "CC2026030400003")


def logged_by_hand(member, amount, day):
    return record_payment(
        member=member,
        amount=amount,
        method="transfer",
        received_on=day,
        year=STATEMENT_YEAR,
        actor=None,
    )


def test_a_transfer_already_logged_by_hand_is_found_not_recorded_twice(bank_cast, staff_user):
    paul, jeanne = bank_cast[102], bank_cast[104]
    by_hand = logged_by_hand(paul, "100", datetime.date(2026, 3, 6))
    jeannes = logged_by_hand(jeanne, "50", datetime.date(2026, 3, 13))
    logged_by_hand(bank_cast[105], "20", datetime.date(2026, 2, 1))  # a month before: another
    name = "camt053_v02_credit_cooperatif.xml"
    import_statement(data=data_file(name), file_name=name, actor=None)
    paul_line = best("CC2026030400003")  # "CAC-000102" in the label
    assert (paul_line.payment, paul_line.confidence) == (by_hand, "likely")
    assert best("CC2026031400007").payment == jeannes  # by her name alone
    # Hélène's, a month before the 10th, is another transfer (and her pledge is paid).
    assert not LineSuggestion.objects.filter(line__bank_reference="CC2026031000005-2").exists()
    payments, _skipped = confirm_sure_lines(actor=staff_user)
    assert [p.member for p in payments] == [bank_cast[101]]  # Paul's is not sure: logged
    attached = confirm_suggestion(paul_line, actor=staff_user)
    assert attached == by_hand
    by_hand.refresh_from_db()
    assert by_hand.bank_line == line("CC2026030400003")
    assert by_hand.bank_reference == "CC2026030400003"
    assert paul.payments.count() == 1
    assert line("CC2026030400003") not in lines_to_review()
    entry = AuditEntry.objects.filter(action="payment.updated").get()
    assert entry.after["bank_reference"] == "CC2026030400003"
