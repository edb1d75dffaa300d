"""Deposit slips: gap-free numbers, only waiting cheques, deposited for good, a readable PDF."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dues.models import DepositSlip, PaymentStatus
from dues.services.payments import reject_payment
from dues.services.slips import SlipDeposited, cheques_to_deposit, create_slip, mark_deposited
from members.models import AuditEntry
from tests.factories import IndividualFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def test_slips_are_numbered_per_year_without_gaps(staff_user):
    year = timezone.localdate().year
    first = create_slip([PaymentFactory()], actor=staff_user)
    with pytest.raises(ValidationError):
        create_slip([], actor=None)
    second = create_slip([PaymentFactory()], actor=staff_user)
    assert (first.number, second.number) == (f"BR-{year}-001", f"BR-{year}-002")
    assert first.created_by == staff_user
    assert AuditEntry.objects.filter(action="slip.created").count() == 2


def test_only_received_cheques_on_no_slip_can_be_taken():
    cheque = PaymentFactory()
    transfer = PaymentFactory(method="transfer", cheque_number="", bank="", drawer="")
    bounced = PaymentFactory()
    reject_payment(bounced, reason="Sans provision", actor=None)
    assert list(cheques_to_deposit()) == [cheque]
    for unavailable in (transfer, bounced):
        with pytest.raises(ValidationError, match="ne peuvent plus"):
            create_slip([cheque, unavailable], actor=None)
    create_slip([cheque], actor=None)
    with pytest.raises(ValidationError, match="ne peuvent plus"):
        create_slip([cheque], actor=None)
    assert DepositSlip.objects.count() == 1
    assert list(cheques_to_deposit()) == []


def test_a_deposited_slip_cannot_change(staff_user):
    slip = create_slip([PaymentFactory()], actor=staff_user)
    mark_deposited(slip, actor=staff_user)
    deposited_at = slip.deposited_at
    assert deposited_at is not None
    with pytest.raises(SlipDeposited):
        mark_deposited(slip, actor=None)
    slip.refresh_from_db()
    assert slip.deposited_at == deposited_at
    entry = AuditEntry.objects.get(action="slip.deposited")
    assert entry.before["deposited_at"] is None and entry.after["deposited_at"]


def _pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_slip_pdf_lists_each_cheque_the_count_and_the_total(staff_client, cac):
    cac.bank_account_holder = "Collectif des Associations Citoyennes"
    cac.save()
    cheques = [
        PaymentFactory(
            member=IndividualFactory(first_name="Lucie", last_name="Aubrac"),
            cheque_number="4410001",
            bank="La Banque Postale",
            amount=Decimal("50.00"),
        ),
        PaymentFactory(
            cheque_number="8820002",
            bank="Crédit Coopératif",
            drawer="Association Les Amis",
            amount=Decimal("1200.50"),
        ),
        PaymentFactory(cheque_number="9930003", bank="CIC", amount=Decimal("10.00")),
    ]
    staff_client.post(reverse("dues:slip_new"), {"payments": [c.pk for c in cheques]})
    slip = DepositSlip.objects.get()
    response = staff_client.get(reverse("dues:slip_pdf", args=[slip.number]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert slip.number in text
    assert "Collectif des Associations Citoyennes" in text
    assert timezone.localdate().strftime("%d/%m/%Y") in text
    for cheque in cheques:
        assert cheque.cheque_number in text
        assert cheque.bank in text
        assert cheque.drawer in text
    assert "Lucie Aubrac" in text
    assert "1 200,50 €" in text and "50,00 €" in text
    assert "Nombre de chèques 3" in text
    assert "Total 1 260,50 €" in text


def test_the_desk_pages_take_the_slip_from_creation_to_deposit(staff_client):
    waiting = [PaymentFactory(), PaymentFactory()]
    kept_back = PaymentFactory()
    page = staff_client.get(reverse("dues:slip_new"))
    # All waiting cheques are ticked by default.
    assert page.content.decode().count("checked") == 3
    response = staff_client.post(reverse("dues:slip_new"), {"payments": [p.pk for p in waiting]})
    slip = DepositSlip.objects.get()
    assert response["Location"] == reverse("dues:slip_detail", args=[slip.number])
    assert set(slip.payments.all()) == set(waiting)
    kept_back.refresh_from_db()
    assert kept_back.deposit_slip is None
    response = staff_client.post(reverse("dues:slip_deposit", args=[slip.number]))
    assert response.status_code == 302
    slip.refresh_from_db()
    assert slip.is_deposited
    # Undo and correction are refused from the pages too, and nothing changes.
    cheque = waiting[0]
    response = staff_client.post(
        reverse("dues:payment_cancel", args=[cheque.pk]), {"reason": "Erreur de saisie"}
    )
    assert response.status_code == 400
    assert "remis en banque" in response.content.decode()
    response = staff_client.post(
        reverse("dues:payment_edit", args=[cheque.pk]), {"cheque_number": "1", "bank": "X"}
    )
    assert response.status_code == 400
    cheque.refresh_from_db()
    assert cheque.status == PaymentStatus.RECEIVED and cheque.cheque_number != "1"
    # A deposited slip is deposited once.
    assert staff_client.post(reverse("dues:slip_deposit", args=[slip.number])).status_code == 400
