"""The January batch: one yearly summary per individual, fanned out to the workers in chunks.

Invariant: running it again, after a crash or a double click, only fills what is missing. A
group's receipts are committed together with the batch's sign of progress; the progress shown
is read from the receipts that exist and have their PDF, so a crash loses at most the group in
flight (rolled back with its numbers) and a re-run never shows the count going back. A group
is then rendered in a transaction that holds its rows: `render_missing` (the batch's last
task, the sweep) skips rows held that way, so no PDF is rendered twice. A batch whose workers
died is resumed by the sweep once it made no progress for `RECEIPTS_BATCH_STALL_SECONDS`.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cac_portal.tasking import enqueue
from charter.models import Collective
from members import audit
from members.models import AuditEntry, MemberKind
from receipts.models import AnnualBatch, Receipt, ReceiptKind
from receipts.services import annual
from receipts.services.cancelling import cancel_receipt
from receipts.services.issuing import (
    Outcome,
    beneficiary_snapshot,
    fiscal_payments,
    issue_annual_receipt,
    require_year_over,
)
from receipts.services.readiness import require_fiscal_ready
from receipts.services.rendering import ensure_pdfs, render_held

logger = logging.getLogger(__name__)

# Members issued per transaction in a chunk: fewer commits, a short lock on the counter.
GROUP = 20


def pending_member_ids(fiscal_year):
    """Individuals with a received payment of `fiscal_year` that no valid receipt covers."""
    return list(
        fiscal_payments(fiscal_year)
        .filter(member__kind=MemberKind.INDIVIDUAL)
        .exclude(receipt_lines__is_valid=True)
        .order_by("member_id")
        .values_list("member_id", flat=True)
        .distinct()
    )


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _summaries(fiscal_year):
    return Receipt.objects.filter(kind=ReceiptKind.ANNUAL, fiscal_year=fiscal_year)


def _queue(batch, member_ids):
    """Hand the pending members to the workers in chunks, after commit; the PDFs a crash left
    unrendered go too (that task also finishes the batch when nothing else is left)."""
    for chunk in chunks(member_ids, max(1, settings.CELERY_BATCH_CHUNK_SIZE)):
        enqueue("receipts.tasks.issue_annual_chunk", batch.pk, chunk)
    enqueue("receipts.tasks.render_missing_pdfs", batch.fiscal_year)


def issue_annual_receipts(fiscal_year, *, actor, action=AuditEntry.Action.BATCH_STARTED):
    """Start (or resume) the yearly individual receipts of `fiscal_year`; returns its batch.

    `total` is every individual who must have a summary of the year (those who have one and
    those still missing it); only the missing ones are queued, and this run's failures start
    afresh. The chunks go to the workers after commit (in-process without a broker). Refused
    (ValidationError, nothing started) before the year is over, or while the collective's
    fiscal identity misses anything (the message lists it all).
    """
    fiscal_year = int(fiscal_year)
    require_year_over(fiscal_year)
    require_fiscal_ready(Collective.load(), article="200")
    with transaction.atomic():
        AnnualBatch.objects.get_or_create(fiscal_year=fiscal_year)
        batch = AnnualBatch.objects.select_for_update().get(fiscal_year=fiscal_year)
        member_ids = pending_member_ids(fiscal_year)
        now = timezone.now()
        batch.total = _summaries(fiscal_year).valid().count() + len(member_ids)
        batch.failures = {}
        batch.started_at = batch.last_progress_at = now
        if action == AuditEntry.Action.BATCH_STARTED:
            batch.started_by = audit.acting_user(actor)
        batch.status = AnnualBatch.Status.RUNNING
        batch.finished_at = None
        batch.save()
        audit.record(
            batch, action, actor=actor, after={"fiscal_year": fiscal_year, "total": batch.total}
        )
        _queue(batch, member_ids)
    batch.queued = len(member_ids)  # for the page and the command: what this run issues
    return batch


def _insert_or_fallback(plan, *, beneficiary, actor, failures):
    """Insert the group's new summaries together; if a unique constraint fires (someone issued
    meanwhile), issue them member by member instead."""
    built = annual.build_summaries(plan, beneficiary=beneficiary, actor=actor, failures=failures)
    try:
        with transaction.atomic():
            return annual.insert_summaries(built, actor=actor)
    except IntegrityError:
        logger.warning("inserting the group's summaries failed; member by member", exc_info=True)
    issued = []
    for receipt in built:
        member_id = receipt.member_id
        receipt = _alone(
            failures,
            member_id,
            issue_annual_receipt,
            member_id,
            plan.fiscal_year,
            actor=actor,
            beneficiary=beneficiary,
        )
        if receipt is not None and receipt[1] == Outcome.CREATED:
            issued.append(receipt[0])
    return issued


def _alone(failures, member_id, step, *args, **kwargs):
    """`step(*args, **kwargs)` in its own savepoint; a failure is logged and kept in
    `failures` (None is returned), so that the group goes on without that member."""
    try:
        with transaction.atomic():
            return step(*args, **kwargs)
    except Exception as exc:
        logger.exception("annual receipt of member %s failed", member_id)
        failures[member_id] = f"{type(exc).__name__}: {exc}"
        return None


def _reissue_late(plan, *, actor, failures):
    """A payment of the year recorded after the member's summary: the summary is cancelled and a
    corrected one replaces it (`cancel_receipt` hands the new one to the workers itself)."""
    reason = _("Versement de %(year)s enregistré après l'émission : reçu rectificatif.") % {
        "year": plan.fiscal_year
    }
    for member_id, old in plan.to_reissue.items():
        _alone(failures, member_id, cancel_receipt, old, reason=reason, actor=actor)


def _record_progress(batch_id, failures):
    """In the group's transaction: the batch made progress now; this group's failures kept."""
    batch = AnnualBatch.objects.select_for_update().get(pk=batch_id)
    batch.last_progress_at = timezone.now()
    if failures:
        batch.failures = {**batch.failures, **{str(k): v[:1000] for k, v in failures.items()}}
    batch.save(update_fields=["last_progress_at", "failures"])


def run_group(batch, member_ids, beneficiary):
    """Issue one group's summaries in one transaction; returns the new receipts (unrendered)."""
    failures = {}
    actor = batch.started_by
    with transaction.atomic():
        plan = annual.plan_group(member_ids, batch.fiscal_year)
        issued = _insert_or_fallback(plan, beneficiary=beneficiary, actor=actor, failures=failures)
        _reissue_late(plan, actor=actor, failures=failures)
        _record_progress(batch.pk, failures)
    return issued


def run_chunk(batch_id, member_ids):
    """Issue, render and queue the emails of one chunk, a group of members at a time.

    Each group is committed, rendered and handed to the mailer before the next one starts, so
    a worker killed in the middle leaves only finished groups behind it (and, at worst, PDFs
    to render and emails to send, which the re-run and the sweep pick up)."""
    batch = AnnualBatch.objects.select_related("started_by").get(pk=batch_id)
    collective = Collective.load()
    require_fiscal_ready(collective, article="200")  # checked at the start; changed since?
    beneficiary = beneficiary_snapshot(collective)
    for group in chunks(list(dict.fromkeys(member_ids)), GROUP):
        issued = run_group(batch, group, beneficiary)
        rendered = ensure_pdfs(issued)
        to_email = [receipt.pk for receipt in rendered if receipt.donor_email]
        if to_email:
            enqueue("receipts.tasks.email_receipts", to_email)
    finish_if_complete(batch_id)


def finish_if_complete(batch_id):
    """Mark the batch done once every individual of the year has a summary (but those that
    failed in this run) and every summary has its PDF."""
    batch = AnnualBatch.objects.get(pk=batch_id)
    if batch.status != AnnualBatch.Status.RUNNING:
        return False
    # The cheap question first: while chunks run, some receipt is still being rendered.
    if _summaries(batch.fiscal_year).valid().filter(pdf="").exists():
        return False
    if set(pending_member_ids(batch.fiscal_year)) - {int(k) for k in batch.failures}:
        return False
    return bool(
        AnnualBatch.objects.filter(pk=batch_id, status=AnnualBatch.Status.RUNNING).update(
            status=AnnualBatch.Status.DONE, finished_at=timezone.now()
        )
    )


def _claim_missing(receipts, skipped):
    """Up to a group of receipts without a PDF, locked for the caller's transaction; those
    another worker holds (a chunk rendering its group) are skipped, not waited for."""
    return list(
        receipts.exclude(pk__in=skipped)
        .select_for_update(skip_locked=True)
        .prefetch_related("lines")
        .order_by("pk")[:GROUP]
    )


def render_missing(fiscal_year=None, *, older_than=None):
    """Render the PDFs that are still missing (a crash between insert and rendering), a group
    at a time, claimed: never one that another worker is rendering."""
    receipts = Receipt.objects.filter(pdf="")
    if fiscal_year is not None:
        receipts = receipts.filter(fiscal_year=fiscal_year, kind=ReceiptKind.ANNUAL)
    if older_than is not None:
        receipts = receipts.filter(issued_at__lt=older_than)
    count, tried = 0, set()
    while True:
        with transaction.atomic():
            claimed = _claim_missing(receipts, tried)
            if not claimed:
                return count
            tried.update(receipt.pk for receipt in claimed)
            count += len(render_held(claimed))


def render_missing_and_finish(fiscal_year):
    """The batch's last task: the PDFs a crash left unrendered, then the batch's state."""
    count = render_missing(fiscal_year)
    batch = AnnualBatch.objects.filter(fiscal_year=fiscal_year).first()
    if batch is not None:
        finish_if_complete(batch.pk)
    return count


def resume_stalled(now):
    """Batches still running with no progress for the stall delay: their workers died. Queue
    what is missing again (a slow batch queued twice only finds its work done)."""
    stalled_before = now - datetime.timedelta(seconds=settings.RECEIPTS_BATCH_STALL_SECONDS)
    resumed = 0
    stalled = AnnualBatch.objects.filter(
        status=AnnualBatch.Status.RUNNING, last_progress_at__lt=stalled_before
    )
    for batch in stalled:
        if finish_if_complete(batch.pk):
            continue
        try:
            issue_annual_receipts(
                batch.fiscal_year, actor=None, action=AuditEntry.Action.BATCH_RESUMED
            )
        except ValidationError as refusal:
            logger.warning("batch %s not resumed: %s", batch.fiscal_year, refusal.messages)
            continue
        resumed += 1
    return resumed
