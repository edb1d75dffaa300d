"""Retention applies by itself (the beat task, by its name) and by hand (`apply_retention`,
`--dry-run`): a member with no payment and no pledge for three years is warned 30 days before
and then erased unless they renewed; receipts past six years after the end of their year of
issue and payments past ten years lose their personal fields; each run leaves one audit entry.
Each boundary is tested on the day before and the day itself, with a frozen clock."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from cac_portal.celery import app as celery_app
from dues.models import Payment
from members.models import AuditEntry, Member
from receipts.models import Receipt, private_storage
from tests.factories import IndividualFactory, OrganisationFactory
from tests.helpers import paris, pay

from .conftest import paid

pytestmark = pytest.mark.django_db

TASK = "members.tasks.apply_retention"


def run_task(day, capture):
    moment = paris(day.year, day.month, day.day, 4)
    with time_machine.travel(moment, tick=False), capture(execute=True):
        celery_app.tasks[TASK].apply()


def test_the_task_runs_every_day_from_beat():
    schedule = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert TASK in schedule


@pytest.fixture
def lapsed(cac):
    """A member whose last payment arrived on 15 June 2020: erased on 15 June 2023."""
    with time_machine.travel(paris(2020, 1, 10), tick=False):
        member = IndividualFactory(last_name="Ancienne", email="ancienne@example.org")
    pay(member, year=2020, on=datetime.date(2020, 6, 15))
    return member


def test_a_lapsed_member_is_warned_30_days_before_then_erased(
    lapsed, mailoutbox, django_capture_on_commit_callbacks
):
    run_task(datetime.date(2023, 5, 15), django_capture_on_commit_callbacks)
    lapsed.refresh_from_db()
    assert lapsed.retention_warned_at is None and mailoutbox == []

    run_task(datetime.date(2023, 5, 16), django_capture_on_commit_callbacks)
    lapsed.refresh_from_db()
    assert lapsed.retention_warned_at is not None
    assert mailoutbox[-1].to == ["ancienne@example.org"]
    assert "15 juin 2023" in mailoutbox[-1].body

    run_task(datetime.date(2023, 6, 14), django_capture_on_commit_callbacks)
    lapsed.refresh_from_db()
    assert lapsed.erased_at is None and lapsed.email == "ancienne@example.org"
    assert len(mailoutbox) == 1, "warned once"

    run_task(datetime.date(2023, 6, 15), django_capture_on_commit_callbacks)
    lapsed.refresh_from_db()
    assert lapsed.erased_at is not None
    assert lapsed.last_name == "Compte fermé" and lapsed.email == ""
    assert lapsed.payments.get().amount  # the payment stays
    assert AuditEntry.objects.filter(action=AuditEntry.Action.MEMBER_ANONYMISED).count() == 1


def test_a_member_who_renews_after_the_warning_is_kept(lapsed, django_capture_on_commit_callbacks):
    run_task(datetime.date(2023, 5, 16), django_capture_on_commit_callbacks)
    pay(lapsed, year=2023, on=datetime.date(2023, 6, 1))
    run_task(datetime.date(2023, 6, 15), django_capture_on_commit_callbacks)
    lapsed.refresh_from_db()
    assert lapsed.erased_at is None and lapsed.email == "ancienne@example.org"


def test_a_warning_sent_late_still_gives_30_days(lapsed, django_capture_on_commit_callbacks):
    run_task(datetime.date(2023, 6, 20), django_capture_on_commit_callbacks)
    lapsed.refresh_from_db()
    assert lapsed.retention_warned_at is not None and lapsed.erased_at is None
    run_task(datetime.date(2023, 7, 19), django_capture_on_commit_callbacks)
    lapsed.refresh_from_db()
    assert lapsed.erased_at is None
    run_task(datetime.date(2023, 7, 20), django_capture_on_commit_callbacks)
    lapsed.refresh_from_db()
    assert lapsed.erased_at is not None


def test_a_member_who_never_paid_counts_from_its_creation(cac, django_capture_on_commit_callbacks):
    with time_machine.travel(paris(2020, 3, 1), tick=False):
        member = IndividualFactory()
    run_task(datetime.date(2023, 1, 29), django_capture_on_commit_callbacks)
    member.refresh_from_db()
    assert member.retention_warned_at is None
    run_task(datetime.date(2023, 1, 30), django_capture_on_commit_callbacks)
    member.refresh_from_db()
    assert member.retention_warned_at is not None
    run_task(datetime.date(2023, 3, 1), django_capture_on_commit_callbacks)
    member.refresh_from_db()
    assert member.erased_at is not None


@pytest.fixture
def receipt_of_2020(cac, django_capture_on_commit_callbacks):
    """An organisation's receipt issued on 2 March 2020, for a cheque received that day."""
    member = OrganisationFactory(name="Ancienne Asso", acronym="", email="asso@example.org")
    with time_machine.travel(paris(2020, 3, 2), tick=False):
        paid(
            member,
            "80.00",
            datetime.date(2020, 3, 2),
            "8880001",
            capture=django_capture_on_commit_callbacks,
        )
    receipt = Receipt.objects.get(member=member)
    assert receipt.issued_on == datetime.date(2020, 3, 2) and receipt.pdf
    return receipt


def test_receipts_lose_their_personal_fields_after_six_years_from_the_end_of_their_year(
    receipt_of_2020, treasurer_user, client, django_capture_on_commit_callbacks
):
    name = receipt_of_2020.pdf.name
    run_task(datetime.date(2026, 12, 31), django_capture_on_commit_callbacks)
    receipt_of_2020.refresh_from_db()
    assert receipt_of_2020.donor_name == "Ancienne Asso"
    assert private_storage().exists(name)

    run_task(datetime.date(2027, 1, 1), django_capture_on_commit_callbacks)
    receipt_of_2020.refresh_from_db()
    assert receipt_of_2020.donor_name == receipt_of_2020.donor_address == ""
    assert receipt_of_2020.donor_email == "" and not receipt_of_2020.pdf
    assert not private_storage().exists(name)
    # What the registers need stays.
    assert receipt_of_2020.number == "2020-00001"
    assert str(receipt_of_2020.amount) == "80.00"
    assert receipt_of_2020.issued_on == datetime.date(2020, 3, 2)
    assert receipt_of_2020.lines.get().amount == receipt_of_2020.amount
    client.force_login(treasurer_user)
    assert client.get(receipt_of_2020.get_absolute_url()).status_code == 404
    run = AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION_APPLIED).latest("pk")
    assert run.after["recus_anonymises"] == 1 and run.after["date"] == "2027-01-01"


def test_payments_lose_their_drawer_after_ten_years_from_the_end_of_their_year(
    cac, django_capture_on_commit_callbacks
):
    member = IndividualFactory()
    payment = pay(member, year=2016, on=datetime.date(2016, 12, 31))
    Payment.objects.filter(pk=payment.pk).update(drawer="Jean Tireur")
    run_task(datetime.date(2026, 12, 31), django_capture_on_commit_callbacks)
    payment.refresh_from_db()
    assert payment.drawer == "Jean Tireur"
    run_task(datetime.date(2027, 1, 1), django_capture_on_commit_callbacks)
    payment.refresh_from_db()
    assert payment.drawer == ""
    assert str(payment.amount) == "50.00" and payment.cheque_number
    assert payment.received_on == datetime.date(2016, 12, 31)


def test_each_run_writes_one_audit_entry_with_its_counts(
    lapsed, django_capture_on_commit_callbacks
):
    run_task(datetime.date(2023, 5, 16), django_capture_on_commit_callbacks)
    runs = AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION_APPLIED)
    assert runs.count() == 1
    assert runs.get().after["membres_prevenus"] == 1
    assert runs.get().after["membres_effaces"] == 0


def test_the_dry_run_says_what_it_would_do_and_changes_nothing(
    lapsed, receipt_of_2020, mailoutbox, django_capture_on_commit_callbacks
):
    entries = AuditEntry.objects.count()
    out = io.StringIO()
    with (
        time_machine.travel(paris(2027, 1, 1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("apply_retention", "--dry-run", stdout=out)
    output = out.getvalue()
    assert f"warn {lapsed.reference}" in output
    assert "recus_anonymises: 1" in output
    assert "dry run: nothing was changed" in output
    lapsed.refresh_from_db()
    receipt_of_2020.refresh_from_db()
    assert lapsed.retention_warned_at is None and lapsed.email
    assert receipt_of_2020.donor_name and receipt_of_2020.pdf
    assert AuditEntry.objects.count() == entries
    assert not [m for m in mailoutbox if "effacées" in m.subject]


def test_the_command_applies_on_a_given_day(lapsed):
    out = io.StringIO()
    call_command("apply_retention", "--date", "2023-05-16", stdout=out)
    assert f"warn {lapsed.reference}" in out.getvalue()
    assert Member.objects.get(pk=lapsed.pk).retention_warned_at is not None
