"""The January batch: one yearly summary per individual, fanned out to the workers in chunks.

Invariant: running it again, after a crash or a double click, only fills what is missing; each
receipt and the batch's `done` counter are committed together, so progress is never lost nor
counted twice for an issued receipt.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.models import Collective
from dues.models import Payment
from members import audit
from members.audit import acting_user
from members.models import MemberKind
from receipts.models import AnnualBatch, Receipt, ReceiptKind
from receipts.services.cancelling import cancel_receipt
from receipts.services.delivery import enqueue
from receipts.services.issuing import (
    AnnualGroup,
    beneficiary_snapshot,
    issue_annual_receipt,
    uncovered_payments,
)
from receipts.services.rendering import ensure_pdf, ensure_pdfs

logger = logging.getLogger(__name__)


# Members issued per transaction in a chunk: fewer commits, a short lock on the counter.
GROUP = 20


def pending_member_ids(fiscal_year):
    """Individuals with a received payment of `fiscal_year` that no valid receipt covers."""
    return list(
        Payment.objects.valid()
        .filter(year=fiscal_year, member__kind=MemberKind.INDIVIDUAL)
        .exclude(receipt_lines__is_valid=True)
        .order_by("member_id")
        .values_list("member_id", flat=True)
        .distinct()
    )


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def issue_annual_receipts(fiscal_year, *, actor=None):
    """Start (or resume) the yearly individual receipts of `fiscal_year`; returns its batch.

    Only the members still missing a receipt are queued; the batch row's counters restart for
    this run. The chunks go to the workers after commit (in-process without a broker).
    """
    from receipts.tasks import issue_annual_chunk, render_missing_pdfs  # tasks import services

    fiscal_year = int(fiscal_year)
    with transaction.atomic():
        AnnualBatch.objects.get_or_create(fiscal_year=fiscal_year)
        batch = AnnualBatch.objects.select_for_update().get(fiscal_year=fiscal_year)
        member_ids = pending_member_ids(fiscal_year)
        now = timezone.now()
        batch.total = len(member_ids)
        batch.done = batch.failed = 0
        batch.started_at = now
        batch.started_by = acting_user(actor)
        batch.last_error = ""
        batch.status = AnnualBatch.Status.RUNNING if member_ids else AnnualBatch.Status.DONE
        batch.finished_at = None if member_ids else now
        batch.save()
        audit.record(
            batch,
            "receipts.batch_started",
            actor=actor,
            after={"fiscal_year": fiscal_year, "total": batch.total},
        )
        for chunk in chunks(member_ids, max(1, settings.CELERY_BATCH_CHUNK_SIZE)):
            enqueue(issue_annual_chunk, batch.pk, chunk)
        # A worker killed between a receipt's insert and its rendering left it without a PDF.
        enqueue(render_missing_pdfs, fiscal_year)
    return batch


def complete_annual_receipt(member_id, fiscal_year, *, actor=None, beneficiary=None, group=None):
    """The member's valid summary for the year, covering every received payment of the year.
    Returns (receipt, how) with `how` one of "existing", "created", "reissued" (None, "" when
    there is nothing to cover).

    A payment received after the summary was issued (a late cheque for that year) is added by
    cancelling the summary and issuing a corrected one that replaces it.

    With `group` (see `run_chunk`), what the group read is used, and a "created" summary is
    returned unsaved: `AnnualGroup.insert` inserts it with the group's others.
    """
    receipt, created = issue_annual_receipt(
        member_id, fiscal_year, actor=actor, beneficiary=beneficiary, group=group
    )
    if receipt is None:
        return None, ""
    if created:
        return receipt, "created"
    uncovered = (
        group.uncovered(member_id)
        if group is not None
        else uncovered_payments(member_id, fiscal_year)
    )
    if not uncovered:
        return receipt, "existing"
    new = cancel_receipt(
        receipt,
        reason=_("Versement de %(year)s reçu après l'émission : reçu rectificatif.")
        % {"year": fiscal_year},
        actor=actor,
    )
    return new, "reissued"


def run_chunk(batch_id, member_ids):
    """Issue, render and queue the emails of one chunk, a group of members at a time.

    A group's receipts and the batch's counters are committed together, in one transaction
    (the counter row locked once for the group, never during rendering), so a crash can neither
    lose nor double-count a receipt: it loses at most the group in flight, rolled back with its
    numbers. The group's members are locked and read in a few statements (`AnnualGroup`), each
    member decided in its own savepoint, and the new summaries inserted together; if that
    insert fails (a unique constraint: someone else issued meanwhile), the group's new
    summaries are issued member by member instead. The group is then rendered and its files
    recorded in one more transaction. A member that fails is counted and left for the next run;
    the others go on.
    """
    from receipts.tasks import email_receipts_task

    batch = AnnualBatch.objects.get(pk=batch_id)
    fiscal_year, actor = batch.fiscal_year, batch.started_by
    beneficiary = beneficiary_snapshot(Collective.load(), fiscal_year)
    to_email = []
    for group in chunks(list(dict.fromkeys(member_ids)), GROUP):
        failures = []
        with transaction.atomic():
            read = AnnualGroup(group, fiscal_year)
            outcomes = {}
            for member_id in group:
                outcome = _member_step(
                    failures,
                    complete_annual_receipt,
                    member_id,
                    fiscal_year,
                    actor=actor,
                    beneficiary=beneficiary,
                    group=read,
                )
                if outcome is not None:
                    outcomes[member_id] = outcome
            planned = [m for m, (r, how) in outcomes.items() if how == "created" and r.pk is None]
            if planned:
                try:
                    with transaction.atomic():
                        read.insert([outcomes[m][0] for m in planned], actor=actor)
                except Exception:
                    logger.warning(
                        "inserting the group's summaries failed; member by member", exc_info=True
                    )
                    for member_id in planned:
                        outcome = _member_step(
                            failures,
                            complete_annual_receipt,
                            member_id,
                            fiscal_year,
                            actor=actor,
                            beneficiary=beneficiary,
                        )
                        if outcome is None:
                            del outcomes[member_id]
                        else:
                            outcomes[member_id] = outcome
            # "existing": issued by an earlier delivery of this chunk, counted then.
            # None: nothing left to cover (the payment bounced meanwhile), done too.
            done = sum(how != "existing" for _, how in outcomes.values())
            # (cancel_receipt hands a corrected receipt to the workers itself)
            issued = [
                (receipt, how)
                for receipt, how in outcomes.values()
                if receipt is not None and how != "reissued"
            ]
            _count(batch_id, done, failures)
        rendered = {r.pk for r in ensure_pdfs([receipt for receipt, _ in issued])}
        to_email += [r.pk for r, how in issued if how == "created" and r.pk in rendered]
    finish_if_complete(batch_id)
    if to_email:
        enqueue(email_receipts_task, to_email)


def _member_step(failures, step, member_id, *args, **kwargs):
    """`step(member_id, ...)` in its own savepoint; a failure is logged and added to
    `failures` (and None returned), so that the group goes on without that member."""
    try:
        with transaction.atomic():
            return step(member_id, *args, **kwargs)
    except Exception as exc:
        logger.exception("annual receipt of member %s failed", member_id)
        failures.append(f"{member_id}: {exc}")
        return None


def _count(batch_id, done, failures):
    if not done and not failures:
        return
    changes = {"done": F("done") + done, "failed": F("failed") + len(failures)}
    if failures:
        changes["last_error"] = failures[-1][:1000]
    AnnualBatch.objects.filter(pk=batch_id).update(**changes)


def finish_if_complete(batch_id):
    AnnualBatch.objects.filter(
        Q(done__gte=F("total") - F("failed")), pk=batch_id, status=AnnualBatch.Status.RUNNING
    ).update(status=AnnualBatch.Status.DONE, finished_at=timezone.now())


def render_missing(fiscal_year=None, *, older_than=None):
    """Render the PDFs that are still missing (a crash between insert and rendering)."""
    receipts = Receipt.objects.filter(pdf="")
    if fiscal_year is not None:
        receipts = receipts.filter(fiscal_year=fiscal_year, kind=ReceiptKind.ANNUAL)
    if older_than is not None:
        receipts = receipts.filter(issued_at__lt=older_than)
    count = 0
    for receipt in receipts.iterator():
        try:
            ensure_pdf(receipt)
            count += 1
        except Exception:
            logger.exception("rendering %s failed", receipt.number)
    return count
