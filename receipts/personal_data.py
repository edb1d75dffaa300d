"""What receipts hold of a member's personal data, and how they answer the download and the
retention (`members.signals`; connected in `ReceiptsConfig.ready`).

A receipt never changes while the law keeps it: a closure leaves it as issued (its donor
fields were copied at issue), and its member's treasurer still downloads it. Past
RETENTION_RECEIPT_YEARS after the end of its year of issue, this module is the one deliberate
path that touches an issued receipt: a queryset update of the donor's fields alone (number,
dates, amounts, status and lines stay for the registers), its stored PDF deleted after commit,
the messages of its error reports blanked, and the run audited by `members.retention`.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver

from members.personal_data import Part, plain, row
from members.signals import personal_data, retention_due
from receipts.models import ErrorReport, Receipt, private_storage
from receipts.services.originals import original_or_duplicate

logger = logging.getLogger(__name__)

RECEIPT_FIELDS = [
    "number",
    "kind",
    "is_fiscal",
    "fiscal_year",
    "amount",
    "issued_on",
    "status",
    "cancelled_at",
    "cancellation_reason",
    "donor_name",
    "donor_address",
    "donor_email",
    "donor_siren",
    "donor_legal_form",
    "pdf_sha256",
]
# The only fields of an issued receipt that retention may change, and to what.
ERASABLE_FIELDS = {
    "donor_name": "",
    "donor_address": "",
    "donor_email": "",
    "donor_siren": "",
    "donor_legal_form": "",
    "email_error": "",
    "pdf": "",
}


def _original(receipt):
    def produce():
        data, _is_original = original_or_duplicate(receipt, actor=None)
        return data

    return produce


def _receipt_row(receipt):
    data = row(receipt, RECEIPT_FIELDS)
    data["remplace"] = receipt.replaces.number if receipt.replaces_id else None
    data["pdf"] = f"recus/recu-{receipt.number}.pdf" if receipt.pdf else None
    data["versements"] = [
        {"montant": plain(line.amount), "recu_le": plain(line.received_on), "mode": line.method}
        for line in receipt.lines.all()
    ]
    return data


@receiver(personal_data, dispatch_uid="receipts.personal_data")
def member_data(sender, member, **kwargs):
    receipts = (
        Receipt.objects.filter(member=member)
        .select_related("replaces")
        .prefetch_related("lines")
        .order_by("issued_at", "number")
    )
    emails = [
        {"type": "recu", "recu": r.number, "a": r.donor_email, "envoye_le": plain(r.emailed_at)}
        for r in receipts
        if r.emailed_at
    ]
    return Part(
        sections={"recus": [_receipt_row(receipt) for receipt in receipts]},
        files={f"recus/recu-{r.number}.pdf": _original(r) for r in receipts if r.pdf},
        emails=emails,
        audited=[receipts],
    )


def receipts_past_period(today):
    """Receipts whose year of issue ended more than RETENTION_RECEIPT_YEARS ago."""
    return Receipt.objects.filter(issued_on__year__lt=today.year - settings.RETENTION_RECEIPT_YEARS)


def _delete_files(names):
    storage = private_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("receipt file %s not deleted", name)


@receiver(retention_due, dispatch_uid="receipts.retention_due")
def apply_retention(sender, today, dry_run, **kwargs):
    old = receipts_past_period(today)
    receipts = old.filter(~Q(donor_name="") | ~Q(donor_address="") | ~Q(pdf=""))
    reports = ErrorReport.objects.filter(receipt__in=old).exclude(message="")
    counts = {"recus_anonymises": receipts.count(), "signalements_effaces": reports.count()}
    if dry_run:
        return counts
    with transaction.atomic():
        names = [name for name in receipts.values_list("pdf", flat=True) if name]
        receipts.update(**ERASABLE_FIELDS)
        reports.update(message="")
        transaction.on_commit(lambda: _delete_files(names))
    return counts
