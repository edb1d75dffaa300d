"""Every `next` a page reads goes through one helper: only a path of this site is followed,
anything else sends the visitor to the page's default, and the change is saved once either way
(never a 500 after the commit)."""

import pytest
from django.urls import reverse

from dues.models import PaymentStatus
from members.models import AuditEntry
from receipts.models import ErrorReport
from receipts.services import issue_annual_receipt
from tests.factories import IndividualFactory, PaymentFactory
from tests.helpers import BAD_NEXT, LAST_YEAR, member_of, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(cac):
    return PaymentFactory(member=IndividualFactory(first_name="Lucie", last_name="Aubrac"))


@pytest.mark.parametrize("value", BAD_NEXT)
@pytest.mark.parametrize(
    ("name", "status"), [("payment_cancel", "cancelled"), ("payment_reject", "rejected")]
)
def test_the_desk_saves_once_and_goes_to_the_payment(
    client, staff_user, payment, name, status, value
):
    client.force_login(staff_user)
    response = client.post(
        reverse(f"dues:{name}", args=[payment.pk]), {"reason": "Motif", "next": value}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dues:payment_detail", args=[payment.pk])
    payment.refresh_from_db()
    assert payment.status == status
    assert AuditEntry.objects.filter(action=f"payment.{status}").count() == 1


def test_the_desk_follows_a_path_of_this_site(client, staff_user, payment):
    client.force_login(staff_user)
    response = client.post(
        reverse("dues:payment_cancel", args=[payment.pk]),
        {"reason": "Erreur", "next": "/gestion/?q=Aubrac"},
    )
    assert response["Location"] == "/gestion/?q=Aubrac"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED


@pytest.mark.parametrize("value", ["abc", "//evil.example"])
def test_the_desk_form_does_not_carry_a_bad_next(client, staff_user, payment, value):
    client.force_login(staff_user)
    response = client.get(reverse("dues:payment_reject", args=[payment.pk]), {"next": value})
    assert response.status_code == 200
    assert response.context["next"] == ""


@pytest.fixture
def receipt(member_user):
    member = member_of(member_user)
    pay(member, "50")
    return issue_annual_receipt(member.pk, LAST_YEAR, actor=None)[0]


@pytest.mark.parametrize("value", BAD_NEXT)
def test_an_error_report_is_saved_once_and_the_member_goes_to_their_space(
    client, member_user, receipt, value
):
    client.force_login(member_user)
    response = client.post(
        reverse("receipts:report_error", args=[receipt.code]),
        {"message": "Mon adresse a changé", "next": value},
    )
    assert response.status_code == 302
    assert response["Location"] == "/compte/"
    assert ErrorReport.objects.filter(receipt=receipt).count() == 1


@pytest.mark.parametrize("value", BAD_NEXT)
def test_resolving_a_report_goes_back_to_the_treasury(client, treasurer_user, receipt, value):
    report = ErrorReport.objects.create(receipt=receipt, message="Adresse")
    client.force_login(treasurer_user)
    response = client.post(reverse("receipts:resolve_report", args=[report.pk]), {"next": value})
    assert response.status_code == 302
    assert response["Location"] == "/tresorerie/"
    report.refresh_from_db()
    assert report.resolved_at is not None
