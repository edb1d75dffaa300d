"""The batch's group path: a group of members locked and read in a few statements, its new
summaries numbered and inserted together, with the member-by-member path as its fallback."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dues.models import Counter
from members import audit
from members.models import AuditEntry
from receipts.models import AnnualBatch, Receipt
from receipts.services import annual, issue_annual_receipt, issuing
from receipts.services import batch as batch_service
from receipts.services.rendering import ensure_pdf
from tests.factories import IndividualFactory
from tests.helpers import LAST_YEAR, numbers_are_continuous, pay, run_at_once

# slow: WeasyPrint renders whole January batches
pytestmark = pytest.mark.slow


def new_batch(member_ids):
    return AnnualBatch.objects.create(fiscal_year=LAST_YEAR, total=len(member_ids))


@pytest.fixture
def mixed_group(cac):
    """A group as a duplicate delivery of a chunk may see it: each case of `run_chunk`."""
    kept, rejected, late, new, other = (IndividualFactory() for _ in range(5))
    pay(kept, "30")
    # A valid summary, sent, nothing new since.
    ensure_pdf(issue_annual_receipt(kept.pk, LAST_YEAR, actor=None)[0])
    bounced = pay(rejected, "40")
    bounced.status, bounced.status_reason = "rejected", "sans provision"
    bounced.save()
    pay(late, "10")
    ensure_pdf(issue_annual_receipt(late.pk, LAST_YEAR, actor=None)[0])
    pay(late, "15", on=datetime.date(LAST_YEAR, 12, 30))  # received after its summary
    pay(new, "20")
    pay(new, "5", method="cash", on=datetime.date(LAST_YEAR, 2, 1))
    pay(other, "12.50")
    return {"kept": kept, "rejected": rejected, "late": late, "new": new, "other": other}


@pytest.mark.django_db
def test_a_group_with_every_case(mixed_group, mailoutbox, django_capture_on_commit_callbacks):
    people = mixed_group
    kept_receipt = Receipt.objects.get(member=people["kept"])
    late_receipt = Receipt.objects.get(member=people["late"])
    ids = [person.pk for person in people.values()]
    batch = new_batch(ids)

    with django_capture_on_commit_callbacks(execute=True):
        batch_service.run_chunk(batch.pk, ids)

    batch.refresh_from_db()
    # kept: "existing", not counted; rejected: nothing to cover, done; late: reissued; new
    # and other: created.
    assert (batch.done, batch.failed) == (4, 0)
    assert list(Receipt.objects.filter(member=people["kept"])) == [kept_receipt]
    assert not Receipt.objects.filter(member=people["rejected"]).exists()
    late_receipt.refresh_from_db()
    assert late_receipt.status == "cancelled"
    corrected = Receipt.objects.valid().get(member=people["late"])
    assert corrected.replaces == late_receipt and corrected.amount == Decimal("25.00")
    new = Receipt.objects.get(member=people["new"])
    assert new.amount == Decimal("25.00")
    assert [(line.amount, line.method) for line in new.lines.all()] == [
        (Decimal("5.00"), "cash"),
        (Decimal("20.00"), "cheque"),
    ]
    assert Receipt.objects.get(member=people["other"]).amount == Decimal("12.50")
    assert numbers_are_continuous()
    for receipt in Receipt.objects.filter(member__in=[people["new"], people["other"]]):
        assert receipt.pdf and receipt.pdf_sha256
        entry = AuditEntry.objects.get(action="receipt.issued", object_id=str(receipt.pk))
        assert entry.target == receipt
        assert entry.after == audit.snapshot(receipt, issuing.AUDITED_FIELDS)
    emailed = {message.to[0] for message in mailoutbox}
    assert {people["new"].email, people["other"].email} <= emailed
    assert people["kept"].email not in emailed

    numbers = set(Receipt.objects.values_list("number", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        batch_service.run_chunk(batch.pk, ids)
    assert set(Receipt.objects.values_list("number", flat=True)) == numbers, "nothing new"
    assert Receipt.objects.valid().count() == 4
    assert AnnualBatch.objects.get(pk=batch.pk).failed == 0


@pytest.mark.django_db
def test_a_group_takes_its_numbers_and_inserts_its_rows_at_once(
    cac, django_capture_on_commit_callbacks
):
    people = [IndividualFactory(email="") for _ in range(12)]
    for person in people:
        pay(person, "10")
    ids = [person.pk for person in people]
    batch = new_batch(ids)
    # The year's counter exists already (the year's first number creates it: see numbering).
    Counter.objects.create(name="receipt", year=timezone.localdate().year)

    with CaptureQueriesContext(connection) as queries:
        batch_service.run_chunk(batch.pk, ids)

    def statements(start, table):
        # The statement's own table: FROM for a SELECT (not a join), INTO, UPDATE.
        own = {"SELECT": f'FROM "{table}"', "INSERT": f'INTO "{table}"', "UPDATE": f'"{table}"'}
        return [q["sql"] for q in queries if q["sql"].startswith(start) and own[start] in q["sql"]]

    assert len(statements("SELECT", "dues_counter")) == 1
    assert len(statements("UPDATE", "dues_counter")) == 1
    assert len(statements("INSERT", "receipts_receipt")) == 1
    assert len(statements("INSERT", "receipts_receiptline")) == 1
    assert len(statements("INSERT", "members_auditentry")) == 1
    assert len(statements("SELECT", "members_member")) == 1
    assert Receipt.objects.count() == 12 and numbers_are_continuous()
    assert AnnualBatch.objects.get(pk=batch.pk).done == 12


@pytest.mark.django_db
def test_a_failed_group_insert_falls_back_member_by_member(cac, monkeypatch):
    people = [IndividualFactory(email="") for _ in range(5)]
    for person in people:
        pay(person, "10")
    ids = [person.pk for person in people]
    batch = new_batch(ids)
    real = annual.insert_summaries

    def conflicts(receipts, *, actor):
        real(receipts, actor=actor)  # inserted, numbered, audited ... then rolled back
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(annual, "insert_summaries", conflicts)
    batch_service.run_chunk(batch.pk, ids)

    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (5, 0)
    for person in people:
        assert Receipt.objects.filter(member=person).count() == 1
    assert numbers_are_continuous(), "the rolled-back numbers are taken again"
    assert AuditEntry.objects.filter(action="receipt.issued").count() == 5
    assert not Receipt.objects.filter(pdf="").exists()


@pytest.mark.django_db
def test_a_member_failing_in_the_fallback_is_counted_and_the_others_go_on(cac, monkeypatch):
    people = [IndividualFactory(email="") for _ in range(4)]
    for person in people:
        pay(person, "10")
    ids = [person.pk for person in people]
    batch = new_batch(ids)

    def conflicts(receipts, *, actor):
        raise IntegrityError("duplicate key value violates unique constraint")

    real = batch_service.issue_annual_receipt

    def fails_alone(member_id, *args, **kwargs):
        if member_id == people[1].pk:
            raise ValueError("adresse illisible")
        return real(member_id, *args, **kwargs)

    monkeypatch.setattr(annual, "insert_summaries", conflicts)
    monkeypatch.setattr(batch_service, "issue_annual_receipt", fails_alone)
    batch_service.run_chunk(batch.pk, ids)

    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (3, 1)
    assert "adresse illisible" in batch.last_error
    assert not Receipt.objects.filter(member=people[1]).exists()
    assert Receipt.objects.count() == 3 and numbers_are_continuous()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_overlapping_groups_issue_each_summary_once(cac, monkeypatch):
    # Rendering and emails are not the point here: the locks and the numbers are.
    monkeypatch.setattr(batch_service, "ensure_pdfs", lambda receipts: receipts)
    monkeypatch.setattr(batch_service, "enqueue", lambda *args: None)
    people = [IndividualFactory(email="") for _ in range(12)]
    for person in people:
        pay(person, "10")
    ids = [person.pk for person in people]
    batch = new_batch(ids)

    # Overlapping, and the second one in the reverse order: the group locks its members in
    # primary key order, so the two wait for each other instead of deadlocking.
    run_at_once(
        [
            lambda: batch_service.run_chunk(batch.pk, ids[:8]),
            lambda: batch_service.run_chunk(batch.pk, list(reversed(ids[4:]))),
            lambda: batch_service.run_chunk(batch.pk, ids[2:10]),
        ]
    )

    batch.refresh_from_db()
    # Not rendered here, so not counted as done yet: the receipts are what is looked at.
    assert (Receipt.objects.valid().count(), batch.failed) == (12, 0), batch.last_error
    for person in people:
        assert Receipt.objects.filter(member=person).count() == 1
    assert numbers_are_continuous()
