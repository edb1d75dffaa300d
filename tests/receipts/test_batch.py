"""The January batch: one summary per individual, re-runnable, resistant to a crash."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from members.models import AuditEntry
from receipts.models import AnnualBatch, Receipt
from receipts.services import annual, issue_annual_receipts, issue_organisation_receipt, rendering
from tests.factories import IndividualFactory
from tests.helpers import LAST_YEAR, numbers_are_continuous, pay

# slow: WeasyPrint renders whole January batches
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def donors(cac):
    people = [IndividualFactory() for _ in range(7)]
    for person in people:
        pay(person, "30")
        pay(person, "20", method="cash", on=datetime.date(LAST_YEAR, 11, 2))
    return people


def test_one_summary_per_individual_with_progress(
    donors, organisation, treasurer_user, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_BATCH_CHUNK_SIZE = 3
    issue_organisation_receipt(pay(organisation, "100").pk, actor=None)
    bounced = pay(donors[0], "500")
    bounced.status, bounced.status_reason = "rejected", "sans provision"
    bounced.save()
    with django_capture_on_commit_callbacks(execute=True):
        batch = issue_annual_receipts(LAST_YEAR, actor=treasurer_user)
    batch.refresh_from_db()
    assert (batch.total, batch.done, batch.failed, batch.status) == (7, 7, 0, "done")
    annual = Receipt.objects.filter(kind="annual")
    assert annual.count() == 7
    assert {r.amount for r in annual} == {Decimal("50.00")}
    assert all(r.pdf for r in annual)
    assert numbers_are_continuous()


def test_running_it_again_only_fills_what_is_missing(donors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issue_annual_receipts(LAST_YEAR, actor=None)
    first = set(Receipt.objects.values_list("number", flat=True))
    newcomer = IndividualFactory()
    pay(newcomer, "10")
    with django_capture_on_commit_callbacks(execute=True):
        batch = issue_annual_receipts(LAST_YEAR, actor=None)
    assert (batch.queued, batch.total) == (1, 8), "one to issue, of eight who need one"
    assert Receipt.objects.filter(member=newcomer).count() == 1
    assert set(Receipt.objects.values_list("number", flat=True)) > first
    assert Receipt.objects.count() == 8


def test_late_payment_reissues_the_summary(donors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issue_annual_receipts(LAST_YEAR, actor=None)
    old = Receipt.objects.get(member=donors[0])
    pay(donors[0], "25", on=datetime.date(LAST_YEAR, 12, 30))
    with django_capture_on_commit_callbacks(execute=True):
        issue_annual_receipts(LAST_YEAR, actor=None)
    old.refresh_from_db()
    new = Receipt.objects.valid().get(member=donors[0])
    assert old.status == "cancelled" and new.replaces == old
    assert new.amount == Decimal("75.00")


class WorkerKilled(BaseException):
    """What the process sees when the OS kills it: not an Exception the chunk could catch."""


def dies_on_the_fourth_call(real):
    calls = []

    def dying(*args, **kwargs):
        calls.append(args)
        if len(calls) == 4:
            raise WorkerKilled
        return real(*args, **kwargs)

    return dying


@pytest.mark.parametrize("stage", ["issuing", "rendering"])
def test_crash_in_the_middle_then_run_again(
    donors, stage, monkeypatch, django_capture_on_commit_callbacks
):
    target = (annual, "build_receipt") if stage == "issuing" else (rendering, "render_pdf")
    real = getattr(*target)
    monkeypatch.setattr(*target, dies_on_the_fourth_call(real))
    with pytest.raises(WorkerKilled), django_capture_on_commit_callbacks(execute=True):
        issue_annual_receipts(LAST_YEAR, actor=None)
    assert AnnualBatch.objects.get().status == "running"
    if stage == "issuing":
        assert Receipt.objects.count() == 0, "the group in flight is rolled back, numbers too"
    else:
        assert Receipt.objects.count() == 7
        assert Receipt.objects.filter(pdf="").count() == 7, "the crashed group is unrecorded"

    monkeypatch.setattr(*target, real)
    with django_capture_on_commit_callbacks(execute=True):
        batch = issue_annual_receipts(LAST_YEAR, actor=None)
    batch.refresh_from_db()
    assert batch.status == "done"
    for person in donors:
        assert Receipt.objects.filter(member=person).count() == 1
    assert numbers_are_continuous()
    assert not Receipt.objects.filter(pdf="").exists(), "the crashed receipts' PDFs are rendered"


def test_a_failing_member_is_counted_and_the_others_go_on(
    donors, monkeypatch, django_capture_on_commit_callbacks
):
    real = annual.build_receipt

    def fails_for_one(*, member, **kwargs):
        if member.pk == donors[2].pk:
            raise ValueError("adresse illisible")
        return real(member=member, **kwargs)

    monkeypatch.setattr(annual, "build_receipt", fails_for_one)
    with django_capture_on_commit_callbacks(execute=True):
        batch = issue_annual_receipts(LAST_YEAR, actor=None)
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.status) == (6, 1, "done")
    assert "adresse illisible" in batch.last_error


def test_command_prints_progress(donors):
    out = io.StringIO()
    # The command runs in autocommit, where on_commit callbacks (the chunks, in-process without
    # a broker) run at once; the test's transaction would hold them until after the command's
    # wait for the batch, so they run at once here too.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
        )
        call_command("issue_annual_receipts", str(LAST_YEAR), stdout=out)
    text = out.getvalue()
    assert f"batch {LAST_YEAR}: 7 receipt(s) to issue" in text
    assert "7/7 issued, 0 failed (100 %)" in text


def test_progress_is_read_from_the_receipts_and_never_goes_back_on_a_rerun(
    donors, monkeypatch, django_capture_on_commit_callbacks
):
    real = rendering.render_pdf
    monkeypatch.setattr(rendering, "render_pdf", dies_on_the_fourth_call(real))
    with pytest.raises(WorkerKilled), django_capture_on_commit_callbacks(execute=True):
        issue_annual_receipts(LAST_YEAR, actor=None)
    batch = AnnualBatch.objects.get()
    assert Receipt.objects.filter(pdf="").count() == 7, "issued, not rendered"
    assert (batch.done, batch.total, batch.status) == (0, 7, "running"), "counts rendered ones"
    seen = [batch.done]

    monkeypatch.setattr(rendering, "render_pdf", real)
    newcomer = IndividualFactory()
    pay(newcomer, "10")
    with django_capture_on_commit_callbacks(execute=True):
        batch = issue_annual_receipts(LAST_YEAR, actor=None)
        seen.append(AnnualBatch.objects.get().done)
    batch.refresh_from_db()
    seen.append(batch.done)
    assert seen == sorted(seen) and seen[-1] == 8, f"never backwards: {seen}"
    assert (batch.total, batch.status, batch.percent()) == (8, "done", 100)


def test_the_sweep_resumes_a_batch_whose_worker_died(
    donors, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from receipts import tasks

    settings.RECEIPTS_BATCH_STALL_SECONDS = 600
    monkeypatch.setattr(tasks.issue_annual_chunk, "apply_async", lambda args: None)  # lost
    with django_capture_on_commit_callbacks(execute=True):
        issue_annual_receipts(LAST_YEAR, actor=None)
    assert AnnualBatch.objects.get().status == "running"
    assert not Receipt.objects.exists()
    monkeypatch.undo()

    from receipts.services.sweep import sweep

    soon = timezone.now() + datetime.timedelta(seconds=60)
    assert sweep(now=soon)["resumed"] == 0, "still within the stall delay"
    later = timezone.now() + datetime.timedelta(seconds=601)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(now=later)["resumed"] == 1
    batch = AnnualBatch.objects.get()
    assert (batch.status, batch.done, batch.total) == ("done", 7, 7)
    assert AuditEntry.objects.filter(action="batch.resumed", actor=None).count() == 1


def test_the_progress_counts_a_receipt_once_its_pdf_exists(
    donors, monkeypatch, django_capture_on_commit_callbacks
):
    """The treasurer reads "7 issued of 7" only once the seven PDFs exist: while the group is
    being rendered, what it issued is not counted yet."""
    real = rendering.render_pdf
    seen = []

    def render_and_look(receipt, **kwargs):
        seen.append(AnnualBatch.objects.get().done)
        return real(receipt, **kwargs)

    monkeypatch.setattr(rendering, "render_pdf", render_and_look)
    with django_capture_on_commit_callbacks(execute=True):
        batch = issue_annual_receipts(LAST_YEAR, actor=None)
    assert seen == [0] * 7, f"counted before their PDF existed: {seen}"
    batch.refresh_from_db()
    assert (batch.done, batch.status) == (7, "done")
