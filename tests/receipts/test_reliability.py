"""A down broker, a lost email, a missing PDF: the sweep catches up; the schedule runs it."""

import datetime
import smtplib
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from cac_portal.celery import app as celery_app
from dues.models import Payment
from dues.services import record_payment
from receipts import tasks
from receipts.models import AnnualBatch, Receipt
from receipts.services import issue_organisation_receipt
from receipts.services.mailing import is_temporary
from receipts.services.sweep import sweep
from tests.helpers import pay

pytestmark = pytest.mark.django_db


def later(minutes):
    return timezone.now() + datetime.timedelta(minutes=minutes)


def test_broker_down_the_cheque_is_recorded_and_the_sweep_issues_the_receipt(
    company, staff_user, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.issue_organisation_receipt, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        payment = record_payment(
            member=company,
            amount=Decimal("300"),
            method="cheque",
            received_on=timezone.localdate(),
            year=timezone.localdate().year,
            cheque_number="42",
            actor=staff_user,
        )
    assert Payment.objects.filter(pk=payment.pk, status="received").exists()
    assert not Receipt.objects.exists()
    assert "left to the sweep" in caplog.text

    assert sweep(now=later(0))["issued"] == 0, "the on-commit task gets its minute first"
    counts = sweep(now=later(2))
    assert counts["issued"] == 1
    receipt = Receipt.objects.get()
    assert receipt.lines.get().payment_id == payment.pk and receipt.pdf
    assert sweep(now=later(3))["issued"] == 0, "idempotent"


def test_sweep_leaves_a_receipt_cancelled_without_reissue_alone(cac, organisation):
    from receipts.services import cancel_receipt

    receipt = issue_organisation_receipt(pay(organisation, "50").pk, actor=None)
    cancel_receipt(receipt, reason="Don déjà reçu par ailleurs", reissue=False, actor=None)
    assert sweep(now=later(2))["issued"] == 0
    assert not Receipt.objects.valid().exists()


def test_sweep_renders_missing_pdfs_and_sends_unsent_emails(cac, organisation):
    receipt = issue_organisation_receipt(pay(organisation, "50").pk, actor=None)
    assert not receipt.pdf
    counts = sweep(now=later(45))
    receipt.refresh_from_db()
    assert counts["rendered"] == 1 and receipt.pdf
    assert counts["emailed"] == 1 and receipt.emailed_at
    assert mail.outbox[0].to == ["lac@example.org"]
    assert sweep(now=later(50))["emailed"] == 0


def test_sweep_withdraws_a_bounced_payment_from_its_receipt(cac, organisation):
    payment = pay(organisation, "50")
    receipt = issue_organisation_receipt(payment.pk, actor=None)
    Payment.objects.filter(pk=payment.pk).update(status="rejected", status_reason="sans provision")
    assert sweep(now=later(2))["withdrawn"] == 1
    receipt.refresh_from_db()
    assert receipt.status == "cancelled"


def test_email_failure_is_kept_and_only_temporary_ones_are_retried(cac, organisation, monkeypatch):
    receipt = issue_organisation_receipt(pay(organisation, "50").pk, actor=None)

    def refused(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"lac@example.org": (550, b"no such user")})

    monkeypatch.setattr(mail.EmailMessage, "send", refused)
    result = tasks.deliver_receipt.apply(args=[receipt.pk])
    assert result.successful(), "a wrong address is kept, not a task to retry"
    receipt.refresh_from_db()
    assert receipt.email_status == "failed"
    assert receipt.email_error.startswith("SMTPRecipientsRefused")
    assert receipt.emailed_at is None
    assert sweep(now=later(45))["emailed"] == 0, "a wrong address is not retried for ever"

    def disconnected(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    other = issue_organisation_receipt(pay(organisation, "60").pk, actor=None)
    monkeypatch.setattr(mail.EmailMessage, "send", disconnected)
    monkeypatch.setattr(tasks.deliver_receipt, "max_retries", 0)
    with pytest.raises(tasks.mailing.TemporaryEmailError):
        tasks.deliver_receipt.apply(args=[other.pk])
    other.refresh_from_db()
    assert (other.email_status, other.email_attempts) == ("deferred", 1)
    monkeypatch.undo()
    assert sweep(now=later(45))["emailed"] == 1, "the sweep sends it once the server is back"
    other.refresh_from_db()
    assert other.email_status == "sent" and other.email_error == ""

    assert is_temporary(smtplib.SMTPServerDisconnected("gone"))
    assert is_temporary(smtplib.SMTPResponseException(451, b"try later"))
    assert is_temporary(ConnectionRefusedError())
    assert not is_temporary(smtplib.SMTPResponseException(554, b"rejected"))
    assert not is_temporary(ValueError())
    assert tasks.deliver_receipt.autoretry_for == (
        tasks.mailing.TemporaryEmailError,
        *tasks.STORAGE_ERRORS,
    )


def test_beat_schedule():
    schedule = celery_app.conf.beat_schedule
    annual = schedule["receipts-annual-batch"]
    assert annual["task"] == tasks.start_annual_batch.name
    assert annual["schedule"] == crontab(minute=0, hour=6, day_of_month=2, month_of_year=1)
    sweep_entry = schedule["receipts-sweep"]
    assert sweep_entry["task"] == tasks.sweep_receipts.name
    assert sweep_entry["schedule"] == crontab(minute="*/5")
    assert set(celery_app.tasks) >= {annual["task"], sweep_entry["task"]}


def test_beat_batch_takes_the_previous_year(cac, monkeypatch):
    seen = []

    def issue_annual_receipts(year, *, actor):
        seen.append(year)
        return AnnualBatch(pk=1, fiscal_year=year)

    monkeypatch.setattr(tasks.batch, "issue_annual_receipts", issue_annual_receipts)
    tasks.start_annual_batch.apply()
    assert seen == [timezone.localdate().year - 1]


def test_tasks_are_acknowledged_late():
    for task in (
        tasks.issue_organisation_receipt,
        tasks.issue_annual_chunk,
        tasks.email_receipts,
        tasks.deliver_receipt,
        tasks.sweep_receipts,
    ):
        assert task.acks_late
    assert celery_app.conf.task_reject_on_worker_lost


def test_the_sweep_task_as_beat_runs_it_issues_what_the_broker_outage_left(
    company, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    """Beat sends `receipts.tasks.sweep_receipts` with no argument: run exactly that."""

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.issue_organisation_receipt, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        payment = record_payment(
            member=company,
            amount=Decimal("120"),
            method="cheque",
            received_on=timezone.localdate(),
            year=timezone.localdate().year,
            cheque_number="77",
            actor=staff_user,
        )
    Payment.objects.filter(pk=payment.pk).update(created_at=later(-6))
    task = celery_app.tasks[celery_app.conf.beat_schedule["receipts-sweep"]["task"]]
    result = task.apply()
    assert result.successful(), result.traceback
    assert result.get()["issued"] == 1
    assert Receipt.objects.get().lines.get().payment_id == payment.pk
