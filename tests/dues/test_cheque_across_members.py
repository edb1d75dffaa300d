"""The same cheque (number, bank, amount) is recorded once, whichever member it is booked on;
a genuinely different cheque with the same details is saved only on staff's explicit word."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from dues.campaign import current_year
from dues.models import Payment, PaymentMethod, PaymentStatus
from dues.services import DuplicatePayment, cancel_payment, record_payment
from members.models import AuditEntry
from tests.factories import IndividualFactory, PaymentFactory
from tests.helpers import paper_post, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(cac):
    member = IndividualFactory(first_name="Lucie", last_name="Aubrac")
    return record_payment(
        member=member,
        amount=Decimal("50"),
        method=PaymentMethod.CHEQUE,
        received_on=timezone.localdate(),
        year=current_year(),
        cheque_number="5550001",
        bank="Crédit Mutuel",
        actor=None,
    )


def cheque(member, **extra):
    return record_payment(
        member=member,
        amount=Decimal("50"),
        method=PaymentMethod.CHEQUE,
        received_on=timezone.localdate(),
        year=current_year(),
        cheque_number="5550001",
        bank="Crédit Mutuel",
        actor=None,
        **extra,
    )


def test_the_same_cheque_for_another_member_is_refused_naming_the_first(first):
    other = IndividualFactory(first_name="Lucie", last_name="Aubrac")
    with pytest.raises(DuplicatePayment) as refused:
        cheque(other)
    date = timezone.localtime(first.created_at).strftime("%d/%m/%Y")
    assert refused.value.messages == [
        f"Ce chèque n° 5550001 de 50,00\u00a0€ est déjà enregistré pour Lucie Aubrac "
        f"({first.member.reference}) le {date}."
    ]
    assert Payment.objects.count() == 1


def test_a_cancelled_entry_does_not_block_the_cheque(first):
    cancel_payment(first, reason="Erreur de membre", actor=None)
    again = cheque(IndividualFactory())
    assert again.status == PaymentStatus.RECEIVED


def test_staff_may_confirm_a_genuinely_different_cheque_with_a_reason(first, staff_user):
    other = IndividualFactory()
    with pytest.raises(DuplicatePayment):
        cheque(other, confirm_duplicate_reason="   ")
    payment = cheque(other, confirm_duplicate_reason="Deux chéquiers différents")
    assert payment.duplicate_confirmed
    entry = AuditEntry.objects.get(action="payment.duplicate_confirmed")
    assert entry.object_id == str(payment.pk)
    assert entry.after == {"twin": first.pk}
    assert entry.note == "Deux chéquiers différents"


def test_the_database_refuses_the_same_cheque_for_two_members(first):
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(
            member=IndividualFactory(),
            cheque_number="5550001",
            bank="Crédit Mutuel",
            amount=Decimal("50"),
        )
    PaymentFactory(
        member=IndividualFactory(),
        cheque_number="5550001",
        bank="Crédit Mutuel",
        amount=Decimal("50"),
        duplicate_confirmed=True,
    )


def test_the_desk_refuses_then_saves_on_confirmation(client, staff_user, first):
    other = IndividualFactory(last_name="Zola")
    client.force_login(staff_user)
    data = {
        "member": other.pk,
        "method": "cheque",
        "amount": "50",
        "cheque_number": "5550001",
        "bank": "Crédit Mutuel",
        "received_on": timezone.localdate().isoformat(),
        "year": current_year(),
    }
    page = text(client.post(reverse("dues:desk"), data))
    assert f"est déjà enregistré pour Lucie Aubrac ({first.member.reference})" in page
    assert 'name="confirm_duplicate"' in page
    assert 'value="5550001"' in page
    page = text(client.post(reverse("dues:desk"), {**data, "confirm_duplicate": "on"}))
    assert "Indiquez pourquoi ce chèque est différent" in page
    response = client.post(
        reverse("dues:desk"),
        {**data, "confirm_duplicate": "on", "confirm_duplicate_reason": "Autre chéquier"},
    )
    assert response.status_code == 302
    assert Payment.objects.get(member=other).duplicate_confirmed


def test_the_same_paper_form_twice_never_records_the_cheque_twice(client, staff_user, cac):
    client.force_login(staff_user)
    data = paper_post()
    assert client.post(reverse("dues:paper_form"), data).status_code == 302
    client.post(reverse("dues:paper_form"), data)
    client.post(reverse("dues:paper_form"), {**data, "create_anyway": "1"})
    assert Payment.objects.filter(cheque_number="5550001").count() == 1
