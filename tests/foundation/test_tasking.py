"""Work handed to the workers: a task's error fails the call that queued it (in tests, where
tasks run in-process), and only a broker that cannot be reached is forgiven."""

from decimal import Decimal

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError

from cac_portal import tasking
from dues.models import Payment
from dues.services import record_payment
from receipts import tasks
from receipts.services import issuing
from tests import clock
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def record_organisation_cheque(staff_user):
    return record_payment(
        member=OrganisationFactory(),
        amount=Decimal("80"),
        method="cheque",
        received_on=clock.in_last_year(3, 2),
        year=clock.LAST_YEAR,
        cheque_number="4400001",
        actor=staff_user,
    )


def test_an_error_in_a_receipt_task_fails_the_call_that_recorded_the_payment(
    cac, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(payment_id, *, actor):
        raise RuntimeError("the receipt template is broken")

    monkeypatch.setattr(issuing, "issue_organisation_receipt", broken)
    with (
        pytest.raises(RuntimeError, match="template is broken"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        record_organisation_cheque(staff_user)


def test_an_unreachable_broker_is_forgiven_and_reported_to_the_page(
    cac, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.issue_organisation_receipt, "apply_async", unreachable)
    with tasking.watch() as undelivered, django_capture_on_commit_callbacks(execute=True):
        payment = record_organisation_cheque(staff_user)
    assert Payment.objects.filter(pk=payment.pk).exists(), "the cheque stays recorded"
    assert undelivered == ["receipts.tasks.issue_organisation_receipt"]


def test_any_other_enqueue_error_raises(cac, monkeypatch, django_capture_on_commit_callbacks):
    def misconfigured(*args, **kwargs):
        raise ValueError("not a broker outage")

    monkeypatch.setattr(tasks.deliver_receipt, "apply_async", misconfigured)
    with pytest.raises(ValueError), django_capture_on_commit_callbacks(execute=True):
        tasking.enqueue("receipts.tasks.deliver_receipt", 1)
    with pytest.raises(KeyError):
        tasking.enqueue("receipts.tasks.no_such_task", 1)


def test_work_is_queued_only_once_the_transaction_commits(cac, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.deliver_receipt, "apply_async", lambda args: sent.append(args))
    with pytest.raises(RuntimeError), transaction.atomic():
        tasking.enqueue("receipts.tasks.deliver_receipt", 1)
        raise RuntimeError("rolled back")
    assert sent == []
