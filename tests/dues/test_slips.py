"""Deposit slips: gap-free numbers, only waiting cheques, deposited for good, a readable PDF."""

import datetime
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


def _waiting(count, received_on):
    return [PaymentFactory(received_on=received_on) for _ in range(count)]


def _ticked(html):
    return html.count('name="payments"'), html.count(" checked")


def test_the_new_slip_page_shows_at_most_200_cheques_and_says_how_many_wait(staff_client):
    from dues.views.slips import SLIP_PAGE_CAP

    today = timezone.localdate()
    _waiting(SLIP_PAGE_CAP + 5, today - datetime.timedelta(days=3))
    newest = _waiting(2, today)
    response = staff_client.get(reverse("dues:slip_new"))
    html = response.content.decode()
    assert "207 chèques en attente ; 200 affichés (les plus anciens), filtrez par date" in html
    assert _ticked(html) == (200, 200)
    # The oldest go first: the two of today wait for the next slip or a filter.
    assert f'value="{newest[0].pk}"' not in html
    # Creating the slip takes what the page showed and ticked.
    staff_client.post(
        reverse("dues:slip_new"), {"payments": [c.pk for c in response.context["cheques"]]}
    )
    assert DepositSlip.objects.get().payments.count() == 200
    html = staff_client.get(reverse("dues:slip_new")).content.decode()
    assert "7 chèques en attente, tous affichés." in html
    assert _ticked(html) == (7, 7)


def test_the_new_slip_page_filters_by_date_received(staff_client):
    today = timezone.localdate()
    old = _waiting(3, today - datetime.timedelta(days=40))
    recent = _waiting(2, today - datetime.timedelta(days=2))
    week_ago = (today - datetime.timedelta(days=7)).isoformat()
    response = staff_client.get(reverse("dues:slip_new"), {"received_from": week_ago})
    html = response.content.decode()
    assert {c.pk for c in response.context["cheques"]} == {c.pk for c in recent}
    assert "5 chèques en attente, dont 2 reçus dans cette période, tous affichés." in html
    assert _ticked(html) == (2, 2)
    response = staff_client.get(reverse("dues:slip_new"), {"received_to": week_ago})
    assert {c.pk for c in response.context["cheques"]} == {c.pk for c in old}
    # The filter stays on the page the form goes back to.
    assert f"received_to={week_ago}" in response.content.decode()


def test_a_filter_that_makes_no_sense_is_refused_next_to_the_field(staff_client):
    _waiting(2, timezone.localdate())
    response = staff_client.get(
        reverse("dues:slip_new"), {"received_from": "2026-05-01", "received_to": "2026-04-01"}
    )
    assert response.status_code == 200
    assert response.context["filters"].errors["received_to"]
    assert len(response.context["cheques"]) == 2
    response = staff_client.get(reverse("dues:slip_new"), {"received_from": "hier"})
    assert response.context["filters"].errors["received_from"]


def test_select_all_and_none_work_without_javascript(staff_client):
    cheques = _waiting(3, timezone.localdate())
    url = reverse("dues:slip_new")
    response = staff_client.post(url, {"payments": [cheques[0].pk], "select": "none"})
    assert response.status_code == 200
    assert _ticked(response.content.decode()) == (3, 0)
    response = staff_client.post(url, {"payments": [cheques[0].pk], "select": "all"})
    assert _ticked(response.content.decode()) == (3, 3)
    assert not DepositSlip.objects.exists()


@pytest.mark.parametrize("value", ["²", "99999999999999999999", "-1", "abc", "\x00"])
def test_odd_cheque_ids_are_refused_and_nothing_is_created(staff_client, value):
    _waiting(1, timezone.localdate())
    response = staff_client.post(reverse("dues:slip_new"), {"payments": [value]})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not DepositSlip.objects.exists()
