"""Every invariant of the data model is kept by the database itself: a violating insert raises."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from charter.models import Acceptance, Charter, Principle, PrivacyAcceptance, PrivacyNotice
from dues.models import (
    BankCsvLayout,
    BankLine,
    BankStatement,
    Counter,
    DepositSlip,
    LineSuggestion,
    Payment,
    Scale,
    Tier,
)
from members.models import Correspondent, Member
from receipts.models import Receipt, ReceiptLine
from tests import clock
from tests.factories import (
    DepositSlipFactory,
    IndividualFactory,
    OrganisationFactory,
    PaymentFactory,
    PledgeFactory,
)

pytestmark = pytest.mark.django_db
TODAY = clock.in_last_year(3, 1)


def receipt(**overrides):
    member = overrides.pop("member", None) or IndividualFactory()
    values = {
        "number": "2026-00001",
        "kind": "annual",
        "is_fiscal": True,
        "member": member,
        "fiscal_year": 2025,
        "amount": Decimal("50"),
        "issued_on": TODAY,
        "donor_kind": member.kind,
        "donor_name": member.display_name,
        "donor_address": member.postal_address,
    }
    values.update(overrides)
    return Receipt.objects.create(**values)


def line(receipt, payment, **overrides):
    values = {
        "receipt": receipt,
        "payment": payment,
        "amount": payment.amount,
        "received_on": payment.received_on,
        "method": payment.method,
        "dues_year": payment.year,
    }
    values.update(overrides)
    return ReceiptLine.objects.create(**values)


def scale():
    return Scale.objects.create(year=2030)


def charter():
    return Charter.objects.create(version=9, title="Charte", preamble="…", effective_on=TODAY)


def notice():
    return PrivacyNotice.objects.create(
        version=9, title="Confidentialité", body="…", effective_on=TODAY
    )


def bank_line(**overrides):
    values = {
        "statement": BankStatement.objects.get_or_create(file_name="r.xml", format="camt053")[0],
        "account": "FR7642559100000800123456771",
        "booking_date": TODAY,
        "amount": Decimal("50"),
        "fingerprint": "ref:X1",
    }
    values.update(overrides)
    return BankLine.objects.create(**values)


def transfer(**overrides):
    return PaymentFactory(method="transfer", cheque_number="", **overrides)


VIOLATIONS = {
    # charter
    "charter version unique": lambda: (charter(), charter()),
    "principle position unique": lambda: [
        Principle.objects.create(charter=c, position=1, heading=h, text="…")
        for c in [charter()]
        for h in ("Un", "Deux")
    ],
    "charter accepted once per version": lambda: [
        Acceptance.objects.create(charter=c, member=m, source="online")
        for c, m in [(charter(), IndividualFactory())]
        for _ in range(2)
    ],
    "privacy notice accepted once per version": lambda: [
        PrivacyAcceptance.objects.create(notice=n, member=m, source="online")
        for n, m in [(notice(), IndividualFactory())]
        for _ in range(2)
    ],
    # members
    "member kind valid": lambda: Member.objects.create(kind="robot", last_name="X"),
    "individual has a last name": lambda: Member.objects.create(
        kind="individual", first_name="Sans nom"
    ),
    "organisation has a name": lambda: Member.objects.create(kind="organisation", acronym="SN"),
    "an erased member keeps no contact data": lambda: IndividualFactory(
        closed_at=timezone.now(), erased_at=timezone.now(), email="reste@example.org"
    ),
    "an erased member is closed": lambda: IndividualFactory(
        erased_at=timezone.now(), email="", street="", first_name=""
    ),
    "company has a SIREN and a legal form": lambda: OrganisationFactory(is_company=True, siren=""),
    "budget not negative": lambda: OrganisationFactory(annual_budget=Decimal("-1")),
    "directory lists organisations only": lambda: IndividualFactory(directory_opt_in=True),
    "reference unique": lambda: Member.objects.filter(pk=IndividualFactory().pk).update(
        reference=IndividualFactory().reference
    ),
    "correspondent has a name": lambda: Correspondent.objects.create(
        member=OrganisationFactory(), name=""
    ),
    # dues
    "counter unique per name and year": lambda: (
        Counter.objects.create(name="receipt", year=2026),
        Counter.objects.create(name="receipt", year=2026),
    ),
    "scale year unique": lambda: (scale(), scale()),
    "scale rate between 0 and 1": lambda: Scale.objects.create(
        year=2031, tax_reduction_rate=Decimal("1.5")
    ),
    "tier position unique": lambda: [
        Tier.objects.create(
            scale=s, member_kind="individual", position=1, label="x", amount=Decimal("10")
        )
        for s in [scale()]
        for _ in range(2)
    ],
    "tier amount positive": lambda: Tier.objects.create(
        scale=scale(), member_kind="individual", position=1, label="x", amount=Decimal("0")
    ),
    "budget ceiling for organisations only": lambda: Tier.objects.create(
        scale=scale(),
        member_kind="individual",
        position=1,
        label="x",
        amount=Decimal("10"),
        budget_ceiling=Decimal("100"),
    ),
    "pledge amount positive": lambda: PledgeFactory(amount=Decimal("-5")),
    "pledge purpose valid": lambda: PledgeFactory(purpose="loterie"),
    "payment amount positive": lambda: PaymentFactory(amount=Decimal("0")),
    "payment method valid": lambda: PaymentFactory(method="bitcoin"),
    "payment status valid": lambda: PaymentFactory(status="perdu"),
    "cheque has a number": lambda: PaymentFactory(cheque_number=""),
    "only cheques on deposit slips": lambda: PaymentFactory(
        method="transfer", cheque_number="", deposit_slip=DepositSlipFactory()
    ),
    "rejection has a reason": lambda: PaymentFactory(status="rejected", status_reason=""),
    "a cheque is recorded once": lambda: [
        PaymentFactory(member=m, cheque_number="1234567", bank="La Poste", amount=Decimal("50"))
        for m in [IndividualFactory()]
        for _ in range(2)
    ],
    "deposit slip number unique": lambda: (
        DepositSlip.objects.create(number="BR-2026-001", year=2026),
        DepositSlip.objects.create(number="BR-2026-001", year=2026),
    ),
    # dues: the bank's statements
    "a bank line is stored once per account": lambda: (bank_line(), bank_line()),
    "a bank line is a credit": lambda: bank_line(amount=Decimal("-5")),
    "a slip's credit names its slip": lambda: bank_line(status="slip"),
    "only a slip's credit names a slip": lambda: bank_line(deposit_slip=DepositSlipFactory()),
    "a slip is credited by one line": lambda: [
        bank_line(fingerprint=f, status="slip", deposit_slip=s)
        for s in [DepositSlipFactory()]
        for f in ("a", "b")
    ],
    "a dismissal has a reason": lambda: bank_line(status="dismissed"),
    "a bank line pays once": lambda: [
        transfer(bank_line=b) for b in [bank_line()] for _ in range(2)
    ],
    "a bank line's payment is a transfer": lambda: PaymentFactory(bank_line=bank_line()),
    "a suggestion names a member or a slip": lambda: LineSuggestion.objects.create(
        line=bank_line(), position=0, rule="rf", confidence="sure"
    ),
    "a csv layout has an amount": lambda: BankCsvLayout.objects.create(
        signature="x", delimiter=";", date_column="Date", label_column="Libellé"
    ),
    # receipts
    "receipt number unique": lambda: (receipt(), receipt(fiscal_year=2024)),
    "receipt number format": lambda: receipt(number="26-1"),
    "receipt amount positive": lambda: receipt(amount=Decimal("0")),
    "receipt status valid": lambda: receipt(status="brouillon"),
    "cancelled receipt has a date and a reason": lambda: receipt(
        status="cancelled", cancellation_reason="erreur"
    ),
    "one valid annual receipt per member and year": lambda: [
        receipt(member=m, number=n)
        for m in [IndividualFactory()]
        for n in ("2026-00001", "2026-00002")
    ],
    "a payment is in one valid receipt only": lambda: [
        line(receipt(number=n, member=p.member, fiscal_year=y), p)
        for p in [PaymentFactory()]
        for n, y in (("2026-00001", 2025), ("2026-00002", 2024))
    ],
    "a payment is once in a receipt": lambda: [
        line(r, p) for r, p in [(receipt(), PaymentFactory())] for _ in range(2)
    ],
    "receipt line amount positive": lambda: line(receipt(), PaymentFactory(), amount=Decimal("0")),
}


@pytest.mark.parametrize("violation", VIOLATIONS.values(), ids=VIOLATIONS.keys())
def test_database_refuses(violation):
    with pytest.raises(IntegrityError), transaction.atomic():
        violation()


def test_a_cancelled_receipt_frees_its_payment_for_the_corrected_one():
    payment = PaymentFactory()
    first = receipt(member=payment.member)
    line(first, payment)
    Receipt.objects.filter(pk=first.pk).update(
        status="cancelled", cancelled_at=timezone.now(), cancellation_reason="adresse erronée"
    )
    ReceiptLine.objects.filter(receipt=first).update(is_valid=False)
    second = receipt(member=payment.member, number="2026-00002", replaces=first)
    line(second, payment)
    assert payment.receipt_lines.filter(is_valid=True).get().receipt == second


def test_a_cancelled_cheque_can_be_recorded_again():
    member = IndividualFactory()
    PaymentFactory(
        member=member, cheque_number="42", status="cancelled", status_reason="saisie en double"
    )
    PaymentFactory(member=member, cheque_number="42")
    assert Payment.objects.filter(member=member, cheque_number="42").count() == 2


def test_receipts_cannot_be_deleted():
    issued = receipt()
    with pytest.raises(Exception, match="ne peut pas être supprimé"):
        issued.delete()
    with pytest.raises(Exception, match="ne peut pas être supprimé"):
        Receipt.objects.all().delete()
    assert Receipt.objects.filter(pk=issued.pk).exists()


def test_member_reference_is_stable_and_padded():
    member = IndividualFactory()
    assert member.reference == f"CAC-{member.pk:06d}"
    member.city = "Marseille"
    member.save()
    member.refresh_from_db()
    assert member.reference == f"CAC-{member.pk:06d}"


def test_a_cancelled_payment_frees_its_bank_line():
    line = bank_line()
    transfer(bank_line=line, status="cancelled", status_reason="mauvais membre")
    assert transfer(bank_line=line).bank_line == line
