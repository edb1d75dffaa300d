"""The staff's dashboard: the month's money by method and what waits for someone, in counts
only, in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dues.models import PaymentMethod, PaymentStatus
from receipts.models import EmailStatus, Receipt
from receipts.services import issue_organisation_receipt
from tests.factories import (
    DepositSlipFactory,
    IndividualFactory,
    OrganisationFactory,
    PaymentFactory,
)
from tests.helpers import text

pytestmark = pytest.mark.django_db


def received(member, amount, on=None, method=PaymentMethod.CHEQUE, **extra):
    if method != PaymentMethod.CHEQUE:
        extra.update(cheque_number="", bank="", drawer="")
    return PaymentFactory(
        member=member,
        amount=Decimal(amount),
        received_on=on or timezone.localdate(),
        method=method,
        **extra,
    )


def test_the_month_by_method_and_the_pending_work(staff_client, cac):
    today = timezone.localdate()
    lucie = IndividualFactory(first_name="Lucie", last_name="Aubrac")
    canal = OrganisationFactory(name="Les Amis du Canal")
    received(lucie, "50")
    received(lucie, "25.50", on=today.replace(day=1))
    received(canal, "100", method=PaymentMethod.TRANSFER)
    received(lucie, "10", method=PaymentMethod.CASH)
    received(lucie, "999", status=PaymentStatus.REJECTED, status_reason="impayé")
    received(lucie, "70", on=today.replace(day=1) - datetime.timedelta(days=1))  # last month
    received(canal, "30", deposit_slip=DepositSlipFactory())
    issued = issue_organisation_receipt(
        received(canal, "40", method=PaymentMethod.TRANSFER).pk, actor=None
    )
    Receipt.objects.filter(pk=issued.pk).update(email_status=EmailStatus.FAILED)

    response = staff_client.get(reverse("dues:dashboard"))
    assert response.status_code == 200
    month = response.context["month"]
    by_method = {row["method"]: (row["count"], row["total"]) for row in month["methods"]}
    assert by_method == {
        "cheque": (3, Decimal("105.50")),
        "transfer": (2, Decimal("140.00")),
        "cash": (1, Decimal("10.00")),
    }
    assert (month["count"], month["total"]) == (6, Decimal("255.50"))
    body = text(response)
    # The cheques of the month and of last month, on no slip or on one not deposited yet.
    assert "4 chèques pas encore remis en banque (175,50\u00a0€)</strong>, dont 1 déjà" in body
    assert "2 paiements d'organisations sans reçu" in body
    assert "1 reçu sans son PDF" in body
    assert "1 e-mail de reçu non parvenu" in body
    # Counts only: no member's name on the staff's dashboard.
    assert "Aubrac" not in body and "Amis du Canal" not in body


def test_the_staff_dashboard_costs_the_same_queries_whatever_the_data(staff_client, cac):
    counts = []
    # The first page of a process reads the collective, then kept between requests.
    staff_client.get(reverse("dues:dashboard"))
    for people in (1, 10):
        for _ in range(people):
            canal = OrganisationFactory()
            received(canal, "30")
            issue_organisation_receipt(received(canal, "20").pk, actor=None)
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("dues:dashboard")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
