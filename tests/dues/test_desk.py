"""The morning post page without a browser: search, save, duplicate, undo, no-JS fallback."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dues.campaign import current_year
from dues.models import Payment, PaymentStatus
from members.models import AuditEntry
from tests import clock
from tests.factories import IndividualFactory, OrganisationFactory, PledgeFactory
from tests.helpers import desk_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def lucie(cac):
    return IndividualFactory(first_name="Lucie", last_name="Aubrac", email="lucie@example.org")


entry = desk_entry


def search(client, query):
    response = client.get(reverse("dues:member_search"), {"q": query})
    assert response.status_code == 200
    return [result["label"] for result in response.json()["results"]]


def test_search_by_name_reference_email_and_acronym(staff_client, lucie):
    network = OrganisationFactory(name="Réseau des écoles", acronym="RDE", email="rde@example.org")
    IndividualFactory(first_name="Paul", last_name="Martin")
    assert search(staff_client, "aubrac") == ["Lucie Aubrac"]
    assert search(staff_client, "lucie aub") == ["Lucie Aubrac"]
    assert search(staff_client, lucie.reference) == ["Lucie Aubrac"]
    assert "Lucie Aubrac" in search(staff_client, str(lucie.pk))
    assert search(staff_client, lucie.reference.lower().replace("-", "")) == ["Lucie Aubrac"]
    assert search(staff_client, "lucie@example") == ["Lucie Aubrac"]
    assert search(staff_client, "RDE") == [network.display_name]
    assert search(staff_client, "personne-inconnue") == []
    assert search(staff_client, "") == []


def test_search_shows_the_open_pledge(staff_client, lucie):
    PledgeFactory(member=lucie, year=current_year(), amount=Decimal("100"))
    result = staff_client.get(reverse("dues:member_search"), {"q": "Aubrac"}).json()["results"][0]
    assert result["pledge"] == "100.00"
    assert result["reference"] == lucie.reference


def test_saving_a_cheque_lists_it_with_an_undo(staff_client, staff_user, lucie):
    page = staff_client.get(reverse("dues:desk"))
    form = page.context["form"]
    assert form["received_on"].value() == timezone.localdate()
    assert form["year"].value() == current_year()
    assert form["method"].value() == "cheque"

    response = staff_client.post(reverse("dues:desk"), entry(lucie))
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.drawer, payment.recorded_by) == (
        Decimal("50.00"),
        "Lucie Aubrac",
        staff_user,
    )
    page = staff_client.get(reverse("dues:desk"))
    assert page.context["recent"] == [payment]
    cancel_url = reverse("dues:payment_cancel", args=[payment.pk])
    assert cancel_url in page.content.decode()

    response = staff_client.post(
        cancel_url, {"reason": "Erreur de saisie", "next": reverse("dues:desk")}
    )
    assert response["Location"] == reverse("dues:desk")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED
    assert AuditEntry.objects.filter(action="payment.cancelled", actor=staff_user).count() == 1


def test_the_same_cheque_twice_shows_the_services_message_next_to_the_form(staff_client, lucie):
    staff_client.post(reverse("dues:desk"), entry(lucie))
    response = staff_client.post(reverse("dues:desk"), entry(lucie))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "est déjà enregistré pour Lucie Aubrac" in html
    # Nothing typed is lost.
    assert 'value="1234567"' in html
    assert response.context["selected_member"] == lucie
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "dix"}, "amount"),
        ({"cheque_number": ""}, "cheque_number"),
        ({"member": ""}, "member"),
    ],
)
def test_bad_entries_are_refused_next_to_the_field(staff_client, lucie, overrides, field):
    response = staff_client.post(reverse("dues:desk"), entry(lucie, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Payment.objects.exists()


def test_transfers_need_no_cheque_number(staff_client, lucie):
    staff_client.post(
        reverse("dues:desk"), entry(lucie, method="transfer", cheque_number="", amount="20")
    )
    assert Payment.objects.get().method == "transfer"


def test_without_javascript_the_search_fills_a_select(staff_client, lucie):
    response = staff_client.get(reverse("dues:desk"), {"q": "Aubrac"})
    html = response.content.decode()
    assert f'<option value="{lucie.pk}">' in html
    assert 'name="member"' in html


def test_a_bounced_cheque_is_rejected_with_its_reason(staff_client, lucie):
    staff_client.post(reverse("dues:desk"), entry(lucie))
    payment = Payment.objects.get()
    url = reverse("dues:payment_reject", args=[payment.pk])
    assert staff_client.post(url, {"reason": ""}).status_code == 400
    response = staff_client.post(url, {"reason": "Chèque sans provision"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.status_reason) == ("rejected", "Chèque sans provision")
    detail = staff_client.get(reverse("dues:payment_detail", args=[payment.pk]))
    assert "marqué rejeté (chèque impayé)" in detail.content.decode()


def test_a_cheque_number_is_corrected_before_deposit(staff_client, lucie):
    staff_client.post(reverse("dues:desk"), entry(lucie))
    payment = Payment.objects.get()
    response = staff_client.post(
        reverse("dues:payment_edit", args=[payment.pk]),
        {"cheque_number": "7654321", "bank": "CIC", "drawer": ""},
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.cheque_number, payment.bank, payment.drawer) == (
        "7654321",
        "CIC",
        "Lucie Aubrac",
    )


def test_received_on_and_year_can_be_changed(staff_client, lucie):
    staff_client.post(
        reverse("dues:desk"),
        entry(lucie, received_on=clock.in_last_year(12, 30).isoformat(), year=current_year() + 1),
    )
    payment = Payment.objects.get()
    assert payment.received_on == clock.in_last_year(12, 30)
    assert payment.year == current_year() + 1


# As in production, the service's transaction commits (and its tasks are queued) inside the
# request: a transactional test, not one wrapped in a transaction that never commits.
@pytest.mark.django_db(transaction=True)
def test_the_desk_says_the_receipt_will_follow_when_the_queue_is_unreachable(
    staff_client, monkeypatch
):
    from kombu.exceptions import OperationalError

    from receipts import tasks

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    network = OrganisationFactory(name="Réseau des écoles")
    monkeypatch.setattr(tasks.issue_organisation_receipt, "apply_async", unreachable)
    response = staff_client.post(reverse("dues:desk"), entry(network), follow=True)
    page = response.content.decode()
    assert "Enregistré" in page and Payment.objects.filter(member=network).exists()
    assert "le reçu sera émis et envoyé automatiquement dès son retour" in page

    monkeypatch.undo()
    response = staff_client.post(
        reverse("dues:desk"), entry(network, cheque_number="7654321"), follow=True
    )
    assert "injoignable" not in response.content.decode(), "no word when all went well"


@pytest.mark.parametrize("query", ["\x00", "Aubrac\x00", "Au\x1bbrac", "x" * 101])
def test_a_search_with_a_nul_byte_says_so_and_finds_nothing(staff_client, lucie, query):
    response = staff_client.get(reverse("dues:member_search"), {"q": query})
    assert response.status_code == 400
    assert response.json()["results"] == []
    assert response.json()["errors"]
    page = staff_client.get(reverse("dues:desk"), {"q": query})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="nojs-q_errors"' in html
    assert f'<option value="{lucie.pk}">' not in html


@pytest.mark.parametrize("typed", ["1.000", "1,000", "1.000,50", "1,000.50"])
def test_the_desk_refuses_an_ambiguous_amount_like_the_public_form(staff_client, lucie, typed):
    response = staff_client.post(reverse("dues:desk"), entry(lucie, amount=typed))
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        "Écrivez le montant sans séparateur de milliers, par exemple 1000 ou 1 000,50."
    ]
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1000", "1000"),
        ("1 000", "1000"),
        ("1\u00a0000,50", "1000.50"),
        ("1000.50", "1000.50"),
        ("250 000 €", "250000"),
    ],
)
def test_the_desk_reads_amounts_like_the_public_form(staff_client, lucie, typed, amount):
    response = staff_client.post(reverse("dues:desk"), entry(lucie, amount=typed))
    assert response.status_code == 302
    assert Payment.objects.get().amount == Decimal(amount)
